"""Invalidations written down before the pages change (``INVALIDATION`` / ``<reference>``), until sent."""

from __future__ import annotations

from collections.abc import Sequence

from newsroom.adapters.content_table.table import Table, dump


class PendingInvalidations:
    """A crash between writing pages and invalidating them cannot lose the paths."""

    def __init__(self, table: Table) -> None:
        self._table = table

    def record(self, reference: str, paths: Sequence[str]) -> None:
        """Record paths to invalidate before the pages change."""
        self._table.put({"pk": "INVALIDATION", "sk": reference, "paths": list(paths)})

    def pending(self) -> list[tuple[str, list[str]]]:
        """Invalidations recorded but not yet confirmed sent, oldest reference first."""
        items = self._table.query(
            KeyConditionExpression="pk = :pk", ExpressionAttributeValues=dump({":pk": "INVALIDATION"})
        )
        return [(str(i["sk"]), [str(p) for p in i["paths"]]) for i in items]

    def clear(self, reference: str) -> None:
        """Forget an invalidation that CloudFront accepted."""
        self._table.delete("INVALIDATION", reference)
