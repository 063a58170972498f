"""The site's sitemap in shards whose edges the articles set, so that a publish rewrites one shard.

One sitemap per month grows with the month: a daily paper's month of 5,000
articles made every publish rewrite 5,000 URLs. Here the whole timeline is cut
as ``archive_pages`` cuts a month, by a hash of each sort key (about one entry
in ``SHARD_SPAN`` starts a shard), across month edges: a shard is the run from
one starter up to the next, named by it, and ``first`` holds what comes before
the site's first starter. A change rewrites the shard holding its key, and the
one before when the key starts a shard (a split or a merge).

The sitemap index lists every shard, so it changes only when the set of
starters does (a starter arrives or leaves) or near the site's oldest entry
(``first`` appears or goes): about one publish in ``SHARD_SPAN``. It reads the
starters from their own partition, kept in each article's transaction.

Google's limits: a shard is geometric with mean ``SHARD_SPAN`` (one over
50,000 URLs has odds of e^-1000), and the index holds 50,000 shards, which is
2.5 million articles.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass

from newsroom.domain.archive_pages import FIRST_PAGE, MonthWindow, Run, page_name, runs, starts_page
from newsroom.domain.records import Entry

SHARD_SPAN = 50
"""URLs per sitemap shard, on average: a 6 KB file, and the index rewritten one publish in 50."""

SHARD_BOUNDARIES = 1
"""Starters a change's window reaches on each side: enough for its shard and the one before."""


def starts_shard(key: str) -> bool:
    """Whether the entry with sort key ``key`` starts a sitemap shard."""
    return starts_page(key, SHARD_SPAN)


@dataclass(frozen=True)
class ShardsToWrite:
    """What a change at one key means for the sitemap: shards to write, names to remove."""

    shards: tuple[Run, ...]
    """Whole shards, oldest entries first."""
    removed: tuple[str, ...]
    index_changes: bool
    """The set of shards may differ: the sitemap index must be written again."""


def shards_for_change(
    window: MonthWindow, key: str, starts: Callable[[str], bool] = starts_shard
) -> ShardsToWrite:
    """The shards a change at ``key`` (added, removed or edited) alters, from a window of the timeline
    after it with ``SHARD_BOUNDARIES`` starters each side."""
    entries = [*reversed(window.older), *window.newer]
    starter = starts(key)
    if not entries:  # the site is empty now
        return ShardsToWrite((), tuple(sorted({FIRST_PAGE, page_name(key) if starter else FIRST_PAGE})), True)
    cut = runs(entries, starts)
    # The window starts at a starter (or the site's start), so its first run is whole; its last run
    # is the next starter alone, cut short, unless the timeline ended in it.
    whole = tuple(cut if window.at_end else cut[:-1])
    present = any(entry.key == key for entry in window.newer[:1])
    removed: list[str] = []
    if starter and not present:
        removed.append(page_name(key))  # its shard merged into the one before
    if window.at_start and cut[0].name != FIRST_PAGE:
        removed.append(FIRST_PAGE)  # nothing comes before the first starter any more (if anything did)
    return ShardsToWrite(whole, tuple(removed), index_changes=starter or window.at_start)


def shards_starting_in(
    chunk: Sequence[Entry],
    tail: Iterable[Entry],
    *,
    from_start: bool,
    starts: Callable[[str], bool] = starts_shard,
) -> list[Run]:
    """The shards whose starter lies in ``chunk`` (a range of the timeline, oldest first), for a rebuild.

    ``tail``: the entries after the chunk up to the next starter, inclusive
    (or to the end); ``from_start``: the chunk begins at the site's oldest
    entry, so what precedes its first starter is ``first``.
    """
    after = list(tail)
    cut = runs([*chunk, *after], starts)
    if after and starts(after[-1].key):
        cut = cut[:-1]  # the next chunk's
    if cut and cut[0].name == FIRST_PAGE and not from_start:
        cut = cut[1:]  # the end of a shard an earlier chunk starts
    return cut


def shard_names(
    starters: Iterable[str], oldest: str | None, starts: Callable[[str], bool] = starts_shard
) -> list[str]:
    """Every shard's name, oldest first, from the starters' sort keys and the site's oldest sort key."""
    names = [page_name(key) for key in sorted(starters)]
    if oldest is not None and not starts(oldest):
        names.insert(0, FIRST_PAGE)
    return names
