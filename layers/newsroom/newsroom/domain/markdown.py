"""Markdown to safe HTML, with images as figures.

An image alone in its paragraph, ``![alt](/media/x.jpg "caption")``, becomes
``<figure><img alt><figcaption>caption</figcaption></figure>`` as the reference
portal shows it. Raw HTML is allowed in Markdown (editors paste it) and the
result always goes through nh3's allow-list: nothing an editor writes can
reach a reader as script.
"""

from __future__ import annotations

import gc
import html
import re
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from functools import cache
from typing import Any

import nh3
from markdown_it import MarkdownIt
from markdown_it.token import Token

from newsroom.domain.embeds import embed_videos
from newsroom.domain.errors import RejectedSource
from newsroom.domain.reasons import N_

ALLOWED_TAGS = {
    "a", "abbr", "b", "blockquote", "br", "caption", "cite", "code", "dd", "del", "div",
    "dl", "dt", "em", "figcaption", "figure", "h2", "h3", "h4", "h5", "h6", "hr", "i",
    "img", "ins", "kbd", "li", "mark", "ol", "p", "pre", "q", "s", "small", "span",
    "strong", "sub", "sup", "table", "tbody", "td", "tfoot", "th", "thead", "tr", "u", "ul",
}  # fmt: skip
ALLOWED_ATTRIBUTES = {
    "a": {"href", "title"},
    "img": {"src", "alt", "title", "width", "height", "loading", "decoding"},
    "td": {"colspan", "rowspan"},
    "th": {"colspan", "rowspan", "scope"},
    "ol": {"start"},
    "abbr": {"title"},
}
URL_SCHEMES = {"http", "https", "mailto"}

# How deep raw HTML may nest. The HTML5 tree builder (html5ever, inside nh3)
# scans the stack of open elements for each block start tag, so unclosed
# <div>s cost depth x tags: 50,000 of them (250 KB) took 15 s to sanitize,
# and a 1 MB file would outlast the function's timeout on every retry.
# Real articles nest a few levels; Markdown itself stops at 20 (markdown-it).
MAX_HTML_DEPTH = 100
# Misnested tags can still grow the builder's lists where the depth model
# sees nothing (``<td><em></pre>x</td>`` repeated scales quadratically), so
# the editor's own HTML is also capped by count; Markdown's output is always
# well formed. A pasted 100-row table is about 3,000 tags.
MAX_RAW_HTML_TAGS = 10_000


def _names(text: str) -> frozenset[str]:
    return frozenset(text.split())


TAG = re.compile(r"<(/?)([A-Za-z][^\s/>]*)[^>]*>")
_VOID = _names("area base br col embed hr img input keygen link meta param source track wbr")
_BLOCKS = _names(
    "address article aside blockquote center details dialog dir div dl fieldset figcaption figure"
    " footer form h1 h2 h3 h4 h5 h6 header hgroup hr li listing main menu nav ol p pre search"
    " section summary table ul xmp dd dt"
)
# HTML5's "special" elements: an end tag of another element that meets one of
# them on the way down the stack is ignored, so whatever they opened stays open.
_SPECIAL = (
    _VOID
    | _BLOCKS
    | _names(
        "applet basefont bgsound body br button caption center col colgroup frame frameset head html"
        " iframe marquee noembed noframes noscript object plaintext script select style tbody td"
        " template textarea tfoot th thead title tr"
    )
)
# Formatting elements: their end tag takes them out of the stack (the adoption
# agency), and what was opened inside stays open.
_FORMATTING = _names("a b big code em font i nobr s small strike strong tt u")
# Elements that bound the scope in which a block's end tag looks for its element.
_SCOPE = _names("applet caption html marquee object table td template th")
_BUTTON_SCOPE = _SCOPE | {"button"}
_NOTHING: frozenset[str] = frozenset()
# Start tags that end an open element of their own kind, as HTML5 does.
_CELLS = _names("td th")
_DEFINITIONS = _names("dt dd")
_TABLE_SECTIONS = _names("tbody thead tfoot tr") | _CELLS
_CLOSES = {
    "li": _names("li"),
    **dict.fromkeys(_DEFINITIONS, _DEFINITIONS),
    "tr": _names("tr") | _CELLS,
    **dict.fromkeys(_CELLS, _CELLS),
    **dict.fromkeys(_names("tbody thead tfoot"), _TABLE_SECTIONS),
    "option": _names("option"),
    "optgroup": _names("option optgroup"),
}
FIRST_PARAGRAPH = re.compile(r"<p>(.*?)</p>", re.S)

# CPU seconds one file may spend being parsed and rendered. Prose renders at
# about 0.1 us a byte (0.1 s for a 1 MB file), but markup costs 3 to 76 us per
# element: 1 MB of ``![[`` took 18 s, and eight such files outlast a batch's
# 60 s timeout. 2 s here is about 3.5 s of wall time on a 1,024 MB Lambda
# (0.58 of a vCPU), so ten refused files still leave the batch time to render.
MAX_RENDER_SECONDS = 2.0
# How many parser steps pass between two looks at the clock (a step is 3-76 us).
_STEPS_PER_CHECK = 128


