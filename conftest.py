"""Root conftest: tests import the core from the layer folder, as Lambda does."""

from typing import Any


def pytest_terminal_summary(terminalreporter: Any) -> None:
    """Print what the oracles counted (examples, workers, faults), so a run shows how much it tried."""
    from tests.support.summary import lines  # noqa: PLC0415 (the summary module is a test helper)

    if found := lines():
        terminalreporter.section("oracle figures")
        for line in found:
            terminalreporter.write_line(line)
