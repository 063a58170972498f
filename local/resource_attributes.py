"""What ``Ref`` and ``Fn::GetAtt`` give for each resource type, as tables.

``GET_ATT`` maps (resource type, attribute) to a format or a small function,
``DEFAULT_REFS`` maps a resource type to what its ``Ref`` is before moto has
created it. A format names fields (``{name}``, ``{region}``, ...) that are
computed only when the format uses them. Values that only exist once moto
creates the resource (queue URLs, the distribution id) are registered on the
template by the provisioner and take precedence over both tables.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Any, Final

from local.template_data import URL_SUFFIX, TemplateError, suffix, to_text

if TYPE_CHECKING:
    from local.template import Template

BUCKET: Final = "AWS::S3::Bucket"
QUEUE: Final = "AWS::SQS::Queue"
TABLE: Final = "AWS::DynamoDB::Table"
DISTRIBUTION: Final = "AWS::CloudFront::Distribution"
ORIGIN_ACCESS_CONTROL: Final = "AWS::CloudFront::OriginAccessControl"
CLOUDFRONT_FUNCTION: Final = "AWS::CloudFront::Function"
KEY_VALUE_STORE: Final = "AWS::CloudFront::KeyValueStore"
LOG_GROUP: Final = "AWS::Logs::LogGroup"
ROLE: Final = "AWS::IAM::Role"
TOPIC: Final = "AWS::SNS::Topic"
SCHEDULE_GROUP: Final = "AWS::Scheduler::ScheduleGroup"
SCHEDULE: Final = "AWS::Scheduler::Schedule"
SERVERLESS_FUNCTION: Final = "AWS::Serverless::Function"
LAYER_TYPES: Final = ("AWS::Serverless::LayerVersion", "AWS::Lambda::LayerVersion")
FUNCTION_TYPES: Final = (SERVERLESS_FUNCTION, "AWS::Lambda::Function")

# Property holding the physical name, when the template chooses one.
NAME_PROPERTIES: Final = {
    BUCKET: "BucketName",
    QUEUE: "QueueName",
    TABLE: "TableName",
    SERVERLESS_FUNCTION: "FunctionName",
    "AWS::Lambda::Function": "FunctionName",
    "AWS::Serverless::LayerVersion": "LayerName",
    "AWS::Lambda::LayerVersion": "LayerName",
    CLOUDFRONT_FUNCTION: "Name",
    KEY_VALUE_STORE: "Name",
    LOG_GROUP: "LogGroupName",
    ROLE: "RoleName",
    TOPIC: "TopicName",
    SCHEDULE_GROUP: "Name",  # a group's Ref is its name, as a schedule's is
    SCHEDULE: "Name",
}

# (template, logical id, path of the node) -> the value
Value = Callable[["Template", str, str], Any]


def _store_id(template: Template, logical: str) -> str:
    """A KeyValueStore's id before provisioning registers moto's: stable and UUID-shaped."""
    digest = hashlib.sha256(f"{template.stack_name}/{logical}".encode()).hexdigest()
    return f"{digest[:8]}-{digest[8:12]}-{digest[12:16]}-{digest[16:20]}-{digest[20:32]}"


# The fields a format may name: (template, logical id) -> text.
_FIELDS: Final[Mapping[str, Callable[[Template, str], str]]] = {
    "name": lambda template, logical: template.physical_name(logical),
    "partition": lambda template, logical: template.partition,
    "region": lambda template, logical: template.region,
    "account": lambda template, logical: template.account_id,
    "url_suffix": lambda template, logical: URL_SUFFIX,
    "sqs_endpoint": lambda template, logical: (
        template.endpoint_url or f"https://sqs.{template.region}.{URL_SUFFIX}"
    ),
    "store_id": _store_id,
}


class _Fields(dict[str, str]):
    """The fields of one resource, each computed the first time a format uses it."""

    def __init__(self, template: Template, logical: str) -> None:
        super().__init__()
        self.template = template
        self.logical = logical

    def __missing__(self, field: str) -> str:
        value = _FIELDS[field](self.template, self.logical)
        self[field] = value
        return value


def _value(entry: str | Value, template: Template, logical: str, path: str) -> Any:
    if isinstance(entry, str):
        return entry.format_map(_Fields(template, logical))
    return entry(template, logical, path)


def _unsupported(template: Template, logical: str, attribute: str, type_: str, path: str) -> TemplateError:
    if type_ in _NAME_BEFORE_ATTRIBUTE:
        template.physical_name(logical)  # an unresolvable name is the error reported first
    return TemplateError(f"{path}: Fn::GetAtt {logical}.{attribute} ({type_}) is not supported locally")


# --------------------------------------------------------------- Fn::GetAtt


def _stream_arn(template: Template, logical: str, path: str) -> str:
    table_arn = _value(GET_ATT[(TABLE, "Arn")], template, logical, path)
    if not template.property(logical, "StreamSpecification"):
        raise _unsupported(template, logical, "StreamArn", TABLE, path)
    return f"{table_arn}/stream/1970-01-01T00:00:00.000"


def _distribution_domain(template: Template, logical: str, path: str) -> str:
    raise TemplateError(f"{path}: distribution {logical} has no domain until it is provisioned")


def _own_ref(template: Template, logical: str, path: str) -> Any:
    return template.ref(logical, path)


def _role_id(template: Template, logical: str, path: str) -> str:
    return "AROA" + suffix(template.stack_name, logical, length=17)


def _schedule_arn(template: Template, logical: str, path: str) -> str:
    group = to_text(template.property(logical, "GroupName") or "default")
    return (
        f"arn:{template.partition}:scheduler:{template.region}:{template.account_id}:schedule/"
        f"{group}/{template.physical_name(logical)}"
    )


_LAMBDA_ARN: Final = "arn:{partition}:lambda:{region}:{account}:function:{name}"
_CLOUDFRONT_FUNCTION_ARN: Final = "arn:{partition}:cloudfront::{account}:function/{name}"

GET_ATT: Final[Mapping[tuple[str, str], str | Value]] = {
    (BUCKET, "Arn"): "arn:{partition}:s3:::{name}",
    (BUCKET, "DomainName"): "{name}.s3.{url_suffix}",
    (BUCKET, "RegionalDomainName"): "{name}.s3.{region}.{url_suffix}",
    (BUCKET, "DualStackDomainName"): "{name}.s3.dualstack.{region}.{url_suffix}",
    (BUCKET, "WebsiteURL"): "http://{name}.s3-website-{region}.{url_suffix}",
    (QUEUE, "Arn"): "arn:{partition}:sqs:{region}:{account}:{name}",
    (QUEUE, "QueueName"): "{name}",
    (QUEUE, "QueueUrl"): "{sqs_endpoint}/{account}/{name}",
    (TABLE, "Arn"): "arn:{partition}:dynamodb:{region}:{account}:table/{name}",
    (TABLE, "StreamArn"): _stream_arn,  # only when the table has a StreamSpecification
    (DISTRIBUTION, "Id"): _own_ref,
    (DISTRIBUTION, "DomainName"): _distribution_domain,
    **{(function, "Arn"): _LAMBDA_ARN for function in FUNCTION_TYPES},
    (CLOUDFRONT_FUNCTION, "FunctionARN"): _CLOUDFRONT_FUNCTION_ARN,
    (CLOUDFRONT_FUNCTION, "FunctionMetadata.FunctionARN"): _CLOUDFRONT_FUNCTION_ARN,
    (CLOUDFRONT_FUNCTION, "Stage"): "LIVE",
    (ORIGIN_ACCESS_CONTROL, "Id"): _own_ref,
    (KEY_VALUE_STORE, "Id"): "{store_id}",
    (KEY_VALUE_STORE, "Arn"): "arn:{partition}:cloudfront::{account}:key-value-store/{store_id}",
    (KEY_VALUE_STORE, "Status"): "READY",
    (LOG_GROUP, "Arn"): "arn:{partition}:logs:{region}:{account}:log-group:{name}:*",
    (ROLE, "Arn"): "arn:{partition}:iam::{account}:role/{name}",
    (ROLE, "RoleId"): _role_id,
    (TOPIC, "TopicArn"): "arn:{partition}:sns:{region}:{account}:{name}",
    (TOPIC, "TopicName"): "{name}",
    (SCHEDULE_GROUP, "Arn"): "arn:{partition}:scheduler:{region}:{account}:schedule-group/{name}",
    (SCHEDULE, "Arn"): _schedule_arn,
}

# Types whose physical name is resolved before the attribute is looked up: for
# them a name that cannot resolve is reported rather than the unknown attribute.
_NAME_BEFORE_ATTRIBUTE: Final = frozenset({BUCKET, QUEUE, TABLE, TOPIC})


def function_url(template: Template, logical: str, attribute: str) -> str | None:
    """``<Function>Url.FunctionUrl``: SAM's generated URL resource, for a function with FunctionUrlConfig.

    Locally the CDN calls the handler in process; the URL only has to be stable.
    """
    function = logical.removesuffix("Url")
    if (
        attribute == "FunctionUrl"
        and function != logical
        and template.resources.get(function, {}).get("Type") == SERVERLESS_FUNCTION
        and template.property(function, "FunctionUrlConfig")
    ):
        token = hashlib.sha256(template.physical_name(function).encode()).hexdigest()[:32]
        return f"https://{token}.lambda-url.{template.region}.on.aws/"
    return None


def get_att(template: Template, logical: str, attribute: str, path: str = "") -> Any:
    """``Fn::GetAtt`` for the attributes the local stack knows how to produce (nothing registered)."""
    url = function_url(template, logical, attribute)
    if url is not None:
        return url
    type_ = template.existing_type(logical, path)
    entry = GET_ATT.get((type_, attribute))
    if entry is None:
        raise _unsupported(template, logical, attribute, type_, path)
    return _value(entry, template, logical, path)


# ---------------------------------------------------------------------- Ref


def _distribution_id(template: Template, logical: str, path: str) -> str:
    raise TemplateError(f"{path}: distribution {logical} has no local id until it is provisioned")


def _origin_access_control_id(template: Template, logical: str, path: str) -> str:
    return "E" + suffix(template.stack_name, logical, length=13)


def _attribute(attribute: str) -> Value:
    """A ``Ref`` that is one of the resource's attributes (a queue's is its URL)."""
    return lambda template, logical, path: template.get_att(logical, attribute, path)


DEFAULT_REFS: Final[Mapping[str, str | Value]] = {
    QUEUE: _attribute("QueueUrl"),
    **dict.fromkeys(LAYER_TYPES, "arn:{partition}:lambda:{region}:{account}:layer:{name}:1"),
    CLOUDFRONT_FUNCTION: _attribute("FunctionARN"),
    TOPIC: _attribute("TopicArn"),
    DISTRIBUTION: _distribution_id,
    ORIGIN_ACCESS_CONTROL: _origin_access_control_id,
}


def default_ref(template: Template, logical: str, type_: str, path: str) -> Any:
    """``Ref`` of a resource nothing was registered for: by type, else its name, else a generated id."""
    entry = DEFAULT_REFS.get(type_)
    if entry is not None:
        return _value(entry, template, logical, path)
    if type_ in NAME_PROPERTIES:
        return template.physical_name(logical)
    return generated_name(template, logical)


# -------------------------------------------------------------------- names


def generated_name(template: Template, logical: str) -> str:
    """CloudFormation's ``<stack>-<logical>-<suffix>`` name, with a stable suffix."""
    return f"{template.stack_name}-{logical}-{suffix(template.stack_name, logical)}"


def physical_name(template: Template, logical: str, type_: str) -> str:
    """The resource's name property when the template sets it, else a generated one within AWS's limits."""
    name_property = NAME_PROPERTIES.get(type_)
    if name_property and logical in template.resources:
        value = template.property(logical, name_property)
        if value is not None:
            return to_text(value)
    generated = generated_name(template, logical)
    if type_ == BUCKET:
        return generated.lower()[:63]
    if type_ == QUEUE and template.property(logical, "FifoQueue") in {True, "true"}:
        return generated[:75] + ".fifo"
    return generated[:64]
