"""Stand-in for Lambda's SQS event source mapping: poll, invoke, delete or retry.

moto delivers S3 notifications to SQS but never runs a function. This runner
does what the Lambda poller does for the template's SQS event: it receives up
to BatchSize messages, builds the exact event Lambda sends, calls the
unchanged handler with a Lambda-like context, deletes what succeeded and
leaves the rest for redelivery (and, after maxReceiveCount, the DLQ).

Local deviation: a failed message's visibility is cut to ``retry_delay``
seconds (default 2) instead of waiting out the queue's VisibilityTimeout
(360 s in the template), so retries and dead-lettering happen while you watch.
"""

from __future__ import annotations

import base64
import importlib.util
import logging
import sys
import threading
import time
import uuid
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from local.template import Template, to_text

log = logging.getLogger("local.runner")

Handler = Callable[[dict[str, Any], Any], Any]

DEFAULT_RETRY_DELAY = 2
SQS_RECEIVE_LIMIT = 10  # ReceiveMessage returns at most 10 messages per call


@dataclass
class LambdaContext:
    """The attributes of the Python runtime's context object that handlers and Powertools read."""

    function_name: str
    function_version: str
    invoked_function_arn: str
    memory_limit_in_mb: int
    aws_request_id: str
    log_group_name: str
    log_stream_name: str
    timeout_seconds: float = 3.0
    identity: Any = None
    client_context: Any = None
    tenant_id: str | None = None
    _deadline: float = field(init=False, repr=False)

    def __post_init__(self) -> None:
        self._deadline = time.monotonic() + self.timeout_seconds

    def get_remaining_time_in_millis(self) -> int:
        """Milliseconds left before Lambda would stop the invocation (the function's Timeout)."""
        return max(0, int((self._deadline - time.monotonic()) * 1000))


@dataclass(frozen=True)
class FunctionSpec:
    """A function as the template declares it: name, code, layers, sizing, environment."""

    logical_id: str
    name: str
    arn: str
    code_dir: Path
    handler: str
    layer_dirs: tuple[Path, ...]
    memory_mb: int
    timeout_seconds: float
    environment: dict[str, str]
    log_group: str = ""

    @property
    def log_group_name(self) -> str:
        """LoggingConfig.LogGroup when the template sets one, else Lambda's default group."""
        return self.log_group or f"/aws/lambda/{self.name}"

    def context(self) -> LambdaContext:
        """A fresh context for one invocation (new request id, full time budget)."""
        today = datetime.now(UTC).strftime("%Y/%m/%d")
        return LambdaContext(
            function_name=self.name,
            function_version="$LATEST",
            invoked_function_arn=self.arn,
            memory_limit_in_mb=self.memory_mb,
            aws_request_id=str(uuid.uuid4()),
            log_group_name=self.log_group_name,
            log_stream_name=f"{today}/[$LATEST]{uuid.uuid4().hex}",
            timeout_seconds=self.timeout_seconds,
        )

    def runtime_environment(self, region: str) -> dict[str, str]:
        """Variables the Lambda runtime itself sets (the template cannot set these)."""
        return {
            "AWS_LAMBDA_FUNCTION_NAME": self.name,
            "AWS_LAMBDA_FUNCTION_VERSION": "$LATEST",
            "AWS_LAMBDA_FUNCTION_MEMORY_SIZE": str(self.memory_mb),
            "AWS_LAMBDA_LOG_GROUP_NAME": self.log_group_name,
            "AWS_REGION": region,
            "AWS_DEFAULT_REGION": region,
            "POWERTOOLS_TRACE_DISABLED": "true",
        }


@dataclass(frozen=True)
class SqsEventSource:
    """One ``Type: SQS`` event of a function, resolved to the local queue."""

    name: str
    queue_arn: str
    queue_url: str
    batch_size: int
    report_batch_item_failures: bool
    enabled: bool = True
    batching_window: float = 0.0


