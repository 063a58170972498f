"""The code stays readable: no module in ``layers/`` or ``local/`` over 400 lines, no class over 250."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
MAX_MODULE_LINES = 400
MAX_CLASS_LINES = 250
MODULES = sorted([*(ROOT / "layers").rglob("*.py"), *(ROOT / "local").rglob("*.py")])


@pytest.mark.parametrize("module", MODULES, ids=lambda path: str(path.relative_to(ROOT)))
def test_modules_and_classes_stay_small(module: Path) -> None:
    source = module.read_text(encoding="utf-8")
    assert len(source.splitlines()) <= MAX_MODULE_LINES, f"{module.name}: split it by purpose"
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.ClassDef):
            lines = (node.end_lineno or node.lineno) - node.lineno + 1
            assert lines <= MAX_CLASS_LINES, f"{module.name}: class {node.name} has {lines} lines"


def test_the_size_check_sees_the_core_and_the_local_stack() -> None:
    names = {path.relative_to(ROOT).parts[0] for path in MODULES}
    assert names == {"layers", "local"}
    assert len(MODULES) > 60
