"""The oracle, with workers interleaved call by call and AWS calls failing.

Two publish workers and one render worker run the real handlers
(``handle_batch``, ``handle_render_batch``) at the same time. Hypothesis
decides everything, so a failing example replays exactly:

- when each editor's change happens (uploads, re-uploads, deletes, a
  categories.yaml change), between any two AWS calls of the workers;
- which messages each batch carries (any not yet acknowledged, so duplicates
  and reordering), and which worker takes it;
- which worker makes the next AWS calls, and how many (up to all of them),
  before another runs;
- where calls fail, and how: throttled, a 5xx, a timeout before the request
  left, or a timeout after S3, DynamoDB, SQS or CloudFront applied it.

A failed record or batch goes back to the queue (as SQS redelivers it) until
it is processed. At the end, the table must say what the source bucket says
and the site must equal a rebuild from scratch, byte for byte.

``NEWSROOM_INTERLEAVED_EXAMPLES`` sets how many examples run (default 20).
A second test runs the same world on real threads, with nothing scheduled.
"""

from __future__ import annotations

import itertools
import os
import queue
import threading
import time
from dataclasses import dataclass, field
from typing import Any

import botocore.client
import pytest
from aws_lambda_powertools import Metrics
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from newsroom.configuration.settings import Settings
from newsroom.usecases.batch import handle_batch, handle_render_batch
from newsroom.usecases.fanout import Fanout
from newsroom.usecases.publish import Publisher
from newsroom.wiring.assembly import Clients, build_fanout, build_publisher

from tests.support.in_process import in_process_site, new_clients, rebuilt_from_scratch, site_objects
from tests.support.oracle import CATEGORIES_YAML, KEYS, Message, article, assert_table_matches_source, edit
from tests.support.scheduler import FAULTS, GO, Gate, gated
from tests.support.summary import count, note

EXAMPLES = int(os.environ.get("NEWSROOM_INTERLEAVED_EXAMPLES", "20"))
PUBLISH_WORKERS = 2
MAX_FAULTS = 4
MAX_STEPS = 3000
metrics = Metrics(namespace="NewsroomTest", service="oracle")


@dataclass
class World:
    """The source bucket, the publish queue (acknowledged messages leave it) and the workers."""

    settings: Settings
    clients: Clients
    publishers: list[Publisher]
    fanout: Fanout
    queue: list[Message] = field(default_factory=list)
    sequencers: dict[str, int] = field(default_factory=dict)
    ids: Any = field(default_factory=itertools.count)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def change(self, step: tuple[Any, ...]) -> None:
        """An editor's change, and the event S3 sends for it."""
        s3, bucket = self.clients.s3, self.settings.source_bucket
        if step[0] == "put":
            key = step[1]
            s3.put_object(Bucket=bucket, Key=key, Body=article(*step[1:]))
        elif step[0] == "delete":
            key = step[1]
            s3.delete_object(Bucket=bucket, Key=key)
        else:
            key = "site/categories.yaml"
            s3.put_object(Bucket=bucket, Key=key, Body=CATEGORIES_YAML[step[1]])
        with self.lock:
            self.sequencers[key] = self.sequencers.get(key, 0) + 1
            self.queue.append(Message(f"m{next(self.ids)}", key, f"{self.sequencers[key]:016X}"))

    def publish(self, worker: int, messages: list[Message]) -> set[str]:
        """One invocation of the publish function; returns the ids it acknowledged."""
        event = {"Records": [m.record(self.settings.source_bucket) for m in messages]}
        response = handle_batch(event, self.publishers[worker], metrics)
        failed = {f["itemIdentifier"] for f in response.get("batchItemFailures", [])}
        return {m.id for m in messages} - failed

    def acknowledge(self, ids: set[str]) -> None:
        with self.lock:
            self.queue = [m for m in self.queue if m.id not in ids]

    def render(self, message: dict[str, Any]) -> bool:
        """One invocation of the render function on one render-queue message; True if it succeeded."""
        record = {
            "messageId": message["MessageId"],
            "receiptHandle": message["ReceiptHandle"],
            "body": message["Body"],
            "attributes": {"ApproximateReceiveCount": "1"},
            "messageAttributes": {},
            "md5OfBody": "",
            "eventSource": "aws:sqs",
            "eventSourceARN": "arn:aws:sqs:us-east-1:123456789012:render",
            "awsRegion": "us-east-1",
        }
        return not handle_render_batch({"Records": [record]}, self.fanout, metrics).get("batchItemFailures")

    def next_render_message(self) -> dict[str, Any] | None:
        messages = self.clients.sqs.receive_message(
            QueueUrl=self.settings.render_queue_url, MaxNumberOfMessages=1, VisibilityTimeout=600
        ).get("Messages", [])
        return messages[0] if messages else None

    def settle_render_message(self, message: dict[str, Any], succeeded: bool) -> None:
        """Delete a handled message, or make a failed one visible again (SQS redelivers it)."""
        sqs, url = self.clients.sqs, self.settings.render_queue_url
        if succeeded:
            sqs.delete_message(QueueUrl=url, ReceiptHandle=message["ReceiptHandle"])
        else:
            sqs.change_message_visibility(
                QueueUrl=url, ReceiptHandle=message["ReceiptHandle"], VisibilityTimeout=0
            )

    def render_queue_depth(self) -> int:
        attributes = self.clients.sqs.get_queue_attributes(
            QueueUrl=self.settings.render_queue_url, AttributeNames=["ApproximateNumberOfMessages"]
        )["Attributes"]
        return int(attributes["ApproximateNumberOfMessages"])

    def check(self) -> None:
        """The table says what the source says; the site is what a rebuild from scratch makes."""
        assert_table_matches_source(self.publishers[0].index, self.clients, self.settings)
        incremental = site_objects(self.clients, self.settings)
        assert rebuilt_from_scratch(self.clients, self.settings) == incremental


