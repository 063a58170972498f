"""The template's queues in moto, with their attributes (``provision`` creates dead-letter queues first)."""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass
from typing import Any

from botocore.exceptions import ClientError

from local.provision_helpers import api_tags, error_code
from local.template import Template, to_text

log = logging.getLogger("local.provision")  # the provisioning log, whichever service

# Simple CFN queue properties that map 1:1 to SQS attributes.
_QUEUE_ATTRIBUTES = (
    "DelaySeconds",
    "MaximumMessageSize",
    "MessageRetentionPeriod",
    "ReceiveMessageWaitTimeSeconds",
    "VisibilityTimeout",
    "RedrivePolicy",
    "RedriveAllowPolicy",
    "KmsMasterKeyId",
    "KmsDataKeyReusePeriodSeconds",
    "SqsManagedSseEnabled",
    "FifoQueue",
    "ContentBasedDeduplication",
    "DeduplicationScope",
    "FifoThroughputLimit",
)


@dataclass(frozen=True)
class QueueInfo:
    """A provisioned queue: where to send, and the ARN S3 and Lambda see."""

    logical_id: str
    name: str
    url: str
    arn: str


def queue_attributes(template: Template, logical: str) -> dict[str, str]:
    """SQS attributes from the queue's properties (RedrivePolicy as JSON, booleans as text)."""
    attributes: dict[str, str] = {}
    for name in _QUEUE_ATTRIBUTES:
        value = template.property(logical, name)
        if value is None:
            continue
        attributes[name] = json.dumps(value) if isinstance(value, dict) else to_text(value)
    return attributes


def create_queue(sqs: Any, template: Template, logical: str) -> QueueInfo:
    """Create the queue, or bring an existing one's attributes in line with the template."""
    name = template.physical_name(logical)
    attributes = queue_attributes(template, logical)
    tags = {tag["Key"]: tag["Value"] for tag in api_tags(template.property(logical, "Tags") or [])}
    try:
        url = sqs.get_queue_url(QueueName=name)["QueueUrl"]
    except ClientError as error:
        if error_code(error) not in {"AWS.SimpleQueueService.NonExistentQueue", "QueueDoesNotExist"}:
            raise
        kwargs: dict[str, Any] = {"QueueName": name, "Attributes": attributes}
        if tags:
            kwargs["tags"] = tags
        url = sqs.create_queue(**kwargs)["QueueUrl"]
    else:
        mutable = {key: value for key, value in attributes.items() if key != "FifoQueue"}
        if mutable:
            sqs.set_queue_attributes(QueueUrl=url, Attributes=mutable)
    arn = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
    template.register(logical, url, QueueUrl=url, Arn=arn, QueueName=name)
    log.info("queue %s: %s", logical, name)
    return QueueInfo(logical_id=logical, name=name, url=url, arn=arn)
