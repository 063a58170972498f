"""``make redrive``: show why dead letters failed, then send them back to their queue.

SQS keeps no failure reason; the handler records one per message id in the
content table (``FAILURE`` items), and a message keeps its id when SQS moves
it to the dead-letter queue. Run this once the cause is gone: each message
goes back to the queue it came from and is processed like a new delivery.
On AWS the same move is ``aws sqs start-message-move-task --source-arn <DLQ ARN>``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from local.rebuild import RunningStack

PAIRS = (("PublishDeadLetterQueueUrl", "PublishQueueUrl"), ("RenderDeadLetterQueueUrl", "RenderQueueUrl"))


@dataclass(frozen=True)
class DeadLetter:
    """One message moved back, and why it had failed."""

    queue: str
    message_id: str
    keys: tuple[str, ...]
    reason: str


def redrive(stack: RunningStack) -> list[DeadLetter]:
    """Move every dead letter back to its source queue; returns what was moved, with reasons."""
    sqs, dynamodb = stack.client("sqs"), stack.client("dynamodb")
    moved: list[DeadLetter] = []
    for dead_output, source_output in PAIRS:
        dead, source = stack.outputs.get(dead_output), stack.outputs.get(source_output)
        if not dead or not source:
            continue
        while True:
            messages = sqs.receive_message(
                QueueUrl=dead, MaxNumberOfMessages=10, VisibilityTimeout=30, WaitTimeSeconds=0
            ).get("Messages", [])
            if not messages:
                break
            for message in messages:
                failure = _failure(dynamodb, stack.outputs["ContentTableName"], message["MessageId"])
                sqs.send_message(QueueUrl=source, MessageBody=message["Body"])
                sqs.delete_message(QueueUrl=dead, ReceiptHandle=message["ReceiptHandle"])
                # Reported here; a new failure of the resent message records itself again.
                dynamodb.delete_item(
                    TableName=stack.outputs["ContentTableName"],
                    Key={"pk": {"S": "FAILURE"}, "sk": {"S": message["MessageId"]}},
                )
                moved.append(
                    DeadLetter(
                        queue=source_output.removesuffix("Url"),
                        message_id=message["MessageId"],
                        keys=tuple(v["S"] for v in failure.get("keys", {}).get("L", [])),
                        reason=failure.get("reason", {}).get("S", "no reason recorded"),
                    )
                )
    return moved


def _failure(dynamodb: Any, table: str, message_id: str) -> dict[str, Any]:
    response = dynamodb.get_item(
        TableName=table, Key={"pk": {"S": "FAILURE"}, "sk": {"S": message_id}}, ConsistentRead=True
    )
    item: dict[str, Any] = response.get("Item", {})
    return item
