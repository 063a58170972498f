"""What the cold-start tests and ``bench/cold_start.py`` share: the functions, their built layers, probes.

A function is taken from template.yaml as it deploys: its code folder, its
layers and its variables. A layer is built by its own Makefile the way
``sam build`` builds it (``BuildMethod: makefile``), into ``.local/cold-start/``,
cached by a hash of what goes into it, so that a run builds each layer once
(about 20 s for the three, for both architectures) and later runs not at all.
``pytest-xdist`` workers share the cache under a lock per layer.

A probe runs in a fresh interpreter: either on the development tree (this
venv, the layers' source folders) or on a Lambda-like ``sys.path``: ``python
-S`` (no site-packages), the function folder, its built layers' ``python/``
and a stand-in for the runtime's own packages (this venv's boto3, botocore and
their dependencies, linked), with Lambda's variables (tracing on).
"""

from __future__ import annotations

import fcntl
import hashlib
import json
import os
import shutil
import statistics
import subprocess
import sys
import uuid
from collections.abc import Iterable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import cache
from importlib.metadata import distribution
from pathlib import Path
from typing import Any

from local.resource_attributes import LAYER_TYPES, SERVERLESS_FUNCTION
from local.template import Template

ROOT = Path(__file__).resolve().parents[2]
CACHE = ROOT / ".local" / "cold-start"
MIB = 1024 * 1024
ARM64 = "arm64"
NATIVE = "native"

# What Lambda's python3.13 runtime brings: never shipped in a layer.
RUNTIME_DISTRIBUTIONS = ("boto3", "botocore", "s3transfer", "jmespath", "python-dateutil", "six", "urllib3")
# Loaded where first used, never at a handler's start-up.
NOT_AT_START = ("aws_xray_sdk", "awscrt", "jinja2", "babel", "mammoth", "PIL", "fpdf", "fontTools")
# What a handler builds on its first invocation.
BUILDERS = {
    "PublishFunction": "publisher",
    "RenderFunction": "fanout",
    "HitsFunction": "hits",
    "PicturesFunction": "worker",
    "PdfFunction": "worker",
    "SearchFunction": "service",
    "RedirectsFunction": "store",
}
# And what its first invocation imports besides (the batch use case; fpdf2 on the first PDF).
FIRST_IMPORTS = {
    "PublishFunction": "newsroom.usecases.batch",
    "RenderFunction": "newsroom.usecases.batch",
    "HitsFunction": "newsroom.usecases.hits_batch",
    "PicturesFunction": "newsroom.usecases.media_batch",
    "PdfFunction": "newsroom.usecases.media_batch, newsroom_pdf.article_pdf",
    "SearchFunction": "newsroom.usecases.search",
    "RedirectsFunction": "newsroom_redirects.store",
}

LAMBDA_ENVIRONMENT = {
    # What Lambda sets in every python3.13 function (tracing on: LAMBDA_TASK_ROOT, no SAM local).
    "AWS_EXECUTION_ENV": "AWS_Lambda_python3.13",
    "AWS_LAMBDA_FUNCTION_MEMORY_SIZE": "1024",
    "AWS_LAMBDA_FUNCTION_VERSION": "$LATEST",
    "AWS_LAMBDA_INITIALIZATION_TYPE": "on-demand",
    "AWS_REGION": "us-east-1",
    "AWS_DEFAULT_REGION": "us-east-1",
    "AWS_XRAY_CONTEXT_MISSING": "LOG_ERROR",
    "AWS_XRAY_DAEMON_ADDRESS": "127.0.0.1:2000",
    "LAMBDA_TASK_ROOT": "/var/task",
    "LAMBDA_RUNTIME_DIR": "/var/runtime",
    "_HANDLER": "app.lambda_handler",
    "AWS_ACCESS_KEY_ID": "testing",
    "AWS_SECRET_ACCESS_KEY": "testing",  # moto's dummy, not a secret
    "LANG": "en_US.UTF-8",
}

PROBE = """
import json, sys, time
started = time.perf_counter()
import {module}
seconds = time.perf_counter() - started
print(json.dumps({{"seconds": seconds, "loaded": [m for m in {heavy!r} if m in sys.modules]}}))
"""

FIRST_INVOCATION = """
import json, sys, time
started = time.perf_counter()
import app
getattr(app, "traced", lambda: None)()  # the Tracer, where the function has one (not the redirects one)
app.{builder}()
import {imports}
print(json.dumps({{"seconds": time.perf_counter() - started, "loaded": sorted(sys.modules)}}))
"""


