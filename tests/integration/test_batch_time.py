"""A batch stays inside the function's timeout, whatever its files hold.

Eight pathological Markdown files of 1 MB (each 14-30 s in markdown-it) took
133 s in one batch against a 60 s timeout: on AWS the batch, innocent
records included, would time out five times and land in the DLQ. Now each
file is refused at its work budget, and a record that finds too little time
left is handed back to SQS instead of being started.
"""

from __future__ import annotations

import time
from collections.abc import Iterator

import pytest
from aws_lambda_powertools import Metrics
from newsroom.configuration.settings import Settings
from newsroom.domain.feedback_tags import tag_value
from newsroom.usecases.batch import RESERVED_MILLIS, handle_batch
from newsroom.usecases.publish import Publisher
from newsroom.wiring.assembly import Clients, build_publisher

from tests.support.in_process import in_process_site
from tests.support.oracle import Message

TIMEOUT_MILLIS = 60_000  # PublishFunction's Timeout in template.yaml (tests/template checks it)
UNITS = ("![[", "*a", "**a", "[a](", "_a", "- a\n", "1. a\n", "# a\n")
SIZE = 1_000_000  # under MAX_SOURCE_BYTES (1,048,576)


def md(title: str, body: str) -> bytes:
    return f"---\ntitle: {title}\ndate: 2024-04-01T08:00:00+07:00\n---\n{body}\n".encode()


@pytest.fixture
def site(monkeypatch: pytest.MonkeyPatch) -> Iterator[tuple[Settings, Clients, Publisher]]:
    with in_process_site(monkeypatch, "budget") as (settings, clients):
        yield settings, clients, build_publisher(settings, clients)


def tags(clients: Clients, bucket: str, key: str) -> dict[str, str]:
    return {t["Key"]: t["Value"] for t in clients.s3.get_object_tagging(Bucket=bucket, Key=key)["TagSet"]}


def lambda_clock(timeout_millis: int = TIMEOUT_MILLIS) -> tuple[float, object]:
    started = time.monotonic()

    def remaining() -> int:
        return int(timeout_millis - (time.monotonic() - started) * 1000)

    return started, remaining


def test_eight_pathological_files_are_refused_and_the_batch_ends_in_time(
    site: tuple[Settings, Clients, Publisher],
) -> None:
    settings, clients, publisher = site
    bucket = settings.source_bucket
    messages = []
    for n, unit in enumerate(UNITS):
        key = f"articles/tin-tuc/xau-{n}.md"
        clients.s3.put_object(Bucket=bucket, Key=key, Body=md(f"Xấu {n}", (unit * SIZE)[:SIZE]))
        messages.append(Message(f"bad{n}", key, "01"))
    for n in range(2):
        key = f"articles/tin-tuc/tot-{n}.md"
        clients.s3.put_object(Bucket=bucket, Key=key, Body=md(f"Tốt {n}", "Nội dung."))
        messages.append(Message(f"good{n}", key, "01"))
    started, remaining = lambda_clock()
    response = handle_batch(
        {"Records": [m.record(bucket) for m in messages]},
        publisher,
        Metrics(namespace="T", service="t"),
        remaining,  # type: ignore[arg-type]
    )
    elapsed = time.monotonic() - started
    assert response == {"batchItemFailures": []}  # nothing retried: the editor must fix the files
    assert elapsed < TIMEOUT_MILLIS / 1000, f"the batch took {elapsed:.1f} s"
    for message in messages[: len(UNITS)]:
        got = tags(clients, bucket, message.key)
        assert got["publish-status"] == "error"
        assert got["publish-error"].startswith(
            tag_value("the article takes too long to render: over 2 s of processing, the limit per file")
        )
    for message in messages[len(UNITS) :]:
        assert tags(clients, bucket, message.key)["publish-status"] == "published"
    assert publisher.index.counts.stats().articles == 2


def test_records_left_when_time_runs_short_are_handed_back_and_publish_on_redelivery(
    site: tuple[Settings, Clients, Publisher],
) -> None:
    settings, clients, publisher = site
    bucket = settings.source_bucket
    messages = []
    for n in range(5):
        key = f"articles/tin-tuc/bai-{n}.md"
        clients.s3.put_object(Bucket=bucket, Key=key, Body=md(f"Bài {n}", "Nội dung."))
        messages.append(Message(f"m{n}", key, "01"))
    # The clock Lambda gives: plenty for two records, then less than the batch keeps for its render.
    left = iter([TIMEOUT_MILLIS, TIMEOUT_MILLIS - 1000, RESERVED_MILLIS - 1, RESERVED_MILLIS - 2, 1000])
    metrics = Metrics(namespace="T", service="t")
    response = handle_batch(
        {"Records": [m.record(bucket) for m in messages]}, publisher, metrics, left.__next__
    )
    assert response == {"batchItemFailures": [{"itemIdentifier": f"m{n}"} for n in (2, 3, 4)]}
    for message in messages[:2]:
        assert tags(clients, bucket, message.key)["publish-status"] == "published"
    for message in messages[2:]:
        assert tags(clients, bucket, message.key) == {}  # never started, never told anything
        assert publisher.index.articles.get(message.key) is None
        failure = publisher.index.failures.get(message.id)
        assert failure is not None and "OutOfTime" in failure.reason
    assert publisher.index.counts.stats().articles == 2

    redelivered = {"Records": [m.record(bucket) for m in messages[2:]]}
    assert handle_batch(redelivered, publisher, metrics, lambda: TIMEOUT_MILLIS) == {"batchItemFailures": []}
    assert publisher.index.counts.stats().articles == 5
    assert all(publisher.index.failures.get(m.id) is None for m in messages[2:])
