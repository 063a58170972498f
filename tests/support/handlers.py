"""A function's ``functions/<name>/app.py``, imported afresh for a test that calls into it.

Each call gives a module of its own (a unique name, not kept in
``sys.modules``), so its per-container caches and clients start empty, as
after a cold start. The environment must be set first: handlers may read it
at import. Its layers are on pytest's ``pythonpath`` (pyproject.toml).
"""

from __future__ import annotations

import importlib.util
import uuid
from pathlib import Path
from types import ModuleType

FUNCTIONS = Path(__file__).resolve().parents[2] / "functions"


def function_app(name: str) -> ModuleType:
    """``functions/<name>/app.py`` as a fresh module."""
    spec = importlib.util.spec_from_file_location(
        f"{name}_app_{uuid.uuid4().hex}", FUNCTIONS / name / "app.py"
    )
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module
