"""Markdown to safe HTML, with images as figures.

An image alone in its paragraph, ``![alt](/media/x.jpg "caption")``, becomes
``<figure><img alt><figcaption>caption</figcaption></figure>`` as the reference
portal shows it. Raw HTML is allowed in Markdown (editors paste it) and the
result always goes through nh3's allow-list: nothing an editor writes can
reach a reader as script.
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass
from functools import cache

import nh3
from markdown_it import MarkdownIt
from markdown_it.token import Token

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
_FIRST_PARAGRAPH = re.compile(r"<p>(.*?)</p>", re.S)


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
    md.core.ruler.push("figures", _figures)
    md.core.ruler.push("demote_headings", _demote_headings)
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
                figure = Token("html_block", "", 0)
                figure.content = _figure_html(children[0])
                result.append(figure)
                i += 3
                continue
        result.append(token)
        i += 1
    tokens[:] = result


def _figure_html(image: Token) -> str:
    src = str(image.attrGet("src") or "")
    alt = "".join(c.content for c in image.children or []) or image.content
    caption = str(image.attrGet("title") or "")
    parts = [
        "<figure>",
        f'<img src="{html.escape(src)}" alt="{html.escape(alt)}" loading="lazy" decoding="async">',
    ]
    if caption:
        parts.append(f"<figcaption>{html.escape(caption)}</figcaption>")
    parts.append("</figure>\n")
    return "".join(parts)


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


def render_markdown(source: str) -> RenderedBody:
    """Render Markdown to sanitized HTML, its plain text and the images it shows."""
    parser = _parser()
    tokens = parser.parse(source)
    raw = parser.renderer.render(tokens, parser.options, {})
    clean = sanitize(raw)
    images: list[str] = []
    for token in tokens:
        for child in token.children or []:
            if child.type == "image":
                images.append(str(child.attrGet("src") or ""))
        if token.type == "html_block" and token.content.startswith("<figure>"):
            start = token.content.index('src="') + 5
            images.append(html.unescape(token.content[start : token.content.index('"', start)]))
    first = _FIRST_PARAGRAPH.search(clean)
    text = nh3.clean(first.group(1), tags=set()) if first else ""
    return RenderedBody(html=clean, text=html.unescape(" ".join(text.split())), images=tuple(images))
