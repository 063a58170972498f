"""``make rebuild`` and ``make digest`` against the running local stack.

``rebuild`` does what an operator does on AWS: it sends one plan message to
the render queue (``{"type": "plan", "job": "rebuild-…", "media": true}``)
and lets the render function fan the work out; then it waits until the
job's completion count shows every chunk done and its one invalidation sent.

``digest`` prints the SHA-256 of every object in the site bucket, so that a
byte comparison before and after a rebuild is one ``diff``.
"""

from __future__ import annotations

import hashlib
import json
import sys
import time
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol

from local.aws import client
from local.instance import read_pidfile
from local.template import Template

if TYPE_CHECKING:
    from newsroom.wiring.assembly import ContentIndex

TEMPLATE = Path(__file__).resolve().parents[1] / "template.yaml"

POLL_SECONDS = 0.5


class JobProgress(Protocol):
    """A rebuild job as the job store answers it: the core's ``JobProgress``, read by its fields."""

    @property
    def total(self) -> int: ...
    @property
    def done(self) -> int: ...
    @property
    def invalidated(self) -> bool: ...
    @property
    def written(self) -> int: ...


class StackNotRunning(RuntimeError):
    """No local stack serves from this state directory."""


@dataclass(frozen=True)
class RunningStack:
    """What a command needs to reach the stack started by ``make run``."""

    endpoint_url: str
    outputs: dict[str, str]

    @classmethod
    def find(cls, state_dir: Path) -> RunningStack:
        """The stack whose pidfile and outputs.json are in ``state_dir``."""
        details = read_pidfile(state_dir)
        outputs_path = state_dir / "outputs.json"
        if details is None or not outputs_path.exists():
            raise StackNotRunning(f"no local stack is serving from {state_dir}: start it with `make run`")
        outputs = json.loads(outputs_path.read_text(encoding="utf-8"))
        return cls(f"http://127.0.0.1:{details['moto_port']}", outputs)

    def client(self, service: str) -> Any:
        """A boto3 client aimed at the stack's moto server."""
        return client(service, self.endpoint_url)

    def index(self) -> ContentIndex:
        """The content table through its owners, as the functions see it (their layer on ``sys.path``)."""
        for directory in Template.load(TEMPLATE).layer_directories("RenderFunction"):
            if str(directory) not in sys.path:
                sys.path.insert(0, str(directory))
        from newsroom.wiring.assembly import content_index  # noqa: PLC0415 (the layer, found just now)

        return content_index(self.client("dynamodb"), self.outputs["ContentTableName"])


@dataclass(frozen=True)
class RebuildResult:
    """What a rebuild did."""

    job: str
    chunks: int
    written: int
    seconds: float


def rebuild(
    stack: RunningStack,
    timeout: float = 600.0,
    job: str | None = None,
    on_progress: Callable[[JobProgress], None] | None = None,
) -> RebuildResult:
    """Ask the render function for a full rebuild and wait for it to finish.

    ``on_progress`` sees the job's record each time it moves (a chunk
    reported, the invalidation sent), for a display that shows how far the
    fan-out got while it runs.
    """
    job = job or f"rebuild-{time.strftime('%Y%m%dT%H%M%S')}-{uuid.uuid4().hex[:8]}"
    started = time.monotonic()
    stack.client("sqs").send_message(
        QueueUrl=stack.outputs["RenderQueueUrl"],
        MessageBody=json.dumps({"type": "plan", "job": job, "media": True}),
    )
    jobs = stack.index().jobs
    deadline = started + timeout
    seen: JobProgress | None = None
    while time.monotonic() < deadline:
        progress = jobs.get(job)
        if progress is not None and progress != seen and on_progress is not None:
            on_progress(progress)
        seen = progress
        if progress is not None and progress.invalidated:
            return RebuildResult(job, progress.total, progress.written, time.monotonic() - started)
        time.sleep(POLL_SECONDS)
    raise TimeoutError(f"rebuild {job} did not finish within {timeout:.0f} s (see the stack's log)")


def site_objects(stack: RunningStack) -> Iterator[tuple[str, bytes]]:
    """Every object of the site bucket with its body, in key order."""
    s3 = stack.client("s3")
    bucket = stack.outputs["SiteBucketName"]
    for page in s3.get_paginator("list_objects_v2").paginate(Bucket=bucket):
        for item in page.get("Contents", []):
            yield item["Key"], s3.get_object(Bucket=bucket, Key=item["Key"])["Body"].read()


def digest(stack: RunningStack) -> list[str]:
    """``<sha256>  <key>`` for every object of the site bucket (``sha256sum`` format)."""
    return [f"{hashlib.sha256(body).hexdigest()}  {key}" for key, body in site_objects(stack)]
