"""Reads the sanitized article body into blocks, and refuses a body too big to print in one call.

The input is what the site's sanitizer lets through, so the reader knows every
tag it may meet and treats anything else as a plain container; it never
fails on odd nesting. Limits are checked while reading, so an oversized body
is refused after reading only as far as the limit, not after laying out
thousands of pages.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace
from html.parser import HTMLParser

from newsroom_pdf.blocks import Block, Figure, Kind, Position, Rule, Run, Text, clean_text, plain, tidy
from newsroom_pdf.html_tables import TableReader, resolve_link, same_url

MAX_BLOCKS = 2_000
MAX_PICTURES = 60
MAX_BODY_CHARS = 400_000  # about 150 pages, printed in about 12 s on one Lambda vCPU

BLOCK_TAGS = frozenset(
    {"p", "div", "h1", "h2", "h3", "h4", "h5", "h6", "ul", "ol", "li", "blockquote", "pre", "hr"}
    | {"figure", "figcaption", "table", "thead", "tbody", "tfoot", "tr", "td", "th"}
)
HEADINGS: dict[str, Kind] = {"h1": "h2", "h2": "h2", "h3": "h3", "h4": "h4", "h5": "h5", "h6": "h6"}
SKIPPED = frozenset({"script", "style", "template", "noscript"})
_CAPTION_BREAKS = (BLOCK_TAGS | {"br"}) - {"table"}  # inside a figure, blocks only break caption lines
BULLETS = ("•", "◦", "▪")
_SPACES = re.compile(r"[ \t\n\r\f]+")


def parse_body(body_html: str, base_url: str = "") -> tuple[Block, ...]:
    """The body as blocks; links are made absolute against ``base_url`` so they work from a saved file.

    Raises ``ValueError`` for a body past the limits, so the function answers
    with an error a person can read instead of timing out.
    """
    if len(body_html) > MAX_BODY_CHARS:
        raise ValueError(f"article body is {len(body_html):,} characters; at most {MAX_BODY_CHARS:,} print")
    reader = _BodyReader(base_url)
    reader.feed(body_html)
    reader.close()
    return reader.finish()


@dataclass
class _Style:
    bold: int = 0
    italic: int = 0
    underline: int = 0
    strike: int = 0
    positions: list[Position] = field(default_factory=list)


@dataclass
class _Link:
    href: str
    runs: list[Run]
    start: int


@dataclass
class _FigureState:
    video: str | None
    depth: int
    href: str = ""
    images: list[tuple[str, str]] = field(default_factory=list)
    runs: list[Run] = field(default_factory=list)


class _BodyReader(HTMLParser):
    def __init__(self, base_url: str) -> None:
        super().__init__(convert_charrefs=True)
        self._base = base_url
        self._blocks: list[Block] = []
        self._block_count = 0
        self._picture_count = 0
        self._runs: list[Run] = []
        self._kind: Kind = "p"
        self._bullet = ""
        self._style = _Style()
        self._links: list[_Link] = []
        self._lists: list[list[int]] = []  # [ordered (0/1), items so far] per open list
        self._quote = 0
        self._pre = 0
        self._skip = 0
        self._figure: _FigureState | None = None
        self._figure_nesting = 0
        self._table: TableReader | None = None

    def finish(self) -> tuple[Block, ...]:
        if self._table is not None:
            self._blocks.extend(self._table.finish())
            self._table = None
        if self._figure is not None:
            self._close_figure()
        self._flush()
        return tuple(self._blocks)

    @property
    def _depth(self) -> int:
        return len(self._lists) + self._quote

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        attributes = {name: value or "" for name, value in attrs}
        self._count(tag)
        if tag in SKIPPED:
            self._skip += 1
        if self._skip:
            return
        if self._table is not None:
            self._table.start(tag, attributes)
            return
        if self._figure is not None and tag in _CAPTION_BREAKS:
            if tag not in ("figure", "figcaption"):
                self._figure.runs.append(Run("\n"))
            self._figure_nesting += tag == "figure"
            return
        self._start(tag, attributes)

    def _start(self, tag: str, attributes: dict[str, str]) -> None:
        style = self._style
        if tag in ("b", "strong"):
            style.bold += 1
        elif tag in ("i", "em"):
            style.italic += 1
        elif tag == "u":
            style.underline += 1
        elif tag == "s":
            style.strike += 1
        elif tag in ("sub", "sup"):
            style.positions.append("SUB" if tag == "sub" else "SUP")
        elif tag == "a":
            self._open_link(attributes.get("href", ""))
        elif tag == "br":
            self._target.append(Run("\n"))
        elif tag == "img":
            self._picture(attributes)
        elif tag == "table":
            self._start_table()
        elif tag == "figure":
            self._start_figure(attributes)
        elif tag in BLOCK_TAGS:
            self._flush()
            self._start_block(tag)

    def _start_block(self, tag: str) -> None:
        if tag in ("ul", "ol"):
            self._lists.append([tag == "ol", 0])
        elif tag == "li":
            if self._lists and self._lists[-1][0]:
                self._lists[-1][1] += 1
                self._bullet = f"{self._lists[-1][1]}."
            else:
                self._bullet = BULLETS[max(0, len(self._lists) - 1) % len(BULLETS)]
        elif tag == "blockquote":
            self._quote += 1
        elif tag == "pre":
            self._pre += 1
            self._kind = "pre"
        elif tag in HEADINGS:
            self._kind = HEADINGS[tag]
        elif tag == "figcaption":  # a caption outside a picture's figure (a table's): italic text
            self._style.italic += 1
        elif tag == "hr":
            self._blocks.append(Rule(self._depth))

    def handle_endtag(self, tag: str) -> None:  # noqa: PLR0912 (one branch per tag)
        if tag in SKIPPED:
            self._skip = max(0, self._skip - 1)
            return
        if self._skip:
            return
        if self._table is not None:
            if self._table.end(tag):
                self._blocks.extend(self._table.finish())
                self._table = None
            return
        style = self._style
        if tag == "figure" and self._figure_nesting:
            self._figure_nesting -= 1
            if not self._figure_nesting and self._figure is not None:
                self._close_figure()
        elif self._figure is not None and tag != "a" and tag in BLOCK_TAGS:
            return
        elif tag in ("b", "strong"):
            style.bold = max(0, style.bold - 1)
        elif tag in ("i", "em"):
            style.italic = max(0, style.italic - 1)
        elif tag == "u":
            style.underline = max(0, style.underline - 1)
        elif tag == "s":
            style.strike = max(0, style.strike - 1)
        elif tag in ("sub", "sup") and style.positions:
            style.positions.pop()
        elif tag == "a":
            self._close_link()
        elif tag in BLOCK_TAGS:
            self._flush()
            self._end_block(tag)

    def _end_block(self, tag: str) -> None:
        if tag in ("ul", "ol") and self._lists:
            self._lists.pop()
        elif tag == "li":
            self._bullet = ""
        elif tag == "blockquote":
            self._quote = max(0, self._quote - 1)
        elif tag == "pre":
            self._pre = max(0, self._pre - 1)
        elif tag == "figcaption":
            self._style.italic = max(0, self._style.italic - 1)
        self._kind = "pre" if self._pre else "p"

    def handle_data(self, data: str) -> None:
        if self._skip:
            return
        if self._pre and self._table is None and self._figure is None:
            text = clean_text(data.replace("\r\n", "\n").replace("\r", "\n").expandtabs(4))
        else:
            text = clean_text(_SPACES.sub(" ", data))
        if not text:
            return
        if self._table is not None:
            self._table.data(text)
            return
        style = self._style
        self._target.append(
            Run(
                text,
                bold=style.bold > 0,
                italic=style.italic > 0,
                underline=style.underline > 0,
                strike=style.strike > 0,
                position=style.positions[-1] if style.positions else "",
                link=self._links[-1].href if self._links else "",
            )
        )

    @property
    def _target(self) -> list[Run]:
        return self._figure.runs if self._figure is not None else self._runs

    def _count(self, tag: str) -> None:
        if tag in BLOCK_TAGS:
            self._block_count += 1
            if self._block_count > MAX_BLOCKS:
                raise ValueError(f"article body has more than {MAX_BLOCKS:,} block elements")
        elif tag == "img":
            self._picture_count += 1
            if self._picture_count > MAX_PICTURES:
                raise ValueError(f"article body has more than {MAX_PICTURES} pictures")

    def _flush(self) -> None:
        runs = tidy(self._runs, pre=self._kind == "pre")
        self._runs = []
        if not runs:
            return
        depth = max(self._depth, 1) if self._bullet else self._depth
        self._blocks.append(Text(self._kind, runs, depth, self._bullet, quoted=self._quote > 0))
        self._bullet = ""  # a list item's later paragraphs carry no bullet of their own

    def _open_link(self, href: str) -> None:
        url = resolve_link(self._base, href)
        if self._figure is not None and self._figure.video is not None:
            self._figure.href = self._figure.href or url
            url = ""  # the video line is written whole when the figure closes
        self._links.append(_Link(url, self._target, len(self._target)))

    def _close_link(self) -> None:
        if not self._links:
            return
        link = self._links.pop()
        if not link.href or link.runs is not self._target:
            return
        text = plain(tuple(link.runs[link.start :])).strip()
        if text and not same_url(text, link.href):
            link.runs.append(Run(f" ({link.href})", note=True))

    def _picture(self, attributes: dict[str, str]) -> None:
        src, alt = attributes.get("src", "").strip(), clean_text(_SPACES.sub(" ", attributes.get("alt", "")))
        if self._figure is not None:
            self._figure.images.append((src, alt.strip()))
            return
        self._flush()
        self._blocks.append(Figure(src, alt.strip(), (), self._depth))

    def _start_table(self) -> None:
        self._flush()
        if self._figure is not None:  # <figure class="table"><table>: the figure only wraps it
            self._close_figure()
            self._figure_nesting = 0
        self._table = TableReader(self._base, self._depth)

    def _start_figure(self, attributes: dict[str, str]) -> None:
        self._flush()
        self._figure_nesting = 1
        video = None
        if "video" in attributes.get("class", "").split():
            video = resolve_link("", attributes.get("data-video", ""))
        self._figure = _FigureState(video, self._depth)

    def _close_figure(self) -> None:
        figure, self._figure = self._figure, None
        if figure is None:
            return
        self._links = [link for link in self._links if link.runs is not figure.runs]
        caption = tidy(figure.runs)
        if figure.video is not None:
            self._blocks.append(_video_line(plain(caption), figure.href or figure.video, figure.depth))
        elif not figure.images:
            if caption:
                italic = tuple(replace(run, italic=True) for run in caption)
                self._blocks.append(Text("p", italic, figure.depth))
        else:
            last = len(figure.images) - 1
            for index, (src, alt) in enumerate(figure.images):
                self._blocks.append(Figure(src, alt, caption if index == last else (), figure.depth))


def _video_line(title: str, url: str, depth: int) -> Text:
    """'Video: Title — URL': paper cannot play the embed, so the reader gets the address to type."""
    runs = [Run("Video: ", bold=True)]
    if title and not same_url(title, url):
        runs.append(Run(f"{title} — " if url else title))
    if url:
        runs.append(Run(url, link=url))
    return Text("p", tuple(runs), depth)
