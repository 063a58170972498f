"""The local scheduler pump fires moto's schedules as EventBridge Scheduler does, on a clock tests move.

One stack from the real template (its daily tick, its schedule group) with a
recording PublishFunction; each test that steps the clock gets its own pump,
so the times one test visits never hide another's occurrences.
"""

from __future__ import annotations

import json
import logging
import threading
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from botocore.exceptions import ClientError
from test_local_provision import FIXTURE_TEMPLATE

from local.provision import provision
from local.redrive import scheduler_reason
from local.schedule_expressions import Cron, at_time, rate_period, validate
from local.scheduler_pump import Fired, SchedulerPump
from local.stack import LocalStack, StackOptions
from local.template import Template

REPO_ROOT = Path(__file__).resolve().parents[2]
ROLE = "arn:aws:iam::123456789012:role/scheduler"


def utc(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=UTC)


class Recorder:
    """A fake PublishFunction: keeps every message body it is handed."""

    def __init__(self) -> None:
        self.bodies: list[dict[str, Any]] = []

    def __call__(self, event: dict[str, Any], context: Any) -> dict[str, Any]:
        self.bodies.extend(json.loads(record["body"]) for record in event["Records"])
        return {"batchItemFailures": []}

    def take(self, kind: str) -> list[dict[str, Any]]:
        """The bodies of this kind received so far, forgotten once taken."""
        taken = [body for body in self.bodies if body.get("newsroom") == kind]
        self.bodies = [body for body in self.bodies if body.get("newsroom") != kind]
        return taken


@pytest.fixture(scope="module")
def site() -> Iterator[tuple[LocalStack, Recorder]]:
    recorder = Recorder()
    options = StackOptions(
        root=REPO_ROOT,
        stack_name=f"sp-{uuid.uuid4().hex[:6]}",
        functions=("PublishFunction",),
        handlers={"PublishFunction": recorder, "SearchFunction": lambda event, context: {}},
        background=False,
        retry_delay=0,
    )
    with LocalStack(options) as stack:
        yield stack, recorder


@pytest.fixture
def stack(site: tuple[LocalStack, Recorder]) -> LocalStack:
    return site[0]


@pytest.fixture
def recorder(site: tuple[LocalStack, Recorder]) -> Recorder:
    return site[1]


@pytest.fixture
def pump(stack: LocalStack) -> SchedulerPump:
    """A pump of the stack's own schedules that has seen no time yet."""
    _, provisioned = stack.started()
    queues = {queue.arn for queue in provisioned.queues.values()}
    return SchedulerPump(stack.client("scheduler"), stack.client("sqs"), targets=queues)


def publish_queue_arn(stack: LocalStack) -> str:
    return stack.started()[1].queues["PublishQueue"].arn


def article_group(stack: LocalStack) -> str:
    return f"{stack.stack_name}-articles"


def one_time(stack: LocalStack, name: str, at: str, **changes: Any) -> dict[str, Any]:
    """CreateSchedule's parameters as the publish function sends them."""
    body = {"newsroom": "schedule", "key": f"articles/{name}.md", "version": "v1", "at": at}
    parameters: dict[str, Any] = {
        "Name": name,
        "GroupName": article_group(stack),
        "ScheduleExpression": f"at({at})",
        "ScheduleExpressionTimezone": "UTC",
        "FlexibleTimeWindow": {"Mode": "OFF"},
        "ActionAfterCompletion": "DELETE",
        "Target": {"Arn": publish_queue_arn(stack), "RoleArn": ROLE, "Input": json.dumps(body)},
    }
    return parameters | changes


def named(fired: list[Fired], name: str) -> list[Fired]:
    return [f for f in fired if f.name == name]


def exists(stack: LocalStack, name: str, group: str) -> bool:
    listed = stack.client("scheduler").list_schedules(GroupName=group, NamePrefix=name)["Schedules"]
    return any(schedule["Name"] == name for schedule in listed)


# ----------------------------------------------------------------- provisioning