# ------------------------------------------------------------------ the functions


@dataclass(frozen=True)
class Function:
    """A function as template.yaml deploys it: its code, its layers (logical ids) and variables."""

    logical: str
    code: Path
    layers: tuple[str, ...]
    environment: Mapping[str, str]


@cache
def layer_sources() -> dict[str, Path]:
    """Each LayerVersion's logical id and its ContentUri folder."""
    template = Template.load(ROOT / "template.yaml")
    return {
        logical: (ROOT / str(template.property(logical, "ContentUri"))).resolve()
        for logical in template.logical_ids(*LAYER_TYPES)
    }


@cache
def functions() -> dict[str, Function]:
    """Every function whose code is a folder of this repository (the CloudFront Function is inline)."""
    template = Template.load(ROOT / "template.yaml")
    template.register("SiteDistribution", "E2EXAMPLE", Id="E2EXAMPLE", DomainName="d1.cloudfront.net")
    by_directory = {directory: logical for logical, directory in layer_sources().items()}
    found: dict[str, Function] = {}
    for logical in template.logical_ids(SERVERLESS_FUNCTION):
        code = template.property(logical, "CodeUri")
        if not isinstance(code, str) or not code.startswith("functions/"):
            continue
        layers = tuple(by_directory[directory] for directory in template.layer_directories(logical))
        found[logical] = Function(
            logical, (ROOT / code).resolve(), layers, template.function_environment(logical)
        )
    return found


def lambda_environment(function: Function, path: Iterable[Path]) -> dict[str, str]:
    """The variables a cold start sees: the template's, Lambda's, and PYTHONPATH as Lambda orders it."""
    return {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        **function.environment,
        **LAMBDA_ENVIRONMENT,
        "AWS_LAMBDA_FUNCTION_NAME": function.logical,
        "PYTHONPATH": os.pathsep.join(str(entry) for entry in path),
    }


def source_path(function: Function) -> list[Path]:
    """The function folder, then its layers' source folders (the development tree, this venv)."""
    return [function.code, *(layer_sources()[layer] for layer in function.layers)]


def lambda_path(function: Function, runtime: Path, architecture: str = NATIVE) -> list[Path]:
    """sys.path as Lambda orders it: the function, the layers' python/ (in order), the runtime."""
    layers = [built_layer(layer, architecture) / "python" for layer in function.layers]
    return [function.code, *layers, runtime]


def runtime_directory(root: Path) -> Path:
    """A stand-in for the runtime's own packages: this venv's boto3 and its dependencies, linked."""
    root.mkdir(parents=True, exist_ok=True)
    for name in RUNTIME_DISTRIBUTIONS:
        dist = distribution(name)
        site = Path(str(dist.locate_file("")))
        for top in {file.parts[0] for file in dist.files or ()}:
            if top.endswith((".dist-info", ".data")) or top in ("..", "__pycache__", "bin"):
                continue
            if not (root / top).exists():
                (root / top).symlink_to(site / top)
    return root


def run_python(code: str, env: Mapping[str, str], *, isolated: bool = False, timeout: int = 120) -> Any:
    """Run ``code`` in a fresh interpreter (``-S``: no site-packages, as on Lambda); its JSON answer."""
    command = [sys.executable, *(["-S"] if isolated else []), "-c", code]
    completed = subprocess.run(
        command, env=dict(env), capture_output=True, text=True, check=False, timeout=timeout, cwd="/"
    )
    assert completed.returncode == 0, completed.stderr[-4000:]
    return json.loads(completed.stdout.strip().splitlines()[-1])


# ------------------------------------------------------------------ import figures


@dataclass(frozen=True)
class ImportFigures:
    """Medians of alternating runs: the handler's import, ``import boto3``, and what start-up loaded."""

    handler: float
    boto3: float
    loaded: tuple[str, ...]
    runs: int

    @property
    def ratio(self) -> float:
        return self.handler / self.boto3

    def describe(self, logical: str) -> str:
        return (
            f"{logical}: import app {self.handler * 1000:.0f} ms, import boto3 {self.boto3 * 1000:.0f} ms"
            f" (medians of {self.runs}, alternating): {self.ratio:.2f}x"
        )