def function_spec(
    template: Template, logical: str, environment: Mapping[str, str] | None = None
) -> FunctionSpec:
    """Read a function's deployment facts from the template (Globals merged)."""
    code_uri = template.property(logical, "CodeUri")
    if not isinstance(code_uri, str):
        raise ValueError(f"Resources.{logical}.Properties.CodeUri must be a local folder, got {code_uri!r}")
    return FunctionSpec(
        logical_id=logical,
        name=template.physical_name(logical),
        arn=str(template.get_att(logical, "Arn")),
        code_dir=(template.root / code_uri).resolve(),
        handler=str(template.property(logical, "Handler", "app.lambda_handler")),
        layer_dirs=tuple(template.layer_directories(logical)),
        memory_mb=int(template.property(logical, "MemorySize", 128)),
        timeout_seconds=float(template.property(logical, "Timeout", 3)),
        environment=dict(environment if environment is not None else template.function_environment(logical)),
        log_group=str((template.property(logical, "LoggingConfig") or {}).get("LogGroup") or ""),
    )


def sqs_event_sources(
    template: Template, logical: str, queue_urls: Mapping[str, str]
) -> list[SqsEventSource]:
    """The function's SQS events; ``queue_urls`` maps queue ARN to URL (from provisioning)."""
    sources = []
    for name, event in (template.property(logical, "Events") or {}).items():
        if event.get("Type") != "SQS":
            continue
        props = event.get("Properties") or {}
        arn = str(props["Queue"])
        if arn not in queue_urls:
            raise ValueError(f"Resources.{logical}.Properties.Events.{name}: queue {arn} is not provisioned")
        sources.append(
            SqsEventSource(
                name=name,
                queue_arn=arn,
                queue_url=queue_urls[arn],
                batch_size=int(props.get("BatchSize", 10)),
                report_batch_item_failures="ReportBatchItemFailures"
                in (props.get("FunctionResponseTypes") or []),
                enabled=props.get("Enabled", True) not in {False, "false"},
                batching_window=float(props.get("MaximumBatchingWindowInSeconds", 0)),
            )
        )
    return sources


def load_handler(spec: FunctionSpec) -> Handler:
    """Import ``functions/<name>/app.py`` unchanged, as Lambda would, and return the handler.

    The function folder and its layers go on ``sys.path`` (Lambda's task root
    and ``/opt/python``). The module gets a unique name, so a new stack gets a
    fresh module-level state (caches, clients), like a cold start. The
    environment must already be set: modules may read it at import.
    """
    module_name, _, attribute = spec.handler.rpartition(".")
    path = spec.code_dir / (module_name.replace(".", "/") + ".py")
    if not path.is_file():
        raise FileNotFoundError(f"{spec.logical_id}: handler module {path} does not exist")
    for directory in (*reversed(spec.layer_dirs), spec.code_dir):
        entry = str(directory)
        if entry not in sys.path:
            sys.path.insert(0, entry)
    unique = f"_local_{spec.logical_id}_{uuid.uuid4().hex[:8]}"
    module_spec = importlib.util.spec_from_file_location(unique, path)
    if module_spec is None or module_spec.loader is None:
        raise ImportError(f"cannot import {path}")
    module = importlib.util.module_from_spec(module_spec)
    sys.modules[unique] = module
    module_spec.loader.exec_module(module)
    handler = getattr(module, attribute, None)
    if not callable(handler):
        raise AttributeError(f"{path} has no callable {attribute!r}")
    return handler  # type: ignore[no-any-return]


# ----------------------------------------------------------------- events


def _message_attributes(attributes: Mapping[str, Any]) -> dict[str, Any]:
    """SQS API message attributes in Lambda's camelCase event form."""
    converted = {}
    for name, value in attributes.items():
        item: dict[str, Any] = {
            "stringListValues": [],
            "binaryListValues": [],
            "dataType": value.get("DataType", "String"),
        }
        if "StringValue" in value:
            item["stringValue"] = value["StringValue"]
        if "BinaryValue" in value:
            item["binaryValue"] = base64.b64encode(value["BinaryValue"]).decode()
        converted[name] = item
    return converted


def sqs_record(message: Mapping[str, Any], queue_arn: str, region: str) -> dict[str, Any]:
    """One record exactly as Lambda's SQS poller builds it from a ReceiveMessage result."""
    return {
        "messageId": message["MessageId"],
        "receiptHandle": message["ReceiptHandle"],
        "body": message["Body"],
        "attributes": dict(message.get("Attributes") or {}),
        "messageAttributes": _message_attributes(message.get("MessageAttributes") or {}),
        "md5OfBody": message["MD5OfBody"],
        "eventSource": "aws:sqs",
        "eventSourceARN": queue_arn,
        "awsRegion": region,
    }


