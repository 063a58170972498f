"""Reads one ``<table>`` into rows of plain-text cells, and the link rules shared with the body reader.

Cells hold plain text (a link's URL written after its text) because a table
cell is drawn by fpdf2 in one style; pictures inside a table are moved below
it, where they can be printed at a readable size.
"""

from __future__ import annotations

import re
from urllib.parse import urljoin, urlsplit

from newsroom_pdf.blocks import Block, Cell, Figure, Table

LINK_SCHEMES = frozenset({"http", "https", "mailto", "tel"})
MAX_COLSPAN = 50
MAX_ROWSPAN = 1_000
MAX_HEAD_ROWS = 3
_LINE_BREAKERS = frozenset({"br", "p", "div", "li", "ul", "ol", "pre", "blockquote", "figure", "figcaption"})
_SPACES = re.compile(r" +")


def resolve_link(base_url: str, href: str) -> str:
    """An absolute URL a reader can follow, or "" for what is not one (``javascript:``, empty)."""
    href = href.strip()
    if not href:
        return ""
    url = urljoin(base_url, href) if base_url else href
    return url if urlsplit(url).scheme.lower() in LINK_SCHEMES else ""


def same_url(text: str, url: str) -> bool:
    """Whether a link's text already shows its address, so printing the URL again would only repeat it."""

    def bare(value: str) -> str:
        value = value.strip().lower()
        for prefix in ("https://", "http://", "mailto:", "tel:", "www."):
            value = value.removeprefix(prefix)
        return value.rstrip("/")

    return bare(text) == bare(url)


def _span(value: str, most: int) -> int:
    digits = re.fullmatch(r"\s*(\d{1,7})\s*", value, re.ASCII)
    return min(most, max(1, int(digits.group(1)))) if digits else 1


class TableReader:
    """Fed the tags and text of one table by the body reader; ``end`` says when the table is over."""

    def __init__(self, base_url: str, depth: int) -> None:
        self._base = base_url
        self._depth = depth
        self._rows: list[tuple[tuple[Cell, ...], bool]] = []
        self._row: list[Cell] | None = None
        self._row_in_head = False
        self._in_head = False
        self._cell: list[str] | None = None
        self._cell_attributes: tuple[bool, int, int] = (False, 1, 1)
        self._nested = 0
        self._links: list[tuple[str, int]] = []
        self._pictures: list[Figure] = []

    def start(self, tag: str, attributes: dict[str, str]) -> None:
        if tag == "table":
            self._nested += 1
        elif tag == "img":
            src = attributes.get("src", "").strip()
            self._pictures.append(Figure(src, " ".join(attributes.get("alt", "").split()), (), self._depth))
        elif tag == "a":
            url = resolve_link(self._base, attributes.get("href", ""))
            self._links.append((url, len(self._cell) if self._cell is not None else -1))
        elif self._nested:  # a table inside a cell is flattened into the cell's text
            self._separate("\n" if tag == "tr" else " " if tag in ("td", "th") else "")
        elif tag in ("thead", "tbody", "tfoot"):
            self._end_row()
            self._in_head = tag == "thead"
        elif tag == "tr":
            self._end_row()
            self._row, self._row_in_head = [], self._in_head
        elif tag in ("td", "th"):
            self._end_cell()
            if self._row is None:
                self._row, self._row_in_head = [], self._in_head
            self._cell = []
            colspan = _span(attributes.get("colspan", ""), MAX_COLSPAN)
            self._cell_attributes = (tag == "th", colspan, _span(attributes.get("rowspan", ""), MAX_ROWSPAN))
        elif tag in _LINE_BREAKERS or (tag[:1] == "h" and tag[1:].isdigit()):
            self._separate("\n")

    def end(self, tag: str) -> bool:
        if tag == "table":
            if not self._nested:
                self._end_row()
                return True
            self._nested -= 1
        elif tag == "a":
            self._close_link()
        elif self._nested:
            return False
        elif tag in ("td", "th"):
            self._end_cell()
        elif tag == "tr":
            self._end_row()
        elif tag == "thead":
            self._end_row()
            self._in_head = False
        return False

    def data(self, text: str) -> None:
        if self._cell is not None:
            self._cell.append(text)

    def finish(self) -> list[Block]:
        """The table (if it had a cell) and then the pictures that were inside it."""
        self._end_row()
        rows = tuple(cells for cells, _ in self._rows)
        blocks: list[Block] = []
        if rows:
            head = 0
            while head < len(rows) and self._rows[head][1]:
                head += 1
            if not head:
                while head < len(rows) - 1 and all(cell.header for cell in rows[head]):
                    head += 1
            blocks.append(Table(rows, min(head, MAX_HEAD_ROWS, len(rows)), self._depth))
        blocks.extend(self._pictures)
        return blocks

    def _separate(self, separator: str) -> None:
        if separator and self._cell is not None:
            self._cell.append(separator)

    def _close_link(self) -> None:
        if not self._links:
            return
        url, start = self._links.pop()
        if not url or self._cell is None or start < 0:
            return
        text = "".join(self._cell[start:]).strip()
        if text and not same_url(text, url):
            self._cell.append(f" ({url})")

    def _end_cell(self) -> None:
        if self._cell is None:
            return
        lines = [_SPACES.sub(" ", line).strip() for line in "".join(self._cell).split("\n")]
        text = re.sub(r"\n{3,}", "\n\n", "\n".join(lines)).strip()
        header, colspan, rowspan = self._cell_attributes
        if self._row is not None:
            self._row.append(Cell(text, header, colspan, rowspan))
        self._cell = None
        self._links = []

    def _end_row(self) -> None:
        self._end_cell()
        if self._row:
            self._rows.append((tuple(self._row), self._row_in_head))
        self._row = None