def import_figures(env: Mapping[str, str], *, runs: int, isolated: bool = False) -> ImportFigures:
    """``import app`` against ``import boto3``: fresh interpreters, alternating, after one warm-up each.

    Each pair runs back to back, so that both see the same load on a shared
    machine; the medians keep one slow run from deciding.
    """
    handler_code = PROBE.format(module="app", heavy=NOT_AT_START)
    boto3_code = PROBE.format(module="boto3", heavy=())
    run_python(handler_code, env, isolated=isolated)  # warm the page cache (and __pycache__ in the tree)
    run_python(boto3_code, env, isolated=isolated)
    handler: list[float] = []
    boto3: list[float] = []
    loaded: set[str] = set()
    for round_ in range(runs):
        pair = [("handler", handler_code), ("boto3", boto3_code)]
        for name, code in pair if round_ % 2 == 0 else reversed(pair):
            answer = run_python(code, env, isolated=isolated)
            (handler if name == "handler" else boto3).append(answer["seconds"])
            loaded.update(answer["loaded"])
    return ImportFigures(statistics.median(handler), statistics.median(boto3), tuple(sorted(loaded)), runs)


def first_invocation(env: Mapping[str, str], logical: str, *, isolated: bool = True) -> Any:
    """Import plus what the first invocation builds and imports before its first AWS call."""
    code = FIRST_INVOCATION.format(builder=BUILDERS[logical], imports=FIRST_IMPORTS[logical])
    return run_python(code, env, isolated=isolated)


# ------------------------------------------------------------------ the built layers


def inputs_digest(source: Path, architecture: str) -> str:
    """What a layer is built from: its folder's files (no caches), the interpreter, the architecture."""
    digest = hashlib.sha256(f"{architecture} {sys.version}".encode())
    for path in sorted(source.rglob("*")):
        if path.is_file() and "__pycache__" not in path.parts and path.suffix != ".pyc":
            digest.update(str(path.relative_to(source)).encode() + b"\0" + path.read_bytes() + b"\0")
    return digest.hexdigest()[:16]


@contextmanager
def locked(name: str) -> Iterator[None]:
    """One builder of ``name`` at a time, across pytest-xdist workers and bench runs."""
    CACHE.mkdir(parents=True, exist_ok=True)
    with (CACHE / f".{name}.lock").open("w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(lock, fcntl.LOCK_UN)


def build_command(logical: str, target: Path, architecture: str) -> list[str]:
    """``make build-<Layer> ARTIFACTS_DIR=…``, as sam build runs it, with this interpreter."""
    source = layer_sources()[logical]
    command = ["make", "-s", "-C", str(source), f"build-{logical}", f"ARTIFACTS_DIR={target}"]
    command.append(f"PYTHON={sys.executable}")
    if architecture == NATIVE:
        command.append("PIP_PLATFORM=")
    return command


@cache
def built_layer(logical: str, architecture: str) -> Path:
    """The layer as its Makefile builds it, cached by ``inputs_digest``; ``native``: this machine's wheels."""
    source = layer_sources()[logical]
    name = f"{logical}-{architecture}"
    target = CACHE / f"{name}-{inputs_digest(source, architecture)}"
    with locked(name):
        if (target / ".complete").is_file():
            return target
        scratch = CACHE / f".{name}-{uuid.uuid4().hex[:8]}"
        command = build_command(logical, scratch, architecture)
        completed = subprocess.run(command, capture_output=True, text=True, check=False, timeout=900)
        assert completed.returncode == 0, (
            f"{' '.join(command)}\n{completed.stdout[-3000:]}{completed.stderr[-3000:]}"
        )
        (scratch / ".complete").write_text(datetime.now(UTC).isoformat(), encoding="utf-8")
        for old in CACHE.glob(f"{name}-*"):
            shutil.rmtree(old, ignore_errors=True)
        scratch.rename(target)
    return target


def site_directories(layer: Path) -> list[Path]:
    """Where a layer's packages are: python/, which Lambda puts on sys.path."""
    site = layer / "python"
    return [site] if site.is_dir() else []


def tree_bytes(root: Path, *, skip_caches: bool = False) -> int:
    """The unzipped size: every file's bytes (``skip_caches``: as SAM copies a function, no __pycache__)."""
    total = 0
    for path in root.rglob("*"):
        if skip_caches and ("__pycache__" in path.parts or path.suffix == ".pyc"):
            continue
        if path.is_file() and path.name != ".complete":
            total += path.stat().st_size
    return total


def function_bytes(function: Function, architecture: str = ARM64) -> int:
    """The function's code plus its layers, built."""
    code = tree_bytes(function.code, skip_caches=True)
    return code + sum(tree_bytes(built_layer(layer, architecture)) for layer in function.layers)
