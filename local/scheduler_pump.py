"""Fires moto's EventBridge Scheduler schedules the way AWS does: moto stores schedules, never runs them.

``SchedulerPump.fire_due`` lists every schedule of every group and delivers
what is due to its SQS target, with the context attributes of the Input
(``<aws.scheduler.scheduled-time>`` ...) replaced by the run's values. Its
clock is injectable and ``fire_due(now=...)`` takes a time, so a test can
step through days without waiting; ``start``/``stop`` run it every second for
``make run``. A local stack's pump (``for_stack``) sees only the schedules
aimed at its own queues: every stack in a process shares one moto.

What counts as due, and the local deviations from AWS:

- ``at()``: once, as soon as ``now`` reaches it (even long after: an overdue
  article still publishes), then deleted when ``ActionAfterCompletion`` is
  DELETE. A fired one is remembered by name, expression and creation date, so
  it never fires twice, whoever deletes it; re-timing or re-creating it arms
  it again. StartDate and EndDate do not apply, as in AWS.
- ``rate()`` and ``cron()``: the occurrences in (previous call, this call],
  within StartDate/EndDate. A schedule first seen by this call counts from the
  previous call's time (from this call's on the first call), so one created
  between two calls misses nothing; a rate() without StartDate runs when first
  seen, as AWS runs it on creation. Catch-up: when several occurrences fell in
  one interval (the laptop slept, a test jumped a week), only the latest fires
  and the rest are logged as missed: a sitemap tick or a poll wants the
  latest, not a burst.
- A failed delivery is retried on every following call (AWS backs off
  exponentially) until the target's RetryPolicy runs out (attempts, or the
  event's age); then, as AWS does, the event goes to the target's
  DeadLetterConfig queue with the reason in its message attributes
  (``ERROR_CODE``, ``ERROR_MESSAGE``, ``EXHAUSTED_RETRY_CONDITION``,
  ``RETRY_ATTEMPTS``, ``SCHEDULE_ARN``, ``TARGET_ARN``), where ``make redrive``
  shows and resends it; without a DeadLetterConfig it is logged and dropped.
- Targets other than SQS queues are logged once and skipped.
"""

from __future__ import annotations

import logging
import threading
import uuid
from collections.abc import Callable, Collection, Iterator
from contextlib import ExitStack
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any

from botocore.exceptions import BotoCoreError, ClientError

from local.aws import client
from local.provision_helpers import error_code
from local.schedule_expressions import at_time, latest_occurrence
from local.scheduler_retries import dead_letter, exhausted_condition, queue_url

if TYPE_CHECKING:
    from local.provision import Provisioned

log = logging.getLogger("local.scheduler")

Clock = Callable[[], datetime]
Key = tuple[str, str]  # (group, name)
_TICK = timedelta(microseconds=1)


def utc_now() -> datetime:
    """The real clock, aware and in UTC, as AWS's scheduled times are."""
    return datetime.now(UTC)


def scheduled_time_text(moment: datetime) -> str:
    """``<aws.scheduler.scheduled-time>``: ISO 8601 in UTC, to the second (``2026-12-02T17:01:00Z``)."""
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


@dataclass(frozen=True)
class Fired:
    """One delivery attempt of a schedule's occurrence (``error`` is None when it was delivered)."""

    name: str
    group: str
    scheduled_time: datetime
    target: str
    body: str
    attempt: int = 1
    error: str | None = None

    @property
    def delivered(self) -> bool:
        """True when the target accepted the message."""
        return self.error is None


@dataclass
class _Invocation:
    """An occurrence being delivered: AWS keeps its execution id over retries and counts attempts."""

    schedule: dict[str, Any]  # get_schedule's answer when the occurrence fell due
    scheduled_time: datetime
    one_time: bool
    execution_id: str = field(default_factory=lambda: str(uuid.uuid4()))
    attempt: int = 0

    @property
    def key(self) -> Key:
        return (str(self.schedule["GroupName"]), str(self.schedule["Name"]))

    @property
    def label(self) -> str:
        """``group/name``, for the log."""
        return "/".join(self.key)

    def body(self) -> str:
        """The target's Input with the context attributes of this attempt substituted."""
        text = str(self.schedule["Target"].get("Input", "{}"))  # no Input: an empty JSON object
        for attribute, value in (
            ("schedule-arn", str(self.schedule.get("Arn", ""))),
            ("scheduled-time", scheduled_time_text(self.scheduled_time)),
            ("execution-id", self.execution_id),
            ("attempt-number", str(self.attempt)),
        ):
            text = text.replace(f"<aws.scheduler.{attribute}>", value)
        return text


@dataclass
class _Recurring:
    """What the pump knows of a rate() or cron() schedule: everything up to ``after`` is done."""

    signature: tuple[Any, ...]
    after: datetime
    anchor: datetime  # a rate()'s first occurrence


