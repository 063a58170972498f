"""The sitemap in shards cut by the articles themselves: the shards and index written one change (or one
batch) at a time are always those a rebuild writes, chunk by chunk, from the state after it."""

from __future__ import annotations

from bisect import insort
from functools import partial

from hypothesis import given, settings
from hypothesis import strategies as st
from newsroom.domain.archive_pages import FIRST_PAGE, starts_page, window_around
from newsroom.domain.records import Entry
from newsroom.domain.sitemap_shards import (
    SHARD_BOUNDARIES,
    SHARD_SPAN,
    shard_names,
    shards_for_change,
    shards_starting_in,
    starts_shard,
)

SPAN = 3  # small shards, so that a few dozen changes split and merge many
starts = partial(starts_page, span=SPAN)


def entry(month: int, day: int, n: int) -> Entry:
    key = f"2024-{month:02d}-{day:02d}T01:{n:02d}:00Z#/tin-tuc/bai-{month}-{day}-{n}.html"
    return Entry("articles/x.md", key, "Bài", key.split("#")[1], key[:20], "", None, ("tin-tuc",), ())


# Across month edges: a shard is a run of the whole timeline, not of a month.
CANDIDATES = [entry(month, day, n) for month in (5, 6, 7) for day in (1, 15, 28) for n in range(4)]


def window(state: list[Entry], key: str):
    older = [e for e in reversed(state) if e.key < key]
    newer = [e for e in state if e.key >= key]
    return window_around(older, newer, key, starts, SHARD_BOUNDARIES)


def rebuilt(state: list[Entry], chunk: int) -> dict[str, tuple[Entry, ...]]:
    """What a rebuild's article chunks write: each the shards starting in it."""
    shards: dict[str, tuple[Entry, ...]] = {}
    for at in range(0, len(state), chunk):
        part = state[at : at + chunk]
        tail: list[Entry] = []
        for following in state[at + chunk :]:
            tail.append(following)
            if starts(following.key):
                break
        for run in shards_starting_in(part, tail, from_start=at == 0, starts=starts):
            assert run.name not in shards, "two chunks wrote one shard"
            shards[run.name] = run.entries
    return shards


def index(state: list[Entry]) -> list[str]:
    return shard_names([e.key for e in state if starts(e.key)], state[0].key if state else None, starts)


def apply(site: dict[str, tuple[Entry, ...]], state: list[Entry], key: str) -> bool:
    touched = shards_for_change(window(state, key), key, starts)
    for name in touched.removed:
        site.pop(name, None)
    site.update({run.name: run.entries for run in touched.shards})
    assert len(touched.shards) <= 2 and len(touched.removed) <= 2
    return touched.index_changes


@settings(max_examples=300, deadline=None)
@given(
    st.lists(st.tuples(st.sampled_from(range(len(CANDIDATES))), st.sampled_from(["add", "drop", "edit"]))),
    st.integers(min_value=1, max_value=7),
)
def test_shards_written_change_by_change_are_the_shards_a_rebuild_writes(
    changes: list[tuple[int, str]], chunk: int
) -> None:
    state: list[Entry] = []
    site: dict[str, tuple[Entry, ...]] = {}
    listed: list[str] = []
    for at, action in changes:
        changed = CANDIDATES[at]
        if action == "add" and changed not in state:
            insort(state, changed, key=lambda e: e.key)
        elif action == "drop" and changed in state:
            state.remove(changed)
        if apply(site, state, changed.key):
            listed = index(state)
        assert site == rebuilt(state, chunk), f"after {action} {changed.key}"
        assert listed == index(state) and set(listed) == set(site), "the index lists every shard, only those"


@settings(max_examples=200, deadline=None)
@given(
    st.sets(st.sampled_from(range(len(CANDIDATES)))),
    st.lists(st.sampled_from(range(len(CANDIDATES))), min_size=1, max_size=6, unique=True),
)
def test_a_batch_of_changes_rewrites_what_a_rebuild_would_from_the_state_after_it(
    before: set[int], toggled: list[int]
) -> None:
    old = sorted((CANDIDATES[i] for i in before), key=lambda e: e.key)
    site, listed = rebuilt(old, 5), index(old)
    state = sorted((CANDIDATES[i] for i in before ^ set(toggled)), key=lambda e: e.key)
    moved = [apply(site, state, CANDIDATES[i].key) for i in toggled]  # every one, no short cut
    if any(moved):
        listed = index(state)
    assert site == rebuilt(state, 5)
    assert listed == index(state)


@settings(max_examples=100, deadline=None)
@given(st.sets(st.sampled_from(range(len(CANDIDATES)))), st.sampled_from(range(len(CANDIDATES))))
def test_a_change_reads_one_starter_either_side_at_most(present: set[int], at: int) -> None:
    state = sorted((CANDIDATES[i] for i in present), key=lambda e: e.key)
    key = CANDIDATES[at].key
    seen = window(state, key)
    assert sum(starts(e.key) for e in seen.older) <= 1
    assert sum(starts(e.key) for e in seen.newer if e.key != key) <= 1


def test_first_holds_what_comes_before_the_first_starter_and_goes_with_it() -> None:
    state = sorted(CANDIDATES, key=lambda e: e.key)
    assert index(state)[0] == (FIRST_PAGE if not starts(state[0].key) else index(state)[0])
    lone = [e for e in state if starts(e.key)][:1]
    assert shard_names([lone[0].key], lone[0].key, starts) == [index(lone)[0]] != [FIRST_PAGE]
    emptied = shards_for_change(window([], lone[0].key), lone[0].key, starts)
    assert emptied.index_changes and FIRST_PAGE in emptied.removed and emptied.shards == ()


def test_shards_hold_the_span_on_average_so_the_index_changes_one_publish_in_the_span() -> None:
    keys = [f"2024-06-01T00:{n % 60:02d}:00Z#/tin-tuc/bai-{n}.html" for n in range(50_000)]
    starters = sum(starts_shard(key) for key in keys)
    assert abs(len(keys) / starters - SHARD_SPAN) < 5, starters
