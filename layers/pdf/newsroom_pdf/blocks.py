"""What the printed article is made of, once the HTML is read: blocks of styled runs, figures and tables.

The layout never sees HTML: the parser (``html_blocks``) settles whitespace,
entities, nesting and limits first, so that drawing is a plain walk over these
values and a rendering bug can be reproduced from a block list alone.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, replace
from typing import Literal

Kind = Literal["p", "h2", "h3", "h4", "h5", "h6", "pre"]
Position = Literal["", "SUB", "SUP"]
_CONTROLS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
_LINE_EDGES = re.compile(r" *\n *")
_BLANK_LINES = re.compile(r"\n{3,}")


@dataclass(frozen=True)
class Run:
    """A stretch of text in one style; ``note`` is the URL printed after a link, for readers on paper."""

    text: str
    bold: bool = False
    italic: bool = False
    underline: bool = False
    strike: bool = False
    position: Position = ""
    link: str = ""
    note: bool = False


@dataclass(frozen=True)
class Text:
    """A paragraph, heading, list item or preformatted block; ``depth`` counts lists and quotes around it."""

    kind: Kind
    runs: tuple[Run, ...]
    depth: int = 0
    bullet: str = ""
    quoted: bool = False


@dataclass(frozen=True)
class Figure:
    """A picture by its ``src`` (fetched by the caller), with the caption printed under it."""

    src: str
    alt: str
    caption: tuple[Run, ...]
    depth: int = 0


@dataclass(frozen=True)
class Cell:
    text: str
    header: bool = False
    colspan: int = 1
    rowspan: int = 1


@dataclass(frozen=True)
class Table:
    """Rows of cells as written; ``head_rows`` leading rows are headings (repeated on each page)."""

    rows: tuple[tuple[Cell, ...], ...]
    head_rows: int = 0
    depth: int = 0


@dataclass(frozen=True)
class Rule:
    depth: int = 0


Block = Text | Figure | Table | Rule


def plain(runs: tuple[Run, ...]) -> str:
    """The text of runs without styles, for alt text, outlines and fallbacks."""
    return "".join(run.text for run in runs)


def clean_text(text: str) -> str:
    """NFC and no control characters: the font has precomposed Vietnamese letters, and NFC selects them."""
    return unicodedata.normalize("NFC", _CONTROLS.sub("", text))


def tidy(runs: list[Run], *, pre: bool = False) -> tuple[Run, ...]:
    """Collapse the whitespace that HTML does not show, across run boundaries, and merge equal styles."""
    out: list[Run] = []
    at_line_start = True
    for run in runs:
        text = run.text
        if not pre:
            text = _LINE_EDGES.sub("\n", text.lstrip(" ") if at_line_start else text)
            if text.startswith("\n") and out:
                out[-1] = replace(out[-1], text=out[-1].text.rstrip(" "))
        if not text:
            continue
        at_line_start = text.endswith((" ", "\n"))
        if out and replace(out[-1], text="") == replace(run, text=""):
            out[-1] = replace(out[-1], text=out[-1].text + text)
        else:
            out.append(replace(run, text=text))
    joined = "".join(run.text for run in out)
    if not joined.strip():
        return ()
    if pre:
        out[0] = replace(out[0], text=out[0].text.removeprefix("\n"))
    else:
        out = [replace(run, text=_BLANK_LINES.sub("\n\n", run.text)) for run in out]
        out[0] = replace(out[0], text=out[0].text.lstrip(" \n"))
    while out and not out[-1].text.rstrip():
        out.pop()
    out[-1] = replace(out[-1], text=out[-1].text.rstrip())
    return tuple(run for run in out if run.text)
