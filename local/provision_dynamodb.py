"""The template's tables in moto: key schema, indexes, billing, streams, SSE, PITR and TTL."""

from __future__ import annotations

import logging
from collections.abc import Mapping
from typing import Any

from botocore.exceptions import ClientError

from local.provision_helpers import api_tags, error_code
from local.template import Template

log = logging.getLogger("local.provision")  # the provisioning log, whichever service

_INDEX_KEYS = ("IndexName", "KeySchema", "Projection", "ProvisionedThroughput", "OnDemandThroughput")


def table_definition(template: Template, logical: str) -> dict[str, Any]:
    """CreateTable arguments from the table's properties (key schema, indexes, billing, streams, SSE)."""
    props = template.resolved_properties(logical)
    billing = props.get("BillingMode", "PROVISIONED")
    kwargs: dict[str, Any] = {
        "TableName": template.physical_name(logical),
        "AttributeDefinitions": props["AttributeDefinitions"],
        "KeySchema": props["KeySchema"],
        "BillingMode": billing,
    }
    if billing == "PROVISIONED":
        kwargs["ProvisionedThroughput"] = _throughput(props.get("ProvisionedThroughput"))
    for key in ("GlobalSecondaryIndexes", "LocalSecondaryIndexes"):
        if props.get(key):
            indexes = [{k: v for k, v in index.items() if k in _INDEX_KEYS} for index in props[key]]
            if key == "GlobalSecondaryIndexes" and billing == "PROVISIONED":
                for index in indexes:
                    index["ProvisionedThroughput"] = _throughput(index.get("ProvisionedThroughput"))
            if key == "LocalSecondaryIndexes":
                for index in indexes:
                    index.pop("ProvisionedThroughput", None)
            kwargs[key] = indexes
    stream = props.get("StreamSpecification")
    if stream:
        kwargs["StreamSpecification"] = {"StreamEnabled": True, "StreamViewType": stream["StreamViewType"]}
    if props.get("SSESpecification"):
        kwargs["SSESpecification"] = _sse(props["SSESpecification"])
    for key in ("TableClass", "DeletionProtectionEnabled"):
        if key in props:
            kwargs[key] = props[key]
    if props.get("Tags"):
        kwargs["Tags"] = api_tags(props["Tags"])
    return kwargs


def _sse(sse: Mapping[str, Any]) -> dict[str, Any]:
    """CFN's ``SSEEnabled`` is the API's ``Enabled``."""
    spec: dict[str, Any] = {"Enabled": sse.get("SSEEnabled") in {True, "true"}}
    for key in ("SSEType", "KMSMasterKeyId"):
        if sse.get(key):
            spec[key] = sse[key]
    return spec


def create_table(dynamodb: Any, template: Template, logical: str) -> str:
    """Create the table, then apply point-in-time recovery and TTL as the template says."""
    definition = table_definition(template, logical)
    name = definition["TableName"]
    try:
        existing = dynamodb.describe_table(TableName=name)["Table"]
    except ClientError as error:
        if error_code(error) != "ResourceNotFoundException":
            raise
        dynamodb.create_table(**definition)
    else:
        if existing.get("KeySchema") != definition["KeySchema"]:
            log.warning("table %s exists with another key schema; restart moto to recreate it", name)
    pitr = template.property(logical, "PointInTimeRecoverySpecification")
    if pitr and pitr.get("PointInTimeRecoveryEnabled") in {True, "true"}:
        dynamodb.update_continuous_backups(
            TableName=name, PointInTimeRecoverySpecification={"PointInTimeRecoveryEnabled": True}
        )
    ttl = template.property(logical, "TimeToLiveSpecification")
    if ttl and ttl.get("Enabled") in {True, "true"}:
        current = dynamodb.describe_time_to_live(TableName=name)["TimeToLiveDescription"]
        if current.get("TimeToLiveStatus") not in {"ENABLED", "ENABLING"}:
            dynamodb.update_time_to_live(
                TableName=name,
                TimeToLiveSpecification={"Enabled": True, "AttributeName": ttl["AttributeName"]},
            )
    described = dynamodb.describe_table(TableName=name)["Table"]
    attributes = {"Arn": described["TableArn"]}
    if described.get("LatestStreamArn"):
        attributes["StreamArn"] = described["LatestStreamArn"]
    template.register(logical, name, **attributes)
    log.info("table %s: %s", logical, name)
    return str(name)


def _throughput(value: Any) -> dict[str, int]:
    value = value or {}
    return {
        "ReadCapacityUnits": int(value.get("ReadCapacityUnits", 5)),
        "WriteCapacityUnits": int(value.get("WriteCapacityUnits", 5)),
    }
