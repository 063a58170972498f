"""Drafts with private previews, scheduled publishing and expiry, on fakes of every port.

The scheduler's clock is the test's: ``site.fire_schedules(now)`` delivers
what fell due by ``now`` the way EventBridge Scheduler does (each schedule
once, then deleted), and the publish path judges the key at that moment.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

from newsroom.domain.schedule import PUBLISH, UNPUBLISH

from tests.support.fake_site import FakeSite
from tests.usecases.pages import md

KEY = "articles/tin-tuc/hoi-thao.md"
PAGE = "tin-tuc/hoi-thao.html"
NOW = datetime.now(UTC).replace(microsecond=0)


def iso(moment: datetime) -> str:
    return moment.isoformat()


def preview_key(site: FakeSite, key: str = KEY) -> str:
    url = site.source.tags_of(key)["publish-url"]
    assert re.fullmatch(r"/preview/[A-Za-z0-9_-]{32}\.html", url), url
    return url.lstrip("/")


def listed_everywhere(site: FakeSite, url: str) -> list[str]:
    """Which of the site's listings, feeds, sitemaps and search know ``url``."""
    places = ["index.html", "tin-tuc/index.html", "rss.xml", "tin-tuc/rss.xml", "sitemap-news.xml"]
    found = [key for key in places if key in site.site.objects and url in site.site.body(key)]
    found += [key for key in site.site.objects if key.startswith("sitemaps/") and url in site.site.body(key)]
    if any(url == hit.url for entry in site.search_terms.indexed.values() for _, hit in entry.hits.values()):
        found.append("search")
    return found


def test_a_draft_has_only_a_private_preview_kept_across_reuploads_and_revoked_on_publish(
    site: FakeSite,
) -> None:
    site.upload_and_publish("articles/tin-tuc/khac.md", md("Bài khác", date=iso(NOW - timedelta(days=1))))
    site.upload_and_publish(KEY, md("Hội thảo (nháp)", date=iso(NOW), status="draft"))
    assert site.source.tags_of(KEY)["publish-status"] == "draft"
    preview = preview_key(site)
    page = site.site.objects[preview]
    html = page.body.decode()
    assert page.cache_control == "private, no-store"
    assert '<meta name="robots" content="noindex, nofollow, noarchive">' in html
    assert '<meta name="referrer" content="no-referrer">' in html
    assert 'rel="canonical"' not in html and "data-article-views" not in html
    assert "Hội thảo (nháp)" in html and "Bản xem trước" in html
    assert PAGE not in site.site.objects
    assert listed_everywhere(site, "/tin-tuc/hoi-thao.html") == []
    status = site.source.status_of(KEY)
    assert status is not None and status["url"] == "/" + preview  # readable where tags are not shown

    site.upload_and_publish(KEY, md("Hội thảo (sửa)", date=iso(NOW), status="draft"))
    assert preview_key(site) == preview  # the link the editor shared still works
    assert "Hội thảo (sửa)" in site.site.body(preview)

    batch = site.upload_and_publish(KEY, md("Hội thảo", date=iso(NOW)))
    assert site.source.tags_of(KEY)["publish-url"] == "/tin-tuc/hoi-thao.html"
    assert preview not in site.site.objects  # revoked
    assert "/" + preview in batch.report.invalidated
    assert PAGE in site.site.objects
    assert {"index.html", "tin-tuc/index.html", "rss.xml", "sitemap-news.xml"} <= set(
        listed_everywhere(site, "/tin-tuc/hoi-thao.html")
    )

    site.upload_and_publish(KEY, md("Hội thảo", date=iso(NOW), status="draft"))
    again = preview_key(site)
    assert again != preview  # a new draft gets a new token: the old link stays dead
    site.delete_and_publish(KEY)
    assert again not in site.site.objects and PAGE not in site.site.objects
    assert site.source.status_of(KEY) is None


