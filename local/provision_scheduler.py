"""The template's EventBridge Scheduler groups and schedules in moto, from their own properties.

The template's schedules (the daily tick) then exist locally exactly as
written, for the scheduler pump (``local/scheduler_pump.py``) to fire, and
the group the publish function puts its one-time schedules in exists before
it needs it. Re-running updates a schedule in place: UpdateSchedule, like
CloudFormation's update, sets every property again. Targets' roles are not
created: moto's Scheduler never assumes them, so the role's resolvable ARN
(``Fn::GetAtt Role.Arn``) is all a schedule needs.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Any

from botocore.exceptions import ClientError

from local.provision_helpers import api_tags, error_code
from local.template import Template, to_text

log = logging.getLogger("local.provision")  # the provisioning log, whichever service

# CloudFormation's AWS::Scheduler::Schedule properties, which are CreateSchedule's parameters.
_SCHEDULE_PARAMETERS = (
    "Description",
    "ScheduleExpression",
    "ScheduleExpressionTimezone",
    "FlexibleTimeWindow",
    "State",
    "Target",
    "StartDate",
    "EndDate",
    "KmsKeyArn",
    "ActionAfterCompletion",
)
# Numbers in a Target or a window that a template may write as text; the API wants integers.
_INTEGERS = {"MaximumEventAgeInSeconds", "MaximumRetryAttempts", "MaximumWindowInMinutes", "TaskCount"}


@dataclass(frozen=True)
class ScheduleInfo:
    """A provisioned schedule: where it lives and what the pump and the tests look it up by."""

    logical_id: str
    name: str
    group: str
    arn: str


def _integers(value: Any, key: str = "") -> Any:
    """``value`` with the numeric fields the Scheduler API types as integers made integers."""
    if isinstance(value, dict):
        return {k: _integers(v, k) for k, v in value.items()}
    if isinstance(value, list):
        return [_integers(item) for item in value]
    return int(value) if key in _INTEGERS and isinstance(value, str | float) else value


def create_schedule_group(scheduler: Any, template: Template, logical: str) -> str:
    """Create the group (or leave it, re-applying its tags); its name is its Ref."""
    name = template.physical_name(logical)
    tags = api_tags(template.property(logical, "Tags") or [])
    try:
        arn = scheduler.get_schedule_group(Name=name)["Arn"]
    except ClientError as error:
        if error_code(error) != "ResourceNotFoundException":
            raise
        arn = scheduler.create_schedule_group(Name=name, **({"Tags": tags} if tags else {}))[
            "ScheduleGroupArn"
        ]
    else:
        if tags:
            scheduler.tag_resource(ResourceArn=arn, Tags=tags)
    template.register(logical, name, Arn=arn, Name=name)
    log.info("schedule group %s: %s", logical, name)
    return name


def schedule_parameters(template: Template, logical: str) -> dict[str, Any]:
    """CreateSchedule's parameters from the schedule's resolved properties (Name and GroupName apart)."""
    parameters: dict[str, Any] = {}
    for name in _SCHEDULE_PARAMETERS:
        value = template.property(logical, name)
        if value is not None:
            parameters[name] = _integers(value) if isinstance(value, dict) else to_text(value)
    return parameters


def create_schedule(scheduler: Any, template: Template, logical: str) -> ScheduleInfo:
    """Create the schedule, or update it to the template's properties when it exists."""
    name = template.physical_name(logical)
    group = to_text(template.property(logical, "GroupName") or "default")
    parameters = {"Name": name, "GroupName": group, **schedule_parameters(template, logical)}
    try:
        scheduler.get_schedule(Name=name, GroupName=group)
    except ClientError as error:
        if error_code(error) != "ResourceNotFoundException":
            raise
        arn = scheduler.create_schedule(**parameters)["ScheduleArn"]
    else:
        arn = scheduler.update_schedule(**parameters)["ScheduleArn"]
    template.register(logical, name, Arn=arn, Name=name)
    log.info("schedule %s: %s/%s %s", logical, group, name, parameters.get("ScheduleExpression"))
    return ScheduleInfo(logical_id=logical, name=name, group=group, arn=arn)
