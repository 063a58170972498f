"""Month archives in pages cut by the articles themselves: a change rewrites its own page, and the pages
written one change at a time are always the pages a rebuild would write."""

from __future__ import annotations

from bisect import insort
from functools import partial
from itertools import pairwise

from hypothesis import given, settings
from hypothesis import strategies as st
from newsroom.domain.archive_pages import (
    ARCHIVE_PAGE_SPAN,
    FIRST_PAGE,
    ArchivePage,
    month_pages,
    page_name,
    pages_for_change,
    runs,
    starts_page,
    window_around,
)
from newsroom.domain.records import Entry

SPAN = 3  # small pages, so that a few dozen changes split and merge many
starts = partial(starts_page, span=SPAN)


def entry(day: int, n: int) -> Entry:
    key = f"2024-06-{day:02d}T01:{n % 60:02d}:00Z#/tin-tuc/bai-{day}-{n}.html"
    return Entry(
        "articles/x.md", key, f"Bài {day}-{n}", key.split("#")[1], key[:20], "", None, ("tin-tuc",), ()
    )


CANDIDATES = [entry(day, n) for day in range(1, 29) for n in range(3)]


def window(state: list[Entry], key: str):
    older = [e for e in reversed(state) if e.key < key]
    newer = [e for e in state if e.key >= key]
    return window_around(older, newer, key, starts)


def rebuilt(state: list[Entry]) -> tuple[dict[str, ArchivePage], ArchivePage | None]:
    pages = {page.name: page for page in month_pages(state, starts)}
    return pages, next((p for p in pages.values() if p.newest), None)


@settings(max_examples=300, deadline=None)
@given(st.lists(st.tuples(st.sampled_from(range(len(CANDIDATES))), st.sampled_from(["add", "drop", "edit"]))))
def test_pages_written_change_by_change_are_the_pages_a_rebuild_writes(
    changes: list[tuple[int, str]],
) -> None:
    state: list[Entry] = []
    site: dict[str, ArchivePage] = {}
    landing: ArchivePage | None = None
    for index, action in changes:
        changed = CANDIDATES[index]
        if action == "add" and changed not in state:
            insort(state, changed, key=lambda e: e.key)
        elif action == "drop" and changed in state:
            state.remove(changed)
        touched = pages_for_change(window(state, changed.key), changed.key, starts)
        for name in touched.removed:
            site.pop(name, None)
        site.update({page.name: page for page in touched.pages})
        if touched.month_empty:
            landing = None
        elif touched.landing is not None:
            landing = touched.landing
        assert (site, landing) == rebuilt(state), f"after {action} {changed.key}"
        assert len(touched.pages) <= 3 and len(touched.removed) <= 2


@settings(max_examples=100, deadline=None)
@given(st.sets(st.sampled_from(range(len(CANDIDATES)))), st.sampled_from(range(len(CANDIDATES))))
def test_a_change_reads_two_page_starters_either_side_at_most(present: set[int], at: int) -> None:
    state = sorted((CANDIDATES[i] for i in present), key=lambda e: e.key)
    key = CANDIDATES[at].key
    seen = window(state, key)
    assert sum(starts(e.key) for e in seen.older) <= 2
    assert sum(starts(e.key) for e in seen.newer if e.key != key) <= 2


def test_pages_are_named_by_the_entry_that_starts_them_and_first_holds_what_comes_before() -> None:
    state = sorted(CANDIDATES[:30], key=lambda e: e.key)
    cut = runs(state, starts)
    assert [e for run in cut for e in run.entries] == state
    assert cut[0].name == (page_name(state[0].key) if starts(state[0].key) else FIRST_PAGE)
    for run in cut[1:]:
        assert starts(run.entries[0].key) and run.name == page_name(run.entries[0].key)
        assert not any(starts(e.key) for e in run.entries[1:])
    pages = month_pages(state, starts)
    assert [p.newest for p in pages] == [False] * (len(pages) - 1) + [True]
    assert pages[0].older is None and pages[-1].newer is None
    assert all(a.newer == b.name and b.older == a.name for a, b in pairwise(pages))
    assert all(list(p.entries) == sorted(p.entries, key=lambda e: e.key, reverse=True) for p in pages)


def test_pages_hold_the_span_on_average_whatever_the_month() -> None:
    keys = [f"2024-06-01T00:00:00Z#/tin-tuc/bai-{n}.html" for n in range(20_000)]
    starters = sum(starts_page(key) for key in keys)
    assert abs(len(keys) / starters - ARCHIVE_PAGE_SPAN) < 2, starters


@settings(max_examples=200, deadline=None)
@given(
    st.sets(st.sampled_from(range(len(CANDIDATES)))),
    st.lists(st.sampled_from(range(len(CANDIDATES))), min_size=1, max_size=6, unique=True),
)
def test_a_batch_of_changes_rewrites_what_a_rebuild_would_from_the_state_after_it(
    before: set[int], toggled: list[int]
) -> None:
    """A batch renders once, after all its changes: the pages of each changed key, read from that state."""
    old = sorted((CANDIDATES[i] for i in before), key=lambda e: e.key)
    site, landing = rebuilt(old)
    state = sorted((CANDIDATES[i] for i in before ^ set(toggled)), key=lambda e: e.key)
    emptied = False
    for index in toggled:
        key = CANDIDATES[index].key
        touched = pages_for_change(window(state, key), key, starts)
        for name in touched.removed:
            site.pop(name, None)
        site.update({page.name: page for page in touched.pages})
        emptied |= touched.month_empty
        landing = touched.landing or landing
    assert (site, None if emptied else landing) == rebuilt(state)
