"""Read template.yaml and resolve its intrinsics for a local, never-deployed stack.

The local stack is built from the template itself so that the two cannot
drift: bucket, queue and table names, key schemas, notification filters and
function environments all come from here. Only the intrinsics this template
family needs are implemented; anything else fails loudly with the path of the
offending node instead of silently producing a wrong name.
"""

from __future__ import annotations

import base64
import hashlib
import json
import re
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any, Final

STACK_NAME: Final = "newsroom-local"
ACCOUNT_ID: Final = "123456789012"
REGION: Final = "us-east-1"
PARTITION: Final = "aws"
URL_SUFFIX: Final = "amazonaws.com"

_SUB_VARIABLE = re.compile(r"\$\{([^}]*)\}")


class TemplateError(Exception):
    """The template cannot be resolved locally; the message names the path."""


class _NoValue:
    """``AWS::NoValue``: the property is removed, as CloudFormation does."""

    _instance: _NoValue | None = None

    def __new__(cls) -> _NoValue:
        if cls._instance is None:
            cls._instance = super().__new__(cls)
        return cls._instance

    def __repr__(self) -> str:
        return "NO_VALUE"


NO_VALUE: Final = _NoValue()

# Property holding the physical name, when the template chooses one.
_NAME_PROPERTIES: Final = {
    "AWS::S3::Bucket": "BucketName",
    "AWS::SQS::Queue": "QueueName",
    "AWS::DynamoDB::Table": "TableName",
    "AWS::Serverless::Function": "FunctionName",
    "AWS::Lambda::Function": "FunctionName",
    "AWS::Serverless::LayerVersion": "LayerName",
    "AWS::Lambda::LayerVersion": "LayerName",
    "AWS::CloudFront::Function": "Name",
    "AWS::CloudFront::KeyValueStore": "Name",
    "AWS::Logs::LogGroup": "LogGroupName",
    "AWS::IAM::Role": "RoleName",
    "AWS::SNS::Topic": "TopicName",
}

_LAYER_TYPES: Final = ("AWS::Serverless::LayerVersion", "AWS::Lambda::LayerVersion")
_FUNCTION_TYPES: Final = ("AWS::Serverless::Function", "AWS::Lambda::Function")


def load_body(path: str | Path) -> dict[str, Any]:
    """Parse a template with cfn-lint's decoder (it understands the ``!`` tags)."""
    from cfnlint.decode import cfn_yaml  # noqa: PLC0415 - heavy import, only when a template is read

    body: dict[str, Any] = _plain(cfn_yaml.load(str(path)))
    return body


def _plain(node: Any) -> Any:
    """Copy cfn-lint's node subclasses into plain dicts, lists and scalars."""
    if isinstance(node, Mapping):
        return {str(key): _plain(value) for key, value in node.items()}
    if isinstance(node, list | tuple):
        return [_plain(item) for item in node]
    for kind in (bool, int, float, str):  # bool first: it is an int subclass
        if isinstance(node, kind):
            return kind(node)
    return node


def suffix(*parts: str, length: int = 12) -> str:
    """A stable stand-in for CloudFormation's random name suffix.

    Deterministic so that re-provisioning an existing moto finds the same names.
    """
    digest = hashlib.sha256("/".join(parts).encode()).digest()
    return base64.b32encode(digest).decode().rstrip("=")[:length]


def to_text(value: Any) -> str:
    """CloudFormation's string form of a scalar (``true``, not ``True``)."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, list):
        return ",".join(to_text(item) for item in value)
    return str(value)


def merge_globals(global_props: Mapping[str, Any], props: Mapping[str, Any]) -> dict[str, Any]:
    """SAM's Globals rules: maps merge (resource wins), lists concatenate, scalars are replaced."""
    merged: dict[str, Any] = dict(global_props)
    for key, value in props.items():
        current = merged.get(key)
        if isinstance(current, dict) and isinstance(value, dict) and not _is_intrinsic(value):
            merged[key] = merge_globals(current, value)
        elif isinstance(current, list) and isinstance(value, list):
            merged[key] = [*current, *value]
        else:
            merged[key] = value
    return merged


