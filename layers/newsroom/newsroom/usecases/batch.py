"""One SQS batch of S3 events: ingest record by record, render once.

A record whose ingest raises (a throttled call, a timeout) is reported as a
batch item failure and redelivered alone; a file the editor must fix is not a
failure (its reason is on its tags). If rendering the batch fails, every
record is reported: ingest is idempotent and the planner re-renders around
both the current and the previous placement, so the retry repairs the site.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any
from urllib.parse import quote_plus

from aws_lambda_powertools import Logger, Metrics
from aws_lambda_powertools.metrics import MetricUnit
from aws_lambda_powertools.utilities.batch import BatchProcessor, EventType
from aws_lambda_powertools.utilities.data_classes import S3Event
from aws_lambda_powertools.utilities.data_classes.sqs_event import SQSRecord

from newsroom.domain.schedule import DAILY_TICK_MESSAGE, SCHEDULE_MESSAGE
from newsroom.domain.source_keys import LOOK_AGAIN_MESSAGE, decode_event_key
from newsroom.usecases.fanout import Fanout
from newsroom.usecases.ports import FailureRecords
from newsroom.usecases.publish import Ingested, Publisher

logger = Logger(child=True)

# Time a batch keeps for itself once it stops taking records: one more file at
# its worst (the 2 s CPU budget is about 3.5 s of a 1,024 MB Lambda's wall
# time, plus its AWS calls), then the render, writes, invalidation and tags of
# the batch. A record that finds less than this left is handed back to SQS.
RESERVED_MILLIS = 20_000


class OutOfTime(Exception):
    """The batch is too close to the function's timeout to take this record: SQS redelivers it."""


@dataclass(frozen=True)
class Change:
    """One key to look at again, and what the message knew about it."""

    key: str
    """The raw key, as S3 sends it (URL-encoded)."""
    sequencer: str | None = None
    at: datetime | None = None
    """A fired schedule's moment: the key is judged at it (never before the clock)."""
    version: str | None = None
    """The source version a fired schedule was made for."""
    tick: bool = False
    """The daily tick (``at``: its scheduled time), not a key."""


def s3_changes(record: SQSRecord) -> list[Change]:
    """The keys an SQS message names: S3's event records, or one fired schedule.

    ``s3:TestEvent`` (sent when a notification is configured) has no
    ``Records`` and yields nothing: it is acknowledged, not retried. The
    sequencer is absent in moto's events. A schedule's message is the
    ``Input`` the publish function gave it (``schedule_message``).
    """
    body = json.loads(record.body)
    if body.get("newsroom") == DAILY_TICK_MESSAGE:
        return [Change("", at=datetime.fromisoformat(str(body["scheduled_time"])), tick=True)]
    if body.get("newsroom") == LOOK_AGAIN_MESSAGE:
        return [Change(quote_plus(str(body["key"]), safe="/"))]
    if body.get("newsroom") == SCHEDULE_MESSAGE:
        at = datetime.fromisoformat(str(body["at"]))
        return [Change(quote_plus(str(body["key"]), safe="/"), at=at, version=body.get("version"))]
    if "Records" not in body:
        return []
    return [
        Change(r.s3.get_object.key, r.s3.get_object.get("sequencer"))
        for r in S3Event(body).records
        if r.event_source == "aws:s3"
    ]


