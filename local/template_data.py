"""template.yaml as plain data, and the CloudFormation value rules the resolver shares.

Loading (cfn-lint's decoder, copied into plain dicts and lists), SAM's Globals
merging, parameter values, CloudFormation's text form of a scalar, the stable
name suffix, and the error and ``AWS::NoValue`` marker every part of the
template resolution uses. Nothing here knows about resource types.
"""

from __future__ import annotations

import base64
import hashlib
import re
from collections.abc import Mapping
from pathlib import Path
from typing import Any, Final

STACK_NAME: Final = "newsroom-local"
ACCOUNT_ID: Final = "123456789012"
REGION: Final = "us-east-1"
PARTITION: Final = "aws"
URL_SUFFIX: Final = "amazonaws.com"

# ``${Name}`` and ``${Resource.Attribute}`` in Fn::Sub text.
SUB_VARIABLE: Final = re.compile(r"\$\{([^}]*)\}")


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


def load_body(path: str | Path) -> dict[str, Any]:
    """Parse a template with cfn-lint's decoder (it understands the ``!`` tags)."""
    from cfnlint.decode import cfn_yaml  # noqa: PLC0415 - heavy import, only when a template is read

    body: dict[str, Any] = plain(cfn_yaml.load(str(path)))
    return body


def plain(node: Any) -> Any:
    """Copy cfn-lint's node subclasses into plain dicts, lists and scalars."""
    if isinstance(node, Mapping):
        return {str(key): plain(value) for key, value in node.items()}
    if isinstance(node, list | tuple):
        return [plain(item) for item in node]
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
        if isinstance(current, dict) and isinstance(value, dict) and not is_intrinsic(value):
            merged[key] = merge_globals(current, value)
        elif isinstance(current, list) and isinstance(value, list):
            merged[key] = [*current, *value]
        else:
            merged[key] = value
    return merged


def is_intrinsic(node: Any) -> bool:
    """True for a one-key ``Ref``, ``Condition`` or ``Fn::*`` node."""
    if not isinstance(node, dict) or len(node) != 1:
        return False
    key = next(iter(node))
    return key in {"Ref", "Condition"} or key.startswith("Fn::")


def parameter_values(declared: Mapping[str, Any], overrides: Mapping[str, Any]) -> dict[str, Any]:
    """The stack's parameter values: overrides, else Defaults, checked against AllowedValues.

    List parameters become lists; a parameter with neither is left out (an error
    only if something uses it).
    """
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
