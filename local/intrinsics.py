"""CloudFormation's intrinsic functions and pseudo parameters, as the local stack resolves them.

One small function per intrinsic, looked up in ``INTRINSICS`` by name; each
takes the template, the intrinsic's argument and the path of the node (for
error messages). ``Ref`` and ``Fn::GetAtt`` hand over to the template, which
knows the stack's parameters and physical ids. Only the intrinsics this
template family needs are implemented; anything else fails loudly with the
path of the offending node instead of silently producing a wrong name.
"""

from __future__ import annotations

import base64
import json
import re
from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Any, Final

from local.template_data import NO_VALUE, SUB_VARIABLE, URL_SUFFIX, TemplateError, suffix, to_text

if TYPE_CHECKING:
    from local.template import Template

# (template, the intrinsic's argument, path of the node) -> the resolved value
Intrinsic = Callable[["Template", Any, str], Any]


def resolve(template: Template, node: Any, path: str = "") -> Any:
    """Resolve every intrinsic under ``node``; ``AWS::NoValue`` entries are dropped."""
    if isinstance(node, dict):
        if len(node) == 1:
            ((key, arg),) = node.items()
            if key == "Ref" or key.startswith("Fn::"):
                return _intrinsic(template, key, arg, f"{path}.{key}" if path else key)
        out: dict[str, Any] = {}
        for key, value in node.items():
            resolved = resolve(template, value, f"{path}.{key}" if path else key)
            if resolved is not NO_VALUE:
                out[key] = resolved
        return out
    if isinstance(node, list):
        items = [resolve(template, item, f"{path}[{index}]") for index, item in enumerate(node)]
        return [item for item in items if item is not NO_VALUE]
    return node


def _intrinsic(template: Template, name: str, arg: Any, path: str) -> Any:
    function = INTRINSICS.get(name)
    if function is None:
        raise TemplateError(f"{path}: intrinsic {name} is not supported by the local stack")
    return function(template, arg, path)


def condition_value(template: Template, node: Any, path: str) -> bool:
    """A condition: ``{"Condition": name}`` or a condition function that resolves to a boolean."""
    if isinstance(node, dict) and set(node) == {"Condition"}:
        return template.condition(str(node["Condition"]))
    value = resolve(template, node, path)
    if not isinstance(value, bool):
        raise TemplateError(f"{path}: expected a condition, got {value!r}")
    return value


def text(template: Template, node: Any, path: str) -> str:
    """``node`` resolved to a scalar, in CloudFormation's text form."""
    value = resolve(template, node, path)
    if isinstance(value, dict | list) or value is NO_VALUE:
        raise TemplateError(f"{path}: expected a string, got {value!r}")
    return to_text(value)


def _args(arg: Any, count: int, path: str) -> list[Any]:
    if not isinstance(arg, list) or len(arg) != count:
        raise TemplateError(f"{path}: expected a list of {count} arguments, got {arg!r}")
    return arg


# ------------------------------------------------------------ the intrinsics


def _ref(template: Template, arg: Any, path: str) -> Any:
    return template.ref(text(template, arg, path), path)


def _get_att(template: Template, arg: Any, path: str) -> Any:
    if isinstance(arg, str):
        logical, _, attribute = arg.partition(".")
    elif isinstance(arg, list) and len(arg) == 2:
        logical, attribute = str(arg[0]), text(template, arg[1], path)
    else:
        raise TemplateError(f"{path}: Fn::GetAtt takes [Resource, Attribute], got {arg!r}")
    return template.get_att(logical, attribute, path)


def _sub(template: Template, arg: Any, path: str) -> str:
    if isinstance(arg, str):
        source, variables = arg, {}
    elif isinstance(arg, list) and len(arg) == 2 and isinstance(arg[0], str) and isinstance(arg[1], dict):
        source, variables = arg[0], arg[1]
    else:
        raise TemplateError(f"{path}: Fn::Sub takes a string or [string, {{variables}}]")

    def replace(match: re.Match[str]) -> str:
        name = match.group(1).strip()
        if name.startswith("!"):
            return "${" + name[1:] + "}"
        if name in variables:
            return text(template, variables[name], f"{path}.{name}")
        if "." in name and "::" not in name:
            logical, _, attribute = name.partition(".")
            return to_text(template.get_att(logical, attribute, f"{path}.${{{name}}}"))
        return to_text(template.ref(name, f"{path}.${{{name}}}"))

    return SUB_VARIABLE.sub(replace, source)


def _if(template: Template, arg: Any, path: str) -> Any:
    if not isinstance(arg, list) or len(arg) != 3:
        raise TemplateError(f"{path}: Fn::If takes [Condition, IfTrue, IfFalse]")
    chosen = 1 if template.condition(str(arg[0])) else 2
    return resolve(template, arg[chosen], f"{path}[{chosen}]")


def _equals(template: Template, arg: Any, path: str) -> bool:
    left, right = _args(arg, 2, path)
    return to_text(resolve(template, left, f"{path}[0]")) == to_text(resolve(template, right, f"{path}[1]"))