def handle_batch(
    event: dict[str, Any],
    publisher: Publisher,
    metrics: Metrics,
    remaining_millis: Callable[[], int] | None = None,
) -> dict[str, Any]:
    """Process one SQS event; returns the partial batch response Lambda expects.

    The editors' tags are written last, once the batch's pages are written
    and their invalidation requested: ``published`` means a reader can open
    the page. A batch whose render fails tags nothing.

    ``remaining_millis`` is the Lambda context's clock: records that find
    less than ``RESERVED_MILLIS`` left are not started but reported as
    failures, so SQS redelivers them instead of the whole batch timing out
    (and, after five timeouts, landing in the DLQ with its innocent records).
    """
    # Every record failing is still a partial response (all listed), not an exception.
    processor = BatchProcessor(event_type=EventType.SQS, raise_on_entire_batch_failure=False)
    ingested: dict[str, list[Ingested]] = {}

    def ingest(record: SQSRecord) -> None:
        results: list[Ingested] = []
        try:
            left = remaining_millis() if remaining_millis is not None else None
            if left is not None and left < RESERVED_MILLIS:
                metrics.add_metric(name="RecordDeferred", unit=MetricUnit.Count, value=1)
                raise OutOfTime(f"{left} ms left, {RESERVED_MILLIS} ms are kept to render the batch")
            for change in s3_changes(record):
                results.append(_ingest_one(change))
        except Exception as exc:
            record_failure(publisher.index.failures, record, exc)
            raise
        ingested[record.message_id] = results

    def _ingest_one(change: Change) -> Ingested:
        if change.tick and change.at is not None:
            return publisher.tick(change.at)
        now = max(datetime.now(UTC), change.at) if change.at is not None else None
        result = publisher.ingest(change.key, change.sequencer, now=now, version=change.version)
        if result.stale:
            logger.info("older event dropped", extra={"key": result.key, "sequencer": change.sequencer})
            metrics.add_metric(name="StaleEventDropped", unit=MetricUnit.Count, value=1)
        if result.error:
            logger.warning("source rejected", extra={"key": result.key, "reason": result.error})
            metrics.add_metric(name="SourceRejected", unit=MetricUnit.Count, value=1)
        return result

    records = event.get("Records", [])
    with processor(records=records, handler=ingest):
        processor.process()
    response: dict[str, Any] = dict(processor.response())
    everything = [result for results in ingested.values() for result in results]
    if not everything:
        return response
    try:
        report = publisher.render(everything)
    except Exception as exc:
        logger.exception("rendering the batch failed; every record will be retried")
        for raw in records:
            record_failure(publisher.index.failures, SQSRecord(raw), exc, stage="render")
        return {"batchItemFailures": [{"itemIdentifier": r["messageId"]} for r in records]}
    failures = list(response.get("batchItemFailures", []))
    for raw in records:
        if raw["messageId"] in ingested and not _tell(publisher, SQSRecord(raw), ingested, metrics):
            failures.append({"itemIdentifier": raw["messageId"]})
    logger.info(
        "batch published",
        extra={"written": report.written, "removed": report.removed, "invalidated": report.invalidated},
    )
    metrics.add_metric(name="PagesWritten", unit=MetricUnit.Count, value=len(report.written))
    metrics.add_metric(name="PathsInvalidated", unit=MetricUnit.Count, value=len(report.invalidated))
    return {"batchItemFailures": failures}


def _tell(
    publisher: Publisher, record: SQSRecord, ingested: dict[str, list[Ingested]], metrics: Metrics
) -> bool:
    """Give one message's feedback; ``False`` if it must be retried (its pages are live already)."""
    try:
        untagged = publisher.tell(ingested[record.message_id])
    except Exception as exc:
        logger.exception(
            "feedback failed; the record will be retried", extra={"message_id": record.message_id}
        )
        record_failure(publisher.index.failures, record, exc, stage="feedback")
        return False
    for key in untagged:
        logger.warning("no room for our tags: see the status file", extra={"key": key})
        metrics.add_metric(name="FeedbackNotTagged", unit=MetricUnit.Count, value=1)
    if int(record.raw_event.get("attributes", {}).get("ApproximateReceiveCount", 1)) > 1:
        publisher.index.failures.clear(record.message_id)  # it went through this time
    return True


def record_failure(
    failures: FailureRecords, record: SQSRecord, exc: BaseException, stage: str = "ingest"
) -> None:
    """Keep why a message failed, by message id: SQS keeps no reason, and the id survives the DLQ."""
    reason = f"{stage}: {type(exc).__name__}: {exc}"
    try:
        keys = [decode_event_key(change.key) for change in s3_changes(record) if change.key]
    except Exception:  # an unreadable body is itself the reason
        keys = []
    try:
        failures.record(record.message_id, keys, reason, int(record.attributes.approximate_receive_count))
    except Exception:  # recording must never hide the original failure
        logger.exception("could not record the failure", extra={"message_id": record.message_id})


def handle_render_batch(event: dict[str, Any], fanout: Fanout, metrics: Metrics) -> dict[str, Any]:
    """One SQS batch of render-queue messages (plans and chunks), each retried on its own."""
    processor = BatchProcessor(event_type=EventType.SQS, raise_on_entire_batch_failure=False)

    def run(record: SQSRecord) -> None:
        try:
            report = fanout.handle(record.body)
        except Exception as exc:
            record_failure(fanout.index.failures, record, exc, stage="render")
            raise
        if report is None:
            return
        logger.info(
            "chunk rendered",
            extra={
                "job": report.job,
                "chunk": report.chunk,
                "written": len(report.written),
                "removed": report.removed,
                "complete": report.complete,
                "invalidated": report.invalidated,
            },
        )
        metrics.add_metric(name="PagesWritten", unit=MetricUnit.Count, value=len(report.written))
        if report.invalidated:
            metrics.add_metric(name="JobsCompleted", unit=MetricUnit.Count, value=1)

    with processor(records=event.get("Records", []), handler=run):
        processor.process()
    return dict(processor.response())
