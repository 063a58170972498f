"""``make redrive``: show why dead letters failed, then send them back to their queue.

SQS keeps no failure reason; the handler records one per message id in the
content table (its failure records), and a message keeps its id when SQS moves
it to the dead-letter queue. A scheduled event EventBridge Scheduler could not
deliver arrives in the publish dead-letter queue with its reason in message
attributes instead. Run this once the cause is gone: each message
goes back to the queue it came from and is processed like a new delivery.
On AWS the same move is ``aws sqs start-message-move-task --source-arn <DLQ ARN>``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from local.rebuild import RunningStack

PAIRS = (
    ("PublishDeadLetterQueueUrl", "PublishQueueUrl"),
    ("RenderDeadLetterQueueUrl", "RenderQueueUrl"),
    ("HitsDeadLetterQueueUrl", "HitsQueueUrl"),
)


@dataclass(frozen=True)
class DeadLetter:
    """One message moved back, and why it had failed."""

    queue: str
    message_id: str
    keys: tuple[str, ...]
    reason: str


def redrive(stack: RunningStack) -> list[DeadLetter]:
    """Move every dead letter back to its source queue; returns what was moved, with reasons."""
    sqs, failures = stack.client("sqs"), stack.index().failures
    moved: list[DeadLetter] = []
    for dead_output, source_output in PAIRS:
        dead, source = stack.outputs.get(dead_output), stack.outputs.get(source_output)
        if not dead or not source:
            continue
        while True:
            messages = sqs.receive_message(
                QueueUrl=dead,
                MaxNumberOfMessages=10,
                VisibilityTimeout=30,
                WaitTimeSeconds=0,
                MessageAttributeNames=["All"],
            ).get("Messages", [])
            if not messages:
                break
            for message in messages:
                failure = failures.get(message["MessageId"])
                sqs.send_message(QueueUrl=source, MessageBody=message["Body"])
                sqs.delete_message(QueueUrl=dead, ReceiptHandle=message["ReceiptHandle"])
                # Reported here; a new failure of the resent message records itself again.
                failures.clear(message["MessageId"])
                moved.append(
                    DeadLetter(
                        queue=source_output.removesuffix("Url"),
                        message_id=message["MessageId"],
                        keys=failure.keys if failure else (),
                        reason=failure.reason if failure else scheduler_reason(message),
                    )
                )
    return moved


def scheduler_reason(message: dict[str, Any]) -> str:
    """Why EventBridge Scheduler gave up on an event (its dead letters carry the reason as attributes)."""
    attributes = {k: str(v.get("StringValue", "")) for k, v in message.get("MessageAttributes", {}).items()}
    if "ERROR_CODE" not in attributes:
        return "no reason recorded"
    condition = attributes.get("EXHAUSTED_RETRY_CONDITION", "its retry policy")
    retries = attributes.get("RETRY_ATTEMPTS", "?")
    return (
        f"the scheduler could not deliver it ({condition} ran out after {retries} retries):"
        f" {attributes['ERROR_CODE']} {attributes.get('ERROR_MESSAGE', '')}".rstrip()
    )