def test_the_template_schedules_exist_as_written_and_reprovisioning_updates_them(stack: LocalStack) -> None:
    template, provisioned = stack.started()
    scheduler = stack.client("scheduler")
    tick = scheduler.get_schedule(Name=f"{stack.stack_name}-daily-tick", GroupName="default")
    assert tick["ScheduleExpression"] == "cron(1 0 * * ? *)"
    assert tick["ScheduleExpressionTimezone"] == "Asia/Ho_Chi_Minh"
    assert tick["State"] == "ENABLED"
    assert tick["FlexibleTimeWindow"] == {"Mode": "OFF"}
    role = template.resolve({"Fn::GetAtt": ["SchedulerRole", "Arn"]})
    assert tick["Target"]["Arn"] == publish_queue_arn(stack)
    assert tick["Target"]["RoleArn"] == role
    assert role.startswith("arn:aws:iam::123456789012:role/")
    assert tick["Target"]["RetryPolicy"] == {"MaximumEventAgeInSeconds": 86400, "MaximumRetryAttempts": 185}
    assert tick["Target"]["DeadLetterConfig"]["Arn"] == provisioned.queues["PublishDeadLetterQueue"].arn
    assert "<aws.scheduler.scheduled-time>" in tick["Target"]["Input"]
    assert provisioned.schedules["DailyTickSchedule"].arn == tick["Arn"]

    group = scheduler.get_schedule_group(Name=article_group(stack))
    assert provisioned.schedule_groups == {"ArticleScheduleGroup": article_group(stack)}
    # What the publish function's environment will name: Ref of a group is its name.
    assert template.resolve({"Ref": "ArticleScheduleGroup"}) == group["Name"]
    assert template.resolve({"Fn::GetAtt": ["ArticleScheduleGroup", "Arn"]}) == group["Arn"]
    environment = stack.environment("PublishFunction")  # what the publish function creates schedules with
    assert environment["SCHEDULE_GROUP_NAME"] == group["Name"]
    assert environment["SCHEDULER_ROLE_ARN"] == role
    assert environment["PUBLISH_QUEUE_ARN"] == publish_queue_arn(stack)

    scheduler.update_schedule(
        Name=tick["Name"],
        ScheduleExpression="rate(5 minutes)",
        FlexibleTimeWindow={"Mode": "OFF"},
        Target=tick["Target"],
    )
    again = provision(Template.load(REPO_ROOT / "template.yaml", stack_name=stack.stack_name), stack.endpoint)
    assert again.schedules == provisioned.schedules
    restored = scheduler.get_schedule(Name=tick["Name"])
    assert restored["ScheduleExpression"] == "cron(1 0 * * ? *)"
    names = [s["Name"] for s in scheduler.list_schedules(NamePrefix=stack.stack_name)["Schedules"]]
    assert names == [tick["Name"]]


# ----------------------------------------------------------------- firing


def test_a_one_time_schedule_fires_once_at_its_time_then_is_deleted(
    stack: LocalStack, recorder: Recorder
) -> None:
    parameters = one_time(stack, "fires-once", "2026-12-03T06:00:00")
    stack.client("scheduler").create_schedule(**parameters)
    scheduler = stack.scheduler  # the stack's own pump, as an integration test drives it

    assert named(scheduler.fire_due(now=utc("2026-12-03T05:59:59")), "fires-once") == []
    (fired,) = named(scheduler.fire_due(now=utc("2026-12-03T06:00:00")), "fires-once")
    assert (fired.group, fired.scheduled_time, fired.delivered) == (
        article_group(stack),
        utc("2026-12-03T06:00"),
        True,
    )
    assert fired.target == publish_queue_arn(stack)
    assert json.loads(fired.body) == json.loads(parameters["Target"]["Input"])
    assert not exists(stack, "fires-once", article_group(stack))
    assert named(scheduler.fire_due(now=utc("2026-12-03T06:00:30")), "fires-once") == []
    assert named(scheduler.fire_due(now=utc("2026-12-04T06:00:00")), "fires-once") == []

    stack.process_queue()
    assert recorder.take("schedule") == [json.loads(parameters["Target"]["Input"])]


