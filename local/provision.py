"""Create the template's buckets, queues, table and distribution in moto.

moto's own CloudFormation cannot create CloudFront distributions or queue and
bucket policies, so the resources the site needs are created one API call at
a time, from the template's own properties. Every step is idempotent: running
it against a moto that already has the stack just re-applies settings.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from botocore.exceptions import ClientError

from local.aws import client
from local.template import NO_VALUE, Template, TemplateError, to_text

log = logging.getLogger("local.provision")

DEFAULT_SITE_URL = "http://127.0.0.1:3000"
DEFAULT_LOG_PREFIX = "cdn/"

# Created here; everything else in the template is skipped with a log line.
BUCKET = "AWS::S3::Bucket"
QUEUE = "AWS::SQS::Queue"
TABLE = "AWS::DynamoDB::Table"
DISTRIBUTION = "AWS::CloudFront::Distribution"
KEY_VALUE_STORE = "AWS::CloudFront::KeyValueStore"
FUNCTIONS = ("AWS::Serverless::Function", "AWS::Lambda::Function")

_SKIP_REASONS = {
    "AWS::S3::BucketPolicy": "moto does not enforce bucket policies",
    "AWS::SQS::QueuePolicy": "moto does not enforce queue policies",
    "AWS::CloudFront::OriginAccessControl": "the local CDN reads the bucket directly",
    "AWS::CloudFront::Function": "ported to local/viewer_request.py",
    "AWS::Serverless::LayerVersion": "its directory is put on sys.path by the runner",
    "AWS::Lambda::LayerVersion": "its directory is put on sys.path by the runner",
    "AWS::Logs::LogGroup": "handler logs go to this process's stdout",
    "AWS::Serverless::Function": "moto cannot run Lambda; the local runner calls the handler",
    "AWS::Lambda::Function": "moto cannot run Lambda; the local runner calls the handler",
}

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
_INDEX_KEYS = ("IndexName", "KeySchema", "Projection", "ProvisionedThroughput", "OnDemandThroughput")


@dataclass(frozen=True)
class ErrorResponse:
    """One CloudFront CustomErrorResponse: what the CDN answers for an origin error."""

    error_code: int
    response_code: int | None
    page_path: str | None
    caching_min_ttl: int


@dataclass(frozen=True)
class DistributionInfo:
    """What the local CDN needs to impersonate the template's distribution."""

    logical_id: str
    id: str
    domain_name: str
    origin_bucket: str
    default_root_object: str
    error_responses: tuple[ErrorResponse, ...]
    log_bucket: str | None
    log_prefix: str
    # The KeyValueStore associated with the viewer-request function (moved pages' redirects).
    key_value_store_arn: str | None = None
    # The security headers of the default behavior's response headers policy, as CloudFront adds them.
    response_headers: tuple[tuple[str, str], ...] = ()


@dataclass(frozen=True)
class QueueInfo:
    """A provisioned queue: where to send, and the ARN S3 and Lambda see."""

    logical_id: str
    name: str
    url: str
    arn: str


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
    result = Provisioned(template=template, endpoint_url=endpoint_url, site_url=site_url)

    for logical, resource in template.resources.items():
        kind = str(resource.get("Type"))
        if not template.exists(logical):
            log.info("skip %s (%s): its Condition is false", logical, kind)
        elif kind not in {BUCKET, QUEUE, TABLE, DISTRIBUTION, KEY_VALUE_STORE}:
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

    outputs = {name: to_text(value) for name, value in template.outputs().items()}
    outputs["SiteUrl"] = site_url
    outputs["EndpointUrl"] = endpoint_url
    outputs["Region"] = region
    result.outputs = outputs
    return result


# --------------------------------------------------------------------- S3


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
        if _code(error) not in {"BucketAlreadyOwnedByYou", "BucketAlreadyExists"}:
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
        s3.put_bucket_tagging(Bucket=name, Tagging={"TagSet": _tags(tags)})
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


# -------------------------------------------------------------------- SQS


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
    tags = {tag["Key"]: tag["Value"] for tag in _tags(template.property(logical, "Tags") or [])}
    try:
        url = sqs.get_queue_url(QueueName=name)["QueueUrl"]
    except ClientError as error:
        if _code(error) not in {"AWS.SimpleQueueService.NonExistentQueue", "QueueDoesNotExist"}:
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


# --------------------------------------------------------------- DynamoDB


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
        kwargs["Tags"] = _tags(props["Tags"])
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
        if _code(error) != "ResourceNotFoundException":
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


# ------------------------------------------------------------- CloudFront