def _not(template: Template, arg: Any, path: str) -> bool:
    (only,) = _args(arg, 1, path)
    return not condition_value(template, only, f"{path}[0]")


def _conditions(name: str) -> Intrinsic:
    """``Fn::And`` / ``Fn::Or``: 2 to 10 conditions, combined with ``all`` / ``any``."""
    combine = all if name == "Fn::And" else any

    def evaluate(template: Template, arg: Any, path: str) -> bool:
        if not isinstance(arg, list) or not 2 <= len(arg) <= 10:
            raise TemplateError(f"{path}: {name} takes 2 to 10 conditions")
        values = [condition_value(template, item, f"{path}[{i}]") for i, item in enumerate(arg)]
        return combine(values)

    return evaluate


def _join(template: Template, arg: Any, path: str) -> str:
    delimiter, items = _args(arg, 2, path)
    values = resolve(template, items, f"{path}[1]")
    if not isinstance(values, list):
        raise TemplateError(f"{path}: Fn::Join needs a list, got {values!r}")
    return str(delimiter).join(to_text(value) for value in values)


def _select(template: Template, arg: Any, path: str) -> Any:
    index, items = _args(arg, 2, path)
    values = resolve(template, items, f"{path}[1]")
    position = int(to_text(resolve(template, index, f"{path}[0]")))
    if not isinstance(values, list) or not 0 <= position < len(values):
        raise TemplateError(f"{path}: Fn::Select index {position} out of range for {values!r}")
    return values[position]


def _split(template: Template, arg: Any, path: str) -> list[str]:
    delimiter, source = _args(arg, 2, path)
    return text(template, source, f"{path}[1]").split(str(delimiter))


def _get_azs(template: Template, arg: Any, path: str) -> list[str]:
    return [f"{template.region}{letter}" for letter in "abc"]


def _find_in_map(template: Template, arg: Any, path: str) -> Any:
    if not isinstance(arg, list) or len(arg) not in {3, 4}:
        raise TemplateError(f"{path}: Fn::FindInMap takes [Map, TopKey, SecondKey]")
    keys = [text(template, item, f"{path}[{i}]") for i, item in enumerate(arg[:3])]
    mappings: dict[str, Any] = template.body.get("Mappings") or {}
    try:
        return mappings[keys[0]][keys[1]][keys[2]]
    except KeyError:
        if len(arg) == 4 and isinstance(arg[3], dict) and "DefaultValue" in arg[3]:
            return resolve(template, arg[3]["DefaultValue"], f"{path}[3]")
        raise TemplateError(f"{path}: Mappings.{'.'.join(keys)} does not exist") from None


def _base64(template: Template, arg: Any, path: str) -> str:
    return base64.b64encode(text(template, arg, path).encode()).decode()


def _to_json_string(template: Template, arg: Any, path: str) -> str:
    return json.dumps(resolve(template, arg, path), separators=(",", ":"))


def _length(template: Template, arg: Any, path: str) -> int:
    values = resolve(template, arg, path)
    if not isinstance(values, list):
        raise TemplateError(f"{path}: Fn::Length needs a list")
    return len(values)


INTRINSICS: Final[Mapping[str, Intrinsic]] = {
    "Ref": _ref,
    "Fn::GetAtt": _get_att,
    "Fn::Sub": _sub,
    "Fn::If": _if,
    "Fn::Equals": _equals,
    "Fn::Not": _not,
    "Fn::And": _conditions("Fn::And"),
    "Fn::Or": _conditions("Fn::Or"),
    "Fn::Join": _join,
    "Fn::Select": _select,
    "Fn::Split": _split,
    "Fn::GetAZs": _get_azs,
    "Fn::FindInMap": _find_in_map,
    "Fn::Base64": _base64,
    "Fn::ToJsonString": _to_json_string,
    "Fn::Length": _length,
}

# ------------------------------------------------------- pseudo parameters

PSEUDO_PARAMETERS: Final[Mapping[str, Callable[[Template], Any]]] = {
    "AWS::StackName": lambda template: template.stack_name,
    "AWS::AccountId": lambda template: template.account_id,
    "AWS::Region": lambda template: template.region,
    "AWS::Partition": lambda template: template.partition,
    "AWS::URLSuffix": lambda template: URL_SUFFIX,
    "AWS::StackId": lambda template: (
        f"arn:{template.partition}:cloudformation:{template.region}:{template.account_id}:stack/"
        f"{template.stack_name}/{suffix(template.stack_name, 'stack-id', length=32).lower()}"
    ),
    "AWS::NotificationARNs": lambda template: [],
    "AWS::NoValue": lambda template: NO_VALUE,
}


def pseudo_parameter(template: Template, name: str) -> Any:
    """The value of ``AWS::<Name>``; ``None`` when ``name`` is not a pseudo parameter at all."""
    if not name.startswith("AWS::"):
        return None
    if name not in PSEUDO_PARAMETERS:
        raise TemplateError(f"unknown pseudo parameter {name}")
    return PSEUDO_PARAMETERS[name](template)