# CPU time each thread has spent collecting garbage. A full collection of a big heap (the
# local stack holds moto's state in-process) can take seconds, charged to whichever thread
# allocated last; it is not the file's work, so the budget leaves it out.
_collecting: dict[int, float] = {}
_collected: dict[int, float] = {}


def _on_collection(phase: str, info: dict[str, int]) -> None:
    ident = threading.get_ident()
    if phase == "start":
        _collecting[ident] = time.thread_time()
    elif (started := _collecting.pop(ident, None)) is not None:
        _collected[ident] = _collected.get(ident, 0.0) + time.thread_time() - started


gc.callbacks.append(_on_collection)


def collected_seconds() -> float:
    """CPU seconds this thread has spent collecting garbage."""
    return _collected.get(threading.get_ident(), 0.0)


class WorkBudget:
    """The CPU time one source file may use; past it the file is refused, with the limit.

    Measured on the thread's own CPU clock, less garbage collection, so a busy
    neighbour or a big heap does not make a file fail, and checked from inside
    the Markdown parser, so a pathological file stops within milliseconds of
    its limit.
    """

    def __init__(
        self,
        seconds: float | None = None,
        clock: Callable[[], float] = time.thread_time,
        collected: Callable[[], float] = collected_seconds,
    ) -> None:
        self.seconds = MAX_RENDER_SECONDS if seconds is None else seconds
        self._clock = clock
        self._collected = collected
        self._started = clock() - collected()
        self._steps = 0

    @property
    def spent(self) -> float:
        """CPU seconds charged to the file so far."""
        return self._clock() - self._collected() - self._started

    def check(self) -> None:
        """Refuse the file if its time is up."""
        if self.spent > self.seconds:
            raise RejectedSource(
                N_(
                    "the article takes too long to render: over {seconds:g} s of processing,"
                    " the limit per file. It holds unusually much formatting (runs of *, _, [, ! or"
                    " list and heading marks): simplify it or split it into several articles"
                ),
                seconds=self.seconds,
            )

    def step(self) -> None:
        """Count one parser step; look at the clock every few of them."""
        self._steps += 1
        if self._steps % _STEPS_PER_CHECK == 0:
            self.check()


def _budget_inline(state: Any, silent: bool) -> bool:
    """First inline rule: runs once per position the inline parser visits, matches nothing."""
    budget = state.env.get("budget")
    if budget is not None:
        budget.step()
    return False


def _budget_block(state: Any, start: int, end: int, silent: bool) -> bool:
    """First block rule: runs once per block started and per line a block looks for its end."""
    budget = state.env.get("budget")
    if budget is not None:
        budget.step()
    return False


@dataclass(frozen=True)
class RenderedBody:
    """The sanitized body and what it refers to.

    ``text`` is the first paragraph as plain text: the default summary.
    """

    html: str
    text: str
    images: tuple[str, ...]


@cache
def _parser() -> MarkdownIt:
    md = MarkdownIt("commonmark", {"html": True, "typographer": False})
    md.enable(["table", "strikethrough"])
    md.inline.ruler.before("text", "budget", _budget_inline)
    # Also where paragraphs, lists and quotes look for their end, line by line.
    md.block.ruler.before(
        "table", "budget", _budget_block, {"alt": ["paragraph", "reference", "blockquote", "list"]}
    )
    md.core.ruler.push("figures", _figures)
    md.core.ruler.push("demote_headings", _demote_headings)
    md.add_render_rule("figure", _render_figure)
    return md


def _demote_headings(state: object) -> None:
    """Shift body headings one level down: the page's only ``h1`` is the title."""
    for token in state.tokens:  # type: ignore[attr-defined]
        if token.type in ("heading_open", "heading_close"):
            token.tag = f"h{min(int(token.tag[1]) + 1, 6)}"


def _figures(state: object) -> None:
    """Turn paragraphs holding exactly one image into figure blocks."""
    tokens: list[Token] = state.tokens  # type: ignore[attr-defined]
    result: list[Token] = []
    i = 0
    while i < len(tokens):
        token = tokens[i]
        if (
            token.type == "paragraph_open"
            and i + 2 < len(tokens)
            and tokens[i + 1].type == "inline"
            and tokens[i + 2].type == "paragraph_close"
        ):
            children = [
                c for c in (tokens[i + 1].children or []) if not (c.type == "text" and not c.content.strip())
            ]
            if len(children) == 1 and children[0].type == "image":
                result.append(_figure_token(children[0]))
                i += 3
                continue
        result.append(token)
        i += 1
    tokens[:] = result


def _figure_token(image: Token) -> Token:
    """A ``figure`` token of our own: the editor's raw HTML limits never count it."""
    figure = Token("figure", "figure", 0, block=True)
    figure.meta = {
        "src": str(image.attrGet("src") or ""),
        "alt": "".join(c.content for c in image.children or []) or image.content,
        "caption": str(image.attrGet("title") or ""),
    }
    return figure