def new_world(settings_: Settings, clients: Clients, *, gate: bool) -> World:
    def container() -> Clients:
        own = new_clients()
        if gate:
            gated([own.s3, own.dynamodb, own.cloudfront, own.sqs])
        return own

    publishers = [build_publisher(settings_, container()) for _ in range(PUBLISH_WORKERS)]
    return World(settings_, clients, publishers, build_fanout(settings_, container()))


@settings(
    max_examples=EXAMPLES,
    deadline=None,
    derandomize=True,
    suppress_health_check=[
        HealthCheck.function_scoped_fixture,
        HealthCheck.too_slow,
        HealthCheck.data_too_large,
    ],
)
@given(edits=st.lists(edit, min_size=1, max_size=8), data=st.data())
def test_interleaved_workers_and_failing_calls_end_in_the_rebuilt_site(
    monkeypatch: pytest.MonkeyPatch, edits: list[tuple[Any, ...]], data: st.DataObject
) -> None:
    with in_process_site(monkeypatch, "interleaved") as (settings_, clients):
        world = new_world(settings_, clients, gate=True)
        edits = list(edits)
        # What each worker is doing: its gate, and what to do when it finishes.
        running: dict[str, tuple[Gate, Any]] = {}
        faults = steps = failed = 0
        while True:
            steps += 1
            assert steps < MAX_STEPS, "the workers did not converge"
            choices: list[tuple[str, Any]] = []
            if edits:
                choices.append(("edit", None))
            if world.queue:
                choices += [("publish", w) for w in range(PUBLISH_WORKERS) if f"publish-{w}" not in running]
            if "render" not in running and world.render_queue_depth():
                choices.append(("render", None))
            choices += [(action, name) for name in sorted(running) for action in ("advance", "finish")]
            if not choices:
                break
            action, target = data.draw(st.sampled_from(choices))
            if action == "edit":
                world.change(edits.pop(0))
            elif action == "publish":
                picks = data.draw(
                    st.lists(st.integers(0, len(world.queue) - 1), min_size=1, max_size=3, unique=True)
                )
                batch = [world.queue[i] for i in picks]
                gate = Gate(f"publish-{target}", lambda w=target, b=batch: world.publish(w, b)).start()
                running[gate.name] = (gate, world.acknowledge)
            elif action == "render":
                message = world.next_render_message()
                if message is not None:
                    gate = Gate("render", lambda m=message: world.render(m)).start()
                    running["render"] = (gate, lambda ok, m=message: world.settle_render_message(m, ok))
            elif action == "finish":  # a whole invocation runs while the others stand still
                running[target][0].run_until()
            else:
                gate, _ = running[target]
                for _ in range(data.draw(st.integers(1, 25)) - 1):
                    if gate.done:
                        break
                    gate.advance()
                if not gate.done:
                    fault = GO
                    if faults < MAX_FAULTS:
                        fault = data.draw(st.sampled_from((GO, GO, GO, *FAULTS)))
                        faults += fault != GO
                    gate.advance(fault)
            for name, (gate, settle) in list(running.items()):
                if gate.done:
                    del running[name]
                    if gate.error is not None:  # the invocation failed: nothing is acknowledged
                        settle(set() if name.startswith("publish") else False)
                    else:
                        settle(gate.result)
                    failed += gate.error is not None or gate.result in (False, set())
        world.check()
        note("interleaved oracle", publish_workers=PUBLISH_WORKERS, render_workers=1)
        count(
            "interleaved oracle",
            examples=1,
            scheduling_steps=steps,
            injected_faults=faults,
            failed_invocations=failed,
        )


