"""Read template.yaml and resolve its intrinsics for a local, never-deployed stack.

The local stack is built from the template itself so that the two cannot
drift: bucket, queue and table names, key schemas, notification filters and
function environments all come from here. ``Template`` is the model: the
document, its parameters and conditions, and the physical ids of the local
stack. The rules live beside it: ``local/intrinsics.py`` resolves intrinsic
functions, ``local/resource_attributes.py`` holds what ``Ref`` and
``Fn::GetAtt`` give per resource type, ``local/template_references.py`` finds
what refers to what, and ``local/template_data.py`` loads the YAML.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

from local import intrinsics, resource_attributes, template_references
from local.resource_attributes import LAYER_TYPES, SERVERLESS_FUNCTION
from local.template_data import (
    ACCOUNT_ID,
    NO_VALUE,
    PARTITION,
    REGION,
    STACK_NAME,
    URL_SUFFIX,
    TemplateError,
    load_body,
    merge_globals,
    parameter_values,
    plain,
    suffix,
    to_text,
)

__all__ = [
    "ACCOUNT_ID",
    "NO_VALUE",
    "PARTITION",
    "REGION",
    "STACK_NAME",
    "URL_SUFFIX",
    "Template",
    "TemplateError",
    "load_body",
    "merge_globals",
    "suffix",
    "to_text",
]


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
        self.body: dict[str, Any] = plain(body)
        self.path = Path(path) if path is not None else None
        self.stack_name: str = stack_name
        self.account_id: str = account_id
        self.region: str = region
        self.partition: str = partition
        self.endpoint_url: str | None = endpoint_url.rstrip("/") if endpoint_url else None
        self.parameters = parameter_values(self.body.get("Parameters") or {}, parameters or {})
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
        if resource.get("Type") == SERVERLESS_FUNCTION:
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

    # ------------------------------------------------- conditions and resolve

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
            value = intrinsics.condition_value(self, conditions[name], f"Conditions.{name}")
        finally:
            self._evaluating.pop()
        self._conditions[name] = value
        return value

    def resolve(self, node: Any, path: str = "") -> Any:
        """Resolve every intrinsic under ``node``; ``AWS::NoValue`` entries are dropped."""
        return intrinsics.resolve(self, node, path)

    # ------------------------------------------------------ refs and attributes

    def register(self, logical: str, ref: Any = None, **attributes: Any) -> None:
        """Record what moto actually created (queue URL, distribution id, ...)."""
        if ref is not None:
            self._refs[logical] = ref
        for attribute, value in attributes.items():
            self._attributes[(logical, attribute)] = value

    def ref(self, name: str, path: str = "") -> Any:
        """``Ref``: a parameter, a pseudo parameter, or a resource's physical id."""
        pseudo = intrinsics.pseudo_parameter(self, name)
        if pseudo is not None:
            return pseudo
        if name in (self.body.get("Parameters") or {}):
            if name not in self.parameters:
                raise TemplateError(f"{path}: parameter {name} has no Default; pass it in parameters")
            return self.parameters[name]
        if name in self._refs:
            return self._refs[name]
        type_ = self.existing_type(name, path)
        return resource_attributes.default_ref(self, name, type_, path)

    def get_att(self, logical: str, attribute: str, path: str = "") -> Any:
        """``Fn::GetAtt`` for the attributes the local stack knows how to produce."""
        if (logical, attribute) in self._attributes:
            return self._attributes[(logical, attribute)]
        return resource_attributes.get_att(self, logical, attribute, path)

    def existing_type(self, logical: str, path: str) -> str:
        """The type of a resource this stack creates, or an error naming ``path``."""
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
            SERVERLESS_FUNCTION
        ):
            return "AWS::IAM::Role"
        return None

    def physical_name(self, logical: str) -> str:
        """The resource's name: its name property, else a CloudFormation-style generated name."""
        type_ = self.existing_type(logical, f"Resources.{logical}")
        if (logical, "Name") in self._attributes:
            return str(self._attributes[(logical, "Name")])
        return resource_attributes.physical_name(self, logical, type_)

    # --------------------------------------------------------------- helpers

    def references(self, node: Any) -> set[str]:
        """Logical ids of resources that ``node`` refers to (Ref, GetAtt, Sub, DependsOn-free)."""
        return template_references.references(node) & set(self.resources)

    def dependency_order(self, logicals: Iterable[str]) -> list[str]:
        """Order ``logicals`` so that each comes after those it references (e.g. a DLQ first)."""
        wanted = list(logicals)
        depends = {
            logical: (self.references(self.properties(logical)) & set(wanted)) - {logical}
            for logical in wanted
        }
        return template_references.dependency_order(wanted, depends)

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
        by_arn = {self.ref(layer): layer for layer in self.logical_ids(*LAYER_TYPES)}
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
