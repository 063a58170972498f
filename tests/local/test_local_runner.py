"""The runner must call handlers exactly as Lambda's SQS event source mapping does."""

from __future__ import annotations

import json
import os
import textwrap
import time
import uuid
from pathlib import Path
from typing import Any

import pytest

from local.aws import client, patched_environ
from local.runner import (
    FunctionSpec,
    LambdaContext,
    QueueRunner,
    SqsEventSource,
    failed_message_ids,
    function_spec,
    load_handler,
    sqs_event_sources,
)
from local.template import Template

RECORD_KEYS = {
    "messageId",
    "receiptHandle",
    "body",
    "attributes",
    "messageAttributes",
    "md5OfBody",
    "eventSource",
    "eventSourceARN",
    "awsRegion",
}
ATTRIBUTE_KEYS = {"ApproximateReceiveCount", "SentTimestamp", "SenderId", "ApproximateFirstReceiveTimestamp"}


@pytest.fixture
def queues(endpoint: str) -> tuple[Any, SqsEventSource, str]:
    """A queue with a DLQ after 2 receives; returns (sqs client, event source, dlq url)."""
    sqs = client("sqs", endpoint)
    name = f"runner-{uuid.uuid4().hex[:8]}"
    dlq_url = sqs.create_queue(QueueName=f"{name}-dlq")["QueueUrl"]
    dlq_arn = sqs.get_queue_attributes(QueueUrl=dlq_url, AttributeNames=["QueueArn"])["Attributes"][
        "QueueArn"
    ]
    redrive = json.dumps({"deadLetterTargetArn": dlq_arn, "maxReceiveCount": 2})
    url = sqs.create_queue(QueueName=name, Attributes={"VisibilityTimeout": "360", "RedrivePolicy": redrive})[
        "QueueUrl"
    ]
    arn = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
    source = SqsEventSource("Q", arn, url, batch_size=10, report_batch_item_failures=True)
    return sqs, source, dlq_url


def spec() -> FunctionSpec:
    return FunctionSpec(
        logical_id="PublishFunction",
        name="newsroom-local-PublishFunction-X",
        arn="arn:aws:lambda:us-east-1:123456789012:function:newsroom-local-PublishFunction-X",
        code_dir=Path("."),
        handler="app.lambda_handler",
        layer_dirs=(),
        memory_mb=512,
        timeout_seconds=60,
        environment={},
    )


class Recorder:
    """A fake handler: records calls, fails records whose body says so, or raises."""

    def __init__(self, raises: bool = False) -> None:
        self.calls: list[tuple[dict[str, Any], Any]] = []
        self.raises = raises

    def __call__(self, event: dict[str, Any], context: Any) -> dict[str, Any]:
        self.calls.append((event, context))
        if self.raises:
            raise RuntimeError("boom")
        failures = [{"itemIdentifier": r["messageId"]} for r in event["Records"] if "fail" in r["body"]]
        return {"batchItemFailures": failures}


def runner_for(queues: tuple[Any, SqsEventSource, str], handler: Any) -> QueueRunner:
    sqs, source, _ = queues
    return QueueRunner(
        sqs, source, handler, spec().context, region="us-east-1", retry_delay=0, wait_seconds=0
    )


