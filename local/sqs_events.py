"""What Lambda's SQS event source mapping reads, sends and expects back.

The function's ``Type: SQS`` events resolved to local queues, the event
records built exactly as Lambda's poller builds them from ReceiveMessage,
and the ReportBatchItemFailures rules for what to keep.
"""

from __future__ import annotations

import base64
import logging
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from local.template import Template

log = logging.getLogger("local.runner")  # the runner's log: it settles the batches


@dataclass(frozen=True)
class SqsEventSource:
    """One ``Type: SQS`` event of a function, resolved to the local queue."""

    name: str
    queue_arn: str
    queue_url: str
    batch_size: int
    report_batch_item_failures: bool
    enabled: bool = True
    batching_window: float = 0.0


def sqs_event_sources(
    template: Template, logical: str, queue_urls: Mapping[str, str]
) -> list[SqsEventSource]:
    """The function's SQS events; ``queue_urls`` maps queue ARN to URL (from provisioning)."""
    sources = []
    for name, event in (template.property(logical, "Events") or {}).items():
        if event.get("Type") != "SQS":
            continue
        props = event.get("Properties") or {}
        arn = str(props["Queue"])
        if arn not in queue_urls:
            raise ValueError(f"Resources.{logical}.Properties.Events.{name}: queue {arn} is not provisioned")
        sources.append(
            SqsEventSource(
                name=name,
                queue_arn=arn,
                queue_url=queue_urls[arn],
                batch_size=int(props.get("BatchSize", 10)),
                report_batch_item_failures="ReportBatchItemFailures"
                in (props.get("FunctionResponseTypes") or []),
                enabled=props.get("Enabled", True) not in {False, "false"},
                batching_window=float(props.get("MaximumBatchingWindowInSeconds", 0)),
            )
        )
    return sources


# ----------------------------------------------------------------- events


def _message_attributes(attributes: Mapping[str, Any]) -> dict[str, Any]:
    """SQS API message attributes in Lambda's camelCase event form."""
    converted = {}
    for name, value in attributes.items():
        item: dict[str, Any] = {
            "stringListValues": [],
            "binaryListValues": [],
            "dataType": value.get("DataType", "String"),
        }
        if "StringValue" in value:
            item["stringValue"] = value["StringValue"]
        if "BinaryValue" in value:
            item["binaryValue"] = base64.b64encode(value["BinaryValue"]).decode()
        converted[name] = item
    return converted


def sqs_record(message: Mapping[str, Any], queue_arn: str, region: str) -> dict[str, Any]:
    """One record exactly as Lambda's SQS poller builds it from a ReceiveMessage result."""
    return {
        "messageId": message["MessageId"],
        "receiptHandle": message["ReceiptHandle"],
        "body": message["Body"],
        "attributes": dict(message.get("Attributes") or {}),
        "messageAttributes": _message_attributes(message.get("MessageAttributes") or {}),
        "md5OfBody": message["MD5OfBody"],
        "eventSource": "aws:sqs",
        "eventSourceARN": queue_arn,
        "awsRegion": region,
    }


def sqs_event(messages: Iterable[Mapping[str, Any]], queue_arn: str, region: str) -> dict[str, Any]:
    """The ``{"Records": [...]}`` event Lambda passes to the handler."""
    return {"Records": [sqs_record(message, queue_arn, region) for message in messages]}


def failed_message_ids(result: Any, message_ids: list[str], report_failures: bool) -> set[str]:
    """Which messages to keep, following Lambda's ReportBatchItemFailures rules.

    Without ReportBatchItemFailures the return value is ignored. With it, a
    null/empty response or an empty list means success; an item with a missing
    or unknown ``itemIdentifier``, or a malformed response, fails the whole batch.
    """
    if not report_failures or result is None or result == {}:
        return set()
    if not isinstance(result, Mapping):
        log.warning("handler returned %r: not a batch response, the whole batch fails", type(result).__name__)
        return set(message_ids)
    failures = result.get("batchItemFailures")
    if failures is None or failures == []:
        return set()
    if not isinstance(failures, list):
        log.warning("batchItemFailures is not a list: the whole batch fails")
        return set(message_ids)
    failed: set[str] = set()
    for failure in failures:
        identifier = failure.get("itemIdentifier") if isinstance(failure, Mapping) else None
        if not identifier or identifier not in message_ids:
            log.warning(
                "batchItemFailures item %r is not a message of this batch: the whole batch fails", failure
            )
            return set(message_ids)
        failed.add(str(identifier))
    return failed
