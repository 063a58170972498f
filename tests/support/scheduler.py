"""Deterministic interleaving of workers at AWS-call granularity, with injected faults.

Each worker runs in its own thread, but stops before every AWS call it makes
until the test lets it go, so only one worker runs at a time and the test (or
hypothesis) decides the order of every call: a failing interleaving replays
exactly. When it lets a call go, the test may instead make it fail the way AWS
calls fail: throttled, a 5xx, a timeout before the request left, or a timeout
after the service applied it (the response was lost).
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterable
from typing import Any

from botocore.exceptions import ClientError, ReadTimeoutError

GO = "go"
# What a call can suffer. "lost-response" lets the call take effect, then raises a timeout.
FAULTS = ("throttled", "server-error", "timeout", "lost-response")

_local = threading.local()


def injected_error(fault: str, service: str, operation: str) -> Exception:
    """The exception botocore raises for ``fault`` on this service."""
    if fault in ("timeout", "lost-response"):
        return ReadTimeoutError(endpoint_url=f"https://{service}.invalid/ (injected)")
    if fault == "throttled":
        code = {"s3": "SlowDown", "dynamodb": "ThrottlingException"}.get(service, "Throttling")
        status = 503 if service == "s3" else 400
    else:
        code = {"dynamodb": "InternalServerError"}.get(service, "InternalError")
        status = 500
    return ClientError(
        {
            "Error": {"Code": code, "Message": f"{fault} (injected)"},
            "ResponseMetadata": {"HTTPStatusCode": status},
        },
        operation,
    )


class Gate:
    """A worker thread that pauses before each AWS call until the scheduler grants it."""

    def __init__(self, name: str, task: Callable[[], Any]) -> None:
        self.name = name
        self._task = task
        self._cv = threading.Condition()
        self._permit: str | None = None
        self.state = "new"  # new → waiting ⇄ running → done
        self.call = ""
        """The call the worker is waiting to make, as ``service:Operation``."""
        self.result: Any = None
        self.error: BaseException | None = None
        self._thread = threading.Thread(target=self._run, name=name, daemon=True)

    # -- scheduler side -------------------------------------------------------------
    def start(self) -> Gate:
        """Start the worker and wait until it reaches its first call (or finishes)."""
        self._thread.start()
        self._settle()
        return self

    def advance(self, permit: str = GO) -> None:
        """Let the waiting call go (or fail with ``permit``) and run to the next call."""
        with self._cv:
            if self.state != "waiting":
                raise RuntimeError(f"{self.name} is {self.state}, not waiting")
            self._permit = permit
            self.state = "running"
            self._cv.notify_all()
        self._settle()

    def run_until(self, stop: Callable[[str], bool] = lambda _: False) -> None:
        """Advance until the next call satisfies ``stop``, or the worker finishes."""
        while self.state == "waiting" and not stop(self.call):
            self.advance()

    def finish(self) -> Any:
        """Run to the end; return the task's result or raise its error."""
        self.run_until()
        self._thread.join(timeout=60)
        if self.error is not None:
            raise self.error
        return self.result

    @property
    def done(self) -> bool:
        return self.state == "done"

    def _settle(self) -> None:
        with self._cv:
            if not self._cv.wait_for(lambda: self.state in ("waiting", "done"), timeout=120):
                raise TimeoutError(f"{self.name} neither reached a call nor finished")

    # -- worker side ----------------------------------------------------------------
    def _run(self) -> None:
        _local.gate = self
        try:
            self.result = self._task()
        except BaseException as exc:  # reported to the scheduler, which decides
            self.error = exc
        finally:
            with self._cv:
                self.state = "done"
                self._cv.notify_all()

    def checkpoint(self, call: str) -> str:
        with self._cv:
            self.call = call
            self.state = "waiting"
            self._cv.notify_all()
            self._cv.wait_for(lambda: self._permit is not None)
            permit, self._permit = self._permit, None
        assert permit is not None
        return permit


def _before_call(event_name: str, **_: Any) -> None:
    gate: Gate | None = getattr(_local, "gate", None)
    if gate is None:
        return
    _, service, operation = event_name.split(".", 2)
    permit = gate.checkpoint(f"{service}:{operation}")
    if permit == "lost-response":
        _local.lose_response = (service, operation)
    elif permit != GO:
        raise injected_error(permit, service, operation)


def _after_call(event_name: str, **_: Any) -> None:
    lost = getattr(_local, "lose_response", None)
    if lost is not None:
        _local.lose_response = None
        raise injected_error("lost-response", *lost)


def gated(clients: Iterable[Any]) -> None:
    """Make these clients stop at the gate of the thread that calls them (no effect elsewhere)."""
    for client in clients:
        client.meta.events.register("before-call", _before_call)
        client.meta.events.register("after-call", _after_call)
