"""The sitemap on in-memory fakes: publishes and deletions, batch by batch, leave the shards and the index
a rebuild would write, every live article in exactly one shard, and the index rewritten only when the
set of shards moved."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

from newsroom.domain.sitemap_shards import SHARD_SPAN
from newsroom.usecases.site_render import NEWS_LIMIT

from tests.support.fake_site import FakeSite
from tests.usecases.pages import md

BASE = datetime(2024, 3, 1, 1, 0, tzinfo=UTC)
ARTICLES = 3 * SHARD_SPAN
"""Over three months: a few shards, cut across month edges."""


def key(n: int) -> str:
    return f"articles/tin-tuc/bai-{n}.md"


def sitemap(site: FakeSite) -> tuple[dict[str, str], list[str]]:
    """The shards stored (key → body) and the shard keys the index lists."""
    shards = {
        k: site.site.body(k)
        for k in site.site.objects
        if k.startswith("sitemaps/") and k != "sitemaps/sections.xml"
    }
    listed = re.findall(r"<loc>https?://[^/]+/(sitemaps/[^<]+)</loc>", site.site.body("sitemap.xml"))
    return shards, [k for k in listed if k != "sitemaps/sections.xml"]


def live_urls(site: FakeSite) -> list[str]:
    return sorted(f"/{k}" for k in site.site.objects if k.startswith("tin-tuc/bai-") and k.endswith(".html"))


def check(site: FakeSite) -> None:
    shards, listed = sitemap(site)
    assert set(listed) == set(shards), "the index lists every shard stored, and only those"
    found = sorted(
        url for body in shards.values() for url in re.findall(r"<loc>https?://[^/]+(/[^<]+)</loc>", body)
    )
    assert found == live_urls(site), "every live article in exactly one shard"
    before = dict(shards)
    site.fanout.request(f"rebuild-{len(site.cdn.created)}")
    reports = site.drain_render_queue()
    assert not [k for r in reports for k in r.written + r.removed if k.startswith("sitemap")]
    assert sitemap(site)[0] == before


def test_batches_of_publishes_and_deletions_leave_the_sitemap_a_rebuild_writes(site: FakeSite) -> None:
    index_writes = 0
    for start in range(0, ARTICLES, 10):
        for n in range(start, start + 10):
            when = (BASE + timedelta(hours=14 * n)).astimezone().isoformat()
            site.source.upload(key(n), md(f"Bài {n}", when, slug=f"bai-{n}"))
        batch = site.publish(*(key(n) for n in range(start, start + 10)))
        index_writes += "sitemap.xml" in batch.report.written
    shards, _ = sitemap(site)
    assert len(shards) >= 2, "the corpus should cut into several shards"
    assert index_writes < ARTICLES // 10, "the index was rewritten by every batch"
    check(site)
    for n in range(0, ARTICLES, 7):  # deletions everywhere, the oldest included
        site.delete_and_publish(key(n))
    check(site)
    for n in range(ARTICLES):
        if n % 7:
            site.delete_and_publish(key(n))
    assert sitemap(site) == ({}, [])


def test_the_news_sitemap_holds_the_newest_articles_of_two_days_up_to_its_limit(site: FakeSite) -> None:
    count = NEWS_LIMIT + 20
    for n in range(count):  # all within two days: 20 too many
        when = (BASE + timedelta(minutes=20 * n)).astimezone().isoformat()
        site.source.upload(key(n), md(f"Bài {n}", when, slug=f"bai-{n}"))
    site.publish(*(key(n) for n in range(count)))
    listed = re.findall(r"<loc>https?://[^/]+(/[^<]+)</loc>", site.site.body("sitemap-news.xml"))
    assert listed == [f"/tin-tuc/bai-{n}.html" for n in range(count - 1, count - 1 - NEWS_LIMIT, -1)]