def test_a_one_time_schedule_fires_at_its_updated_time_in_its_own_time_zone(
    stack: LocalStack, pump: SchedulerPump
) -> None:
    scheduler = stack.client("scheduler")
    parameters = one_time(stack, "retimed", "2026-12-03T06:00:00")
    scheduler.create_schedule(**parameters)
    # 13:00 in Ho Chi Minh City is 06:00 UTC; moved to 15:00 there, 08:00 UTC.
    parameters |= {
        "ScheduleExpression": "at(2026-12-03T15:00:00)",
        "ScheduleExpressionTimezone": "Asia/Ho_Chi_Minh",
    }
    scheduler.update_schedule(**parameters)
    assert (
        scheduler.get_schedule(Name="retimed", GroupName=article_group(stack))["ActionAfterCompletion"]
        == "DELETE"
    )

    assert named(pump.fire_due(now=utc("2026-12-03T06:30:00")), "retimed") == []
    assert named(pump.fire_due(now=utc("2026-12-03T07:59:59")), "retimed") == []
    (fired,) = named(pump.fire_due(now=utc("2026-12-03T08:00:10")), "retimed")
    assert fired.scheduled_time == utc("2026-12-03T08:00:00")
    assert not exists(stack, "retimed", article_group(stack))
    stack.process_queue()


def test_a_one_time_schedule_kept_after_completion_still_fires_only_once(
    stack: LocalStack, pump: SchedulerPump
) -> None:
    parameters = one_time(stack, "kept", "2026-12-03T06:00:00", ActionAfterCompletion="NONE")
    stack.client("scheduler").create_schedule(**parameters)
    assert len(named(pump.fire_due(now=utc("2026-12-03T06:00:00")), "kept")) == 1
    assert exists(stack, "kept", article_group(stack))
    assert named(pump.fire_due(now=utc("2026-12-03T06:05:00")), "kept") == []
    stack.client("scheduler").delete_schedule(Name="kept", GroupName=article_group(stack))
    stack.process_queue()


def test_the_daily_tick_fires_a_minute_after_midnight_in_ho_chi_minh_city_once_a_day(
    stack: LocalStack, pump: SchedulerPump, recorder: Recorder
) -> None:
    name = f"{stack.stack_name}-daily-tick"
    stack.process_queue()
    recorder.take("daily-tick")  # what other tests' pumps fired

    def ticks(now: str) -> list[str]:
        return [f.body for f in named(pump.fire_due(now=utc(now)), name)]

    assert ticks("2026-12-02T16:00:00") == []  # the pump starts counting here
    assert ticks("2026-12-02T17:00:59") == []
    assert ticks("2026-12-02T17:01:00") == [
        '{"newsroom": "daily-tick", "scheduled_time": "2026-12-02T17:01:00Z"}'
    ]
    assert ticks("2026-12-02T17:01:00") == []
    assert ticks("2026-12-02T17:30:00") == []
    assert ticks("2026-12-03T17:00:00") == []
    assert ticks("2026-12-03T17:01:40") == [
        '{"newsroom": "daily-tick", "scheduled_time": "2026-12-03T17:01:00Z"}'
    ]
    assert ticks("2026-12-03T23:00:00") == []
    # A week unseen: one catch-up tick, the latest, not seven.
    assert ticks("2026-12-10T20:00:00") == [
        '{"newsroom": "daily-tick", "scheduled_time": "2026-12-10T17:01:00Z"}'
    ]

    stack.process_queue()
    received = [body["scheduled_time"] for body in recorder.take("daily-tick")]
    assert sorted(received) == ["2026-12-02T17:01:00Z", "2026-12-03T17:01:00Z", "2026-12-10T17:01:00Z"]


