"""What refers to what in a template: the names under ``Ref``, ``Fn::GetAtt`` and ``Fn::Sub``.

Used to create resources in an order where each comes after those it refers
to (a dead-letter queue before the queue that redrives to it).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from local.template_data import SUB_VARIABLE, TemplateError


def references(node: Any) -> set[str]:
    """Every name ``node`` refers to with Ref, GetAtt or Sub (parameters and pseudo parameters too)."""
    found: set[str] = set()
    _collect(node, found)
    return found


def _collect(node: Any, found: set[str]) -> None:
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
                for match in SUB_VARIABLE.finditer(str(text)):
                    found.add(match.group(1).strip().partition(".")[0])
                if isinstance(value, list) and len(value) == 2:
                    _collect(value[1], found)
            else:
                _collect(value, found)
    elif isinstance(node, list):
        for item in node:
            _collect(item, found)


def dependency_order(wanted: Sequence[str], depends: Mapping[str, set[str]]) -> list[str]:
    """``wanted`` reordered so that each comes after what it ``depends`` on; ties keep their order."""
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