def _bucket_from_domain(domain: str, buckets: Mapping[str, str]) -> str | None:
    """``name.s3.region.amazonaws.com`` (or the global form) back to a provisioned bucket name."""
    for name in buckets.values():
        if domain == name or domain.startswith(f"{name}.s3.") or domain.startswith(f"{name}.s3-"):
            return name
    return None


def _optional(template: Template, logical: str, path: str, node: Any, default: Any) -> Any:
    """Resolve an optional part of the distribution; local-only gaps fall back with a log line."""
    if node is None:
        return default
    try:
        value = template.resolve(node, f"Resources.{logical}.Properties.DistributionConfig.{path}")
    except TemplateError as error:
        log.warning("distribution %s: %s; using %r", logical, error, default)
        return default
    return default if value is NO_VALUE else value


def create_distribution(
    cloudfront: Any, template: Template, logical: str, buckets: Mapping[str, str]
) -> DistributionInfo:
    """Create a minimal distribution in moto (one S3 origin on the site bucket) and read its settings."""
    config = template.properties(logical).get("DistributionConfig") or {}
    origins = _optional(template, logical, "Origins", config.get("Origins"), [])
    origin_bucket = None
    origin_id = "site"
    for origin in origins:
        origin_bucket = _bucket_from_domain(str(origin.get("DomainName", "")), buckets)
        if origin_bucket:
            origin_id = str(origin.get("Id", origin_id))
            break
    if origin_bucket is None:
        origin_bucket = buckets.get("SiteBucket")
    if origin_bucket is None:
        raise TemplateError(f"Resources.{logical}: no origin points at a bucket of this template")

    reference = f"{template.stack_name}-{logical}"
    distribution = _find_distribution(cloudfront, reference)
    if distribution is None:
        comment = _optional(template, logical, "Comment", config.get("Comment"), reference)
        distribution = cloudfront.create_distribution(
            DistributionConfig={
                "CallerReference": reference,
                "Comment": str(comment)[:128],
                "Enabled": True,
                "Origins": {
                    "Quantity": 1,
                    "Items": [
                        {
                            "Id": origin_id,
                            "DomainName": f"{origin_bucket}.s3.{template.region}.amazonaws.com",
                            "S3OriginConfig": {"OriginAccessIdentity": ""},
                        }
                    ],
                },
                "DefaultCacheBehavior": {
                    "TargetOriginId": origin_id,
                    "ViewerProtocolPolicy": "redirect-to-https",
                },
            }
        )["Distribution"]
    distribution_id, domain = distribution["Id"], distribution["DomainName"]
    template.register(logical, distribution_id, Id=distribution_id, DomainName=domain)

    errors = []
    for item in _optional(template, logical, "CustomErrorResponses", config.get("CustomErrorResponses"), []):
        errors.append(
            ErrorResponse(
                error_code=int(item["ErrorCode"]),
                response_code=int(item["ResponseCode"]) if item.get("ResponseCode") else None,
                page_path=str(item["ResponsePagePath"]) if item.get("ResponsePagePath") else None,
                caching_min_ttl=int(item.get("ErrorCachingMinTTL", 10)),
            )
        )
    logging_config = _optional(template, logical, "Logging", config.get("Logging"), {}) or {}
    log_bucket = _bucket_from_domain(str(logging_config.get("Bucket", "")), buckets)
    log_prefix = str(logging_config.get("Prefix", DEFAULT_LOG_PREFIX)) if log_bucket else DEFAULT_LOG_PREFIX
    if log_bucket is None:
        log_bucket = buckets.get("LogsBucket")
    root_object = _optional(template, logical, "DefaultRootObject", config.get("DefaultRootObject"), "")
    store = viewer_request_store(template, logical)
    log.info("distribution %s: %s (%s) on bucket %s", logical, distribution_id, domain, origin_bucket)
    return DistributionInfo(
        logical_id=logical,
        id=distribution_id,
        domain_name=domain,
        origin_bucket=origin_bucket,
        default_root_object=str(root_object or ""),
        error_responses=tuple(errors),
        log_bucket=log_bucket,
        log_prefix=log_prefix,
        key_value_store_arn=store,
        response_headers=response_headers(template, logical),
    )


