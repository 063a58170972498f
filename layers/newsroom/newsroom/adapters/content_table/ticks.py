"""The daily tick's last moment (``TICK`` / ``DAILY``): what the Google News sitemap is dated from.

Stored, not read from the clock, so that a rebuild renders the same sitemap
byte for byte; only ever moved forward, so a late or repeated tick is harmless.
"""

from __future__ import annotations

from datetime import UTC, datetime

from newsroom.adapters.content_table.table import Table, dump
from newsroom.domain.errors import ConcurrentChange


class Ticks:
    """The ``TickRecords`` port on the content table."""

    def __init__(self, table: Table) -> None:
        self._table = table

    def last(self) -> datetime | None:
        """The newest tick recorded, if any."""
        item = self._table.get("TICK", "DAILY")
        return datetime.fromisoformat(str(item["at"])) if item is not None else None

    def record(self, at: datetime) -> bool:
        """Move the tick to ``at`` unless a newer one is recorded; ``True`` if it moved."""
        stamp = at.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
        try:
            self._table.update(
                "TICK",
                "DAILY",
                UpdateExpression="SET #at = :at",
                ConditionExpression="attribute_not_exists(#at) OR #at < :at",
                ExpressionAttributeNames={"#at": "at"},
                ExpressionAttributeValues=dump({":at": stamp}),
            )
        except ConcurrentChange:
            return False
        return True
