"""A record that keeps failing lands in the DLQ with its reason in the table; a redrive
publishes it once the cause is gone."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from newsroom.domain.records import Failure
from newsroom.usecases.ingest import SourceIngest

from local.rebuild import RunningStack
from local.redrive import redrive
from local.stack import LocalStack
from tests.support.site import article_md, fetch, local_site

KEY = "articles/tin-tuc/kho-tinh.md"


@pytest.fixture
def stack() -> Iterator[LocalStack]:
    with local_site() as s:
        yield s


def dead_letters(stack: LocalStack) -> int:
    attributes = stack.client("sqs").get_queue_attributes(
        QueueUrl=stack.outputs["PublishDeadLetterQueueUrl"], AttributeNames=["ApproximateNumberOfMessages"]
    )["Attributes"]
    return int(attributes["ApproximateNumberOfMessages"])


def failures(stack: LocalStack) -> list[Failure]:
    return RunningStack(stack.endpoint_url, stack.outputs).index().failures.all()


def test_a_failing_record_reaches_the_dlq_with_its_reason_and_a_redrive_publishes_it(
    stack: LocalStack, monkeypatch: pytest.MonkeyPatch
) -> None:
    def broken(self: SourceIngest, *args: Any, **kwargs: Any) -> Any:
        raise RuntimeError("the index is unreachable (injected)")

    with monkeypatch.context() as patch:
        patch.setattr(SourceIngest, "article", broken)
        stack.upload(KEY, article_md("Bài khó tính", "2024-06-01T08:00:00+07:00"))
        stack.process_queue()

    assert dead_letters(stack) == 1
    (failure,) = failures(stack)
    assert failure.reason == "ingest: RuntimeError: the index is unreachable (injected)"
    assert failure.keys == (KEY.replace(" ", "+"),)
    assert failure.receive_count == 5  # the template's maxReceiveCount
    assert fetch(stack.site_url + "/tin-tuc/kho-tinh.html")[0] == 404

    moved = redrive(RunningStack(stack.endpoint_url, stack.outputs))
    assert [m.reason for m in moved] == ["ingest: RuntimeError: the index is unreachable (injected)"]
    stack.process_queue()
    assert dead_letters(stack) == 0
    assert failures(stack) == []
    assert fetch(stack.site_url + "/tin-tuc/kho-tinh.html")[0] == 200
