"""The fan-out use case on in-memory fakes: a plan, its chunks, and one wildcard invalidation.

A configuration change alters every page; the job that re-renders them must
cover the whole site in bounded chunks, count a redelivered chunk once, and
invalidate exactly once, when the last chunk reports.
"""

from __future__ import annotations

import json

import pytest
from newsroom.usecases import fanout

from tests.support.fake_site import FakeSite
from tests.usecases.pages import md

ARTICLES = {
    "articles/tin-tuc/mot.md": ("Bài một", "2024-03-10T08:00:00+07:00"),
    "articles/tin-tuc/hai.md": ("Bài hai", "2024-04-01T08:00:00+07:00"),
    "articles/khoa-hoc/ba.md": ("Bài ba", "2024-04-02T08:00:00+07:00"),
}
NAME = "Cổng tin thử nghiệm"


@pytest.fixture
def published(site: FakeSite) -> FakeSite:
    """Three articles in two categories and two months, published in one batch."""
    for key, (title, date) in ARTICLES.items():
        site.source.upload(key, md(title, date))
    site.publish(*ARTICLES)
    return site


def html_pages(site: FakeSite) -> dict[str, str]:
    return {
        key: site.site.body(key)
        for key, o in site.site.objects.items()
        if o.content_type.startswith("text/html")
    }


def test_a_configuration_change_re_renders_every_page_and_invalidates_once_with_a_wildcard(
    published: FakeSite,
) -> None:
    before = list(published.cdn.created)
    published.upload_and_publish("site/site.yaml", f"name: {NAME}\n")
    reports = published.drain_render_queue()

    pages = html_pages(published)
    assert {"tin-tuc/mot.html", "tin-tuc/hai.html", "khoa-hoc/ba.html", "index.html", "404.html"} <= set(
        pages
    )
    assert all('data-config-version="1"' in body for body in pages.values()), "a page kept the old version"
    assert all(NAME in body for body in pages.values())
    assert published.cdn.created == [*before, ("config-1", ["/*"])]
    assert [r.invalidated for r in reports] == [False] * (len(reports) - 1) + [True]
    progress = published.index.jobs.get("config-1")
    assert progress is not None
    assert (progress.total, progress.done, progress.dispatched, progress.invalidated) == (
        len(reports),
        len(reports),
        True,
        True,
    )
    assert progress.written == sum(len(r.written) + len(r.removed) for r in reports)


def test_the_plan_cuts_the_site_into_chunks_that_cover_it(
    published: FakeSite, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(fanout, "ARTICLES_PER_CHUNK", 2)
    assert published.fanout.plan("rebuild-1") == len(published.queue.bodies)
    works = [m["work"] for m in published.queue.messages()]
    assert [m["chunk"] for m in published.queue.messages()] == list(range(len(works)))
    keys = [e.key for e in published.index.listings.entries_between("", "~")]
    assert [w["articles"] for w in works if "articles" in w] == [[keys[0], keys[1]], [keys[2], keys[2]]]
    assert [w["scopes"] for w in works if "scopes" in w] == [[[], ["khoa-hoc"], ["tin-tuc"]]]
    months = {(tuple(w["months"]["scope"]), tuple(w["months"]["months"])) for w in works if "months" in w}
    assert months == {
        ((), ("2024-04", "2024-03")),
        (("khoa-hoc",), ("2024-04",)),
        (("tin-tuc",), ("2024-04", "2024-03")),
    }
    assert works[-1] == {"site": True}
    assert not any("media" in w for w in works)


def test_a_redelivered_plan_sends_nothing_and_a_redelivered_chunk_does_not_invalidate_again(
    published: FakeSite,
) -> None:
    published.fanout.request("rebuild-2")
    plan = published.queue.bodies[0]
    published.fanout.handle(published.queue.receive() or "")
    chunks = list(published.queue.bodies)
    published.drain_render_queue()
    invalidations = list(published.cdn.created)
    objects = dict(published.site.objects)

    assert published.fanout.handle(plan) is None
    assert published.queue.bodies == []  # the chunks were dispatched already
    again = published.fanout.handle(chunks[-1])
    assert again is not None and again.complete and not again.invalidated
    assert again.written == [] and again.removed == []
    assert published.cdn.created == invalidations
    assert published.site.objects == objects
    progress = published.index.jobs.get("rebuild-2")
    assert progress is not None and progress.done == progress.total == len(chunks)


def test_a_category_dropped_from_the_configuration_loses_its_empty_pages(site: FakeSite) -> None:
    site.upload_and_publish("articles/tin-tuc/mot.md", md("Bài một"))
    categories = "- {slug: tin-tuc, name: Tin tức}\n- {slug: thong-bao, name: Thông báo}\n"
    site.upload_and_publish("site/categories.yaml", categories)
    site.drain_render_queue()
    assert "Thông báo" in site.site.body("thong-bao/index.html")  # configured: it has a page, empty

    batch = site.upload_and_publish("site/categories.yaml", "- {slug: tin-tuc, name: Tin tức}\n")
    assert batch.ingested[0].config_version == 2
    stored = site.index.configuration.current()
    assert stored is not None and stored.retired == (("thong-bao",),)
    reports = site.drain_render_queue()
    assert "thong-bao/index.html" not in site.site.objects
    assert "thong-bao/rss.xml" not in site.site.objects
    assert {"thong-bao/index.html", "thong-bao/rss.xml"} <= {k for r in reports for k in r.removed}
    assert "Tin tức" in site.site.body("tin-tuc/mot.html")
    assert site.cdn.created[-1] == ("config-2", ["/*"])


def test_a_rebuild_with_media_copies_them_but_never_a_picture_and_repairs_the_search_index(
    published: FakeSite,
) -> None:
    published.source.upload("media/tai-lieu.pdf", b"%PDF-1.7 report")
    published.source.upload("media/anh.jpg", b"\xff\xd8\xff\xe0 jpeg with GPS")  # the picture function's
    published.search_terms.indexed.clear()  # a lost search table
    published.fanout.request("rebuild-3", media=True)
    assert json.loads(published.queue.bodies[0]) == {"type": "plan", "job": "rebuild-3", "media": True}
    reports = published.drain_render_queue()
    assert published.site.objects["media/tai-lieu.pdf"].body == b"%PDF-1.7 report"
    assert any(r.written == ["media/tai-lieu.pdf"] for r in reports)
    assert "media/anh.jpg" not in published.site.objects
    assert [hit.url for hit in published.search_terms.search(["bai"])] == [
        "/khoa-hoc/ba.html",
        "/tin-tuc/hai.html",
        "/tin-tuc/mot.html",
    ]


def test_a_configuration_version_already_re_rendered_is_not_requested_again(published: FakeSite) -> None:
    published.upload_and_publish("site/site.yaml", f"name: {NAME}\n")
    published.drain_render_queue()
    published.publish("site/site.yaml")  # a duplicate delivery of the accepted file
    assert published.queue.bodies == []
    assert published.index.configuration.current() is not None
    assert [r for r, _ in published.cdn.created].count("config-1") == 1
