"""The assembled local stack, in-process and as `python -m local run`."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import unquote_plus

import pytest
from test_local_provision import FIXTURE_TEMPLATE

from local.instance import read_pidfile
from local.ports import free_port, port_is_free
from local.stack import LocalStack, StackOptions

REPO_ROOT = Path(__file__).resolve().parents[2]
REPO_TEMPLATE = REPO_ROOT / "template.yaml"


class Recorder:
    """A fake PublishFunction: records S3 records; fails keys containing 'broken'."""

    def __init__(self) -> None:
        self.records: list[dict[str, Any]] = []
        self.test_events = 0

    def __call__(self, event: dict[str, Any], context: Any) -> dict[str, Any]:
        failures = []
        for record in event["Records"]:
            body = json.loads(record["body"])
            if body.get("Event") == "s3:TestEvent":
                self.test_events += 1
                continue
            for s3_record in body["Records"]:
                self.records.append(s3_record)
                if "broken" in s3_record["s3"]["object"]["key"]:
                    failures.append({"itemIdentifier": record["messageId"]})
        return {"batchItemFailures": failures}

    def seen(self) -> list[tuple[str, str]]:
        return [(r["eventName"], unquote_plus(r["s3"]["object"]["key"])) for r in self.records]


@pytest.fixture
def fixture_root(tmp_path: Path) -> Path:
    (tmp_path / "template.yaml").write_text(FIXTURE_TEMPLATE, encoding="utf-8")
    return tmp_path


@pytest.fixture
def stack(fixture_root: Path) -> Iterator[tuple[LocalStack, Recorder]]:
    recorder = Recorder()
    local = LocalStack(
        StackOptions(
            root=fixture_root,
            stack_name=f"st-{uuid.uuid4().hex[:8]}",
            handlers={"PublishFunction": recorder},
            background=False,
            retry_delay=0,
        )
    )
    with local:
        yield local, recorder


def get(url: str) -> tuple[int, dict[str, str], bytes]:
    try:
        with urllib.request.urlopen(url, timeout=10) as response:
            return response.status, dict(response.headers), response.read()
    except urllib.error.HTTPError as error:
        return error.code, dict(error.headers), error.read()


def test_uploads_and_deletes_reach_the_handler_through_real_notifications(
    stack: tuple[LocalStack, Recorder],
) -> None:
    local, recorder = stack
    key = "articles/tin-tuc/Hội nghị.md"
    local.upload(key, "# Hội nghị\n")
    local.process_queue(timeout=20)
    assert recorder.test_events >= 1  # the s3:TestEvent from configuring notifications
    assert recorder.seen() == [("ObjectCreated:Put", key)]

    local.client("s3").delete_object(Bucket=local.source_bucket, Key=key)
    local.process_queue(timeout=20)
    assert recorder.seen()[-1] == ("ObjectRemoved:DeleteMarkerCreated", key)


def test_failed_records_end_in_the_dead_letter_queue(stack: tuple[LocalStack, Recorder]) -> None:
    local, recorder = stack
    local.upload("articles/broken.md", "x")
    local.process_queue(timeout=20)
    assert len(recorder.records) == 3  # maxReceiveCount in the fixture template
    assert "WARNING: 1 message(s) in the dead-letter queue" in local.banner()
    dlq = local.outputs["PublishDeadLetterQueueUrl"]
    dead = local.client("sqs").receive_message(QueueUrl=dlq, MaxNumberOfMessages=10)["Messages"]
    assert len(dead) == 1


def test_outputs_environment_and_cdn(stack: tuple[LocalStack, Recorder]) -> None:
    local, _ = stack
    assert local.outputs["SiteUrl"] == local.site_url
    assert local.outputs["EndpointUrl"] == local.endpoint_url
    assert os.environ["AWS_ENDPOINT_URL"] == local.endpoint_url
    assert os.environ["SITE_BASE_URL"] == local.site_url
    assert os.environ["SOURCE_BUCKET_NAME"] == local.source_bucket
    assert os.environ["AWS_LAMBDA_FUNCTION_NAME"] == local.outputs["PublishFunctionName"]
    assert os.environ["POWERTOOLS_TRACE_DISABLED"] == "true"
    assert os.environ["POWERTOOLS_METRICS_NAMESPACE"] == "Newsroom"

    local.client("s3").put_object(
        Bucket=local.site_bucket, Key="index.html", Body=b"home", ContentType="text/html"
    )
    status, headers, body = get(local.site_url + "/")
    assert (status, body) == (200, b"home")
    assert headers["X-Cache"] == "Miss from localcdn"


def test_stop_restores_the_environment(fixture_root: Path) -> None:
    before = os.environ.get("AWS_ENDPOINT_URL")
    with LocalStack(
        StackOptions(
            root=fixture_root, stack_name="st-env", handlers={"PublishFunction": Recorder()}, background=False
        )
    ):
        assert os.environ["AWS_ENDPOINT_URL"] != before
    assert os.environ.get("AWS_ENDPOINT_URL") == before
    assert "SITE_BASE_URL" not in os.environ or os.environ.get("SITE_BASE_URL") != "http://127.0.0.1:0"


def test_upload_directory_sends_notified_files_configuration_first(
    stack: tuple[LocalStack, Recorder], tmp_path: Path
) -> None:
    local, recorder = stack
    examples = tmp_path / "examples"
    for name in (
        "articles/tin-tuc/a.md",
        "media/a.jpg",
        "site/site.yaml",
        "tools/make.py",
        "articles/.draft.md",
    ):
        (examples / name).parent.mkdir(parents=True, exist_ok=True)
        (examples / name).write_bytes(b"x")
    assert local.upload_directory(examples) == ["site/site.yaml", "media/a.jpg", "articles/tin-tuc/a.md"]
    local.process_queue(timeout=20)
    assert [key for _, key in recorder.seen()] == ["site/site.yaml", "media/a.jpg", "articles/tin-tuc/a.md"]
    head = local.client("s3").head_object(Bucket=local.source_bucket, Key="articles/tin-tuc/a.md")
    assert head["ContentType"] == "text/markdown; charset=utf-8"


def test_a_missing_handler_is_reported_and_the_site_still_serves(fixture_root: Path) -> None:
    with LocalStack(StackOptions(root=fixture_root, stack_name="st-missing", background=False)) as local:
        assert "PublishFunction" in local.handler_errors
        assert "does not exist" in local.handler_errors["PublishFunction"]
        assert "WARNING: PublishFunction is not running" in local.banner()
        with pytest.raises(RuntimeError, match="no function is running"):
            local.process_queue()
        assert get(local.site_url + "/")[0] == 404


def test_the_real_handler_publishes_an_example_article() -> None:
    articles = sorted((REPO_ROOT / "examples" / "articles").rglob("*.md"))
    assert len(articles) >= 10, "the example site lost its articles"
    with LocalStack(
        StackOptions(root=REPO_ROOT, stack_name="st-real", background=False, retry_delay=0)
    ) as local:
        assert not local.handler_errors, local.handler_errors
        for config in sorted((REPO_ROOT / "examples" / "site").glob("*")):
            local.upload(f"site/{config.name}", config.read_bytes())
        article = articles[0]
        local.upload(article.relative_to(REPO_ROOT / "examples").as_posix(), article.read_bytes())
        local.process_queue(timeout=60)
        runner = local.runners["PublishFunction.PublishQueueEvent"]
        assert runner.stats.failed_records == 0
        assert local.client("s3").list_objects_v2(Bucket=local.site_bucket).get("KeyCount", 0) > 0
        status, headers, _ = get(local.site_url + "/")
        assert status == 200
        assert "X-Cache" in headers


# ------------------------------------------------------------ python -m local


def _ports() -> tuple[int, int]:
    """The real ports when free (that is what `make run` uses), else any free ones."""
    if port_is_free(4566) and port_is_free(3000):
        return 4566, 3000
    return free_port(), free_port()


def _start(state_dir: Path, moto_port: int, cdn_port: int, *extra: str) -> subprocess.Popen[bytes]:
    state_dir.mkdir(parents=True, exist_ok=True)
    log = (state_dir / f"run-{uuid.uuid4().hex[:6]}.log").open("wb")
    return subprocess.Popen(
        [sys.executable, "-m", "local", "run", "--state-dir", str(state_dir), "--retry-delay", "0", *extra],
        cwd=REPO_ROOT,
        env={**os.environ, "NEWSROOM_MOTO_PORT": str(moto_port), "NEWSROOM_CDN_PORT": str(cdn_port)},
        stdout=log,
        stderr=subprocess.STDOUT,
    )


def _wait_for_outputs(
    state_dir: Path, process: subprocess.Popen[bytes], timeout: float = 90
) -> dict[str, str]:
    deadline = time.monotonic() + timeout
    path = state_dir / "outputs.json"
    while time.monotonic() < deadline:
        if path.exists():
            outputs: dict[str, str] = json.loads(path.read_text(encoding="utf-8"))
            return outputs
        assert process.poll() is None, _logs(state_dir)
        time.sleep(0.2)
    raise AssertionError("outputs.json never appeared\n" + _logs(state_dir))


def _logs(state_dir: Path, tail: int | None = 4000) -> str:
    """The runs' output, each cut to its last ``tail`` characters for assertion messages."""
    texts = (p.read_text(errors="replace") for p in sorted(state_dir.glob("run-*.log")))
    return "\n".join(text if tail is None else text[-tail:] for text in texts)