def sqs_event(messages: Iterable[Mapping[str, Any]], queue_arn: str, region: str) -> dict[str, Any]:
    """The ``{"Records": [...]}`` event Lambda passes to the handler."""
    return {"Records": [sqs_record(message, queue_arn, region) for message in messages]}


def failed_message_ids(result: Any, message_ids: list[str], report_failures: bool) -> set[str]:
    """Which messages to keep, following Lambda's ReportBatchItemFailures rules.

    Without ReportBatchItemFailures the return value is ignored. With it, a
    null/empty response or an empty list means success; an item with a missing
    or unknown ``itemIdentifier``, or a malformed response, fails the whole batch.
    """
    if not report_failures or result is None or result == {}:
        return set()
    if not isinstance(result, Mapping):
        log.warning("handler returned %r: not a batch response, the whole batch fails", type(result).__name__)
        return set(message_ids)
    failures = result.get("batchItemFailures")
    if failures is None or failures == []:
        return set()
    if not isinstance(failures, list):
        log.warning("batchItemFailures is not a list: the whole batch fails")
        return set(message_ids)
    failed: set[str] = set()
    for failure in failures:
        identifier = failure.get("itemIdentifier") if isinstance(failure, Mapping) else None
        if not identifier or identifier not in message_ids:
            log.warning(
                "batchItemFailures item %r is not a message of this batch: the whole batch fails", failure
            )
            return set(message_ids)
        failed.add(str(identifier))
    return failed


# ----------------------------------------------------------------- runner


@dataclass
class RunnerStats:
    """Counters for logs and tests."""

    invocations: int = 0
    records: int = 0
    failed_records: int = 0
    errors: int = 0


