"""RedirectsFunction: the publish function's redirect changes in, the CloudFront KeyValueStore updated.

Its package is this file and ``RedirectsLayer`` (awscrt, ``newsroom_redirects``),
nothing of the core: the store's SigV4A needs awscrt, and keeping that here
keeps it out of the publish function (docs/cold-start.md). Its logs are the
runtime's own JSON (``LoggingConfig: LogFormat: JSON`` in template.yaml);
boto3 and the clients load on the first invocation, not at start-up.

The queue is FIFO with one message group, so a batch comes in the order the
publish function sent it. Consecutive messages are summed while the sum
stays within one ``UpdateKeys`` call, and each sum is written in one call
(all or nothing), so the store only ever holds what applying the messages
in order up to some point gives. A message that cannot be read is moved to
the dead-letter queue with its reason and skipped: retrying it could never
succeed, and in a FIFO queue it would hold back, and take to the dead-letter
queue with it, every message behind it. A write that fails is reported with
every message from its own on, which come back in order.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Callable, Sequence
from functools import cache
from typing import TYPE_CHECKING, Any, Protocol

from newsroom_redirects.changes import MAX_MESSAGE_KEYS, BadChange, Changes, parse, summed

if TYPE_CHECKING:
    from newsroom_redirects.dead_letters import DeadLetters

log = logging.getLogger("redirects")
log.setLevel(os.environ.get("AWS_LAMBDA_LOG_LEVEL", "INFO"))  # Lambda's ApplicationLogLevel


class Store(Protocol):
    def apply(self, puts: dict[str, str], deletes: Sequence[str]) -> None: ...


@cache
def store() -> Store:
    """The template's store, through one SigV4A-signed client per container."""
    import boto3  # noqa: PLC0415 (boto3, awscrt and the client's model load on first use)
    from newsroom_redirects.store import RETRIES, KeyValueStoreRedirects  # noqa: PLC0415

    client = boto3.client("cloudfront-keyvaluestore", config=RETRIES)
    return KeyValueStoreRedirects(client, os.environ["REDIRECT_STORE_ARN"])


@cache
def dead_letters() -> DeadLetters:
    """Where unreadable messages go, with their reason (made when the first one arrives)."""
    from newsroom_redirects.dead_letters import sqs_dead_letters  # noqa: PLC0415

    return sqs_dead_letters(os.environ["REDIRECT_DEAD_LETTER_URL"])


def lambda_handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
    """Entry point named in template.yaml (``app.lambda_handler``)."""
    return handle(event, store(), dead_letters)


def handle(
    event: dict[str, Any], redirects: Store, refused: Callable[[], DeadLetters] = dead_letters
) -> dict[str, Any]:
    """Write the batch's changes in order, each run of them in one call; report what was not written.

    ``refused`` makes the dead-letter queue on first use (``DeadLetters``).
    """
    records: list[dict[str, Any]] = list(event.get("Records") or [])
    group: list[tuple[int, Changes]] = []  # (index of its record, its change)
    written = moved = 0

    def flush() -> int | None:
        """Write the group; the index of its first record when that failed."""
        nonlocal written
        if not group:
            return None
        change = summed(c for _, c in group)
        try:
            if change:
                redirects.apply(change.puts, change.deletes)
        except Exception:  # any failure: these and every later message come back, in order
            log.exception("redirect write failed", extra={"messages": len(group), "keys": len(change)})
            return group[0][0]
        written += len(group)
        group.clear()
        return None

    failed_from: int | None = None
    for index, record in enumerate(records):
        try:
            change = parse(record.get("body", ""))
        except BadChange as error:
            if (failed_from := flush()) is not None:
                break
            log.error(
                "redirect change refused", extra={"messageId": record.get("messageId"), "reason": str(error)}
            )
            refused().send(record, str(error))
            moved += 1
            continue
        too_many = group and len(summed([*(c for _, c in group), change])) > MAX_MESSAGE_KEYS
        if too_many and (failed_from := flush()) is not None:
            break
        group.append((index, change))
    if failed_from is None:
        failed_from = flush()
    failed = [] if failed_from is None else [str(r.get("messageId")) for r in records[failed_from:]]
    log.info("redirects written", extra={"written": written, "refused": moved, "failed": len(failed)})
    return {"batchItemFailures": [{"itemIdentifier": message_id} for message_id in failed]}
