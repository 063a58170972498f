"""Listings: an article in its category's timeline (``CAT#``) and in its ancestors' (``TREE#``)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from newsroom.adapters.content_table.table import Table, dump, joined, split
from newsroom.domain.archive_pages import ARCHIVE_PAGE_SPAN, MonthWindow, window_around
from newsroom.domain.records import PUBLISHED, Entry, IndexedArticle, Placement, month_bounds, scopes
from newsroom.domain.sitemap_shards import SHARD_BOUNDARIES, SHARD_SPAN, starts_shard

WINDOW_PAGE = 2 * ARCHIVE_PAGE_SPAN + 8
"""Items per read of a month window: two page starters' worth on average, so one read per side mostly."""

SHARD_WINDOW_PAGE = SHARD_SPAN + 10
"""Items per read of a sitemap shard's window: one starter's worth on average."""

SHARDS = "SHARDS"
"""The partition of the sort keys that start a sitemap shard (``sitemap_shards``): the index reads it."""


class Listings:
    """Reads the listings in the order pages show them; writes them only inside an article's change.

    ``timezone`` is the site's: monthly archives follow the readers' calendar.
    """

    def __init__(self, table: Table, timezone: str = "UTC") -> None:
        self._table = table
        self.timezone = timezone

    # -- actions for an article's transaction --------------------------------------
    def change_actions(self, before: IndexedArticle | None, after: IndexedArticle) -> list[dict[str, Any]]:
        """Remove the entries ``before`` had and ``after`` has not; put ``after``'s (refreshed)."""
        old = _entry_keys(before.placement) if before and before.state == PUBLISHED else set()
        new = _entry_keys(after.placement) if after.state == PUBLISHED else set()
        actions = [self._table.delete_action(pk, sk) for pk, sk in sorted(old - new)]
        if after.state == PUBLISHED:
            entry = after.entry()
            actions += [
                self._table.put_action(_starter_item(sk) if pk == SHARDS else _item_from_entry(pk, sk, entry))
                for pk, sk in sorted(new)
            ]
        return actions

    # -- reads ------------------------------------------------------------------------
    def window(self, category: tuple[str, ...], key: str, size: int) -> list[Entry]:
        """Up to ``size`` entries older than ``key``, the one at ``key``, and ``size`` newer, oldest first."""
        pk = f"CAT#{joined(category)}"
        older = self._query(pk, "sk < :k", key, forward=False, limit=size)
        newer = self._query(pk, "sk >= :k", key, forward=True, limit=size + 1)
        return list(reversed(older)) + newer

    def latest(self, prefix: tuple[str, ...], limit: int) -> list[Entry]:
        """The newest ``limit`` entries of home (empty prefix) or a category and its subcategories."""
        items = self._table.query(
            KeyConditionExpression="pk = :pk",
            ExpressionAttributeValues=dump({":pk": f"TREE#{joined(prefix)}"}),
            ScanIndexForward=False,
            Limit=limit,
        )
        return [_entry_from_item(i) for i in items]

    def _query(self, pk: str, condition: str, key: str, *, forward: bool, limit: int) -> list[Entry]:
        items = self._table.query(
            KeyConditionExpression=f"pk = :pk AND {condition}",
            ExpressionAttributeValues=dump({":pk": pk, ":k": key}),
            ScanIndexForward=forward,
            Limit=limit,
        )
        return [_entry_from_item(i) for i in items]

    def month_entries(self, prefix: tuple[str, ...], month: str) -> list[Entry]:
        """Every entry of one month of home (empty prefix) or a category, newest first."""
        start, end = month_bounds(month, self.timezone)
        items = self._table.query_all(
            KeyConditionExpression="pk = :pk AND sk BETWEEN :a AND :b",
            ExpressionAttributeValues=dump({":pk": f"TREE#{joined(prefix)}", ":a": start, ":b": end}),
            ScanIndexForward=False,
        )
        return [_entry_from_item(i) for i in items]

    def month_window(self, prefix: tuple[str, ...], month: str, key: str) -> MonthWindow:
        """The month's entries around ``key``, read in pages of ``WINDOW_PAGE`` only as far as needed."""
        start, end = month_bounds(month, self.timezone)
        pk, bounds = f"TREE#{joined(prefix)}", "sk BETWEEN :a AND :b"
        older = self._lazily(pk, bounds, {":a": start, ":b": key}, forward=False, limit=WINDOW_PAGE)
        newer = self._lazily(pk, bounds, {":a": key, ":b": end}, forward=True, limit=WINDOW_PAGE)
        return window_around((e for e in older if e.key != key), newer, key)

    def timeline_window(self, key: str) -> MonthWindow:
        """The site's entries around ``key`` that ``sitemap_shards.shards_for_change`` needs."""
        older = self._lazily("TREE#", "sk < :k", {":k": key}, forward=False, limit=SHARD_WINDOW_PAGE)
        newer = self._lazily("TREE#", "sk >= :k", {":k": key}, forward=True, limit=SHARD_WINDOW_PAGE)
        return window_around(older, newer, key, starts_shard, SHARD_BOUNDARIES)

    def timeline_after(self, key: str) -> list[Entry]:
        """The site's entries after ``key`` up to the next sitemap shard starter, inclusive."""
        found: list[Entry] = []
        for entry in self._lazily("TREE#", "sk > :k", {":k": key}, forward=True, limit=SHARD_WINDOW_PAGE):
            found.append(entry)
            if starts_shard(entry.key):
                break
        return found

    def _lazily(
        self, pk: str, condition: str, values: dict[str, str], *, forward: bool, limit: int
    ) -> Iterator[Entry]:
        """A partition's entries in sort-key order, read a page of ``limit`` at a time as consumed."""
        items = self._table.query_lazily(
            KeyConditionExpression=f"pk = :pk AND {condition}",
            ExpressionAttributeValues=dump({":pk": pk, **values}),
            ScanIndexForward=forward,
            Limit=limit,
        )
        return (_entry_from_item(i) for i in items)

    def shard_starters(self) -> list[str]:
        """The sort keys that start a sitemap shard, oldest first (one item in ``SHARD_SPAN``)."""
        items = self._table.query_all(
            KeyConditionExpression="pk = :pk", ExpressionAttributeValues=dump({":pk": SHARDS})
        )
        return [str(item["sk"]) for item in items]

    def oldest_key(self) -> str | None:
        """The sort key of the site's oldest entry (None: no article)."""
        items = self._table.query(
            KeyConditionExpression="pk = :pk",
            ExpressionAttributeValues=dump({":pk": "TREE#"}),
            ProjectionExpression="sk",
            Limit=1,
        )
        return str(items[0]["sk"]) if items else None

    def since(self, key: str, limit: int) -> list[Entry]:
        """Site-wide entries at or after sort key ``key``, newest first (the News sitemap)."""
        return self._query("TREE#", "sk >= :k", key, forward=False, limit=limit)

    def entries_between(self, first: str, last: str) -> list[Entry]:
        """Site-wide entries with sort keys from ``first`` to ``last`` (a re-render chunk)."""
        items = self._table.query_all(
            KeyConditionExpression="pk = :pk AND sk BETWEEN :a AND :b",
            ExpressionAttributeValues=dump({":pk": "TREE#", ":a": first, ":b": last}),
        )
        return [_entry_from_item(i) for i in items]

    def timeline_chunks(self, size: int) -> list[tuple[str, str]]:
        """The site's timeline cut into ``(first, last)`` sort-key ranges of ``size`` articles.

        Reads keys only, about 12,000 per 1 MB page: the one step of a full
        re-render that sees every article, done once to count the chunks.
        """
        items = self._table.query_all(
            KeyConditionExpression="pk = :pk",
            ExpressionAttributeValues=dump({":pk": "TREE#"}),
            ProjectionExpression="sk",
        )
        keys = [str(item["sk"]) for item in items]
        return [(keys[i], keys[min(i + size, len(keys)) - 1]) for i in range(0, len(keys), size)]


