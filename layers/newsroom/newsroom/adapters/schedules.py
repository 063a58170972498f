"""EventBridge Scheduler one-time schedules that bring a scheduled article back to the publish path.

One schedule per key and action (``publish``/``unpublish``), named from a
hash of the key, so editing the times moves the same schedule instead of
leaving an old one behind. ``at()`` in UTC, no flexible window, deleted by
Scheduler once it has fired; its message goes to PublishQueue, like S3's
events, and names the source version it was made for.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from botocore.exceptions import ClientError

from newsroom.domain.schedule import at_expression, schedule_message, schedule_name

# Scheduler retries delivery to SQS for up to a day: a queue briefly unreachable loses nothing.
RETRY_POLICY = {"MaximumEventAgeInSeconds": 86400, "MaximumRetryAttempts": 185}


class EventBridgeSchedules:
    """The ``Schedules`` port on EventBridge Scheduler."""

    def __init__(
        self, client: Any, group: str, target_arn: str, role_arn: str, dead_letter_arn: str = ""
    ) -> None:
        self._client = client
        self._group = group
        self._target = {"Arn": target_arn, "RoleArn": role_arn, "RetryPolicy": RETRY_POLICY}
        if dead_letter_arn:
            self._target["DeadLetterConfig"] = {"Arn": dead_letter_arn}

    def put(self, source_key: str, action: str, at: datetime, version: str | None) -> None:
        """Create the schedule, or update it when it exists (the times were edited)."""
        request = {
            "Name": schedule_name(source_key, action),
            "GroupName": self._group,
            "ScheduleExpression": at_expression(at),
            "ScheduleExpressionTimezone": "UTC",
            "FlexibleTimeWindow": {"Mode": "OFF"},
            "ActionAfterCompletion": "DELETE",
            "State": "ENABLED",
            "Description": f"{action} {source_key}"[:512],
            "Target": {**self._target, "Input": schedule_message(source_key, action, at, version)},
        }
        try:
            self._client.create_schedule(**request)
        except ClientError as exc:
            if exc.response["Error"]["Code"] != "ConflictException":
                raise
            self._client.update_schedule(**request)

    def cancel(self, source_key: str, action: str) -> None:
        """Delete the schedule; one already gone (fired, or never made) is fine."""
        try:
            self._client.delete_schedule(Name=schedule_name(source_key, action), GroupName=self._group)
        except ClientError as exc:
            if exc.response["Error"]["Code"] != "ResourceNotFoundException":
                raise
