"""Stand-in for Lambda's SQS event source mapping: poll, invoke, delete or retry.

moto delivers S3 notifications to SQS but never runs a function. This runner
does what the Lambda poller does for the template's SQS event: it receives up
to BatchSize messages, builds the exact event Lambda sends, calls the
unchanged handler with a Lambda-like context, deletes what succeeded and
leaves the rest for redelivery (and, after maxReceiveCount, the DLQ).

Local deviation: a failed message's visibility is cut to ``retry_delay``
seconds (default 2) instead of waiting out the queue's VisibilityTimeout
(360 s in the template), so retries and dead-lettering happen while you watch.

The function itself (spec, context, handler import) is ``local/lambda_function.py``;
the events and the batch-failure rules are ``local/sqs_events.py``. Their
names are importable from here too.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from local.lambda_function import FunctionSpec, Handler, LambdaContext, function_spec, load_handler
from local.sqs_events import SqsEventSource, failed_message_ids, sqs_event, sqs_event_sources, sqs_record
from local.template import to_text

__all__ = [
    "DEFAULT_RETRY_DELAY",
    "SQS_RECEIVE_LIMIT",
    "FunctionSpec",
    "Handler",
    "LambdaContext",
    "QueueRunner",
    "RunnerStats",
    "SqsEventSource",
    "failed_message_ids",
    "function_spec",
    "load_handler",
    "sqs_event",
    "sqs_event_sources",
    "sqs_record",
]

log = logging.getLogger("local.runner")

DEFAULT_RETRY_DELAY = 2
SQS_RECEIVE_LIMIT = 10  # ReceiveMessage returns at most 10 messages per call


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