def _entry_keys(placement: Placement | None) -> set[tuple[str, str]]:
    if placement is None:
        return set()
    keys = {(f"CAT#{joined(placement.category)}", placement.key)}
    keys |= {(f"TREE#{joined(scope)}", placement.key) for scope in scopes(placement.category)}
    if starts_shard(placement.key):
        keys.add((SHARDS, placement.key))
    return keys


def _starter_item(key: str) -> dict[str, Any]:
    return {"pk": SHARDS, "sk": key}


def _item_from_entry(pk: str, sk: str, entry: Entry) -> dict[str, Any]:
    return {
        "pk": pk,
        "sk": sk,
        "source_key": entry.source_key,
        "title": entry.title,
        "url": entry.url,
        "published_at": entry.published_at,
        "summary": entry.summary,
        "image": entry.image,
        "category": joined(entry.category),
        "category_names": list(entry.category_names),
    }


def _entry_from_item(item: dict[str, Any]) -> Entry:
    return Entry(
        source_key=str(item["source_key"]),
        key=str(item["sk"]),
        title=str(item["title"]),
        url=str(item["url"]),
        published_at=str(item["published_at"]),
        summary=str(item.get("summary", "")),
        image=str(item["image"]) if item.get("image") else None,
        category=split(str(item.get("category", ""))),
        category_names=tuple(str(n) for n in item.get("category_names", [])),
    )
