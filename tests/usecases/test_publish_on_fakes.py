"""The publish use case on in-memory fakes: what an upload, a delete, a move or a bad file does.

The same behaviours ``tests/integration/test_publish_flow.py`` and
``test_feedback_after_render.py`` check on moto, in milliseconds: the
rules live in the use case, so they must hold on any store that honours the ports.
"""

from __future__ import annotations

import json
import random
import re
import string
from collections.abc import Mapping

import pytest
from newsroom.domain.records import PUBLISHED
from newsroom.web.outputs import Output

from tests.support.fake_site import FakeSite
from tests.usecases.pages import h1, md, related

KEY = "articles/tin-tuc/hoi-nghi.md"
PAGE = "tin-tuc/hoi-nghi.html"


def test_an_upload_publishes_its_page_and_tags_it_only_once_the_page_is_live(
    site: FakeSite, monkeypatch: pytest.MonkeyPatch
) -> None:
    seen: dict[str, tuple[bool, int | None, list[str]]] = {}
    tag = site.source.tag

    def looking_at_the_site(key: str, version_id: str | None, ours: Mapping[str, str]) -> bool:
        """What a reader could get at the moment the editor is told."""
        count = (
            json.loads(site.site.body("stats.json"))["articles"]
            if "stats.json" in site.site.objects
            else None
        )
        seen[key] = (PAGE in site.site.objects, count, site.cdn.paths())
        return tag(key, version_id, ours)

    monkeypatch.setattr(site.source, "tag", looking_at_the_site)
    version = site.source.upload(KEY, md("Hội nghị tổng kết", "2024-04-28T08:30:00+07:00"))
    batch = site.publish(KEY)

    assert h1(site.site.body(PAGE)) == "Hội nghị tổng kết"
    page_was_live, count_then, invalidated_then = seen[KEY]
    assert page_was_live, "the tag said published before the page was in the site bucket"
    assert count_then == 1, "stats.json did not count the article yet"
    # The page is tagged with its category and month (``domain/cache_tags``): that tag invalidates it.
    assert site.site.objects[PAGE].metadata["cache-tag"] == "a:tin-tuc:2024-04,pages"
    assert "#a:tin-tuc:2024-04" in invalidated_then, "the tag said published before the invalidation"
    assert site.source.tags_of(KEY) == {
        "publish-status": "published",
        "publish-url": "/tin-tuc/hoi-nghi.html",
    }
    assert site.source.status_of(KEY) == {
        "source": KEY,
        "version": version,
        "status": "published",
        "summary": "Đã xuất bản tại /tin-tuc/hoi-nghi.html",  # in the site's language (vi)
        "url": "/tin-tuc/hoi-nghi.html",
        "locale": "vi",
        "tagged": True,
    }
    assert batch.untagged == []
    assert site.journal.index(("put", PAGE)) < site.journal.index(("tag", KEY))
    assert site.index.articles.url_owner("/tin-tuc/hoi-nghi.html") == KEY
    assert site.index.counts.stats().articles == 1
    assert site.index.counts.months(("tin-tuc",)) == [("2024-04", 1)]
    assert site.index.invalidations.pending() == []
    assert len(site.cdn.created) == 1  # one invalidation for the batch
    # Listings, archives, feeds, sitemaps and stats.json carry ``lists``; the page its category-month
    # tag; the first batch of a container also writes the assets, 404 and robots.txt (by path).
    tagged = [item for item in batch.report.invalidated if item.startswith("#")]
    assert tagged == ["#a:tin-tuc:2024-04", "#lists"]
    assert site.site.objects["tin-tuc/2024/04/index.html"].metadata["cache-tag"] == "lists"
    assert "/tin-tuc/hoi-nghi.html" not in batch.report.invalidated


