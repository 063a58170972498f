"""RedirectsFunction: the publish function's redirect changes in, the CloudFront KeyValueStore updated.

Its package is this file and ``RedirectsLayer`` (awscrt, ``newsroom_redirects``),
nothing of the core: the store's SigV4A needs awscrt, and keeping that here
keeps it out of the publish function (docs/cold-start.md). Its logs are the
runtime's own JSON (``LoggingConfig: LogFormat: JSON`` in template.yaml);
boto3 and the client load on the first invocation, not at start-up.

The queue is FIFO with one message group, so a batch comes in the order the
publish function sent it. Its messages are read in that order up to the first
one that cannot be (logged with its reason under its message id); what comes
before it is summed and written at once; that message and every one after it
are reported failed, so they come back in order, and the bad one reaches the
dead-letter queue after 5 receives. A failed write raises: the whole batch
comes back (the group waits meanwhile), and writing the same change again
leaves the same store.
"""

from __future__ import annotations

import logging
import os
from functools import cache
from typing import TYPE_CHECKING, Any

from newsroom_redirects.changes import BadChange, Changes, parse, summed

if TYPE_CHECKING:
    from newsroom_redirects.store import KeyValueStoreRedirects

log = logging.getLogger("newsroom.redirects")
log.setLevel(logging.INFO)


@cache
def store() -> KeyValueStoreRedirects:
    """The template's store, through one SigV4A-signed client per container."""
    import boto3  # noqa: PLC0415 (boto3, awscrt and the client's model load on first use)
    from botocore.config import Config  # noqa: PLC0415
    from newsroom_redirects.store import KeyValueStoreRedirects  # noqa: PLC0415

    retries = Config(retries={"max_attempts": 8, "mode": "adaptive"}, connect_timeout=5, read_timeout=20)
    client = boto3.client("cloudfront-keyvaluestore", config=retries)
    return KeyValueStoreRedirects(client, os.environ["REDIRECT_STORE_ARN"])


def lambda_handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
    """Entry point named in template.yaml (``app.lambda_handler``)."""
    return handle(event, store())


def handle(event: dict[str, Any], redirects: KeyValueStoreRedirects) -> dict[str, Any]:
    """One batch of changes written in one go; the first unreadable message and those after it failed."""
    records: list[dict[str, Any]] = list(event.get("Records") or [])
    read: list[Changes] = []
    failed: list[str] = []
    for index, record in enumerate(records):
        try:
            read.append(parse(record.get("body", "")))
        except BadChange as error:
            log.error(
                "redirect change refused", extra={"messageId": record.get("messageId"), "reason": str(error)}
            )
            failed = [str(later.get("messageId")) for later in records[index:]]
            break
    change = summed(read)
    if change:
        redirects.apply(change.puts, change.deletes)
    log.info(
        "redirects written",
        extra={
            "messages": len(read),
            "puts": len(change.puts),
            "deletes": len(change.deletes),
            "failed": len(failed),
        },
    )
    return {"batchItemFailures": [{"itemIdentifier": message_id} for message_id in failed]}
