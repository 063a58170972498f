"""A template function as Lambda runs it: its deployment facts, a context, the handler imported.

``function_spec`` reads what the template declares (name, code, layers,
memory, timeout, environment); ``load_handler`` imports the unchanged
``functions/<name>/app.py`` the way the Python runtime does.
"""

from __future__ import annotations

import importlib.util
import sys
import time
import uuid
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from local.template import Template

Handler = Callable[[dict[str, Any], Any], Any]


@dataclass
class LambdaContext:
    """The attributes of the Python runtime's context object that handlers and Powertools read."""

    function_name: str
    function_version: str
    invoked_function_arn: str
    memory_limit_in_mb: int
    aws_request_id: str
    log_group_name: str
    log_stream_name: str
    timeout_seconds: float = 3.0
    identity: Any = None
    client_context: Any = None
    tenant_id: str | None = None
    _deadline: float = field(init=False, repr=False)

    def __post_init__(self) -> None:
        self._deadline = time.monotonic() + self.timeout_seconds

    def get_remaining_time_in_millis(self) -> int:
        """Milliseconds left before Lambda would stop the invocation (the function's Timeout)."""
        return max(0, int((self._deadline - time.monotonic()) * 1000))


@dataclass(frozen=True)
class FunctionSpec:
    """A function as the template declares it: name, code, layers, sizing, environment."""

    logical_id: str
    name: str
    arn: str
    code_dir: Path
    handler: str
    layer_dirs: tuple[Path, ...]
    memory_mb: int
    timeout_seconds: float
    environment: dict[str, str]
    log_group: str = ""

    @property
    def log_group_name(self) -> str:
        """LoggingConfig.LogGroup when the template sets one, else Lambda's default group."""
        return self.log_group or f"/aws/lambda/{self.name}"

    def context(self) -> LambdaContext:
        """A fresh context for one invocation (new request id, full time budget)."""
        today = datetime.now(UTC).strftime("%Y/%m/%d")
        return LambdaContext(
            function_name=self.name,
            function_version="$LATEST",
            invoked_function_arn=self.arn,
            memory_limit_in_mb=self.memory_mb,
            aws_request_id=str(uuid.uuid4()),
            log_group_name=self.log_group_name,
            log_stream_name=f"{today}/[$LATEST]{uuid.uuid4().hex}",
            timeout_seconds=self.timeout_seconds,
        )

    def runtime_environment(self, region: str) -> dict[str, str]:
        """Variables the Lambda runtime itself sets (the template cannot set these)."""
        return {
            "AWS_LAMBDA_FUNCTION_NAME": self.name,
            "AWS_LAMBDA_FUNCTION_VERSION": "$LATEST",
            "AWS_LAMBDA_FUNCTION_MEMORY_SIZE": str(self.memory_mb),
            "AWS_LAMBDA_LOG_GROUP_NAME": self.log_group_name,
            "AWS_REGION": region,
            "AWS_DEFAULT_REGION": region,
            "POWERTOOLS_TRACE_DISABLED": "true",
        }


def function_spec(
    template: Template, logical: str, environment: Mapping[str, str] | None = None
) -> FunctionSpec:
    """Read a function's deployment facts from the template (Globals merged)."""
    code_uri = template.property(logical, "CodeUri")
    if not isinstance(code_uri, str):
        raise ValueError(f"Resources.{logical}.Properties.CodeUri must be a local folder, got {code_uri!r}")
    return FunctionSpec(
        logical_id=logical,
        name=template.physical_name(logical),
        arn=str(template.get_att(logical, "Arn")),
        code_dir=(template.root / code_uri).resolve(),
        handler=str(template.property(logical, "Handler", "app.lambda_handler")),
        layer_dirs=tuple(template.layer_directories(logical)),
        memory_mb=int(template.property(logical, "MemorySize", 128)),
        timeout_seconds=float(template.property(logical, "Timeout", 3)),
        environment=dict(environment if environment is not None else template.function_environment(logical)),
        log_group=str((template.property(logical, "LoggingConfig") or {}).get("LogGroup") or ""),
    )


def load_handler(spec: FunctionSpec) -> Handler:
    """Import ``functions/<name>/app.py`` unchanged, as Lambda would, and return the handler.

    The function folder and its layers go on ``sys.path`` (Lambda's task root
    and ``/opt/python``). The module gets a unique name, so a new stack gets a
    fresh module-level state (caches, clients), like a cold start. The
    environment must already be set: modules may read it at import.
    """
    module_name, _, attribute = spec.handler.rpartition(".")
    path = spec.code_dir / (module_name.replace(".", "/") + ".py")
    if not path.is_file():
        raise FileNotFoundError(f"{spec.logical_id}: handler module {path} does not exist")
    for directory in (*reversed(spec.layer_dirs), spec.code_dir):
        entry = str(directory)
        if entry not in sys.path:
            sys.path.insert(0, entry)
    unique = f"_local_{spec.logical_id}_{uuid.uuid4().hex[:8]}"
    module_spec = importlib.util.spec_from_file_location(unique, path)
    if module_spec is None or module_spec.loader is None:
        raise ImportError(f"cannot import {path}")
    module = importlib.util.module_from_spec(module_spec)
    sys.modules[unique] = module
    module_spec.loader.exec_module(module)
    handler = getattr(module, attribute, None)
    if not callable(handler):
        raise AttributeError(f"{path} has no callable {attribute!r}")
    return handler  # type: ignore[no-any-return]