def test_a_batch_whose_render_fails_tags_nothing_and_the_retry_tags_everything(
    site: FakeSite, monkeypatch: pytest.MonkeyPatch
) -> None:
    keys = {"good": KEY, "draft": "articles/tin-tuc/nhap.md", "broken": "articles/tin-tuc/hong.md"}
    site.source.upload(keys["good"], md("Bài tốt"))
    site.source.upload(keys["draft"], md("Nháp", status="draft"))
    site.source.upload(keys["broken"], "---\ntitle: [oops\n---\nx")

    def unreachable(output: Output) -> None:
        raise RuntimeError("the site bucket is unreachable")

    with monkeypatch.context() as patch:
        patch.setattr(site.site, "put", unreachable)
        with pytest.raises(RuntimeError, match="unreachable"):
            site.publish(*keys.values())
    assert all(site.source.tags_of(key) == {} and site.source.status_of(key) is None for key in keys.values())
    assert len(site.index.invalidations.pending()) == 1  # written down before the first page
    assert site.cdn.created == []

    site.publish(*keys.values())  # the redelivered batch
    assert site.source.tags_of(keys["good"])["publish-status"] == "published"
    draft = site.source.tags_of(keys["draft"])
    assert draft["publish-status"] == "draft"
    assert re.fullmatch(r"/preview/[A-Za-z0-9_-]{32}\.html", draft["publish-url"])  # its private preview
    broken = site.source.tags_of(keys["broken"])
    assert broken["publish-status"] == "error"
    assert broken["publish-error"].startswith("invalid YAML front matter at line 2")
    assert site.index.invalidations.pending() == []
    assert "tin-tuc/nhap.html" not in site.site.objects
    assert site.index.counts.stats().articles == 1


def test_a_delete_removes_the_page_frees_its_url_and_repairs_the_neighbours(site: FakeSite) -> None:
    keys = [f"articles/tin-tuc/bai-{n}.md" for n in (1, 2, 3)]
    for n, key in enumerate(keys, start=1):
        site.source.upload(key, md(f"Bài {n}", f"2024-04-0{n}T08:00:00+07:00"))
    site.publish(*keys)
    assert related(site.site.body("tin-tuc/bai-1.html"), "newer") == ["Bài 2", "Bài 3"]

    batch = site.delete_and_publish(keys[1])
    assert "tin-tuc/bai-2.html" not in site.site.objects
    assert batch.report.removed == ["tin-tuc/bai-2.html"]
    assert batch.report.invalidated == ["#a:tin-tuc:2024-04", "#lists"]  # the removed page by its tag
    assert site.index.articles.url_owner("/tin-tuc/bai-2.html") is None
    assert related(site.site.body("tin-tuc/bai-1.html"), "newer") == ["Bài 3"]
    assert related(site.site.body("tin-tuc/bai-3.html"), "older") == ["Bài 1"]
    assert "Bài 2" not in site.site.body("tin-tuc/index.html")
    assert site.index.counts.stats().articles == 2
    assert [e.title for e in site.index.listings.latest((), 10)] == ["Bài 3", "Bài 1"]
    assert site.source.status_of(keys[1]) is None  # the status file goes with its source
    assert site.source.status_of(keys[0]) is not None


def test_newer_and_older_lists_hold_five_neighbours_in_the_same_category(site: FakeSite) -> None:
    keys = [f"articles/tin-tuc/bai-{n:02d}.md" for n in range(1, 13)]
    for n, key in enumerate(keys, start=1):
        site.source.upload(key, md(f"Bài {n:02d}", f"2024-04-{n:02d}T08:00:00+07:00"))
    site.source.upload("articles/khac/bai-khac.md", md("Bài khác", "2024-04-06T09:00:00+07:00"))
    site.publish(*keys, "articles/khac/bai-khac.md")
    middle = site.site.body("tin-tuc/bai-06.html")
    assert related(middle, "newer") == ["Bài 07", "Bài 08", "Bài 09", "Bài 10", "Bài 11"]
    assert related(middle, "older") == ["Bài 05", "Bài 04", "Bài 03", "Bài 02", "Bài 01"]
    newest = site.site.body("tin-tuc/bai-12.html")
    assert related(newest, "newer") == []
    assert related(newest, "older") == ["Bài 11", "Bài 10", "Bài 09", "Bài 08", "Bài 07"]
    assert site.index.counts.scope_counts() == {("khac",): 1, ("tin-tuc",): 12}