def test_a_scheduled_article_goes_live_at_its_time_and_an_expiring_one_comes_down(site: FakeSite) -> None:
    live_at, down_at = NOW + timedelta(hours=6), NOW + timedelta(days=3)
    site.upload_and_publish("articles/tin-tuc/cu.md", md("Bài cũ", date=iso(NOW - timedelta(days=1))))
    site.upload_and_publish(
        KEY, md("Hội thảo", date=iso(NOW), publish_at=iso(live_at), unpublish_at=iso(down_at))
    )
    assert site.source.tags_of(KEY)["publish-status"] == "scheduled"
    preview = preview_key(site)  # a scheduled article can be checked before it goes live
    assert PAGE not in site.site.objects
    assert listed_everywhere(site, "/tin-tuc/hoi-thao.html") == []
    version = site.source.versions[KEY][-1].version_id
    assert site.schedules.pending == {
        (KEY, PUBLISH): (live_at, version),
        (KEY, UNPUBLISH): (down_at, version),
    }

    assert site.fire_schedules(live_at - timedelta(seconds=1)).ingested == []  # nothing due yet
    site.fire_schedules(live_at)
    assert site.source.tags_of(KEY)["publish-status"] == "published"
    assert PAGE in site.site.objects and preview not in site.site.objects
    assert "Hội thảo" in site.site.body("index.html")
    assert site.schedules.pending == {(KEY, UNPUBLISH): (down_at, version)}

    site.fire_schedules(down_at)
    assert site.source.tags_of(KEY)["publish-status"] == "expired"
    assert PAGE not in site.site.objects
    assert listed_everywhere(site, "/tin-tuc/hoi-thao.html") == []
    assert site.schedules.pending == {}
    assert "Bài cũ" in site.site.body("index.html")


def test_editing_the_times_reschedules_an_old_schedule_publishes_nothing_and_a_delete_cancels(
    site: FakeSite,
) -> None:
    first, later = NOW + timedelta(hours=2), NOW + timedelta(hours=5)
    site.upload_and_publish(KEY, md("Hội thảo", date=iso(NOW), publish_at=iso(first)))
    old_version = site.source.versions[KEY][-1].version_id
    old_schedule = site.schedules.pending[(KEY, PUBLISH)]
    site.upload_and_publish(KEY, md("Hội thảo", date=iso(NOW), publish_at=iso(later)))
    assert site.schedules.pending[(KEY, PUBLISH)][0] == later  # moved, not doubled

    # The old schedule, had it fired anyway (sent before the update): dropped, the page stays unborn.
    stale = site.publisher.ingest(KEY, now=first, version=old_version)
    assert stale.stale and old_schedule == (first, old_version)
    site.publisher.render([stale])
    assert PAGE not in site.site.objects

    site.delete_and_publish(KEY)
    assert site.schedules.pending == {}
    assert site.fire_schedules(later).ingested == []
    assert PAGE not in site.site.objects


def test_a_future_date_is_scheduled_too_and_never_becomes_the_lead_story_early(site: FakeSite) -> None:
    site.upload_and_publish(
        "articles/tin-tuc/hom-nay.md", md("Tin hôm nay", date=iso(NOW - timedelta(hours=1)))
    )
    news_before = site.site.body("sitemap-news.xml")
    future = NOW + timedelta(days=30)
    site.upload_and_publish(KEY, md("Tin tháng sau", date=iso(future)))
    assert site.source.tags_of(KEY)["publish-status"] == "scheduled"
    home = site.site.body("index.html")
    assert "Tin tháng sau" not in home and "Tin hôm nay" in home
    assert site.site.body("sitemap-news.xml") == news_before
    assert site.schedules.pending[(KEY, PUBLISH)][0] == future
    site.fire_schedules(future)
    assert "Tin tháng sau" in site.site.body("index.html")