def test_real_threads_publishing_at_once_end_in_the_rebuilt_site(monkeypatch: pytest.MonkeyPatch) -> None:
    """Four publish threads and a render thread race freely while an editor keeps uploading.

    moto is not thread-safe inside one call (a transaction's check and write
    can interleave with another's), while AWS applies each call atomically:
    a lock around each call gives moto that property and nothing more.
    """

    call_lock = threading.RLock()
    original = botocore.client.BaseClient._make_api_call

    def atomic_call(self: Any, operation: str, params: dict[str, Any]) -> Any:
        with call_lock:
            return original(self, operation, params)

    monkeypatch.setattr(botocore.client.BaseClient, "_make_api_call", atomic_call)
    with in_process_site(monkeypatch, "threads") as (settings_, clients):
        world = new_world(settings_, clients, gate=False)
        world.publishers += [build_publisher(settings_, new_clients()) for _ in range(2)]
        stop = threading.Event()
        errors: queue.Queue[BaseException] = queue.Queue()
        active = [0]  # workers in the middle of an invocation

        def working(delta: int) -> None:
            with world.lock:
                active[0] += delta

        def publish_worker(worker: int) -> None:
            while not stop.is_set():
                with world.lock:
                    batch = world.queue[-3:] if worker % 2 else world.queue[:3]  # LIFO and FIFO consumers
                    active[0] += bool(batch)
                if not batch:
                    time.sleep(0.001)
                    continue
                try:
                    world.acknowledge(world.publish(worker, batch))
                except BaseException as exc:
                    errors.put(exc)
                finally:
                    working(-1)

        def render_worker() -> None:
            while not stop.is_set():
                working(1)
                try:
                    message = world.next_render_message()
                    if message is not None:
                        world.settle_render_message(message, world.render(message))
                except BaseException as exc:
                    errors.put(exc)
                finally:
                    working(-1)
                time.sleep(0.002)

        threads = [threading.Thread(target=publish_worker, args=(w,)) for w in range(4)]
        threads.append(threading.Thread(target=render_worker))
        for thread in threads:
            thread.start()
        for round_ in range(40):  # the editor: 40 changes over 3 keys and the categories
            key = KEYS[round_ % 3]
            if round_ % 11 == 10:
                world.change(("config", round_ % 2))
            elif round_ % 7 == 6:
                world.change(("delete", key))
            else:
                world.change(
                    ("put", key, round_ % 2, round_ % 3, round_ % 4 == 1, round_ % 5 == 2, round_ % 9 == 4)
                )
            time.sleep(0.002)
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:
            with world.lock:
                busy = bool(world.queue) or active[0] > 0
            if not busy and not world.render_queue_depth():
                break
            time.sleep(0.01)
        stop.set()
        for thread in threads:
            thread.join(timeout=60)
        assert errors.empty(), errors.get()
        assert not world.queue
        world.check()
        note("threaded run", publish_threads=len(world.publishers), render_threads=1, changes=40)