def test_deleting_the_last_article_of_a_category_removes_the_category_pages(site: FakeSite) -> None:
    site.upload_and_publish("articles/khoa-hoc/mot.md", md("Bài một", "2024-05-02T08:00:00+07:00"))
    site.upload_and_publish(KEY, md("Hội nghị"))
    assert "khoa-hoc/index.html" in site.site.objects and "khoa-hoc/2024/05/index.html" in site.site.objects
    batch = site.delete_and_publish("articles/khoa-hoc/mot.md")
    gone = {"khoa-hoc/mot.html", "khoa-hoc/index.html", "khoa-hoc/rss.xml", "khoa-hoc/2024/05/index.html"}
    assert gone <= set(batch.report.removed)
    assert not gone & set(site.site.objects)
    assert not [k for k in site.site.objects if k.startswith("sitemaps/") and "mot.html" in site.site.body(k)]
    assert site.index.counts.scope_counts() == {("tin-tuc",): 1}
    assert site.index.counts.emptied_scopes() == [("khoa-hoc",)]
    assert site.index.counts.months(()) == [("2024-04", 1)]


def test_a_move_keeps_the_old_url_as_a_redirect_and_a_move_back_drops_it(site: FakeSite) -> None:
    site.upload_and_publish(KEY, md("Hội nghị", slug="cu"))
    batch = site.upload_and_publish(KEY, md("Hội nghị", slug="moi"))
    record = site.index.articles.get(KEY)
    assert record is not None and record.aliases == ("/tin-tuc/cu.html",)
    assert site.redirects.targets == {"/tin-tuc/cu.html": "/tin-tuc/moi.html"}
    assert "tin-tuc/cu.html" not in site.site.objects and "tin-tuc/moi.html" in site.site.objects
    # The old page goes; so does the archive page its old sort key started, if it started one.
    assert [key for key in batch.report.removed if not key.startswith(("2024/", "tin-tuc/2024/"))] == [
        "tin-tuc/cu.html"
    ]
    assert not [key for key in site.site.objects if key.startswith("2024/") and key in batch.report.removed]
    assert site.index.articles.url_owner("/tin-tuc/cu.html") is None
    assert site.index.articles.url_owner("/tin-tuc/moi.html") == KEY
    assert site.index.counts.stats().articles == 1
    assert site.source.tags_of(KEY)["publish-url"] == "/tin-tuc/moi.html"

    site.upload_and_publish(KEY, md("Hội nghị", slug="cu"))  # back: the live page's URL is never redirected
    assert site.redirects.targets == {"/tin-tuc/moi.html": "/tin-tuc/cu.html"}
    assert "tin-tuc/cu.html" in site.site.objects and "tin-tuc/moi.html" not in site.site.objects


def test_a_rebuild_writes_the_redirects_again_from_the_live_articles(site: FakeSite) -> None:
    """A store that lost a change, or got two in the wrong order, says again what the index says."""
    site.upload_and_publish(KEY, md("Hội nghị", slug="cu"))
    site.upload_and_publish(KEY, md("Hội nghị", slug="moi"))
    site.upload_and_publish(KEY, md("Hội nghị", slug="moi-nhat"))
    expected = {"/tin-tuc/cu.html": "/tin-tuc/moi-nhat.html", "/tin-tuc/moi.html": "/tin-tuc/moi-nhat.html"}
    assert site.redirects.targets == expected
    site.redirects.targets.clear()  # lost
    site.redirects.targets["/tin-tuc/moi-nhat.html"] = "/tin-tuc/moi.html"  # an older change, applied last
    site.fanout.request("rebuild-redirects")
    site.drain_render_queue()
    assert site.redirects.targets == expected


def test_a_rejected_reupload_keeps_the_published_page_and_tags_the_error(site: FakeSite) -> None:
    site.upload_and_publish(KEY, md("Bài đang chạy"))
    live = site.site.objects[PAGE]
    batch = site.upload_and_publish(KEY, "---\ntitle: Bài đang chạy\nstatus: live\n---\nx")
    assert site.site.objects[PAGE] == live
    assert PAGE not in batch.report.written
    record = site.index.articles.get(KEY)
    assert record is not None and record.state == PUBLISHED
    assert record.error == "unknown status 'live' (use published or draft)"
    tags = site.source.tags_of(KEY)
    assert tags["publish-status"] == "error"
    assert tags["publish-error"] == "unknown status live use published or draft"  # folded for S3
    status = site.source.status_of(KEY)
    assert status is not None and status["error_en"] == "unknown status 'live' (use published or draft)"
    assert status["error"] == "trạng thái 'live' không hợp lệ (hãy dùng published hoặc draft)"
    assert status["summary"] == "Bị từ chối – phiên bản trước vẫn được giữ tại /tin-tuc/hoi-nghi.html"
    assert site.index.counts.stats().articles == 1


