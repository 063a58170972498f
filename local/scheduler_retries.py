"""What EventBridge Scheduler does once a target refuses an event: retry, then dead-letter with the reason.

Kept apart from the pump's timing so that the AWS contract it imitates
(RetryPolicy's two limits, the DeadLetterConfig message attributes that
``make redrive`` reads) can be read in one place.
"""

from __future__ import annotations

import logging
from datetime import datetime
from typing import Any

from botocore.exceptions import BotoCoreError, ClientError

log = logging.getLogger("local.scheduler")

# AWS's defaults when a target has no RetryPolicy: a day, 185 retries.
_DEFAULT_RETRY = {"MaximumEventAgeInSeconds": 86400, "MaximumRetryAttempts": 185}


def queue_url(sqs: Any, arn: str) -> str:
    """The URL of a queue named by its ARN, in the ARN's own account."""
    parts = arn.split(":")
    return str(sqs.get_queue_url(QueueName=parts[5], QueueOwnerAWSAccountId=parts[4])["QueueUrl"])


def exhausted_condition(
    target: dict[str, Any], scheduled_time: datetime, attempt: int, now: datetime
) -> str | None:
    """The RetryPolicy condition that ran out (AWS's ``EXHAUSTED_RETRY_CONDITION``), if one did."""
    policy = {**_DEFAULT_RETRY, **(target.get("RetryPolicy") or {})}
    if (now - scheduled_time).total_seconds() >= int(policy["MaximumEventAgeInSeconds"]):
        return "MaximumEventAgeInSeconds"
    if attempt > int(policy["MaximumRetryAttempts"]):
        return "MaximumRetryAttempts"
    return None


def dead_letter(
    sqs: Any, schedule: dict[str, Any], label: str, attempt: int, body: str, failure: tuple[str, str, str]
) -> None:
    """Send the undeliverable event to the target's DeadLetterConfig queue, as AWS does.

    ``failure`` is (error code, error message, exhausted condition).
    """
    code, error, condition = failure
    target = schedule["Target"]
    dead = (target.get("DeadLetterConfig") or {}).get("Arn")
    if not dead:
        log.error("%s: no DeadLetterConfig: the event is dropped", label)
        return
    attributes = {
        "ERROR_CODE": code or "Unknown",
        "ERROR_MESSAGE": error[:1000],
        "EXHAUSTED_RETRY_CONDITION": condition,
        "RETRY_ATTEMPTS": str(attempt - 1),
        "SCHEDULE_ARN": str(schedule.get("Arn", "")),
        "TARGET_ARN": str(target["Arn"]),
    }
    kinds = {"RETRY_ATTEMPTS": "Number"}
    try:
        sqs.send_message(
            QueueUrl=queue_url(sqs, str(dead)),
            MessageBody=body,
            MessageAttributes={
                name: {"DataType": kinds.get(name, "String"), "StringValue": value}
                for name, value in attributes.items()
                if value
            },
        )
    except (ClientError, BotoCoreError) as refused:  # AWS drops it too when the DLQ cannot take it
        log.error("%s: the dead-letter queue %s refused the event: %s", label, dead, refused)
