"""An article body's headings, numbered under the page's title with no level skipped.

The page's title is its only ``h1``. Bodies come with the levels their
editors chose: Markdown's ``##`` arrives as ``h3`` (every Markdown heading
moves one level down), a pasted page may jump from ``h2`` to ``h4``, a Word
file's subheadings may start anywhere. Screen readers and Lighthouse's
heading-order audit want each heading at most one level below the one
before it, so the page renumbers them as an outline: a body's first heading
is an ``h2``; a heading deeper than the one before it goes one level down,
whatever it skipped; one as deep or shallower goes back to the level of the
nearest earlier heading that was no deeper. Only the digits of heading tags
change, so nothing else in the sanitized body moves.
"""

from __future__ import annotations

import re

_HEADING_TAG = re.compile(r"<(/?)h([1-6])\b", re.I)


def outlined_headings(body_html: str, top: int = 2) -> str:
    """``body_html`` with its headings renumbered from ``h{top}`` down, one level at a time."""
    given_and_written: list[tuple[int, int]] = []  # the open outline: (level given, level written)
    current = top

    def renumber(match: re.Match[str]) -> str:
        nonlocal current
        closing, level = match.group(1), int(match.group(2))
        if closing:
            return f"</h{current}"
        while given_and_written and given_and_written[-1][0] >= level:
            given_and_written.pop()
        current = min(given_and_written[-1][1] + 1, 6) if given_and_written else top
        given_and_written.append((level, current))
        return f"<h{current}"

    return _HEADING_TAG.sub(renumber, body_html)