def test_event_and_context_have_lambdas_exact_shape(queues: tuple[Any, SqsEventSource, str]) -> None:
    sqs, source, _ = queues
    sqs.send_message(
        QueueUrl=source.queue_url,
        MessageBody='{"Records": []}',
        MessageAttributes={"kind": {"DataType": "String", "StringValue": "test"}},
    )
    recorder = Recorder()
    assert runner_for(queues, recorder).poll_once() == 1

    event, context = recorder.calls[0]
    assert set(event) == {"Records"}
    record = event["Records"][0]
    assert set(record) == RECORD_KEYS
    assert record["eventSource"] == "aws:sqs"
    assert record["eventSourceARN"] == source.queue_arn
    assert record["awsRegion"] == "us-east-1"
    assert record["body"] == '{"Records": []}'
    assert set(record["attributes"]) >= ATTRIBUTE_KEYS
    assert record["attributes"]["ApproximateReceiveCount"] == "1"
    assert record["messageAttributes"] == {
        "kind": {"stringValue": "test", "stringListValues": [], "binaryListValues": [], "dataType": "String"}
    }
    assert len(record["md5OfBody"]) == 32

    assert isinstance(context, LambdaContext)
    assert context.function_name == "newsroom-local-PublishFunction-X"
    assert context.function_version == "$LATEST"
    assert context.invoked_function_arn.endswith(":function:newsroom-local-PublishFunction-X")
    assert context.memory_limit_in_mb == 512
    assert context.log_group_name == "/aws/lambda/newsroom-local-PublishFunction-X"
    assert "[$LATEST]" in context.log_stream_name
    assert uuid.UUID(context.aws_request_id)
    assert 55_000 < context.get_remaining_time_in_millis() <= 60_000


def test_batch_item_failures_are_retried_then_dead_lettered(queues: tuple[Any, SqsEventSource, str]) -> None:
    sqs, source, dlq_url = queues
    for body in ("ok-1", "fail-me", "ok-2"):
        sqs.send_message(QueueUrl=source.queue_url, MessageBody=body)
    recorder = Recorder()
    runner = runner_for(queues, recorder)
    runner.drain(timeout=20)

    bodies_per_call = [sorted(r["body"] for r in event["Records"]) for event, _ in recorder.calls]
    assert bodies_per_call[0] == ["fail-me", "ok-1", "ok-2"]
    # received twice (maxReceiveCount 2), then moved to the DLQ by the next receive
    assert bodies_per_call[1:] == [["fail-me"]]
    assert runner.queue_is_empty()
    dead = sqs.receive_message(QueueUrl=dlq_url, MaxNumberOfMessages=10)["Messages"]
    assert [m["Body"] for m in dead] == ["fail-me"]


def test_a_raising_handler_keeps_the_whole_batch(queues: tuple[Any, SqsEventSource, str]) -> None:
    sqs, source, dlq_url = queues
    for body in ("a", "b"):
        sqs.send_message(QueueUrl=source.queue_url, MessageBody=body)
    recorder = Recorder(raises=True)
    runner = runner_for(queues, recorder)
    assert runner.poll_once() == 2
    assert runner.stats.errors == 1
    assert runner.stats.failed_records == 2
    runner.drain(timeout=20)
    dead = sqs.receive_message(QueueUrl=dlq_url, MaxNumberOfMessages=10)["Messages"]
    assert sorted(m["Body"] for m in dead) == ["a", "b"]


def test_background_thread_and_drain(queues: tuple[Any, SqsEventSource, str]) -> None:
    sqs, source, _ = queues
    recorder = Recorder()
    runner = QueueRunner(sqs, source, recorder, spec().context, region="us-east-1", retry_delay=0)
    runner.start()
    try:
        for index in range(15):
            sqs.send_message(QueueUrl=source.queue_url, MessageBody=f"m{index}")
        runner.drain(timeout=20)
    finally:
        runner.stop()
    handled = sorted(r["body"] for event, _ in recorder.calls for r in event["Records"])
    assert handled == sorted(f"m{index}" for index in range(15))
    assert all(len(event["Records"]) <= 10 for event, _ in recorder.calls)


def test_batching_window_gathers_messages_into_one_invocation(
    queues: tuple[Any, SqsEventSource, str],
) -> None:
    sqs, source, _ = queues
    windowed = SqsEventSource(
        "Q",
        source.queue_arn,
        source.queue_url,
        batch_size=10,
        report_batch_item_failures=True,
        batching_window=3.0,  # wide enough that a slow machine still sends all three inside it
    )
    recorder = Recorder()
    runner = QueueRunner(sqs, windowed, recorder, spec().context, region="us-east-1", retry_delay=0)
    runner.start()
    try:
        for index in range(3):
            sqs.send_message(QueueUrl=source.queue_url, MessageBody=f"w{index}")
            time.sleep(0.3)
        runner.drain(timeout=20)
    finally:
        runner.stop()
    assert [len(event["Records"]) for event, _ in recorder.calls] == [3]