class QueueRunner:
    """Polls one queue and invokes one handler, like an event source mapping."""

    def __init__(
        self,
        sqs: Any,
        source: SqsEventSource,
        handler: Handler,
        context_factory: Callable[[], Any],
        *,
        region: str,
        function_name: str = "function",
        retry_delay: int = DEFAULT_RETRY_DELAY,
        wait_seconds: int = 1,
    ) -> None:
        self.sqs = sqs
        self.source = source
        self.handler = handler
        self.context_factory = context_factory
        self.region = region
        self.function_name = function_name
        self.retry_delay = retry_delay
        self.wait_seconds = wait_seconds
        self.stats = RunnerStats()
        self._busy = 0
        self._busy_lock = threading.Lock()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    # -- one batch

    def receive(self, wait_seconds: int, batching_window: float = 0.0) -> list[dict[str, Any]]:
        """Up to BatchSize messages: one long poll, then more polls to fill the batch.

        With a batching window (MaximumBatchingWindowInSeconds) the poller keeps
        gathering until the batch is full or the window has passed, as Lambda does.
        """
        messages: list[dict[str, Any]] = []
        wait = wait_seconds
        window_ends: float | None = None
        while len(messages) < self.source.batch_size:
            response = self.sqs.receive_message(
                QueueUrl=self.source.queue_url,
                MaxNumberOfMessages=min(SQS_RECEIVE_LIMIT, self.source.batch_size - len(messages)),
                WaitTimeSeconds=wait,
                AttributeNames=["All"],
                MessageAttributeNames=["All"],
            )
            received = response.get("Messages") or []
            messages.extend(received)
            if messages and window_ends is None:
                window_ends = time.monotonic() + batching_window
            remaining = (window_ends - time.monotonic()) if window_ends is not None else 0.0
            if not messages or (not received and remaining <= 0) or self._stop.is_set():
                break
            wait = 1 if remaining > 0 else 0
        return messages

    def poll_once(self, wait_seconds: int | None = None, batching_window: float | None = None) -> int:
        """Receive one batch and settle it; returns how many messages were handled.

        Defaults are the background poller's (long poll, the event's batching
        window); ``drain`` passes zeros to process what is there right away.
        """
        window = self.source.batching_window if batching_window is None else batching_window
        messages = self.receive(self.wait_seconds if wait_seconds is None else wait_seconds, window)
        if not messages:
            return 0
        # Received messages are invisible in the queue's counts until settled;
        # the busy count covers the batch in hand for ``queue_is_empty``.
        with self._busy_lock:
            self._busy += 1
        try:
            self.invoke(messages)
        finally:
            with self._busy_lock:
                self._busy -= 1
        return len(messages)

    def invoke(self, messages: list[dict[str, Any]]) -> set[str]:
        """Call the handler with the batch, then delete successes and reschedule failures."""
        event = sqs_event(messages, self.source.queue_arn, self.region)
        ids = [message["MessageId"] for message in messages]
        started = time.monotonic()
        self.stats.invocations += 1
        self.stats.records += len(messages)
        context = self.context_factory()
        try:
            result = self.handler(event, context)
        except Exception:  # a Lambda invocation error: the whole batch is retried
            log.exception("%s raised: %d message(s) kept for retry", self.function_name, len(messages))
            self.stats.errors += 1
            failed = set(ids)
        else:
            failed = failed_message_ids(result, ids, self.source.report_batch_item_failures)
        elapsed = time.monotonic() - started
        if hasattr(context, "timeout_seconds") and elapsed > context.timeout_seconds:
            log.warning(
                "%s took %.1f s, over its %.0f s Timeout",
                self.function_name,
                elapsed,
                context.timeout_seconds,
            )
        self.stats.failed_records += len(failed)
        self._settle(messages, failed)
        log.info(
            "%s: %d record(s), %d failed, %.0f ms",
            self.function_name,
            len(messages),
            len(failed),
            elapsed * 1000,
        )
        return failed

    def _settle(self, messages: list[dict[str, Any]], failed: set[str]) -> None:
        done = [m for m in messages if m["MessageId"] not in failed]
        retry = [m for m in messages if m["MessageId"] in failed]
        for start in range(0, len(done), SQS_RECEIVE_LIMIT):
            chunk = done[start : start + SQS_RECEIVE_LIMIT]
            self.sqs.delete_message_batch(
                QueueUrl=self.source.queue_url,
                Entries=[{"Id": str(i), "ReceiptHandle": m["ReceiptHandle"]} for i, m in enumerate(chunk)],
            )
        for start in range(0, len(retry), SQS_RECEIVE_LIMIT):
            chunk = retry[start : start + SQS_RECEIVE_LIMIT]
            self.sqs.change_message_visibility_batch(
                QueueUrl=self.source.queue_url,
                Entries=[
                    {"Id": str(i), "ReceiptHandle": m["ReceiptHandle"], "VisibilityTimeout": self.retry_delay}
                    for i, m in enumerate(chunk)
                ],
            )

    # -- background and draining

    def start(self) -> None:
        """Poll in a daemon thread until ``stop``."""
        if self._thread is not None and self._thread.is_alive():
            return
        self._stop.clear()
        self._thread = threading.Thread(target=self._run, name=f"runner-{self.function_name}", daemon=True)
        self._thread.start()

    def _run(self) -> None:
        while not self._stop.is_set():
            try:
                self.poll_once()
            except Exception:  # keep polling: a moto hiccup must not kill the local stack
                log.exception("%s: polling failed", self.function_name)
                self._stop.wait(1)

    def stop(self, timeout: float = 10.0) -> None:
        """Finish the batch in hand and stop polling."""
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout)
            self._thread = None

    def queue_is_empty(self) -> bool:
        """Nothing visible, in flight or delayed in the queue, and no batch in hand."""
        attributes = self.sqs.get_queue_attributes(
            QueueUrl=self.source.queue_url,
            AttributeNames=[
                "ApproximateNumberOfMessages",
                "ApproximateNumberOfMessagesNotVisible",
                "ApproximateNumberOfMessagesDelayed",
            ],
        )["Attributes"]
        with self._busy_lock:
            busy = self._busy
        return busy == 0 and all(to_text(value) == "0" for value in attributes.values())

    def drain(self, timeout: float = 30.0) -> int:
        """Wait until the queue is empty and nothing is in flight; returns messages handled here.

        Without the background thread the batches are processed in the caller's
        thread, right away (no batching window), which keeps tests deterministic.
        With it, this only waits, so batches form as Lambda would form them.
        """
        deadline = time.monotonic() + timeout
        handled = 0
        while True:
            polling = self._thread is not None and self._thread.is_alive()
            count = 0 if polling else self.poll_once(wait_seconds=0, batching_window=0)
            handled += count
            if count == 0 and self.queue_is_empty():
                return handled
            if time.monotonic() > deadline:
                raise TimeoutError(f"{self.source.queue_url} not drained after {timeout:.0f} s")
            if count == 0:
                time.sleep(0.05)
