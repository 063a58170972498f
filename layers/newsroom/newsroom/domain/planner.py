"""Which pages a batch of changes touches: the heart of the system.

Pure functions of the index records, so they read like a specification:

- a published article's own page is rendered;
- every article within ``RADIUS`` places of an article's current placement,
  and of its previous one, is re-rendered (their newer/older lists show it);
- the first listing page (and feed) of home and of every ancestor category
  of both placements is re-rendered;
- in the monthly archive of each of those scopes, the page holding each
  placement's sort key is re-rendered, and its neighbours when the key starts
  a page (``archive_pages``; with the site's sitemap shard of that month); no
  other page is touched, because archive pages are cut by their own entries;
- a page left behind at a previous URL is removed;
- a draft's private preview is rendered, a revoked one removed.

Nothing here grows with the size of the site: a change touches at most
``2 * (2 * RADIUS + 1)`` article pages, ``2 * (depth + 1)`` listings and
``2 * 3 * (depth + 1)`` archive pages.
"""

from __future__ import annotations

from bisect import bisect_left
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from newsroom.domain.records import PUBLISHED, Entry, IndexedArticle, Placement, month_of, scopes

RADIUS = 5
LISTING_SIZE = 20


@dataclass(frozen=True)
class Plan:
    """What one batch must render and remove."""

    anchors: frozenset[Placement]
    listings: frozenset[tuple[str, ...]]
    removals: frozenset[tuple[str, str]]
    """``(url, owner source key)`` of pages to remove."""
    months: frozenset[tuple[tuple[str, ...], str, str]] = frozenset()
    """``(scope, yyyy-mm, sort key)``: where archive pages changed; the empty scope's months' shards too."""
    previews: frozenset[str] = frozenset()
    """Source keys whose private preview is written or revoked."""


@dataclass(frozen=True)
class Neighbours:
    """An article's newer and older lists, nearest first."""

    newer: tuple[Entry, ...]
    older: tuple[Entry, ...]


def plan_batch(records: Iterable[IndexedArticle], timezone: str) -> Plan:
    """Plan the pages for the current index records of the keys a batch touched."""
    anchors: set[Placement] = set()
    listings: set[tuple[str, ...]] = set()
    removals: set[tuple[str, str]] = set()
    months: set[tuple[tuple[str, ...], str, str]] = set()
    previews: set[str] = set()
    for record in records:
        current = record.placement if record.state == PUBLISHED else None
        for placement in (current, record.previous):
            if placement is not None:
                anchors.add(placement)
                listings.update(scopes(placement.category))
                month = month_of(placement.key, timezone)
                months.update((scope, month, placement.key) for scope in scopes(placement.category))
        if record.previous is not None and (current is None or current.url != record.previous.url):
            removals.add((record.previous.url, record.source_key))
        if record.preview or record.revoked_preview:
            previews.add(record.source_key)
    return Plan(
        frozenset(anchors), frozenset(listings), frozenset(removals), frozenset(months), frozenset(previews)
    )


def neighbourhood(window: Sequence[Entry], anchor: str, radius: int = RADIUS) -> dict[str, Neighbours]:
    """The lists of every article near ``anchor``, from a window sorted oldest first.

    The window must hold ``2 * radius`` entries on each side of the anchor
    (or all there are): an article ``radius`` places away needs ``radius``
    more beyond it.
    """
    keys = [entry.key for entry in window]
    position = bisect_left(keys, anchor)
    present = position < len(keys) and keys[position] == anchor
    first = max(0, position - radius)
    last = min(len(window), position + radius + (1 if present else 0))
    result: dict[str, Neighbours] = {}
    for i in range(first, last):
        result[window[i].source_key] = Neighbours(
            newer=tuple(window[i + 1 : i + 1 + radius]),
            older=tuple(reversed(window[max(0, i - radius) : i])),
        )
    return result
