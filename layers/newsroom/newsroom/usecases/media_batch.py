"""SQS batches for the picture and PDF functions: each message on its own, failures retried alone.

A picture takes a second or two to encode: the batch is small (see
template.yaml), and a record that raises (a throttled call, a timeout) is
reported alone and comes back; a file the editor must fix is not a failure
(its reason is on its tags and status file).
"""

from __future__ import annotations

import json
from typing import Any

from aws_lambda_powertools import Logger, Metrics
from aws_lambda_powertools.metrics import MetricUnit
from aws_lambda_powertools.utilities.batch import BatchProcessor, EventType
from aws_lambda_powertools.utilities.data_classes.sqs_event import SQSRecord

from newsroom.usecases.article_pdfs import PDF_MESSAGE, PdfWorker
from newsroom.usecases.batch import s3_changes
from newsroom.usecases.pictures import PictureWorker

logger = Logger(child=True)


def handle_media_batch(event: dict[str, Any], worker: PictureWorker, metrics: Metrics) -> dict[str, Any]:
    """Process one SQS event of media changes; returns the partial batch response Lambda expects."""
    processor = BatchProcessor(event_type=EventType.SQS, raise_on_entire_batch_failure=False)

    def run(record: SQSRecord) -> None:
        for number, change in enumerate(s3_changes(record)):
            result = worker.handle(change.key, f"{record.message_id}#{number}")
            logger.info("media handled", extra=result.__dict__)
            if result.status == "error":
                metrics.add_metric(name="MediaRejected", unit=MetricUnit.Count, value=1)
            metrics.add_metric(name="MediaWritten", unit=MetricUnit.Count, value=len(result.written))

    with processor(records=event.get("Records", []), handler=run):
        processor.process()
    return dict(processor.response())


def handle_pdf_batch(event: dict[str, Any], worker: PdfWorker, metrics: Metrics) -> dict[str, Any]:
    """Process one SQS event of PDF requests (``pdf_message``); returns the partial batch response."""
    processor = BatchProcessor(event_type=EventType.SQS, raise_on_entire_batch_failure=False)

    def run(record: SQSRecord) -> None:
        body = json.loads(record.body)
        if body.get("newsroom") != PDF_MESSAGE:
            raise ValueError(f"not a PDF request: {record.body[:200]}")
        written = worker.handle(str(body["key"]))
        logger.info("pdf handled", extra={"key": body["key"], "written": written})
        metrics.add_metric(name="PdfWritten", unit=MetricUnit.Count, value=1 if written else 0)

    with processor(records=event.get("Records", []), handler=run):
        processor.process()
    return dict(processor.response())
