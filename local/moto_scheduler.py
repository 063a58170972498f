"""moto's EventBridge Scheduler made to refuse and keep what AWS refuses and keeps.

The publish function creates, updates and deletes one-time schedules; moto
5.2.5 would let it pass locally with calls AWS rejects, and forgets what an
update sets:

- no validation at all: a name with a space, ``at(2026-12-03 06:00)``, an
  unknown time zone or ``ActionAfterCompletion="REMOVE"`` are stored. They are
  now a ValidationException, as from AWS, with AWS's constraints (names are
  1 to 64 of ``[0-9a-zA-Z-_.]``).
- CreateSchedule in a group that does not exist fails with a server error
  (a KeyError): now ResourceNotFoundException, as from AWS.
- UpdateSchedule ignores ``ActionAfterCompletion`` and stores no State when
  none is given; AWS's UpdateSchedule sets every parameter, an omitted one to
  its default (NONE, ENABLED). The scheduler pump relies on both.

``local/moto_patches.py`` installs these with its others (``apply``).
"""

from __future__ import annotations

import re
from typing import Any, Final

from moto.scheduler.exceptions import ValidationException
from moto.scheduler.models import EventBridgeSchedulerBackend
from moto.scheduler.responses import EventBridgeSchedulerResponse

from local.schedule_expressions import validate

NAME: Final = re.compile(r"[0-9a-zA-Z\-_.]{1,64}")
ACTIONS: Final = ("NONE", "DELETE")
STATES: Final = ("ENABLED", "DISABLED")

_original_create = EventBridgeSchedulerBackend.create_schedule
_original_update = EventBridgeSchedulerBackend.update_schedule
_original_create_group = EventBridgeSchedulerBackend.create_schedule_group
_original_update_response = EventBridgeSchedulerResponse.update_schedule


def _invalid(field: str, value: Any, constraint: str) -> ValidationException:
    detail = f"Value '{value}' at '{field}' failed to satisfy constraint: {constraint}"
    return ValidationException(f"1 validation error detected: {detail}")


def _check_name(field: str, value: str | None) -> None:
    if value is not None and not NAME.fullmatch(value):
        raise _invalid(field, value, "Member must satisfy regular expression pattern: [0-9a-zA-Z-_.]+")


def _check(kwargs: dict[str, Any]) -> None:
    """What AWS checks of a schedule before it stores it (the parameters moto's backend receives)."""
    _check_name("name", kwargs.get("name"))
    _check_name("groupName", kwargs.get("group_name"))
    expression = kwargs.get("schedule_expression") or ""
    timezone = kwargs.get("schedule_expression_timezone") or "UTC"
    try:
        validate(expression, timezone)
    except ValueError as error:
        raise ValidationException(f"Invalid Schedule Expression {expression}: {error}") from None
    state = kwargs.get("state")
    if state is not None and state not in STATES:
        raise _invalid("state", state, f"Member must satisfy enum value set: {list(STATES)}")
    _check_action(kwargs.get("action_after_completion"))


def _check_action(action: str | None) -> None:
    if action is not None and action not in ACTIONS:
        raise _invalid(
            "actionAfterCompletion", action, f"Member must satisfy enum value set: {list(ACTIONS)}"
        )


def create_schedule(self: EventBridgeSchedulerBackend, **kwargs: Any) -> Any:
    """moto's CreateSchedule, checked as AWS checks it; ActionAfterCompletion is NONE unless given."""
    _check(kwargs)
    self.get_schedule_group(kwargs.get("group_name"))  # ResourceNotFoundException, not a KeyError
    kwargs["action_after_completion"] = kwargs.get("action_after_completion") or "NONE"
    return _original_create(self, **kwargs)


def update_schedule(self: EventBridgeSchedulerBackend, **kwargs: Any) -> Any:
    """moto's UpdateSchedule after AWS's checks; an omitted State is ENABLED, as AWS sets it."""
    _check(kwargs)
    kwargs["state"] = kwargs.get("state") or "ENABLED"
    return _original_update(self, **kwargs)


def create_schedule_group(self: EventBridgeSchedulerBackend, name: str, tags: list[dict[str, str]]) -> Any:
    """moto's CreateScheduleGroup with AWS's name constraint."""
    _check_name("name", name)
    return _original_create_group(self, name=name, tags=tags)


def update_schedule_response(self: EventBridgeSchedulerResponse) -> str:
    """moto's UpdateSchedule handler, then the ActionAfterCompletion it drops (omitted: NONE)."""
    action = self._get_param("ActionAfterCompletion")
    _check_action(action)
    answer = _original_update_response(self)
    name = self.uri.split("?")[0].split("/")[-1]
    schedule = self.scheduler_backend.get_schedule(self._get_param("GroupName"), name)
    schedule.action_after_completion = action or "NONE"
    return answer


def apply() -> None:
    """Install the patches (``local/moto_patches.apply`` calls this once, on the moto it was written for)."""
    EventBridgeSchedulerBackend.create_schedule = create_schedule  # type: ignore[method-assign,assignment]
    EventBridgeSchedulerBackend.update_schedule = update_schedule  # type: ignore[method-assign,assignment]
    EventBridgeSchedulerBackend.create_schedule_group = create_schedule_group  # type: ignore[method-assign]
    EventBridgeSchedulerResponse.update_schedule = update_schedule_response  # type: ignore[method-assign]