def _wait_for_log(state_dir: Path, text: str, timeout: float = 15) -> None:
    """The banner is printed just after outputs.json is written, and logs may follow it."""
    deadline = time.monotonic() + timeout
    while text not in _logs(state_dir, tail=None):
        assert time.monotonic() < deadline, f"{text!r} never printed\n" + _logs(state_dir)
        time.sleep(0.1)


def _interrupt(process: subprocess.Popen[bytes], sig: int = signal.SIGINT) -> int:
    if process.poll() is None:
        process.send_signal(sig)
    try:
        return process.wait(timeout=30)
    except subprocess.TimeoutExpired:
        process.kill()
        raise


def test_python_m_local_run_serves_examples_restarts_and_stops_cleanly(tmp_path: Path) -> None:
    """`make run` end to end: examples published and served; a second run replaces the first; SIGINT."""
    moto_port, cdn_port = _ports()
    state = tmp_path / "state"
    first = _start(state, moto_port, cdn_port)
    second = None
    try:
        outputs = _wait_for_outputs(state, first)
        assert outputs["EndpointUrl"] == f"http://127.0.0.1:{moto_port}"
        assert outputs["SiteUrl"] == f"http://127.0.0.1:{cdn_port}"
        assert {"SourceBucketName", "SiteBucketName", "Region"} <= set(outputs)
        assert read_pidfile(state)["pid"] == first.pid  # type: ignore[index]
        assert f"AWS_ENDPOINT_URL=http://127.0.0.1:{moto_port}" in (state / "env.sh").read_text()
        status, headers, _ = get(outputs["SiteUrl"] + "/")
        assert status == 200, _logs(state)  # the examples were published before outputs.json
        assert "X-Cache" in headers
        _wait_for_log(state, "Newsroom local stack is up.")

        (state / "outputs.json").unlink()
        second = _start(state, moto_port, cdn_port, "--no-examples")
        assert first.wait(timeout=30) == 0, _logs(state)  # stopped by SIGTERM, cleanly
        _wait_for_outputs(state, second)
        assert read_pidfile(state)["pid"] == second.pid  # type: ignore[index]
    finally:
        _interrupt(first)
        if second is not None:
            assert _interrupt(second) == 0, _logs(state)
    assert not (state / "local.pid").exists()
    assert not (state / "outputs.json").exists()
    assert port_is_free(moto_port)
    assert port_is_free(cdn_port)


def test_a_port_taken_by_another_program_fails_clearly(tmp_path: Path) -> None:
    with socket.socket() as squatter:
        squatter.bind(("127.0.0.1", 0))
        squatter.listen()
        busy = squatter.getsockname()[1]
        process = _start(tmp_path, busy, free_port(), "--no-examples")
        assert process.wait(timeout=30) == 2
    assert f"port {busy} (moto)" in _logs(tmp_path)
