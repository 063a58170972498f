"""Unreadable redirect changes, moved to the dead-letter queue with the reason they were refused.

SQS's own redrive keeps no reason, and in a FIFO queue a message that fails
every time takes every message behind it to the dead-letter queue with it
(their receive counts rise together). So the redirects function moves such
a message itself, at once, with its reason and original message id as
message attributes, and goes on with the rest.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

GROUP = "refused"


class DeadLetters:
    """Sends refused messages to a FIFO dead-letter queue."""

    def __init__(self, client: Any, queue_url: str) -> None:
        self._sqs = client
        self.queue_url = queue_url

    def send(self, record: Mapping[str, Any], reason: str) -> None:
        """The record's body as it came, its id and the reason beside it (deduplicated by that id)."""
        message_id = str(record.get("messageId") or "unknown")
        self._sqs.send_message(
            QueueUrl=self.queue_url,
            MessageBody=str(record.get("body") or "(empty)"),
            MessageGroupId=GROUP,
            MessageDeduplicationId=message_id[:128],
            MessageAttributes={
                "reason": {"DataType": "String", "StringValue": reason[:1000]},
                "messageId": {"DataType": "String", "StringValue": message_id},
            },
        )


def sqs_dead_letters(queue_url: str) -> DeadLetters:
    """The dead-letter queue through the runtime's boto3."""
    import boto3  # noqa: PLC0415 (only when a message is refused)

    from newsroom_redirects.store import RETRIES  # noqa: PLC0415

    return DeadLetters(boto3.client("sqs", config=RETRIES), queue_url)
