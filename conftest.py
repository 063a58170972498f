"""Root conftest: tests import the core from the layer folder, as Lambda does.

Every test runs on moto with the local stack's patches (``local/moto_patches.py``:
transactions and queries that cost what DynamoDB's do), which
``tests/local/test_moto_patches.py`` holds equal to moto's own answers.
"""

from typing import Any

import pytest

from local import moto_patches

moto_patches.apply()


def pytest_terminal_summary(terminalreporter: Any) -> None:
    """Print what the oracles counted (examples, workers, faults), so a run shows how much it tried."""
    from tests.support.summary import lines  # noqa: PLC0415 (the summary module is a test helper)

    if found := lines():
        terminalreporter.section("oracle figures")
        for line in found:
            terminalreporter.write_line(line)


def pytest_sessionfinish(session: pytest.Session) -> None:
    """On a pytest-xdist worker: hand the figures to the controller, which prints the summary."""
    from tests.support.summary import FIGURES  # noqa: PLC0415

    output = getattr(session.config, "workeroutput", None)
    if output is not None:
        output["figures"] = {test: dict(figures) for test, figures in FIGURES.items()}


@pytest.hookimpl(optionalhook=True)
def pytest_testnodedown(node: Any, error: Any) -> None:
    """On the pytest-xdist controller: add up what each worker counted."""
    from tests.support.summary import FIGURES  # noqa: PLC0415

    for test, figures in getattr(node, "workeroutput", {}).get("figures", {}).items():
        FIGURES[test].update(figures)