def test_a_duplicate_delivery_writes_invalidates_and_commits_nothing(site: FakeSite) -> None:
    site.upload_and_publish(KEY, md("Bài A"))
    objects, invalidations = dict(site.site.objects), list(site.cdn.created)
    transactions = site.state.transactions
    report = site.publisher.render([site.publisher.ingest(KEY), site.publisher.ingest(KEY)])
    assert (report.written, report.removed, report.invalidated) == ([], [], [])
    assert site.site.objects == objects
    assert site.cdn.created == invalidations
    assert site.state.transactions == transactions
    for _ in range(3):  # the same bytes uploaded again are new versions, and count once
        site.upload_and_publish(KEY, md("Bài A"))
    assert site.index.counts.stats().articles == 1
    assert site.source.tags_of(KEY)["publish-status"] == "published"  # every version is answered


def test_an_object_with_ten_tags_of_its_own_is_answered_in_its_status_file(site: FakeSite) -> None:
    editors = {f"editor-{n}": f"v{n}" for n in range(10)}
    batch = site.upload_and_publish(KEY, md("Đủ mười thẻ"), tags=editors)
    assert batch.untagged == [KEY]
    assert site.source.tags_of(KEY) == editors  # the editor's own tags are never dropped
    status = site.source.status_of(KEY)
    assert status is not None and status["status"] == "published" and status["tagged"] is False
    assert "10 thẻ (tag) riêng" in status["note"]  # the site's language, like the rest of the file


def test_a_medium_is_copied_tagged_and_removed_with_its_source(site: FakeSite) -> None:
    media = "media/anh.jpg"
    batch = site.upload_and_publish(media, b"\xff\xd8\xff\xe0 jpeg")
    assert site.site.objects[media].body == b"\xff\xd8\xff\xe0 jpeg"
    assert site.site.objects[media].content_type == "image/jpeg"
    assert site.source.tags_of(media) == {"publish-status": "published", "publish-url": "/media/anh.jpg"}
    assert "/media/anh.jpg" in batch.report.invalidated
    assert site.journal.index(("copy", media)) < site.journal.index(("tag", media))
    again = site.publish(media)  # a duplicate delivery copies nothing
    assert again.report.invalidated == [] and site.journal.count(("copy", media)) == 1

    gone = site.delete_and_publish(media)
    assert media not in site.site.objects
    assert gone.report.invalidated == ["/media/anh.jpg"]
    assert site.source.status_of(media) is None


def test_a_file_refused_by_its_key_is_told_why_and_publishes_nothing(site: FakeSite) -> None:
    key = "articles/tin-tuc/../../site/x.md"
    batch = site.upload_and_publish(key, md("Trốn"))
    assert site.source.tags_of(key) == {
        "publish-status": "error",
        "publish-error": "key has an empty . or .. path segment",
    }
    assert batch.ingested[0].record is None
    assert not any(k.split("/")[-1] == "x.html" for k in site.site.objects)
    assert site.state.articles == {}


