"""The template's buckets in moto: settings, then the notifications that feed the queues."""

from __future__ import annotations

import logging
from collections.abc import Mapping
from typing import Any

from botocore.exceptions import ClientError

from local.provision_helpers import api_tags, error_code
from local.template import Template

log = logging.getLogger("local.provision")  # the provisioning log, whichever service


def create_bucket(s3: Any, template: Template, logical: str) -> str:
    """Create the bucket with its versioning, encryption, public access block and ownership."""
    name = template.physical_name(logical)
    props = template.properties(logical)
    try:
        if template.region == "us-east-1":
            s3.create_bucket(Bucket=name)
        else:
            s3.create_bucket(Bucket=name, CreateBucketConfiguration={"LocationConstraint": template.region})
    except ClientError as error:
        if error_code(error) not in {"BucketAlreadyOwnedByYou", "BucketAlreadyExists"}:
            raise
    versioning = template.property(logical, "VersioningConfiguration")
    if versioning:
        s3.put_bucket_versioning(Bucket=name, VersioningConfiguration={"Status": versioning["Status"]})
    encryption = template.property(logical, "BucketEncryption")
    if encryption:
        rules = [_encryption_rule(rule) for rule in encryption.get("ServerSideEncryptionConfiguration") or []]
        s3.put_bucket_encryption(Bucket=name, ServerSideEncryptionConfiguration={"Rules": rules})
    block = template.property(logical, "PublicAccessBlockConfiguration")
    if block:
        s3.put_public_access_block(
            Bucket=name, PublicAccessBlockConfiguration={key: bool(value) for key, value in block.items()}
        )
    ownership = template.property(logical, "OwnershipControls")
    if ownership:
        s3.put_bucket_ownership_controls(Bucket=name, OwnershipControls={"Rules": ownership["Rules"]})
    tags = template.property(logical, "Tags")
    if tags:
        s3.put_bucket_tagging(Bucket=name, Tagging={"TagSet": api_tags(tags)})
    for ignored in (
        "LifecycleConfiguration",
        "CorsConfiguration",
        "LoggingConfiguration",
        "WebsiteConfiguration",
    ):
        if ignored in props:
            log.info("bucket %s: %s not applied locally", logical, ignored)
    log.info("bucket %s: %s", logical, name)
    return name


def _encryption_rule(rule: Mapping[str, Any]) -> dict[str, Any]:
    """CFN's ``ServerSideEncryptionByDefault`` is the API's ``ApplyServerSideEncryptionByDefault``."""
    translated = {key: value for key, value in rule.items() if key != "ServerSideEncryptionByDefault"}
    if "ServerSideEncryptionByDefault" in rule:
        translated["ApplyServerSideEncryptionByDefault"] = rule["ServerSideEncryptionByDefault"]
    return translated


def notification_configuration(template: Template, logical: str) -> dict[str, Any]:
    """Translate the CFN NotificationConfiguration into PutBucketNotificationConfiguration's shape."""
    config = template.property(logical, "NotificationConfiguration") or {}
    result: dict[str, Any] = {}
    queues = []
    for index, item in enumerate(config.get("QueueConfigurations") or []):
        entry: dict[str, Any] = {
            "Id": f"{logical}-{index}",
            "QueueArn": item["Queue"],
            "Events": [item["Event"]],
        }
        rules = ((item.get("Filter") or {}).get("S3Key") or {}).get("Rules") or []
        if rules:
            entry["Filter"] = {
                "Key": {"FilterRules": [{"Name": r["Name"], "Value": r["Value"]} for r in rules]}
            }
        queues.append(entry)
    if queues:
        result["QueueConfigurations"] = queues
    if (config.get("EventBridgeConfiguration") or {}).get("EventBridgeEnabled") in {True, "true"}:
        result["EventBridgeConfiguration"] = {}
    for skipped in ("LambdaConfigurations", "TopicConfigurations"):
        if config.get(skipped):
            log.info("bucket %s: %s skipped (moto would not run them)", logical, skipped)
    return result


def configure_notifications(s3: Any, template: Template, logical: str) -> None:
    """Apply the bucket's notifications; moto then sends S3 events to the queues (and an s3:TestEvent)."""
    config = notification_configuration(template, logical)
    if not config:
        return
    s3.put_bucket_notification_configuration(
        Bucket=template.physical_name(logical), NotificationConfiguration=config
    )
    log.info("bucket %s: %d queue notification(s)", logical, len(config.get("QueueConfigurations", [])))