def test_a_rate_schedule_runs_when_first_seen_then_every_period(
    stack: LocalStack, pump: SchedulerPump
) -> None:
    scheduler = stack.client("scheduler")
    scheduler.create_schedule(**one_time(stack, "every-ten", "x", ScheduleExpression="rate(10 minutes)"))
    try:
        start = utc("2027-01-01T00:00:00")
        times = [
            [f.scheduled_time for f in named(pump.fire_due(now=start + timedelta(minutes=m)), "every-ten")]
            for m in (0, 9, 10, 15, 45)
        ]
        minutes = [[int((t - start).total_seconds() // 60) for t in at] for at in times]
        assert minutes == [[0], [], [10], [], [40]]
    finally:
        scheduler.delete_schedule(Name="every-ten", GroupName=article_group(stack))
        stack.process_queue()


def test_recurring_schedules_run_only_between_their_start_and_end_dates(
    stack: LocalStack, pump: SchedulerPump
) -> None:
    scheduler = stack.client("scheduler")
    daily = one_time(stack, "daily", "x", ScheduleExpression="rate(1 day)", StartDate=utc("2027-01-05T00:00"))
    noon = one_time(
        stack, "noon", "x", ScheduleExpression="cron(0 12 * * ? *)", StartDate=utc("2027-01-05T13:00")
    )
    scheduler.create_schedule(**(daily | {"EndDate": utc("2027-01-07T12:00")}))
    scheduler.create_schedule(**(noon | {"EndDate": utc("2027-01-07T12:00")}))
    try:
        runs = {
            day: sorted(
                (f.name, f.scheduled_time.day)
                for f in pump.fire_due(now=utc(f"2027-01-{day:02}T12:30"))
                if f.name in {"daily", "noon"}
            )
            for day in range(4, 9)
        }
        assert runs == {
            4: [],
            5: [("daily", 5)],  # noon on the 5th is before the start
            6: [("daily", 6), ("noon", 6)],
            7: [("daily", 7)],  # noon on the 7th is the end: not before it
            8: [],
        }
    finally:
        for name in ("daily", "noon"):
            scheduler.delete_schedule(Name=name, GroupName=article_group(stack))
        stack.process_queue()


def test_a_disabled_schedule_does_not_fire_until_enabled(stack: LocalStack, pump: SchedulerPump) -> None:
    scheduler = stack.client("scheduler")
    parameters = one_time(stack, "disabled", "2026-12-03T06:00:00", State="DISABLED")
    scheduler.create_schedule(**parameters)
    assert named(pump.fire_due(now=utc("2026-12-03T07:00:00")), "disabled") == []
    assert exists(stack, "disabled", article_group(stack))
    parameters.pop("State")  # UpdateSchedule without State enables it, as in AWS
    scheduler.update_schedule(**parameters)
    assert len(named(pump.fire_due(now=utc("2026-12-03T07:00:01")), "disabled")) == 1
    stack.process_queue()


def test_a_failed_delivery_is_retried_on_the_next_call_with_the_same_execution(stack: LocalStack) -> None:
    sqs, scheduler = stack.client("sqs"), stack.client("scheduler")
    queue = f"{stack.stack_name}-retry"
    url = sqs.create_queue(QueueName=queue)["QueueUrl"]
    arn = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
    context = '{"id": "<aws.scheduler.execution-id>", "attempt": "<aws.scheduler.attempt-number>"}'
    target = {"Arn": arn, "RoleArn": ROLE, "Input": context}
    scheduler.create_schedule(**one_time(stack, "retried", "2026-12-03T06:00:00", Target=target))
    pump = SchedulerPump(scheduler, sqs, targets={arn})
    sqs.delete_queue(QueueUrl=url)

    first, second = (
        pump.fire_due(now=utc("2026-12-03T06:00:00")),
        pump.fire_due(now=utc("2026-12-03T06:00:01")),
    )
    assert [(f.attempt, f.delivered) for f in first + second] == [(1, False), (2, False)]
    assert "NonExistentQueue" in str(first[0].error) or "does not exist" in str(first[0].error)
    assert exists(stack, "retried", article_group(stack))  # completed only once delivered

    url = sqs.create_queue(QueueName=queue)["QueueUrl"]
    (third,) = pump.fire_due(now=utc("2026-12-03T06:00:02"))
    assert (third.attempt, third.delivered) == (3, True)
    (message,) = sqs.receive_message(QueueUrl=url)["Messages"]
    body = json.loads(message["Body"])
    assert body["attempt"] == "3"
    assert body["id"] == json.loads(first[0].body)["id"] != "<aws.scheduler.execution-id>"
    assert pump.fire_due(now=utc("2026-12-03T06:00:03")) == []
    assert not exists(stack, "retried", article_group(stack))
    sqs.delete_queue(QueueUrl=url)


def test_an_undeliverable_event_goes_to_its_dead_letter_queue_with_the_reason_once_retries_run_out(
    stack: LocalStack,
) -> None:
    sqs, scheduler = stack.client("sqs"), stack.client("scheduler")
    arn = f"arn:aws:sqs:us-east-1:123456789012:{stack.stack_name}-gone"
    dead = sqs.create_queue(QueueName=f"{stack.stack_name}-dead-letters")["QueueUrl"]
    dead_arn = sqs.get_queue_attributes(QueueUrl=dead, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
    target = {
        "Arn": arn,
        "RoleArn": ROLE,
        "Input": '{"newsroom": "look-again", "at": "<aws.scheduler.scheduled-time>"}',
        "RetryPolicy": {"MaximumRetryAttempts": 1, "MaximumEventAgeInSeconds": 3600},
        "DeadLetterConfig": {"Arn": dead_arn},
    }
    scheduler.create_schedule(**one_time(stack, "dead", "2026-12-03T06:00:00", Target=target))
    pump = SchedulerPump(scheduler, sqs, targets={arn})
    for seconds in range(3):
        pump.fire_due(now=utc("2026-12-03T06:00:00") + timedelta(seconds=seconds))
    (letter,) = sqs.receive_message(QueueUrl=dead, MessageAttributeNames=["All"])["Messages"]
    assert json.loads(letter["Body"]) == {"newsroom": "look-again", "at": "2026-12-03T06:00:00Z"}
    attributes = {k: v["StringValue"] for k, v in letter["MessageAttributes"].items()}
    assert attributes["EXHAUSTED_RETRY_CONDITION"] == "MaximumRetryAttempts"
    assert attributes["RETRY_ATTEMPTS"] == "1"
    assert attributes["TARGET_ARN"] == arn and attributes["SCHEDULE_ARN"].endswith("/dead")
    assert "NonExistentQueue" in attributes["ERROR_CODE"]
    assert "could not deliver it (MaximumRetryAttempts ran out after 1 retries)" in scheduler_reason(letter)
    sqs.delete_message(QueueUrl=dead, ReceiptHandle=letter["ReceiptHandle"])

    scheduler.create_schedule(**one_time(stack, "aged", "2026-12-03T06:00:00", Target=target))
    pump.fire_due(now=utc("2026-12-03T07:00:00"))  # first tried an hour late: too old to retry
    (late,) = sqs.receive_message(QueueUrl=dead, MessageAttributeNames=["All"])["Messages"]
    assert late["MessageAttributes"]["EXHAUSTED_RETRY_CONDITION"]["StringValue"] == "MaximumEventAgeInSeconds"
    sqs.delete_queue(QueueUrl=dead)


def test_an_undeliverable_event_is_dropped_once_its_retry_policy_runs_out(stack: LocalStack) -> None:
    sqs, scheduler = stack.client("sqs"), stack.client("scheduler")
    arn = f"arn:aws:sqs:us-east-1:123456789012:{stack.stack_name}-never"
    target = {"Arn": arn, "RoleArn": ROLE, "Input": "{}", "RetryPolicy": {"MaximumRetryAttempts": 1}}
    scheduler.create_schedule(**one_time(stack, "dropped", "2026-12-03T06:00:00", Target=target))
    pump = SchedulerPump(scheduler, sqs, targets={arn})
    attempts = [
        [f.attempt for f in pump.fire_due(now=utc("2026-12-03T06:00:00") + timedelta(seconds=s))]
        for s in range(3)
    ]
    assert attempts == [[1], [2], []]
    assert not exists(stack, "dropped", article_group(stack))


def test_targets_other_than_queues_are_skipped_and_said_once(
    stack: LocalStack, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.WARNING, logger="local.scheduler")
    arn = "arn:aws:lambda:us-east-1:123456789012:function:elsewhere"
    target = {"Arn": arn, "RoleArn": ROLE, "Input": "{}"}
    scheduler = stack.client("scheduler")
    scheduler.create_schedule(
        **one_time(stack, "lambda", "x", ScheduleExpression="rate(1 minute)", Target=target)
    )
    pump = SchedulerPump(scheduler, stack.client("sqs"), targets={arn})
    try:
        assert pump.fire_due(now=utc("2027-01-01T00:00")) == pump.fire_due(now=utc("2027-01-01T00:05")) == []
        assert caplog.text.count("is no SQS queue") == 1
    finally:
        scheduler.delete_schedule(Name="lambda", GroupName=article_group(stack))


def test_in_the_background_the_pump_fires_by_its_clock_until_stopped(stack: LocalStack) -> None:
    sqs, scheduler = stack.client("sqs"), stack.client("scheduler")
    url = sqs.create_queue(QueueName=f"{stack.stack_name}-background")["QueueUrl"]
    arn = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
    target = {"Arn": arn, "RoleArn": ROLE, "Input": '{"due": "<aws.scheduler.scheduled-time>"}'}
    scheduler.create_schedule(**one_time(stack, "background", "2026-12-03T06:00:00", Target=target))
    pump = SchedulerPump(scheduler, sqs, clock=lambda: utc("2026-12-03T06:00:05"), targets={arn})
    pump.start(interval=0.05)
    try:
        messages = sqs.receive_message(QueueUrl=url, WaitTimeSeconds=5)["Messages"]
    finally:
        pump.stop()
    assert [json.loads(m["Body"]) for m in messages] == [{"due": "2026-12-03T06:00:00Z"}]
    assert "scheduler-pump" not in {thread.name for thread in threading.enumerate()}
    sqs.delete_queue(QueueUrl=url)


def test_a_stack_in_the_background_runs_its_pump_and_stops_it(tmp_path: Path) -> None:
    (tmp_path / "template.yaml").write_text(FIXTURE_TEMPLATE, encoding="utf-8")
    options = StackOptions(
        root=tmp_path, stack_name="sp-background", handlers={"PublishFunction": Recorder()}
    )
    with LocalStack(options) as stack:
        assert stack.scheduler.targets == {queue.arn for queue in stack.started()[1].queues.values()}
        assert "scheduler-pump" in {thread.name for thread in threading.enumerate()}
    assert "scheduler-pump" not in {thread.name for thread in threading.enumerate()}
    with pytest.raises(RuntimeError, match="start"):
        stack.scheduler.fire_due()


def test_the_pump_wants_an_aware_time(pump: SchedulerPump) -> None:
    with pytest.raises(ValueError, match="aware"):
        pump.fire_due(now=datetime(2026, 12, 3, 6, 0))  # naive: the mistake under test


# ------------------------------------------------------ what moto is made to check


@pytest.mark.parametrize(
    ("changes", "code"),
    [
        ({"Name": "has space"}, "ValidationException"),
        ({"Name": "x" * 65}, "ValidationException"),
        ({"ScheduleExpression": "at(2026-12-03 06:00)"}, "ValidationException"),
        ({"ScheduleExpression": "cron(0 10 * * * *)"}, "ValidationException"),
        ({"ScheduleExpressionTimezone": "Mars/Olympus_Mons"}, "ValidationException"),
        ({"ActionAfterCompletion": "REMOVE"}, "ValidationException"),
        ({"GroupName": "no-such-group"}, "ResourceNotFoundException"),
    ],
)
def test_moto_refuses_what_aws_refuses(stack: LocalStack, changes: dict[str, Any], code: str) -> None:
    parameters = one_time(stack, "refused", "2026-12-03T06:00:00") | changes
    with pytest.raises(ClientError) as raised:
        stack.client("scheduler").create_schedule(**parameters)
    assert raised.value.response["Error"]["Code"] == code


def test_moto_keeps_what_update_schedule_sets(stack: LocalStack) -> None:
    scheduler, group = stack.client("scheduler"), article_group(stack)
    parameters = one_time(
        stack, "updated", "2026-12-09T06:00:00", ActionAfterCompletion="NONE", State="DISABLED"
    )
    scheduler.create_schedule(**parameters)
    scheduler.update_schedule(**(parameters | {"ActionAfterCompletion": "DELETE"}))
    assert scheduler.get_schedule(Name="updated", GroupName=group)["ActionAfterCompletion"] == "DELETE"
    parameters.pop("ActionAfterCompletion")
    scheduler.update_schedule(**parameters)  # omitted: back to AWS's defaults
    current = scheduler.get_schedule(Name="updated", GroupName=group)
    assert (current["ActionAfterCompletion"], current["State"]) == ("NONE", "DISABLED")
    parameters.pop("State")
    scheduler.update_schedule(**parameters)
    assert scheduler.get_schedule(Name="updated", GroupName=group)["State"] == "ENABLED"
    scheduler.delete_schedule(Name="updated", GroupName=group)


# ------------------------------------------------------------------ expressions


def latest(expression: str, after: str, until: str, zone: str = "UTC") -> datetime | None:
    return Cron.parse(expression).latest(utc(after), utc(until), zone)


@pytest.mark.parametrize(
    ("expression", "until", "expected"),
    [
        ("cron(0 10 * * ? *)", "2026-12-02T12:00", "2026-12-02T10:00"),
        ("cron(0 10 * * ? *)", "2026-12-02T09:59", "2026-12-01T10:00"),
        ("cron(15 12 * * ? *)", "2026-12-02T12:14", "2026-12-01T12:15"),
        ("cron(0 18 ? * MON-FRI *)", "2026-12-07T12:00", "2026-12-04T18:00"),  # Monday noon: Friday
        ("cron(0 18 ? * 2-6 *)", "2026-12-07T12:00", "2026-12-04T18:00"),  # 2-6 is MON-FRI
        ("cron(0 0 ? * 1 *)", "2026-12-02T12:00", "2026-11-29T00:00"),  # 1 is Sunday
        ("cron(0 8 1 * ? *)", "2026-12-02T00:00", "2026-12-01T08:00"),
        ("cron(0 8 1 * ? *)", "2026-12-01T07:59", "2026-11-01T08:00"),
        ("cron(0/15 * * * ? *)", "2026-12-02T12:44:59", "2026-12-02T12:30"),
        ("cron(0 0 L * ? *)", "2027-03-31T00:00", "2027-03-31T00:00"),
        ("cron(0 0 L * ? *)", "2027-02-28T23:59", "2027-02-28T00:00"),
        ("cron(0 9 ? JAN-MAR FRI-MON 2027)", "2027-06-01T00:00", "2027-03-29T09:00"),  # Monday 29 March
    ],
)
def test_cron_finds_the_latest_occurrence_as_aws_defines_it(
    expression: str, until: str, expected: str
) -> None:
    assert latest(expression, "2026-01-01T00:00", until) == utc(expected)


def test_cron_fields_numbers_names_lists_ranges_and_steps() -> None:
    cron = Cron.parse("cron(5,10-20/5 */6 ? jan,MAR-APR,12 MON-FRI 2027-2028)")
    assert cron.minutes == {5, 10, 15, 20}
    assert cron.hours == {0, 6, 12, 18}
    assert cron.months == {1, 3, 4, 12}
    assert cron.weekdays == {2, 3, 4, 5, 6}
    assert cron.days is None
    assert cron.years == {2027, 2028}
    assert Cron.parse("cron(0 3/8 ? * SAT-SUN *)").hours == {3, 11, 19}
    assert Cron.parse("cron(0 3/8 ? * SAT-SUN *)").weekdays == {7, 1}


@pytest.mark.parametrize(
    "expression",
    [
        "cron(0 10 * * * *)",
        "cron(0 10 ? * ? *)",
        "cron(0 10 * * ?)",
        "cron(60 10 * * ? *)",
        "cron(0 10 ? * 2#1 *)",
    ],
)
def test_cron_refuses_what_it_cannot_evaluate(expression: str) -> None:
    with pytest.raises(ValueError):
        Cron.parse(expression)


def test_cron_is_evaluated_on_the_zones_wall_clock_through_daylight_saving() -> None:
    assert latest("cron(1 0 * * ? *)", "2026-12-01T00:00", "2026-12-02T17:01", "Asia/Ho_Chi_Minh") == utc(
        "2026-12-02T17:01"
    )
    # New York skips 02:30 on 14 March 2027: AWS skips that run.
    assert latest("cron(30 2 * * ? *)", "2027-03-14T05:00", "2027-03-15T05:00", "America/New_York") is None
    # ... and has 01:30 twice on 7 November 2027: it runs once, at the first.
    assert latest("cron(30 1 * * ? *)", "2027-11-07T04:00", "2027-11-07T12:00", "America/New_York") == utc(
        "2027-11-07T05:30"
    )
    assert latest("cron(30 1 * * ? *)", "2027-11-07T05:30", "2027-11-07T12:00", "America/New_York") is None


def test_rate_and_at_expressions() -> None:
    assert rate_period("rate(5 minutes)") == timedelta(minutes=5)
    assert rate_period("rate(1 hour)") == timedelta(hours=1)
    assert rate_period("rate(2 days)") == timedelta(days=2)
    for bad in ("rate(0 minutes)", "rate(5 weeks)", "rate(minutes)"):
        with pytest.raises(ValueError):
            rate_period(bad)
    assert at_time("at(2026-12-03T06:00:00)", "UTC") == utc("2026-12-03T06:00")
    assert at_time("at(2026-12-03T06:00:00)", "Asia/Ho_Chi_Minh") == utc("2026-12-02T23:00")
    with pytest.raises(ValueError):
        at_time("at(2026-12-03T06:00)", "UTC")
    validate("cron(0 10 ? * 2#1 *)")  # AWS takes it, though the pump cannot evaluate it
    with pytest.raises(ValueError, match="time zone"):
        validate("rate(1 day)", "Nowhere/Special")
