"""One SQS batch of S3 events: ingest record by record, render once.

A record whose ingest raises (a throttled call, a timeout) is reported as a
batch item failure and redelivered alone; a file the editor must fix is not a
failure (its reason is on its tags). If rendering the batch fails, every
record is reported: ingest is idempotent and the planner re-renders around
both the current and the previous placement, so the retry repairs the site.
"""

from __future__ import annotations

import json
from typing import Any

from aws_lambda_powertools import Logger, Metrics
from aws_lambda_powertools.metrics import MetricUnit
from aws_lambda_powertools.utilities.batch import BatchProcessor, EventType
from aws_lambda_powertools.utilities.data_classes import S3Event
from aws_lambda_powertools.utilities.data_classes.sqs_event import SQSRecord

from newsroom.fanout import Fanout
from newsroom.keys import decode_event_key
from newsroom.publisher import Ingested, Publisher

logger = Logger(child=True)


def s3_changes(record: SQSRecord) -> list[tuple[str, str | None]]:
    """``(raw key, sequencer)`` for each S3 record an SQS message carries.

    ``s3:TestEvent`` (sent when a notification is configured) has no
    ``Records`` and yields nothing: it is acknowledged, not retried. The
    sequencer is absent in moto's events.
    """
    body = json.loads(record.body)
    if "Records" not in body:
        return []
    return [
        (r.s3.get_object.key, r.s3.get_object.get("sequencer"))
        for r in S3Event(body).records
        if r.event_source == "aws:s3"
    ]


def handle_batch(event: dict[str, Any], publisher: Publisher, metrics: Metrics) -> dict[str, Any]:
    """Process one SQS event; returns the partial batch response Lambda expects."""
    # Every record failing is still a partial response (all listed), not an exception.
    processor = BatchProcessor(event_type=EventType.SQS, raise_on_entire_batch_failure=False)
    ingested: list[Ingested] = []

    def ingest(record: SQSRecord) -> None:
        try:
            for raw_key, sequencer in s3_changes(record):
                _ingest_one(raw_key, sequencer)
        except Exception as exc:
            _record_failure(publisher, record, exc)
            raise

    def _ingest_one(raw_key: str, sequencer: str | None) -> None:
        result = publisher.ingest(raw_key, sequencer)
        if result.stale:
            logger.info("older event dropped", extra={"key": result.key, "sequencer": sequencer})
            metrics.add_metric(name="StaleEventDropped", unit=MetricUnit.Count, value=1)
        if result.error:
            logger.warning("source rejected", extra={"key": result.key, "reason": result.error})
            metrics.add_metric(name="SourceRejected", unit=MetricUnit.Count, value=1)
        ingested.append(result)

    records = event.get("Records", [])
    with processor(records=records, handler=ingest):
        processor.process()
    response: dict[str, Any] = dict(processor.response())
    if not ingested:
        return response
    try:
        report = publisher.render(ingested)
    except Exception as exc:
        logger.exception("rendering the batch failed; every record will be retried")
        for raw in records:
            _record_failure(publisher, SQSRecord(raw), exc, stage="render")
        return {"batchItemFailures": [{"itemIdentifier": r["messageId"]} for r in records]}
    failed = {f["itemIdentifier"] for f in response.get("batchItemFailures", [])}
    for raw in records:
        if (
            raw["messageId"] not in failed
            and int(raw.get("attributes", {}).get("ApproximateReceiveCount", 1)) > 1
        ):
            publisher.index.clear_failure(raw["messageId"])  # it went through this time
    logger.info(
        "batch published",
        extra={"written": report.written, "removed": report.removed, "invalidated": report.invalidated},
    )
    metrics.add_metric(name="PagesWritten", unit=MetricUnit.Count, value=len(report.written))
    metrics.add_metric(name="PathsInvalidated", unit=MetricUnit.Count, value=len(report.invalidated))
    return response


def _record_failure(
    publisher: Publisher, record: SQSRecord, exc: BaseException, stage: str = "ingest"
) -> None:
    """Keep why a message failed, by message id: SQS keeps no reason, and the id survives the DLQ."""
    reason = f"{stage}: {type(exc).__name__}: {exc}"
    try:
        keys = [decode_event_key(key) for key, _ in s3_changes(record)]
    except Exception:  # an unreadable body is itself the reason
        keys = []
    try:
        publisher.index.record_failure(
            record.message_id, keys, reason, int(record.attributes.approximate_receive_count)
        )
    except Exception:  # recording must never hide the original failure
        logger.exception("could not record the failure", extra={"message_id": record.message_id})


def handle_render_batch(event: dict[str, Any], fanout: Fanout, metrics: Metrics) -> dict[str, Any]:
    """One SQS batch of render-queue messages (plans and chunks), each retried on its own."""
    processor = BatchProcessor(event_type=EventType.SQS, raise_on_entire_batch_failure=False)

    def run(record: SQSRecord) -> None:
        try:
            report = fanout.handle(record.body)
        except Exception as exc:
            try:
                fanout.index.record_failure(
                    record.message_id,
                    [],
                    f"render: {type(exc).__name__}: {exc}",
                    int(record.attributes.approximate_receive_count),
                )
            except Exception:  # recording must never hide the original failure
                logger.exception("could not record the failure", extra={"message_id": record.message_id})
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
