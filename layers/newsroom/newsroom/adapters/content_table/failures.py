"""Why a queue message failed (``FAILURE`` / ``<message id>``): what ``make redrive`` shows."""

from __future__ import annotations

import time
from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any

from newsroom.adapters.content_table.table import Table, dump
from newsroom.domain.records import Failure

FAILURE_TTL_SECONDS = 14 * 24 * 3600


class Failures:
    """Failures are kept 14 days, like the dead-letter queue keeps their messages."""

    def __init__(self, table: Table) -> None:
        self._table = table

    def record(self, message_id: str, keys: Sequence[str], reason: str, receive_count: int) -> None:
        """Why a queue message failed (the latest attempt)."""
        now = int(time.time())
        self._table.put(
            {
                "pk": "FAILURE",
                "sk": message_id,
                "keys": list(keys) or None,
                "reason": reason[:2000],
                "receive_count": receive_count,
                "failed_at": datetime.fromtimestamp(now, UTC).isoformat(),
                "expires_at": now + FAILURE_TTL_SECONDS,
            }
        )

    def get(self, message_id: str) -> Failure | None:
        """The recorded failure of a message, if any."""
        item = self._table.get("FAILURE", message_id)
        return _failure(item) if item is not None else None

    def all(self) -> list[Failure]:
        """Every failure recorded in the last 14 days, by message id."""
        items = self._table.query_all(
            KeyConditionExpression="pk = :pk", ExpressionAttributeValues=dump({":pk": "FAILURE"})
        )
        return [_failure(item) for item in items]

    def clear(self, message_id: str) -> None:
        """Forget a failure once its message went through (or was sent back to be retried)."""
        self._table.delete("FAILURE", message_id)


def _failure(item: dict[str, Any]) -> Failure:
    return Failure(
        message_id=str(item["sk"]),
        keys=tuple(str(k) for k in item.get("keys", [])),
        reason=str(item.get("reason", "")),
        receive_count=int(item.get("receive_count", 0)),
        failed_at=str(item.get("failed_at", "")),
    )
