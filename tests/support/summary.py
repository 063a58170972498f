"""Figures a test wants printed at the end of the run (how many examples an oracle ran, …)."""

from __future__ import annotations

from collections import Counter, defaultdict

FIGURES: defaultdict[str, Counter[str]] = defaultdict(Counter)


def count(test: str, **figures: int) -> None:
    """Add ``figures`` to what is printed for ``test`` in the terminal summary."""
    FIGURES[test].update(figures)


def note(test: str, **figures: int) -> None:
    """Set ``figures`` (sizes that do not add up across examples, like a number of workers)."""
    FIGURES[test].update({name: value - FIGURES[test][name] for name, value in figures.items()})


def lines() -> list[str]:
    return [
        f"{test}: " + ", ".join(f"{name}={value}" for name, value in figures.items())
        for test, figures in sorted(FIGURES.items())
    ]