def test_times_already_past_publish_at_once_and_impossible_times_are_refused(site: FakeSite) -> None:
    site.upload_and_publish(
        KEY, md("Hội thảo", date=iso(NOW - timedelta(days=2)), publish_at=iso(NOW - timedelta(days=1)))
    )
    assert site.source.tags_of(KEY)["publish-status"] == "published"
    assert site.schedules.pending == {}

    other = "articles/tin-tuc/sai.md"
    site.upload_and_publish(
        other,
        md(
            "Sai",
            date=iso(NOW),
            publish_at=iso(NOW + timedelta(days=2)),
            unpublish_at=iso(NOW + timedelta(days=1)),
        ),
    )
    tags = site.source.tags_of(other)
    assert tags["publish-status"] == "error"
    assert (
        "unpublish_at" in tags["publish-error"]
        and "is not after the time the article goes live" in tags["publish-error"]
    )

    site.upload_and_publish(other, md("Sai", date=iso(NOW), publish_at=iso(NOW + timedelta(days=400))))
    assert "more than a year after the file was first uploaded" in site.source.tags_of(other)["publish-error"]


def test_times_without_an_offset_are_the_sites_clock(site: FakeSite) -> None:
    tomorrow_6am = (NOW + timedelta(days=1)).astimezone(UTC).date()
    site.upload_and_publish(KEY, md("Sáng mai", date=iso(NOW), publish_at=f"{tomorrow_6am}T06:00:00"))
    at, _ = site.schedules.pending[(KEY, PUBLISH)]
    assert at.astimezone(UTC).hour == 23  # 06:00 in Hà Nội (UTC+7) is 23:00 UTC the day before


def test_the_daily_tick_keeps_the_news_sitemap_to_two_days_and_a_rebuild_reproduces_it(
    site: FakeSite,
) -> None:
    site.upload_and_publish(KEY, md("Tin tuần trước", date=iso(NOW - timedelta(days=5))))
    assert "/tin-tuc/hoi-thao.html" in site.site.body("sitemap-news.xml")  # 48 h before the newest article
    batch = site.publisher.render([site.publisher.tick(NOW)])
    assert "sitemap-news.xml" in batch.written
    assert "/tin-tuc/hoi-thao.html" not in site.site.body("sitemap-news.xml")  # older than two days
    assert (
        site.publisher.render([site.publisher.tick(NOW - timedelta(days=1))]).written == []
    )  # late: ignored
    dated = site.site.body("sitemap-news.xml")
    site.fanout.request("rebuild-tick")
    site.drain_render_queue()
    assert site.site.body("sitemap-news.xml") == dated


def test_a_configuration_change_re_renders_the_previews_of_drafts_and_scheduled_articles(
    site: FakeSite,
) -> None:
    later = "articles/tin-tuc/sap-dien-ra.md"
    site.upload_and_publish(KEY, md("Hội thảo (nháp)", date=iso(NOW), status="draft"))
    site.upload_and_publish(later, md("Sắp diễn ra", date=iso(NOW), publish_at=iso(NOW + timedelta(days=2))))
    site.upload_and_publish("articles/tin-tuc/da-dang.md", md("Đã đăng", date=iso(NOW)))
    assert site.index.articles.previewed() == [KEY, later]
    previews = [preview_key(site), preview_key(site, later)]

    site.upload_and_publish("site/site.yaml", "name: Cổng tin đổi tên\n")
    site.drain_render_queue()
    for preview in previews:
        assert "Cổng tin đổi tên" in site.site.body(preview)
        assert 'data-config-version="1"' in site.site.body(preview)
        assert site.site.objects[preview].cache_control == "private, no-store"

    site.upload_and_publish(KEY, md("Hội thảo", date=iso(NOW)))  # published: its preview is revoked
    site.delete_and_publish(later)  # deleted: its preview goes with it
    assert site.index.articles.previewed() == []
    site.fanout.request("rebuild-previews", media=True)
    site.drain_render_queue()
    assert not any(key in site.site.objects for key in previews)  # a rebuild never writes one back
