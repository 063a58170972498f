"""Create the template's buckets, queues, table and distribution in moto.

moto's own CloudFormation cannot create CloudFront distributions or queue and
bucket policies, so the resources the site needs are created one API call at
a time, from the template's own properties. Every step is idempotent: running
it against a moto that already has the stack just re-applies settings.

This module decides what is created, in which order, and collects the result;
each service's calls live beside it: ``provision_s3``, ``provision_sqs``,
``provision_dynamodb``, ``provision_cloudfront`` and ``provision_scheduler``.
Their names are importable from here too. Clients come from this module's ``client``, so a
caller can swap it (in-process moto for tests and benchmarks).
"""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass, field
from pathlib import Path

from local.aws import client
from local.provision_cloudfront import (
    DEFAULT_LOG_PREFIX,
    Behavior,
    DistributionInfo,
    ErrorResponse,
    create_distribution,
    create_key_value_store,
    response_headers,
    site_behaviors,
    viewer_request_store,
)
from local.provision_dynamodb import create_table, table_definition
from local.provision_s3 import configure_notifications, create_bucket, notification_configuration
from local.provision_scheduler import ScheduleInfo, create_schedule, create_schedule_group
from local.provision_sqs import QueueInfo, create_queue, queue_attributes
from local.template import Template, to_text

__all__ = [
    "DEFAULT_LOG_PREFIX",
    "DEFAULT_SITE_URL",
    "Behavior",
    "DistributionInfo",
    "ErrorResponse",
    "Provisioned",
    "QueueInfo",
    "ScheduleInfo",
    "configure_notifications",
    "create_bucket",
    "create_distribution",
    "create_key_value_store",
    "create_queue",
    "create_schedule",
    "create_schedule_group",
    "create_table",
    "notification_configuration",
    "provision",
    "queue_attributes",
    "response_headers",
    "site_behaviors",
    "table_definition",
    "viewer_request_store",
]

log = logging.getLogger("local.provision")

DEFAULT_SITE_URL = "http://127.0.0.1:3000"

# Created here; everything else in the template is skipped with a log line.
BUCKET = "AWS::S3::Bucket"
QUEUE = "AWS::SQS::Queue"
TABLE = "AWS::DynamoDB::Table"
DISTRIBUTION = "AWS::CloudFront::Distribution"
KEY_VALUE_STORE = "AWS::CloudFront::KeyValueStore"
SCHEDULE_GROUP = "AWS::Scheduler::ScheduleGroup"
SCHEDULE = "AWS::Scheduler::Schedule"
CREATED = {BUCKET, QUEUE, TABLE, DISTRIBUTION, KEY_VALUE_STORE, SCHEDULE_GROUP, SCHEDULE}
FUNCTIONS = ("AWS::Serverless::Function", "AWS::Lambda::Function")

_SKIP_REASONS = {
    "AWS::S3::BucketPolicy": "moto does not enforce bucket policies",
    "AWS::SQS::QueuePolicy": "moto does not enforce queue policies",
    "AWS::CloudFront::OriginAccessControl": "the local CDN reads the bucket directly",
    "AWS::CloudFront::Function": "ported to local/viewer_request.py",
    "AWS::Serverless::LayerVersion": "its directory is put on sys.path by the runner",
    "AWS::Lambda::LayerVersion": "its directory is put on sys.path by the runner",
    "AWS::Logs::LogGroup": "handler logs go to this process's stdout",
    "AWS::IAM::Role": "moto enforces no IAM; a role's ARN resolves without the role",
    "AWS::Serverless::Function": "moto cannot run Lambda; the local runner calls the handler",
    "AWS::Lambda::Function": "moto cannot run Lambda; the local runner calls the handler",
}


@dataclass
class Provisioned:
    """The local stack as created: names, ids, outputs and function environments."""

    template: Template
    endpoint_url: str
    site_url: str
    buckets: dict[str, str] = field(default_factory=dict)
    queues: dict[str, QueueInfo] = field(default_factory=dict)
    tables: dict[str, str] = field(default_factory=dict)
    distributions: dict[str, DistributionInfo] = field(default_factory=dict)
    key_value_stores: dict[str, str] = field(default_factory=dict)  # logical id -> ARN
    schedule_groups: dict[str, str] = field(default_factory=dict)  # logical id -> name
    schedules: dict[str, ScheduleInfo] = field(default_factory=dict)
    outputs: dict[str, str] = field(default_factory=dict)

    def environment(self, function: str = "PublishFunction") -> dict[str, str]:
        """The function's Environment.Variables as the local handler must see them.

        ``SITE_BASE_URL`` points at the local CDN, so rendered links work in a browser.
        """
        variables = self.template.function_environment(function)
        variables["SITE_BASE_URL"] = self.site_url
        return variables

    def write_outputs(self, state_dir: Path) -> Path:
        """Write ``outputs.json`` (template Outputs, local values) for scripts and humans."""
        state_dir.mkdir(parents=True, exist_ok=True)
        path = state_dir / "outputs.json"
        temporary = path.with_suffix(".json.tmp")
        temporary.write_text(json.dumps(self.outputs, indent=2, sort_keys=True) + "\n", encoding="utf-8")
        temporary.replace(path)
        return path


def provision(
    template: Template,
    endpoint_url: str,
    site_url: str = DEFAULT_SITE_URL,
) -> Provisioned:
    """Create (or re-apply) every resource moto can hold, then resolve the Outputs."""
    template.endpoint_url = endpoint_url.rstrip("/")
    region = template.region
    s3 = client("s3", endpoint_url, region)
    sqs = client("sqs", endpoint_url, region)
    dynamodb = client("dynamodb", endpoint_url, region)
    cloudfront = client("cloudfront", endpoint_url, region)
    scheduler = client("scheduler", endpoint_url, region)
    result = Provisioned(template=template, endpoint_url=endpoint_url, site_url=site_url)

    for logical, resource in template.resources.items():
        kind = str(resource.get("Type"))
        if not template.exists(logical):
            log.info("skip %s (%s): its Condition is false", logical, kind)
        elif kind not in CREATED:
            reason = _SKIP_REASONS.get(kind, "not emulated locally")
            log.info("skip %s (%s): %s", logical, kind, reason)

    for logical in template.logical_ids(BUCKET):
        result.buckets[logical] = create_bucket(s3, template, logical)
    for logical in template.dependency_order(template.logical_ids(QUEUE)):
        result.queues[logical] = create_queue(sqs, template, logical)
    for logical in template.logical_ids(TABLE):
        result.tables[logical] = create_table(dynamodb, template, logical)
    for logical in template.logical_ids(KEY_VALUE_STORE):
        result.key_value_stores[logical] = create_key_value_store(cloudfront, template, logical)
    for logical in template.logical_ids(DISTRIBUTION):
        result.distributions[logical] = create_distribution(cloudfront, template, logical, result.buckets)
    for logical in template.logical_ids(BUCKET):
        configure_notifications(s3, template, logical)
    for logical in template.logical_ids(SCHEDULE_GROUP):
        result.schedule_groups[logical] = create_schedule_group(scheduler, template, logical)
    for logical in template.logical_ids(SCHEDULE):  # after the queues and groups they name
        result.schedules[logical] = create_schedule(scheduler, template, logical)

    outputs = {name: to_text(value) for name, value in template.outputs().items()}
    outputs["SiteUrl"] = site_url
    outputs["EndpointUrl"] = endpoint_url
    outputs["Region"] = region
    result.outputs = outputs
    return result