def test_a_change_committed_while_a_batch_renders_is_rendered_by_another_pass(
    site: FakeSite, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The revision moved between the pass's first read and its last write: the pass runs again."""
    other = "articles/tin-tuc/khac.md"
    site.source.upload(other, md("Bài khác", "2024-04-02T08:00:00+07:00"))
    put = site.site.put
    elsewhere = site.another_publisher()

    def put_while_another_publishes(output: Output) -> None:
        put(output)
        if output.key == PAGE and other not in site.state.articles:
            elsewhere.ingest(other)  # another invocation commits its change (its render comes later)

    monkeypatch.setattr(site.site, "put", put_while_another_publishes)
    site.source.upload(KEY, md("Hội nghị"))
    batch = site.publish(KEY)
    assert batch.report.passes == 2
    assert related(site.site.body(PAGE), "newer") == ["Bài khác"]  # the second pass saw it


def test_a_configuration_change_requests_a_fan_out_job_and_tags_its_version(site: FakeSite) -> None:
    site.upload_and_publish(KEY, md("Bài A"))
    revision = site.index.counts.revision()
    batch = site.upload_and_publish("site/site.yaml", "name: Cổng tin thử nghiệm\n")
    assert batch.ingested[0].config_version == 1
    assert site.queue.messages() == [{"type": "plan", "job": "config-1", "media": False}]
    assert site.source.tags_of("site/site.yaml") == {
        "publish-status": "published",
        "publish-config-version": "1",
    }
    stored = site.index.configuration.current()
    assert (
        stored is not None
        and stored.version == 1
        and stored.site_yaml == "name: Cổng tin thử nghiệm\n".encode()
    )
    assert site.index.counts.revision() == revision + 1  # a configuration change moves the revision too
    assert batch.report.written == []  # the pages are the job's to re-render


def test_a_refused_configuration_keeps_the_one_in_force_and_requests_nothing(site: FakeSite) -> None:
    site.upload_and_publish("site/site.yaml", "name: Cổng tin\n")
    site.queue.bodies.clear()
    batch = site.upload_and_publish("site/site.yaml", "timezone: UTC\n")
    assert (
        batch.ingested[0].error is not None
        and "timezone is fixed by the deployment" in batch.ingested[0].error
    )
    assert site.source.tags_of("site/site.yaml")["publish-status"] == "error"
    stored = site.index.configuration.current()
    assert stored is not None and (stored.version, stored.site_yaml) == (1, "name: Cổng tin\n".encode())
    assert site.queue.bodies == []
    unknown = site.upload_and_publish("site/theme.yaml", "x: 1\n")
    assert unknown.ingested[0].error == "unknown site file: use site/site.yaml or site/categories.yaml"


def test_a_duplicate_delivery_of_an_article_too_large_to_store_commits_nothing(site: FakeSite) -> None:
    noise = random.Random(1)
    body = "\n\n".join("".join(noise.choices(string.ascii_letters + " ", k=900)) for _ in range(560))
    site.source.upload(KEY, md("Dài quá", body=body))  # under 1 MB, over 300 KB compressed
    site.publisher.ingest(KEY, "00AB")
    record = site.index.articles.get(KEY)
    assert (
        record is not None and record.error == "the article is too large to publish (over 300 KB compressed)"
    )
    transactions = site.state.transactions
    site.publisher.ingest(KEY, "00AB")  # the same event again
    assert site.state.transactions == transactions
    assert site.publisher.ingest(KEY, "0001").stale  # an older event


def test_the_side_video_module_is_the_articles_placeholder_and_loads_nothing(site: FakeSite) -> None:
    site.upload_and_publish(
        "site/site.yaml", "video:\n  title: Lễ trao giải\n  url: https://vimeo.com/123456789\n"
    )
    site.drain_render_queue()
    site.upload_and_publish(KEY, md("Hội nghị"))
    page = site.site.body(PAGE)
    assert (
        '<figure class="video" data-video="https://player.vimeo.com/video/123456789?dnt=1">'
        '<button type="button" class="video-play" data-play-video hidden>'
    ) in page
    assert "<iframe" not in page


def test_the_side_video_modules_poster_shows_on_its_button(site: FakeSite) -> None:
    site.upload_and_publish(
        "site/site.yaml",
        "video:\n  title: Lễ trao giải\n  url: https://vimeo.com/123456789\n  image: /media/2024/poster.jpg\n",
    )
    site.drain_render_queue()
    site.upload_and_publish(KEY, md("Hội nghị"))
    page = site.site.body(PAGE)
    assert (
        '<button type="button" class="video-play video-play-poster" data-play-video hidden>'
        '<img src="/media/2024/poster.jpg" alt="" loading="lazy" decoding="async">'
    ) in page
    assert '<span class="video-title">Lễ trao giải</span></button>' in page