class SchedulerPump:
    """Delivers due schedules from moto's Scheduler to their SQS queues; see the module docstring."""

    def __init__(
        self,
        scheduler: Any,
        sqs: Any,
        clock: Clock = utc_now,
        *,
        targets: Collection[str] | None = None,
    ) -> None:
        """``targets``: only schedules delivering to these ARNs (a stack's queues; moto is per process)."""
        self.scheduler = scheduler
        self.sqs = sqs
        self.clock = clock
        self.targets = frozenset(targets) if targets is not None else None
        self._lock = threading.Lock()  # the background thread and a test may both call fire_due
        self._last: datetime | None = None
        self._recurring: dict[Key, _Recurring] = {}
        self._fired_once: set[tuple[Any, ...]] = set()
        self._details: dict[Key, tuple[Any, dict[str, Any]]] = {}
        self._pending: list[_Invocation] = []
        self._warned: set[tuple[Any, ...]] = set()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    @classmethod
    def for_stack(cls, provisioned: Provisioned, exit_stack: ExitStack, *, background: bool) -> SchedulerPump:
        """A local stack's pump: only schedules aimed at its own queues, as every stack of a process
        shares one moto; with ``background`` it fires every second until ``exit_stack`` closes.
        """
        endpoint, region = provisioned.endpoint_url, provisioned.template.region
        queues = {queue.arn for queue in provisioned.queues.values()}
        pump = cls(client("scheduler", endpoint, region), client("sqs", endpoint, region), targets=queues)
        if background:
            pump.start(interval=1.0)
            exit_stack.callback(pump.stop)
        return pump

    # ------------------------------------------------------------------ firing

    def fire_due(self, now: datetime | None = None) -> list[Fired]:
        """Deliver what is due at ``now`` (default: the clock), and retries; returns every attempt made."""
        moment = self.clock() if now is None else now
        if moment.tzinfo is None:
            raise ValueError("fire_due needs an aware datetime (UTC)")
        moment = moment.astimezone(UTC)
        with self._lock:
            since = moment if self._last is None else min(self._last, moment)
            pending, self._pending = self._pending, []
            fired = [attempt for invocation in pending for attempt in self._attempt(invocation, moment)]
            seen: set[Key] = set()
            for summary in self._summaries():
                key = (str(summary["GroupName"]), str(summary["Name"]))
                seen.add(key)
                if summary.get("State", "ENABLED") != "ENABLED":
                    self._recurring.pop(key, None)  # re-enabled: counts from then, as in AWS
                    continue
                invocation = self._due(key, summary, moment, since)
                if invocation is not None:
                    fired.extend(self._attempt(invocation, moment))
            self._forget(seen)
            self._last = moment if self._last is None else max(self._last, moment)
        return fired

    def _summaries(self) -> Iterator[dict[str, Any]]:
        """Every schedule of every group (ListSchedules' short form), limited to ``targets``."""
        for groups in self.scheduler.get_paginator("list_schedule_groups").paginate():
            for group in groups["ScheduleGroups"]:
                pages = self.scheduler.get_paginator("list_schedules").paginate(GroupName=group["Name"])
                for page in pages:
                    for summary in page["Schedules"]:
                        if self.targets is None or summary["Target"]["Arn"] in self.targets:
                            yield summary

    def _detail(self, key: Key, summary: dict[str, Any]) -> dict[str, Any] | None:
        """GetSchedule's answer, asked again only when the schedule was modified since."""
        version = summary.get("LastModificationDate")
        cached = self._details.get(key)
        if cached is not None and cached[0] == version:
            return cached[1]
        try:
            detail: dict[str, Any] = self.scheduler.get_schedule(GroupName=key[0], Name=key[1])
        except ClientError as error:
            if error_code(error) == "ResourceNotFoundException":
                return None  # deleted since the listing
            raise
        self._details[key] = (version, detail)
        return detail

    def _due(self, key: Key, summary: dict[str, Any], now: datetime, since: datetime) -> _Invocation | None:
        detail = self._detail(key, summary)
        if detail is None:
            return None
        expression = str(detail["ScheduleExpression"]).strip()
        zone = str(detail.get("ScheduleExpressionTimezone") or "UTC")
        try:
            if expression.startswith("at("):
                return self._one_time(key, detail, expression, zone, now)
            return self._recurring_due(key, detail, expression, zone, now, since)
        except (ValueError, KeyError) as error:  # a bad zone is a KeyError (ZoneInfoNotFoundError)
            self._warn_once(
                (key, expression, zone), "%s: cannot evaluate %r in %s: %s", key, expression, zone, error
            )
            return None

    def _one_time(
        self, key: Key, detail: dict[str, Any], expression: str, zone: str, now: datetime
    ) -> _Invocation | None:
        token = (key, expression, zone, detail.get("CreationDate"))
        when = at_time(expression, zone)
        if token in self._fired_once or when > now:
            return None
        self._fired_once.add(token)
        return _Invocation(detail, when, one_time=True)

    def _recurring_due(
        self, key: Key, detail: dict[str, Any], expression: str, zone: str, now: datetime, since: datetime
    ) -> _Invocation | None:
        start, end = detail.get("StartDate"), detail.get("EndDate")
        signature = (expression, zone, start, end)
        state = self._recurring.get(key)
        if state is None or state.signature != signature:  # new, or re-timed by UpdateSchedule
            anchor = start or now  # a rate() runs from its start, or at once
            after = anchor - _TICK if expression.startswith("rate(") else since
            state = _Recurring(signature, after=after, anchor=anchor)
            self._recurring[key] = state
        low = max(state.after, start - _TICK) if start else state.after
        high = min(now, end - _TICK) if end else now
        state.after = max(state.after, now)
        latest, missed = latest_occurrence(expression, zone, low, high, anchor=state.anchor)
        if latest is None:
            return None
        if missed:
            log.info(
                "%s/%s: earlier occurrences missed; firing only the latest, %s", *key, latest.isoformat()
            )
        return _Invocation(detail, latest, one_time=False)

    # ---------------------------------------------------------------- delivery

    def _attempt(self, invocation: _Invocation, now: datetime) -> list[Fired]:
        """One delivery attempt; a failure is kept for the next call unless the RetryPolicy ran out."""
        target = invocation.schedule["Target"]
        arn = str(target["Arn"])
        parts = arn.split(":")
        if len(parts) != 6 or parts[2] != "sqs":
            self._warn_once(
                (invocation.key, arn), "%s: target %s is no SQS queue: skipped", invocation.label, arn
            )
            return []
        invocation.attempt += 1
        body = invocation.body()
        error: str | None = None
        code = ""
        try:
            extra: dict[str, str] = {}
            group_id = (target.get("SqsParameters") or {}).get("MessageGroupId")
            if group_id:  # a FIFO queue: the target names the message group
                extra["MessageGroupId"] = str(group_id)
            self.sqs.send_message(QueueUrl=queue_url(self.sqs, arn), MessageBody=body, **extra)
        except (ClientError, BotoCoreError) as failure:
            error = str(failure)
            code = error_code(failure) if isinstance(failure, ClientError) else type(failure).__name__
        group, name = invocation.key
        fired = Fired(name, group, invocation.scheduled_time, arn, body, invocation.attempt, error)
        if error is None:
            log.info("fired %s (%s) to %s", invocation.label, fired.scheduled_time.isoformat(), arn)
            self._complete(invocation)
        elif (
            condition := exhausted_condition(
                invocation.schedule["Target"], invocation.scheduled_time, invocation.attempt, now
            )
        ) is not None:
            log.error("%s: giving up after %d attempts: %s", invocation.label, invocation.attempt, error)
            dead_letter(
                self.sqs,
                invocation.schedule,
                invocation.label,
                invocation.attempt,
                body,
                (code, error, condition),
            )
            self._complete(invocation)
        else:
            log.warning("%s: attempt %d failed, retrying: %s", invocation.label, invocation.attempt, error)
            self._pending.append(invocation)
        return [fired]

    def _complete(self, invocation: _Invocation) -> None:
        """ActionAfterCompletion for a one-time schedule, unless it was changed since it fell due."""
        schedule = invocation.schedule
        if not invocation.one_time or schedule.get("ActionAfterCompletion") != "DELETE":
            return
        group, name = invocation.key
        try:
            current = self.scheduler.get_schedule(GroupName=group, Name=name)
            if current.get("LastModificationDate") == schedule.get("LastModificationDate"):
                self.scheduler.delete_schedule(GroupName=group, Name=name)
        except (ClientError, BotoCoreError) as error:  # it has fired and is remembered: it never fires again
            if not isinstance(error, ClientError) or error_code(error) != "ResourceNotFoundException":
                log.warning("%s: fired, but not deleted: %s", invocation.label, error)

    def _forget(self, seen: set[Key]) -> None:
        """Drop what is known of schedules that no longer exist (a re-created one starts afresh)."""
        self._recurring = {key: state for key, state in self._recurring.items() if key in seen}
        self._details = {key: detail for key, detail in self._details.items() if key in seen}
        self._fired_once = {token for token in self._fired_once if token[0] in seen}

    def _warn_once(self, token: tuple[Any, ...], message: str, *args: Any) -> None:
        """The pump runs every second: say a thing once per schedule, not once per second."""
        if token not in self._warned:
            self._warned.add(token)
            log.warning(message, *args)

    # -------------------------------------------------------------- background

    def start(self, interval: float = 1.0) -> None:
        """Fire due schedules every ``interval`` seconds in a daemon thread, until ``stop``."""
        if self._thread is not None and self._thread.is_alive():
            return
        self._stop.clear()
        self._thread = threading.Thread(
            target=self._run, args=(interval,), name="scheduler-pump", daemon=True
        )
        self._thread.start()

    def _run(self, interval: float) -> None:
        while not self._stop.is_set():
            try:
                self.fire_due()
            except Exception:  # keep pumping: a moto hiccup must not stop the schedules
                log.exception("scheduler pump: firing failed")
            self._stop.wait(interval)

    def stop(self, timeout: float = 10.0) -> None:
        """Stop after the call in hand."""
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout)
            self._thread = None