@pytest.mark.parametrize(
    ("result", "report", "expected"),
    [
        (None, True, set()),
        ({}, True, set()),
        ({"batchItemFailures": []}, True, set()),
        ({"batchItemFailures": [{"itemIdentifier": "b"}]}, True, {"b"}),
        ({"batchItemFailures": [{"itemIdentifier": "zzz"}]}, True, {"a", "b"}),
        ({"batchItemFailures": [{"itemIdentifier": ""}]}, True, {"a", "b"}),
        ({"batchItemFailures": "b"}, True, {"a", "b"}),
        ("nonsense", True, {"a", "b"}),
        ({"batchItemFailures": [{"itemIdentifier": "b"}]}, False, set()),
    ],
)
def test_report_batch_item_failures_rules(result: Any, report: bool, expected: set[str]) -> None:
    assert failed_message_ids(result, ["a", "b"], report) == expected


def test_event_sources_come_from_the_template() -> None:
    template = Template(
        {
            "Resources": {
                "Q": {"Type": "AWS::SQS::Queue"},
                "Fn": {
                    "Type": "AWS::Serverless::Function",
                    "Properties": {
                        "FunctionName": "publish-fn",
                        "CodeUri": "functions/publish/",
                        "Handler": "app.lambda_handler",
                        "Events": {
                            "FromQueue": {
                                "Type": "SQS",
                                "Properties": {
                                    "Queue": {"Fn::GetAtt": ["Q", "Arn"]},
                                    "BatchSize": 7,
                                    "MaximumBatchingWindowInSeconds": 2,
                                    "FunctionResponseTypes": ["ReportBatchItemFailures"],
                                },
                            },
                            "Api": {"Type": "Api", "Properties": {"Path": "/x", "Method": "get"}},
                        },
                    },
                },
            }
        }
    )
    arn = template.get_att("Q", "Arn")
    (source,) = sqs_event_sources(template, "Fn", {arn: "http://moto/q"})
    assert source.batch_size == 7
    assert source.batching_window == 2
    function = function_spec(template, "Fn")
    assert function.log_group_name == "/aws/lambda/publish-fn"
    assert function.context().log_group_name == "/aws/lambda/publish-fn"
    assert source.report_batch_item_failures
    assert source.queue_url == "http://moto/q"


def test_load_handler_imports_the_function_with_its_layer_and_environment(tmp_path: Path) -> None:
    code = tmp_path / "functions" / "publish"
    layer = tmp_path / "layers" / "core"
    (layer / "corepkg").mkdir(parents=True)
    code.mkdir(parents=True)
    (layer / "corepkg" / "__init__.py").write_text("VALUE = 'from the layer'\n", encoding="utf-8")
    (code / "app.py").write_text(
        textwrap.dedent(
            """
            import os
            import corepkg
            BUCKET = os.environ["SITE_BUCKET_NAME"]  # read at import, as handlers may

            def lambda_handler(event, context):
                return {"bucket": BUCKET, "layer": corepkg.VALUE, "name": context.function_name}
            """
        ),
        encoding="utf-8",
    )
    function = FunctionSpec(
        logical_id="PublishFunction",
        name="fn",
        arn="arn:aws:lambda:us-east-1:123456789012:function:fn",
        code_dir=code,
        handler="app.lambda_handler",
        layer_dirs=(layer,),
        memory_mb=128,
        timeout_seconds=3,
        environment={"SITE_BUCKET_NAME": "site"},
    )
    with patched_environ(function.environment):
        handler = load_handler(function)
    assert "SITE_BUCKET_NAME" not in os.environ
    assert handler({}, function.context()) == {"bucket": "site", "layer": "from the layer", "name": "fn"}
    with pytest.raises(FileNotFoundError):
        load_handler(FunctionSpec(**{**function.__dict__, "code_dir": tmp_path / "missing"}))