def _is_intrinsic(node: Any) -> bool:
    if not isinstance(node, dict) or len(node) != 1:
        return False
    key = next(iter(node))
    return key in {"Ref", "Condition"} or key.startswith("Fn::")


class Template:
    """A template plus the local stack it describes: parameters, conditions, physical ids.

    Physical ids that only exist once moto creates the resource (queue URLs,
    the distribution id) are registered by the provisioner with ``register``.
    """

    def __init__(
        self,
        body: Mapping[str, Any],
        *,
        path: str | Path | None = None,
        stack_name: str = STACK_NAME,
        account_id: str = ACCOUNT_ID,
        region: str = REGION,
        partition: str = PARTITION,
        parameters: Mapping[str, Any] | None = None,
        endpoint_url: str | None = None,
    ) -> None:
        self.body: dict[str, Any] = _plain(body)
        self.path = Path(path) if path is not None else None
        self.stack_name = stack_name
        self.account_id = account_id
        self.region = region
        self.partition = partition
        self.endpoint_url = endpoint_url.rstrip("/") if endpoint_url else None
        self.parameters = self._parameter_values(parameters or {})
        self._refs: dict[str, Any] = {}
        self._attributes: dict[tuple[str, str], Any] = {}
        self._conditions: dict[str, bool] = {}
        self._evaluating: list[str] = []

    @classmethod
    def load(cls, path: str | Path, **kwargs: Any) -> Template:
        """Load ``path`` and build the local stack's view of it."""
        return cls(load_body(path), path=path, **kwargs)

    @property
    def root(self) -> Path:
        """Directory that CodeUri/ContentUri are relative to."""
        return self.path.parent if self.path is not None else Path.cwd()

    # ----------------------------------------------------------------- sections

    @property
    def resources(self) -> dict[str, dict[str, Any]]:
        """Every resource, including those whose Condition is false."""
        resources: dict[str, dict[str, Any]] = self.body.get("Resources") or {}
        return resources

    def resource_type(self, logical: str) -> str:
        """The ``Type`` of a resource, or an error naming it."""
        try:
            return str(self.resources[logical]["Type"])
        except KeyError:
            raise TemplateError(f"Resources.{logical}: no such resource") from None

    def exists(self, logical: str) -> bool:
        """True when the resource is in the template and its Condition (if any) holds."""
        resource = self.resources.get(logical)
        if resource is None:
            return False
        condition = resource.get("Condition")
        return condition is None or self.condition(str(condition))

    def logical_ids(self, *types: str) -> list[str]:
        """Resources of the given types that exist in this stack, in template order."""
        return [
            logical
            for logical, resource in self.resources.items()
            if resource.get("Type") in types and self.exists(logical)
        ]

    def properties(self, logical: str) -> dict[str, Any]:
        """Unresolved properties; a Serverless::Function gets its Globals merged in."""
        resource = self.resources.get(logical)
        if resource is None:
            raise TemplateError(f"Resources.{logical}: no such resource")
        props: dict[str, Any] = resource.get("Properties") or {}
        if resource.get("Type") == "AWS::Serverless::Function":
            function_globals = (self.body.get("Globals") or {}).get("Function") or {}
            props = merge_globals(function_globals, props)
        return props

    def resolved_properties(self, logical: str) -> dict[str, Any]:
        """All properties, resolved; prefer ``property`` when others may not resolve locally."""
        resolved: dict[str, Any] = self.resolve(self.properties(logical), f"Resources.{logical}.Properties")
        return resolved

    def property(self, logical: str, name: str, default: Any = None) -> Any:
        """One resolved property (``NO_VALUE`` and absence both give ``default``)."""
        props = self.properties(logical)
        if name not in props:
            return default
        value = self.resolve(props[name], f"Resources.{logical}.Properties.{name}")
        return default if value is NO_VALUE else value

    # ------------------------------------------------------------- parameters

    def _parameter_values(self, overrides: Mapping[str, Any]) -> dict[str, Any]:
        declared: dict[str, Any] = self.body.get("Parameters") or {}
        unknown = sorted(set(overrides) - set(declared))
        if unknown:
            raise TemplateError(f"Parameters: {', '.join(unknown)} not declared in the template")
        values: dict[str, Any] = {}
        for name, spec in declared.items():
            if name in overrides:
                raw = overrides[name]
            elif "Default" in spec:
                raw = spec["Default"]
            else:
                continue  # an error only if something uses it
            text = to_text(raw)
            allowed = spec.get("AllowedValues")
            if allowed is not None and text not in [to_text(v) for v in allowed]:
                raise TemplateError(f"Parameters.{name}: {text!r} is not one of {allowed}")
            kind = str(spec.get("Type", "String"))
            if kind == "CommaDelimitedList" or kind.startswith("List<"):
                values[name] = [item.strip() for item in text.split(",")] if text else []
            else:
                values[name] = text
        return values

    # ------------------------------------------------------------- conditions

    def condition(self, name: str) -> bool:
        """Evaluate a named condition (memoised, cycle-checked)."""
        if name in self._conditions:
            return self._conditions[name]
        conditions: dict[str, Any] = self.body.get("Conditions") or {}
        if name not in conditions:
            raise TemplateError(f"Conditions.{name}: no such condition")
        if name in self._evaluating:
            raise TemplateError(f"Conditions.{name}: circular condition ({' -> '.join(self._evaluating)})")
        self._evaluating.append(name)
        try:
            value = self._condition_value(conditions[name], f"Conditions.{name}")
        finally:
            self._evaluating.pop()
        self._conditions[name] = value
        return value

    def _condition_value(self, node: Any, path: str) -> bool:
        if isinstance(node, dict) and set(node) == {"Condition"}:
            return self.condition(str(node["Condition"]))
        value = self.resolve(node, path)
        if not isinstance(value, bool):
            raise TemplateError(f"{path}: expected a condition, got {value!r}")
        return value

    # ---------------------------------------------------------------- resolve

    def resolve(self, node: Any, path: str = "") -> Any:
        """Resolve every intrinsic under ``node``; ``AWS::NoValue`` entries are dropped."""
        if isinstance(node, dict):
            if len(node) == 1:
                ((key, arg),) = node.items()
                if key == "Ref" or key.startswith("Fn::"):
                    return self._intrinsic(key, arg, f"{path}.{key}" if path else key)
            out: dict[str, Any] = {}
            for key, value in node.items():
                resolved = self.resolve(value, f"{path}.{key}" if path else key)
                if resolved is not NO_VALUE:
                    out[key] = resolved
            return out
        if isinstance(node, list):
            items = [self.resolve(item, f"{path}[{index}]") for index, item in enumerate(node)]
            return [item for item in items if item is not NO_VALUE]
        return node

    def _intrinsic(self, name: str, arg: Any, path: str) -> Any:  # noqa: PLR0911, PLR0912 - one branch per intrinsic
        if name == "Ref":
            return self.ref(self._text(arg, path), path)
        if name == "Fn::GetAtt":
            if isinstance(arg, str):
                logical, _, attribute = arg.partition(".")
            elif isinstance(arg, list) and len(arg) == 2:
                logical, attribute = str(arg[0]), self._text(arg[1], path)
            else:
                raise TemplateError(f"{path}: Fn::GetAtt takes [Resource, Attribute], got {arg!r}")
            return self.get_att(logical, attribute, path)
        if name == "Fn::Sub":
            return self._sub(arg, path)
        if name == "Fn::If":
            if not isinstance(arg, list) or len(arg) != 3:
                raise TemplateError(f"{path}: Fn::If takes [Condition, IfTrue, IfFalse]")
            chosen = 1 if self.condition(str(arg[0])) else 2
            return self.resolve(arg[chosen], f"{path}[{chosen}]")
        if name == "Fn::Equals":
            left, right = self._args(arg, 2, path)
            return to_text(self.resolve(left, f"{path}[0]")) == to_text(self.resolve(right, f"{path}[1]"))
        if name == "Fn::Not":
            (only,) = self._args(arg, 1, path)
            return not self._condition_value(only, f"{path}[0]")
        if name in {"Fn::And", "Fn::Or"}:
            if not isinstance(arg, list) or not 2 <= len(arg) <= 10:
                raise TemplateError(f"{path}: {name} takes 2 to 10 conditions")
            values = [self._condition_value(item, f"{path}[{i}]") for i, item in enumerate(arg)]
            return all(values) if name == "Fn::And" else any(values)
        if name == "Fn::Join":
            delimiter, items = self._args(arg, 2, path)
            values = self.resolve(items, f"{path}[1]")
            if not isinstance(values, list):
                raise TemplateError(f"{path}: Fn::Join needs a list, got {values!r}")
            return str(delimiter).join(to_text(value) for value in values)
        if name == "Fn::Select":
            index, items = self._args(arg, 2, path)
            values = self.resolve(items, f"{path}[1]")
            position = int(to_text(self.resolve(index, f"{path}[0]")))
            if not isinstance(values, list) or not 0 <= position < len(values):
                raise TemplateError(f"{path}: Fn::Select index {position} out of range for {values!r}")
            return values[position]
        if name == "Fn::Split":
            delimiter, source = self._args(arg, 2, path)
            return self._text(source, f"{path}[1]").split(str(delimiter))
        if name == "Fn::GetAZs":
            return [f"{self.region}{letter}" for letter in "abc"]
        if name == "Fn::FindInMap":
            return self._find_in_map(arg, path)
        if name == "Fn::Base64":
            return base64.b64encode(self._text(arg, path).encode()).decode()
        if name == "Fn::ToJsonString":
            return json.dumps(self.resolve(arg, path), separators=(",", ":"))
        if name == "Fn::Length":
            values = self.resolve(arg, path)
            if not isinstance(values, list):
                raise TemplateError(f"{path}: Fn::Length needs a list")
            return len(values)
        raise TemplateError(f"{path}: intrinsic {name} is not supported by the local stack")

    def _args(self, arg: Any, count: int, path: str) -> list[Any]:
        if not isinstance(arg, list) or len(arg) != count:
            raise TemplateError(f"{path}: expected a list of {count} arguments, got {arg!r}")
        return arg

    def _text(self, node: Any, path: str) -> str:
        value = self.resolve(node, path)
        if isinstance(value, dict | list) or value is NO_VALUE:
            raise TemplateError(f"{path}: expected a string, got {value!r}")
        return to_text(value)

    def _find_in_map(self, arg: Any, path: str) -> Any:
        if not isinstance(arg, list) or len(arg) not in {3, 4}:
            raise TemplateError(f"{path}: Fn::FindInMap takes [Map, TopKey, SecondKey]")
        keys = [self._text(item, f"{path}[{i}]") for i, item in enumerate(arg[:3])]
        mappings: dict[str, Any] = self.body.get("Mappings") or {}
        try:
            return mappings[keys[0]][keys[1]][keys[2]]
        except KeyError:
            if len(arg) == 4 and isinstance(arg[3], dict) and "DefaultValue" in arg[3]:
                return self.resolve(arg[3]["DefaultValue"], f"{path}[3]")
            raise TemplateError(f"{path}: Mappings.{'.'.join(keys)} does not exist") from None

    def _sub(self, arg: Any, path: str) -> str:
        if isinstance(arg, str):
            text, variables = arg, {}
        elif isinstance(arg, list) and len(arg) == 2 and isinstance(arg[0], str) and isinstance(arg[1], dict):
            text, variables = arg[0], arg[1]
        else:
            raise TemplateError(f"{path}: Fn::Sub takes a string or [string, {{variables}}]")

        def replace(match: re.Match[str]) -> str:
            name = match.group(1).strip()
            if name.startswith("!"):
                return "${" + name[1:] + "}"
            if name in variables:
                return self._text(variables[name], f"{path}.{name}")
            if "." in name and "::" not in name:
                logical, _, attribute = name.partition(".")
                return to_text(self.get_att(logical, attribute, f"{path}.${{{name}}}"))
            return to_text(self.ref(name, f"{path}.${{{name}}}"))

        return _SUB_VARIABLE.sub(replace, text)

    # ------------------------------------------------------ refs and attributes

    def register(self, logical: str, ref: Any = None, **attributes: Any) -> None:
        """Record what moto actually created (queue URL, distribution id, ...)."""
        if ref is not None:
            self._refs[logical] = ref
        for attribute, value in attributes.items():
            self._attributes[(logical, attribute)] = value

    def ref(self, name: str, path: str = "") -> Any:
        """``Ref``: a parameter, a pseudo parameter, or a resource's physical id."""
        pseudo = self._pseudo(name)
        if pseudo is not None:
            return pseudo
        if name in (self.body.get("Parameters") or {}):
            if name not in self.parameters:
                raise TemplateError(f"{path}: parameter {name} has no Default; pass it in parameters")
            return self.parameters[name]
        if name in self._refs:
            return self._refs[name]
        type_ = self._existing_type(name, path)
        return self._default_ref(name, type_, path)

    def _pseudo(self, name: str) -> Any:
        if not name.startswith("AWS::"):
            return None
        values: dict[str, Any] = {
            "AWS::StackName": self.stack_name,
            "AWS::AccountId": self.account_id,
            "AWS::Region": self.region,
            "AWS::Partition": self.partition,
            "AWS::URLSuffix": URL_SUFFIX,
            "AWS::StackId": (
                f"arn:{self.partition}:cloudformation:{self.region}:{self.account_id}:stack/"
                f"{self.stack_name}/{suffix(self.stack_name, 'stack-id', length=32).lower()}"
            ),
            "AWS::NotificationARNs": [],
            "AWS::NoValue": NO_VALUE,
        }
        if name not in values:
            raise TemplateError(f"unknown pseudo parameter {name}")
        return values[name]

    def _existing_type(self, logical: str, path: str) -> str:
        if logical not in self.resources:
            implicit = self._implicit_type(logical)
            if implicit is not None:
                return implicit
            raise TemplateError(f"{path}: {logical} is neither a parameter nor a resource")
        if not self.exists(logical):
            raise TemplateError(f"{path}: {logical} is not created (its Condition is false)")
        return self.resource_type(logical)

    def _implicit_type(self, logical: str) -> str | None:
        """SAM's generated resources that templates may reference (``<Function>Role``)."""
        if logical.endswith("Role") and self.resources.get(logical[: -len("Role")], {}).get("Type") == (
            "AWS::Serverless::Function"
        ):
            return "AWS::IAM::Role"
        return None

    def physical_name(self, logical: str) -> str:
        """The resource's name: its name property, else a CloudFormation-style generated name."""
        type_ = self._existing_type(logical, f"Resources.{logical}")
        if (logical, "Name") in self._attributes:
            return str(self._attributes[(logical, "Name")])
        name_property = _NAME_PROPERTIES.get(type_)
        if name_property and logical in self.resources:
            value = self.property(logical, name_property)
            if value is not None:
                return to_text(value)
        generated = f"{self.stack_name}-{logical}-{suffix(self.stack_name, logical)}"
        if type_ == "AWS::S3::Bucket":
            return generated.lower()[:63]
        if type_ == "AWS::SQS::Queue" and self.property(logical, "FifoQueue") in {True, "true"}:
            return generated[:75] + ".fifo"
        return generated[:64]

    def _default_ref(self, logical: str, type_: str, path: str) -> Any:  # noqa: PLR0911 - one per type
        if type_ == "AWS::SQS::Queue":
            return self.get_att(logical, "QueueUrl", path)
        if type_ in _LAYER_TYPES:
            return f"{self._arn('lambda')}:layer:{self.physical_name(logical)}:1"
        if type_ == "AWS::CloudFront::Function":
            return self.get_att(logical, "FunctionARN", path)
        if type_ == "AWS::SNS::Topic":
            return self.get_att(logical, "TopicArn", path)
        if type_ in {"AWS::CloudFront::Distribution", "AWS::CloudFront::OriginAccessControl"}:
            if type_ == "AWS::CloudFront::Distribution":
                raise TemplateError(f"{path}: distribution {logical} has no local id until it is provisioned")
            return "E" + suffix(self.stack_name, logical, length=13)
        if type_ in _NAME_PROPERTIES:
            return self.physical_name(logical)
        return f"{self.stack_name}-{logical}-{suffix(self.stack_name, logical)}"

    def _arn(self, service: str, region: bool = True) -> str:
        return f"arn:{self.partition}:{service}:{self.region if region else ''}:{self.account_id}"

    def get_att(self, logical: str, attribute: str, path: str = "") -> Any:  # noqa: PLR0911, PLR0912
        """``Fn::GetAtt`` for the attributes the local stack knows how to produce."""
        if (logical, attribute) in self._attributes:
            return self._attributes[(logical, attribute)]
        function = logical.removesuffix("Url")
        if (
            attribute == "FunctionUrl"
            and function != logical
            and self.resources.get(function, {}).get("Type") == "AWS::Serverless::Function"
            and self.property(function, "FunctionUrlConfig")
        ):
            # SAM's generated <Function>Url resource: locally the CDN calls the handler in process.
            token = hashlib.sha256(self.physical_name(function).encode()).hexdigest()[:32]
            return f"https://{token}.lambda-url.{self.region}.on.aws/"
        type_ = self._existing_type(logical, path)
        if type_ == "AWS::S3::Bucket":
            name = self.physical_name(logical)
            bucket = {
                "Arn": f"arn:{self.partition}:s3:::{name}",
                "DomainName": f"{name}.s3.{URL_SUFFIX}",
                "RegionalDomainName": f"{name}.s3.{self.region}.{URL_SUFFIX}",
                "DualStackDomainName": f"{name}.s3.dualstack.{self.region}.{URL_SUFFIX}",
                "WebsiteURL": f"http://{name}.s3-website-{self.region}.{URL_SUFFIX}",
            }
            if attribute in bucket:
                return bucket[attribute]
        elif type_ == "AWS::SQS::Queue":
            name = self.physical_name(logical)
            base = self.endpoint_url or f"https://sqs.{self.region}.{URL_SUFFIX}"
            queue = {
                "Arn": f"{self._arn('sqs')}:{name}",
                "QueueName": name,
                "QueueUrl": f"{base}/{self.account_id}/{name}",
            }
            if attribute in queue:
                return queue[attribute]
        elif type_ == "AWS::DynamoDB::Table":
            table_arn = f"{self._arn('dynamodb')}:table/{self.physical_name(logical)}"
            if attribute == "Arn":
                return table_arn
            if attribute == "StreamArn" and self.property(logical, "StreamSpecification"):
                return f"{table_arn}/stream/1970-01-01T00:00:00.000"
        elif type_ == "AWS::CloudFront::Distribution":
            if attribute == "Id":
                return self.ref(logical, path)
            if attribute == "DomainName":
                raise TemplateError(f"{path}: distribution {logical} has no domain until it is provisioned")
        elif type_ in _FUNCTION_TYPES:
            if attribute == "Arn":
                return f"{self._arn('lambda')}:function:{self.physical_name(logical)}"
        elif type_ == "AWS::CloudFront::Function":
            if attribute in {"FunctionARN", "FunctionMetadata.FunctionARN"}:
                name = self.physical_name(logical)
                return f"arn:{self.partition}:cloudfront::{self.account_id}:function/{name}"
            if attribute == "Stage":
                return "LIVE"
        elif type_ == "AWS::CloudFront::OriginAccessControl":
            if attribute == "Id":
                return self.ref(logical, path)
        elif type_ == "AWS::CloudFront::KeyValueStore":
            # Provisioning registers the id moto assigns; until then a stable UUID-shaped one.
            digest = hashlib.sha256(f"{self.stack_name}/{logical}".encode()).hexdigest()
            store_id = f"{digest[:8]}-{digest[8:12]}-{digest[12:16]}-{digest[16:20]}-{digest[20:32]}"
            store = {
                "Id": store_id,
                "Arn": f"arn:{self.partition}:cloudfront::{self.account_id}:key-value-store/{store_id}",
                "Status": "READY",
            }
            if attribute in store:
                return store[attribute]
        elif type_ == "AWS::Logs::LogGroup":
            if attribute == "Arn":
                return f"{self._arn('logs')}:log-group:{self.physical_name(logical)}:*"
        elif type_ == "AWS::IAM::Role":
            if attribute == "Arn":
                return f"arn:{self.partition}:iam::{self.account_id}:role/{self.physical_name(logical)}"
            if attribute == "RoleId":
                return "AROA" + suffix(self.stack_name, logical, length=17)
        elif type_ == "AWS::SNS::Topic":
            name = self.physical_name(logical)
            if attribute == "TopicArn":
                return f"{self._arn('sns')}:{name}"
            if attribute == "TopicName":
                return name
        raise TemplateError(f"{path}: Fn::GetAtt {logical}.{attribute} ({type_}) is not supported locally")

    # --------------------------------------------------------------- helpers

    def references(self, node: Any) -> set[str]:
        """Logical ids of resources that ``node`` refers to (Ref, GetAtt, Sub, DependsOn-free)."""
        found: set[str] = set()
        self._collect_references(node, found)
        return {name for name in found if name in self.resources}

    def _collect_references(self, node: Any, found: set[str]) -> None:
        if isinstance(node, dict):
            for key, value in node.items():
                if key == "Ref" and isinstance(value, str):
                    found.add(value)
                elif key == "Fn::GetAtt":
                    if isinstance(value, str):
                        found.add(value.partition(".")[0])
                    elif isinstance(value, list) and value:
                        found.add(str(value[0]))
                elif key == "Fn::Sub":
                    text = value if isinstance(value, str) else value[0] if isinstance(value, list) else ""
                    for match in _SUB_VARIABLE.finditer(str(text)):
                        found.add(match.group(1).strip().partition(".")[0])
                    if isinstance(value, list) and len(value) == 2:
                        self._collect_references(value[1], found)
                else:
                    self._collect_references(value, found)
        elif isinstance(node, list):
            for item in node:
                self._collect_references(item, found)

    def dependency_order(self, logicals: Iterable[str]) -> list[str]:
        """Order ``logicals`` so that each comes after those it references (e.g. a DLQ first)."""
        wanted = list(logicals)
        depends = {
            logical: (self.references(self.properties(logical)) & set(wanted)) - {logical}
            for logical in wanted
        }
        ordered: list[str] = []
        visiting: list[str] = []

        def visit(logical: str) -> None:
            if logical in ordered:
                return
            if logical in visiting:
                raise TemplateError(f"Resources: circular reference {' -> '.join([*visiting, logical])}")
            visiting.append(logical)
            for dependency in sorted(depends[logical], key=wanted.index):
                visit(dependency)
            visiting.pop()
            ordered.append(logical)

        for logical in wanted:
            visit(logical)
        return ordered

    def outputs(self) -> dict[str, Any]:
        """Outputs whose Condition holds, resolved (needs provisioned ids)."""
        resolved: dict[str, Any] = {}
        for name, output in (self.body.get("Outputs") or {}).items():
            condition = output.get("Condition")
            if condition is not None and not self.condition(str(condition)):
                continue
            resolved[name] = self.resolve(output.get("Value"), f"Outputs.{name}.Value")
        return resolved

    def function_environment(self, logical: str) -> dict[str, str]:
        """A function's Environment.Variables (Globals merged), as Lambda would set them."""
        environment = self.property(logical, "Environment", {}) or {}
        variables = environment.get("Variables") or {}
        return {str(key): to_text(value) for key, value in variables.items()}

    def layer_directories(self, logical: str) -> list[Path]:
        """Local directories of the function's layers (their ContentUri), for sys.path."""
        directories: list[Path] = []
        by_arn = {self.ref(layer): layer for layer in self.logical_ids(*_LAYER_TYPES)}
        for index, item in enumerate(self.properties(logical).get("Layers") or []):
            layer = item.get("Ref") if isinstance(item, dict) else None
            if not isinstance(layer, str) or layer not in self.resources:
                layer = by_arn.get(self.resolve(item, f"Resources.{logical}.Properties.Layers[{index}]"))
            if layer is None:
                continue  # a published layer (ARN): nothing local to put on sys.path
            content = self.property(layer, "ContentUri") or self.property(layer, "Content")
            if isinstance(content, str):
                directories.append((self.root / content).resolve())
        return directories
