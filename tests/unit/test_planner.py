"""The planner as a specification: which pages a change touches."""

from __future__ import annotations

from newsroom.domain.planner import RADIUS, neighbourhood, plan_batch
from newsroom.domain.records import (
    DELETED,
    PUBLISHED,
    Entry,
    IndexedArticle,
    Placement,
    month_bounds,
    month_of,
)
from newsroom.domain.site_paths import (
    archive_url,
    billed_paths,
    feed_key,
    invalidation_paths,
    listing_url,
    page_key,
    shard_key,
)

TZ = "Asia/Ho_Chi_Minh"


def entry(n: int, category: tuple[str, ...] = ("tin-tuc",)) -> Entry:
    key = f"2024-04-{n:02d}T00:00:00Z#/tin-tuc/a{n}.html"
    return Entry(f"articles/tin-tuc/a{n}.md", key, f"A{n}", f"/tin-tuc/a{n}.html", "", "", None, category, ())


def record(state: str, placement: Placement | None, previous: Placement | None = None) -> IndexedArticle:
    return IndexedArticle("articles/tin-tuc/x.md", state, 1, "", None, placement, previous)


def test_new_article_renders_itself_and_five_on_each_side() -> None:
    window = [entry(n) for n in range(1, 22)]
    lists = neighbourhood(window, window[10].key)
    assert sorted(lists) == sorted(e.source_key for e in window[5:16])
    centre = lists[window[10].source_key]
    assert [e.title for e in centre.newer] == ["A12", "A13", "A14", "A15", "A16"]
    assert [e.title for e in centre.older] == ["A10", "A9", "A8", "A7", "A6"]


def test_removed_article_rerenders_the_gap_neighbours_only() -> None:
    window = [entry(n) for n in (*range(1, 11), *range(12, 22))]
    gap = "2024-04-11T00:00:00Z#/tin-tuc/a11.html"
    lists = neighbourhood(window, gap)
    assert sorted(lists) == sorted(e.source_key for e in window[5:15])
    assert len(lists) == 2 * RADIUS


def test_newest_article_has_no_newer_list_and_its_older_neighbours_see_it() -> None:
    window = [entry(n) for n in range(1, 12)]
    lists = neighbourhood(window, window[-1].key)
    assert lists[window[-1].source_key].newer == ()
    assert lists[window[-2].source_key].newer == (window[-1],)
    assert window[-1] in lists[window[-6].source_key].newer
    assert window[-7].source_key not in lists


def test_neighbour_lists_do_not_depend_on_window_beyond_twice_the_radius() -> None:
    full = [entry(n) for n in range(1, 29)]
    anchor = full[14].key
    windowed = full[14 - 2 * RADIUS : 14 + 2 * RADIUS + 1]
    assert neighbourhood(full, anchor) == neighbourhood(windowed, anchor)


def test_plan_covers_current_and_previous_placement_and_their_listings() -> None:
    old = Placement(("tin-tuc", "cu"), "2024-01-01T00:00:00Z#/tin-tuc/cu/x.html")
    new = Placement(("khcn",), "2024-02-01T00:00:00Z#/khcn/x.html")
    plan = plan_batch([record(PUBLISHED, new, previous=old)], TZ)
    assert plan.anchors == {old, new}
    assert plan.listings == {(), ("tin-tuc",), ("tin-tuc", "cu"), ("khcn",)}
    assert plan.removals == {("/tin-tuc/cu/x.html", "articles/tin-tuc/x.md")}


def test_deleted_article_removes_its_page() -> None:
    old = Placement(("tin-tuc",), "2024-01-01T00:00:00Z#/tin-tuc/x.html")
    plan = plan_batch([record(DELETED, None, previous=old)], TZ)
    assert plan.removals == {("/tin-tuc/x.html", "articles/tin-tuc/x.md")}
    assert plan.anchors == {old}


def test_unmoved_article_removes_nothing() -> None:
    here = Placement(("tin-tuc",), "2024-01-01T00:00:00Z#/tin-tuc/x.html")
    assert plan_batch([record(PUBLISHED, here, previous=None)], TZ).removals == frozenset()


def test_urls_keys_and_invalidation_paths() -> None:
    assert listing_url(()) == "/"
    assert listing_url(("tin-tuc", "vifotec")) == "/tin-tuc/vifotec/"
    assert page_key("/") == "index.html"
    assert page_key("/tin-tuc/") == "tin-tuc/index.html"
    assert page_key("/tin-tuc/x.html") == "tin-tuc/x.html"
    assert invalidation_paths("index.html") == ["/", "/index.html"]
    assert invalidation_paths("tin-tuc/index.html") == ["/tin-tuc/", "/tin-tuc/index.html"]
    assert invalidation_paths("tin-tuc/x.html") == ["/tin-tuc/x.html"]


def test_plan_touches_only_the_months_of_both_placements_in_every_scope() -> None:
    old = Placement(("tin-tuc", "cu"), "2024-01-10T00:00:00Z#/tin-tuc/cu/x.html")
    new = Placement(("khcn",), "2024-02-10T00:00:00Z#/khcn/x.html")
    plan = plan_batch([record(PUBLISHED, new, previous=old)], TZ)
    assert plan.months == {
        ((), "2024-01", old.key),
        (("tin-tuc",), "2024-01", old.key),
        (("tin-tuc", "cu"), "2024-01", old.key),
        ((), "2024-02", new.key),
        (("khcn",), "2024-02", new.key),
    }


def test_months_follow_the_site_timezone_not_utc() -> None:
    # 1 July 01:00 in Hà Nội is still 30 June in UTC: readers expect July.
    key = "2024-06-30T18:00:00Z#/a.html"
    assert month_of(key, TZ) == "2024-07"
    assert month_of(key, "UTC") == "2024-06"
    start, end = month_bounds("2024-07", TZ)
    assert start == "2024-06-30T17:00:00Z" and end == "2024-07-31T17:00:00Z"
    assert start < key < end
    assert month_bounds("2024-12", "UTC") == ("2024-12-01T00:00:00Z", "2025-01-01T00:00:00Z")


def test_archive_feed_and_shard_addresses() -> None:
    assert archive_url(("tin-tuc",), "2024-06") == "/tin-tuc/2024/06/"
    assert archive_url((), "2024-06") == "/2024/06/"
    assert feed_key(()) == "rss.xml"
    assert feed_key(("tin-tuc", "vifotec")) == "tin-tuc/vifotec/rss.xml"
    assert shard_key("3fa9c2d1") == "sitemaps/3fa9c2d1.xml"


def test_a_months_archive_pages_are_invalidated_as_one_billed_wildcard() -> None:
    paths = [
        "/tin-tuc/2024/04/",
        "/tin-tuc/2024/04/index.html",
        "/tin-tuc/2024/04/3fa9c2d1.html",
        "/2024/04/first.html",
        "/2024/05/",
        "/tin-tuc/a.html",
        "/sitemaps/2024-04.xml",
    ]
    assert billed_paths(paths) == [
        "/2024/04/first.html",  # alone in its month and scope: as it is
        "/2024/05/",
        "/sitemaps/2024-04.xml",
        "/tin-tuc/2024/04/*",
        "/tin-tuc/a.html",
    ]
    assert billed_paths(["/tin-tuc/x.html", "/2024/04/a.html", "/2024/04/b.html"]) == [
        "/2024/04/*",
        "/tin-tuc/x.html",
    ]
