"""Counters: the site's (``STATS``), per category (``SCOPES``) and per month (``MONTHS#``)."""

from __future__ import annotations

from collections.abc import Iterator
from itertools import islice
from typing import Any

from newsroom.adapters.content_table.table import Table, dump, joined, split
from newsroom.domain.records import IndexedArticle, Stats
from newsroom.domain.transitions import articles_delta, count_moves


class Counts:
    """How many articles the site, each category and each month hold, and the site's revision.

    ``timezone`` is the site's: monthly archives follow the readers' calendar.
    """

    def __init__(self, table: Table, timezone: str = "UTC") -> None:
        self._table = table
        self.timezone = timezone

    # -- actions other owners add to their transactions ------------------------
    def revision_action(self, articles: int = 0) -> dict[str, Any]:
        """The ``STATS`` update of a change: one more revision, and the article count moved."""
        expression, values = "ADD revision :one", {":one": 1}
        if articles:
            expression, values = expression + ", articles :d", {**values, ":d": articles}
        return self._table.update_action(
            "STATS", "SITE", UpdateExpression=expression, ExpressionAttributeValues=dump(values)
        )

    def change_actions(self, before: IndexedArticle | None, after: IndexedArticle) -> list[dict[str, Any]]:
        """The ADDs to the category and month counters (one action per item), then the revision."""
        counters = {
            (f"MONTHS#{joined(scope)}", month) if month is not None else ("SCOPES", joined(scope)): delta
            for (scope, month), delta in count_moves(before, after, self.timezone).items()
        }
        actions = [
            self._table.update_action(
                pk, sk, UpdateExpression="ADD articles :d", ExpressionAttributeValues=dump({":d": delta})
            )
            for (pk, sk), delta in sorted(counters.items())
        ]
        return [*actions, self.revision_action(articles_delta(before, after))]

    # -- reads --------------------------------------------------------------------
    def revision(self) -> int:
        """The site's revision: it moves with every change of articles or configuration."""
        item = self._table.get("STATS", "SITE", ProjectionExpression="revision")
        return int(item.get("revision", 0)) if item else 0

    def stats(self) -> Stats:
        """The site counters (zero before the first article)."""
        item = self._table.get("STATS", "SITE") or {}
        return Stats(articles=int(item.get("articles", 0)))

    def scope_counts(self) -> dict[tuple[str, ...], int]:
        """Every category that holds published articles, with how many."""
        return {scope: count for scope, count in self._scopes().items() if count > 0}

    def emptied_scopes(self) -> list[tuple[str, ...]]:
        """Categories that held articles once and hold none now (their pages may have to go)."""
        return [scope for scope, count in self._scopes().items() if count <= 0]

    def _scopes(self) -> dict[tuple[str, ...], int]:
        """The ``SCOPES`` partition: every category ever counted, with its count (zero included)."""
        items = self._table.query_all(
            KeyConditionExpression="pk = :pk", ExpressionAttributeValues=dump({":pk": "SCOPES"})
        )
        return {split(str(i["sk"])): int(i.get("articles", 0)) for i in items}

    def recent_months(self, prefix: tuple[str, ...], limit: int) -> list[tuple[str, int]]:
        """The newest ``limit`` months of home or a category that hold articles, newest first."""
        return list(islice(self._holding(prefix, "sk >= :a", "0000", forward=False, limit=limit), limit))

    def year_months(self, prefix: tuple[str, ...], year: str) -> list[tuple[str, int]]:
        """The months of one year of home or a category that hold articles, newest first."""
        return list(self._holding(prefix, "sk BETWEEN :a AND :b", f"{year}-01", f"{year}-12", forward=False))

    def years_around(self, prefix: tuple[str, ...], year: str) -> tuple[str | None, str | None]:
        """The nearest earlier and later years of home or a category that hold articles."""
        older = next(self._holding(prefix, "sk < :a", f"{year}-01", forward=False, limit=2), None)
        newer = next(self._holding(prefix, "sk > :a", f"{year}-12", forward=True, limit=2), None)
        return (older[0][:4] if older else None, newer[0][:4] if newer else None)

    def _holding(
        self, prefix: tuple[str, ...], condition: str, *bounds: str, forward: bool, limit: int = 13
    ) -> Iterator[tuple[str, int]]:
        """Month counters in order, those at zero (emptied months) skipped, read a page at a time."""
        values = {":pk": f"MONTHS#{joined(prefix)}", **dict(zip((":a", ":b"), bounds, strict=False))}
        items = self._table.query_lazily(
            KeyConditionExpression=f"pk = :pk AND {condition}",
            ExpressionAttributeValues=dump(values),
            ScanIndexForward=forward,
            Limit=limit,
        )
        return ((str(i["sk"]), int(i["articles"])) for i in items if int(i.get("articles", 0)) > 0)

    def months(self, prefix: tuple[str, ...]) -> list[tuple[str, int]]:
        """The months of home (empty prefix) or a category that hold articles, newest first."""
        items = self._table.query_all(
            KeyConditionExpression="pk = :pk",
            ExpressionAttributeValues=dump({":pk": f"MONTHS#{joined(prefix)}"}),
            ScanIndexForward=False,
        )
        return [(str(i["sk"]), int(i["articles"])) for i in items if int(i.get("articles", 0)) > 0]
