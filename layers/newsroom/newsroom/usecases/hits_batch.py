"""One SQS batch of the logs bucket's S3 events: each log file counted on its own, retried on its own.

A file that fails (a throttled call, a part that met a concurrent twin) is
reported as a batch item failure and redelivered; after five receives it
lands in the hits dead-letter queue with its reason recorded, like the
publish path's. A duplicate delivery counts nothing (the file's markers).

Once per batch the figures are published (``view_figures``). If that fails,
every record of the batch is reported failed with the reason recorded, and
the batch comes back: its counted files count nothing twice, the figures are
written on the next try, and five failures land them in the DLQ with why.
"""

from __future__ import annotations

from typing import Any

from aws_lambda_powertools import Logger, Metrics
from aws_lambda_powertools.metrics import MetricUnit
from aws_lambda_powertools.utilities.batch import BatchProcessor, EventType
from aws_lambda_powertools.utilities.data_classes.sqs_event import SQSRecord

from newsroom.domain.source_keys import decode_event_key
from newsroom.domain.view_counting import Url
from newsroom.usecases.batch import record_failure, s3_changes
from newsroom.usecases.count_views import ViewCounter
from newsroom.usecases.ports import FailureRecords
from newsroom.usecases.view_figures import FigurePublisher

logger = Logger(child=True)


def handle_hits_batch(
    event: dict[str, Any],
    counter: ViewCounter,
    failures: FailureRecords,
    metrics: Metrics,
    figures: FigurePublisher | None = None,
) -> dict[str, Any]:
    """Count each log file the batch names, then publish the figures; report the records that failed."""
    processor = BatchProcessor(event_type=EventType.SQS, raise_on_entire_batch_failure=False)
    read: set[Url] = set()
    counted = 0

    def run(record: SQSRecord) -> None:
        try:
            for key in [decode_event_key(change.key) for change in s3_changes(record)]:
                report = counter.count(key)
                read.update(report.read)
                logger.info(
                    "log counted",
                    extra={
                        "key": key,
                        "requests": report.log.requests,
                        "views": report.views,
                        "skipped": dict(report.log.skipped) | dict(report.tally.skipped),
                        "truncated": report.log.truncated,
                        "parts_committed": report.parts_committed,
                    },
                )
                metrics.add_metric(name="ViewsCounted", unit=MetricUnit.Count, value=report.views)
                metrics.add_metric(
                    name="LogLinesSkipped", unit=MetricUnit.Count, value=report.log.skipped_lines
                )
                if report.log.truncated:
                    metrics.add_metric(name="LogFilesTruncated", unit=MetricUnit.Count, value=1)
        except Exception as exc:
            record_failure(failures, record, exc, stage="hits")
            raise
        failures.clear(record.message_id)
        nonlocal counted
        counted += 1

    with processor(records=event.get("Records", []), handler=run):
        processor.process()
    if figures is not None and counted:
        try:
            published = figures.publish(read)
        except Exception as exc:
            logger.exception("figures not published")
            records = [SQSRecord(raw) for raw in event.get("Records", [])]
            for record in records:
                record_failure(failures, record, exc, stage="figures")
            return {"batchItemFailures": [{"itemIdentifier": r.message_id} for r in records]}
        logger.info(
            "figures published",
            extra={
                "views": published.figures.views,
                "online": published.figures.online,
                "as_of": published.figures.as_of,
                "shards_written": published.shards_written,
                "shards_unchanged": published.shards_unchanged,
            },
        )
    return dict(processor.response())