def response_headers(template: Template, logical: str) -> tuple[tuple[str, str], ...]:
    """The headers the default behavior's ``AWS::CloudFront::ResponseHeadersPolicy`` adds.

    Managed policies (an id, not a ``Ref``) are not known locally: none are added.
    """
    config = template.properties(logical).get("DistributionConfig") or {}
    reference = (config.get("DefaultCacheBehavior") or {}).get("ResponseHeadersPolicyId")
    if not isinstance(reference, dict) or "Ref" not in reference:
        return ()
    policy = template.property(str(reference["Ref"]), "ResponseHeadersPolicyConfig") or {}
    security = policy.get("SecurityHeadersConfig") or {}
    headers: list[tuple[str, str]] = []
    if "ContentSecurityPolicy" in security:
        headers.append(
            ("Content-Security-Policy", str(security["ContentSecurityPolicy"]["ContentSecurityPolicy"]))
        )
    if "StrictTransportSecurity" in security:
        hsts = security["StrictTransportSecurity"]
        value = f"max-age={int(hsts['AccessControlMaxAgeSec'])}"
        value += "; includeSubDomains" if hsts.get("IncludeSubdomains") else ""
        value += "; preload" if hsts.get("Preload") else ""
        headers.append(("Strict-Transport-Security", value))
    if "ContentTypeOptions" in security:
        headers.append(("X-Content-Type-Options", "nosniff"))
    if "FrameOptions" in security:
        headers.append(("X-Frame-Options", str(security["FrameOptions"]["FrameOption"])))
    if "ReferrerPolicy" in security:
        headers.append(("Referrer-Policy", str(security["ReferrerPolicy"]["ReferrerPolicy"])))
    return tuple(headers)


def viewer_request_store(template: Template, logical: str) -> str | None:
    """ARN of the KeyValueStore associated with the distribution's viewer-request function, if any."""
    config = template.properties(logical).get("DistributionConfig") or {}
    behavior = config.get("DefaultCacheBehavior") or {}
    for association in behavior.get("FunctionAssociations") or []:
        if association.get("EventType") != "viewer-request":
            continue
        for function in sorted(template.references(association.get("FunctionARN"))):
            if template.resource_type(function) != "AWS::CloudFront::Function":
                continue
            function_config = template.properties(function).get("FunctionConfig") or {}
            for index, item in enumerate(function_config.get("KeyValueStoreAssociations") or []):
                path = f"Resources.{function}.Properties.FunctionConfig.KeyValueStoreAssociations[{index}]"
                try:
                    return to_text(template.resolve(item.get("KeyValueStoreARN"), path))
                except TemplateError as error:
                    log.warning("distribution %s: %s; no redirects locally", logical, error)
    return None


def create_key_value_store(cloudfront: Any, template: Template, logical: str) -> str:
    """Create the store in moto's CloudFront (control plane), or find it; returns its ARN.

    moto has no data plane: ``local/kvs.py`` serves the keys, and the local
    stack registers every ARN provisioned here with it.
    """
    name = to_text(template.property(logical, "Name") or template.physical_name(logical))
    existing = cloudfront.list_key_value_stores().get("KeyValueStoreList", {}).get("Items") or []
    store = next((item for item in existing if item.get("Name") == name), None)
    if store is None:
        comment = to_text(template.property(logical, "Comment") or "")
        store = cloudfront.create_key_value_store(Name=name, Comment=comment)["KeyValueStore"]
    arn = str(store["ARN"])
    template.register(logical, name, Arn=arn, Id=store["Id"], Status=store.get("Status", "READY"))
    log.info("key value store %s: %s (%s)", logical, name, arn)
    return arn


def _find_distribution(cloudfront: Any, reference: str) -> dict[str, Any] | None:
    """The distribution an earlier run created (same CallerReference), if moto still has it."""
    listing = cloudfront.list_distributions().get("DistributionList", {})
    for item in listing.get("Items") or []:
        config = cloudfront.get_distribution_config(Id=item["Id"])["DistributionConfig"]
        if config.get("CallerReference") == reference:
            return {"Id": item["Id"], "DomainName": item["DomainName"]}
    return None


# ----------------------------------------------------------------- shared


def _tags(tags: Any) -> list[dict[str, str]]:
    if isinstance(tags, dict):  # SAM-style map
        return [{"Key": str(k), "Value": to_text(v)} for k, v in tags.items()]
    return [{"Key": str(tag["Key"]), "Value": to_text(tag["Value"])} for tag in tags]


def _throughput(value: Any) -> dict[str, int]:
    value = value or {}
    return {
        "ReadCapacityUnits": int(value.get("ReadCapacityUnits", 5)),
        "WriteCapacityUnits": int(value.get("WriteCapacityUnits", 5)),
    }


def _code(error: ClientError) -> str:
    return str(error.response.get("Error", {}).get("Code", ""))