def _render_figure(renderer: object, tokens: list[Token], index: int, options: object, env: object) -> str:
    meta = tokens[index].meta
    src, alt = html.escape(meta["src"]), html.escape(meta["alt"])
    parts = ["<figure>", f'<img src="{src}" alt="{alt}" loading="lazy" decoding="async">']
    if meta["caption"]:
        parts.append(f"<figcaption>{html.escape(meta['caption'])}</figcaption>")
    parts.append("</figure>\n")
    return "".join(parts)


def check_raw_html(tokens: list[Token]) -> None:
    """Refuse more than ``MAX_RAW_HTML_TAGS`` tags of raw HTML (see the constant for why)."""
    count = 0
    for token in tokens:
        parts = [token] if token.type == "html_block" else token.children or []
        count += sum(len(TAG.findall(part.content)) for part in parts if part.type.startswith("html_"))
    if count > MAX_RAW_HTML_TAGS:
        raise RejectedSource(
            N_(
                "the file has {count:,} HTML tags, over the limit of {limit:,}:"
                " write the article in Markdown, or paste less HTML"
            ),
            count=count,
            limit=MAX_RAW_HTML_TAGS,
        )


def _find(stack: list[str], name: str, stops: frozenset[str]) -> int | None:
    """Where the innermost open ``name`` is, unless an element in ``stops`` comes first."""
    for index in range(len(stack) - 1, -1, -1):
        if stack[index] == name:
            return index
        if stack[index] in stops:
            return None
    return None


def _end_tag(stack: list[str], name: str) -> None:
    """What an end tag does to the stack of open elements (see ``check_nesting``)."""
    if name in _FORMATTING:
        index = _find(stack, name, _NOTHING)
        if index is not None and any(open_ in _SPECIAL for open_ in stack[index + 1 :]):
            del stack[index]
            return
    elif name == "form":
        index = _find(stack, name, _SCOPE)
        if index is not None:
            del stack[index]
        return
    else:
        index = _find(stack, name, _SCOPE if name in _BLOCKS or name == "button" else _SPECIAL)
    if index is not None:
        del stack[index:]


def check_nesting(fragment: str) -> None:
    """Refuse HTML that nests deeper than ``MAX_HTML_DEPTH``, in one linear pass.

    A close approximation of the HTML5 tree builder, erring on the deep side:
    void elements never open; a block start closes an open ``<p>``, and a
    ``<li>``, table cell or row ends its open sibling; a block's end tag
    closes down to its element unless a table boundary comes first; a
    formatting element's end tag (the adoption agency) takes out just that
    element when a block was opened inside it, leaving the block open; any
    other end tag is ignored when a block stands above its element, as in
    ``<span><div></span>``.
    """
    stack: list[str] = []
    for match in TAG.finditer(fragment):
        name = match.group(2).lower()
        if match.group(1):
            _end_tag(stack, name)
            continue
        if name in _VOID:
            continue
        if name in _BLOCKS:
            index = _find(stack, "p", _BUTTON_SCOPE)
            if index is not None:
                del stack[index:]
        closes = _CLOSES.get(name)
        while closes and stack and stack[-1] in closes:
            stack.pop()
        stack.append(name)
        if len(stack) > MAX_HTML_DEPTH:
            raise RejectedSource(
                N_("the HTML nests more than {most} elements deep (at a <{tag}>): close the tags you open"),
                most=MAX_HTML_DEPTH,
                tag=name[:20],
            )


def sanitize(fragment: str) -> str:
    """Keep only the allow-listed tags, attributes and URL schemes."""
    return nh3.clean(
        fragment,
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes=URL_SCHEMES,
        link_rel="noopener noreferrer",
        strip_comments=True,
    )


def render_markdown(source: str, budget: WorkBudget | None = None) -> RenderedBody:
    """Render Markdown to sanitized HTML, its plain text and the images it shows.

    ``budget`` bounds the CPU time (a fresh ``WorkBudget`` by default).
    """
    parser = _parser()
    env: dict[str, Any] = {"budget": budget or WorkBudget()}
    tokens = parser.parse(source, env)
    env["budget"].check()
    check_raw_html(tokens)
    raw = parser.renderer.render(tokens, parser.options, env)
    env["budget"].check()
    check_nesting(raw)
    clean = embed_videos(sanitize(raw))
    env["budget"].check()
    images: list[str] = []
    for token in tokens:
        for child in token.children or []:
            if child.type == "image":
                images.append(str(child.attrGet("src") or ""))
        if token.type == "figure":
            images.append(token.meta["src"])
    first = FIRST_PARAGRAPH.search(clean)
    text = nh3.clean(first.group(1), tags=set()) if first else ""
    return RenderedBody(html=clean, text=html.unescape(" ".join(text.split())), images=tuple(images))
