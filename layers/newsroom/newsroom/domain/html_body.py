"""Articles written in HTML (``.html``): a page pasted from another site, or exported by an editor.

The fields come from YAML front matter when the file starts with it, else
from the page's own ``<title>`` and ``<meta name=…>`` tags (the same names
as the front matter: ``author``, ``date``, ``summary`` or ``description``,
``category``, ``slug``, ``image``, ``keywords`` or ``tags``, ``status``).
The body is the ``<body>``'s content (or the whole file), its ``<h1>`` s
demoted under the page's own title, then checked and sanitized with the
Markdown path's allow-list and limits: what a news body needs (figures,
tables, links, lists, quotes) stays, scripts, styles, forms and frames go.
"""

from __future__ import annotations

import html
import re
from typing import Any

import nh3

from newsroom.domain.embeds import embed_videos
from newsroom.domain.errors import RejectedSource
from newsroom.domain.markdown import (
    FIRST_PARAGRAPH,
    MAX_RAW_HTML_TAGS,
    TAG,
    RenderedBody,
    WorkBudget,
    check_nesting,
    sanitize,
)
from newsroom.domain.reasons import N_

_FIRST_H1 = re.compile(r"<h1\b[^>]*>(.*?)</h1\s*>", re.S | re.I)
_HEAD = re.compile(r"<head\b[^>]*>(.*?)</head\s*>", re.S | re.I)
_BODY = re.compile(r"<body\b[^>]*>(.*?)(?:</body\s*>|\Z)", re.S | re.I)
_TITLE = re.compile(r"<title\b[^>]*>(.*?)</title\s*>", re.S | re.I)
_META = re.compile(r"<meta\b[^>]*>", re.I)
_ATTRIBUTE = re.compile(r"""([a-zA-Z:-]+)\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s"'>]+))""")
_H1 = re.compile(r"<(/?)h1\b", re.I)
_DROPPED_WITH_CONTENT = re.compile(r"<(script|style|template|noscript)\b.*?</\1\s*>", re.S | re.I)
IMG_SRC = re.compile(r"<img\b[^>]*\bsrc=\"([^\"]*)\"", re.I)
"""An ``<img>``'s ``src`` in sanitized HTML (one per tag): the lead picture, the media a page shows."""
META_FIELDS = {
    "author": "author",
    "date": "date",
    "article:published_time": "date",
    "summary": "summary",
    "description": "summary",
    "category": "category",
    "slug": "slug",
    "image": "image",
    "og:image": "image",
    "keywords": "tags",
    "tags": "tags",
    "status": "status",
}


def meta_fields(document: str) -> dict[str, Any]:
    """The front-matter fields a page's ``<title>`` and ``<meta>`` tags carry (in ``<head>`` only)."""
    head = _HEAD.search(document)
    scope = head.group(1) if head else document.split("<body", 1)[0]
    fields: dict[str, Any] = {}
    title = _TITLE.search(scope)
    if title:
        fields["title"] = html.unescape(nh3.clean(title.group(1), tags=set())).strip()
    for tag in _META.finditer(scope):
        attributes = {
            name.lower(): html.unescape(double or single or bare)
            for name, double, single, bare in _ATTRIBUTE.findall(tag.group(0))
        }
        name = (attributes.get("name") or attributes.get("property") or "").lower()
        field = META_FIELDS.get(name)
        content = attributes.get("content", "").strip()
        if field and content and field not in fields:
            fields[field] = (
                [t.strip() for t in content.split(",") if t.strip()] if field == "tags" else content
            )
    return fields


def first_heading(body: str) -> tuple[str, str]:
    """The text of the body's first ``<h1>`` and the body without it (a title for a file without one)."""
    found = _FIRST_H1.search(body)
    if not found:
        return "", body
    title = html.unescape(" ".join(nh3.clean(found.group(1), tags=set()).split()))
    return title, body[: found.start()] + body[found.end() :]


def body_of(document: str) -> str:
    """The content of ``<body>`` (the whole text when the file is only a fragment)."""
    found = _BODY.search(document)
    return found.group(1) if found else document


def render_html(source: str, budget: WorkBudget | None = None) -> RenderedBody:
    """Check and sanitize an HTML body: the same allow-list, limits and budget as Markdown's."""
    work = budget or WorkBudget()
    count = len(TAG.findall(source))
    if count > MAX_RAW_HTML_TAGS:
        raise RejectedSource(
            N_("the file has {count:,} HTML tags, over the limit of {limit:,}: split the article"),
            count=count,
            limit=MAX_RAW_HTML_TAGS,
        )
    body = _DROPPED_WITH_CONTENT.sub("", source)
    body = _H1.sub(r"<\1h2", body)  # the page's title is its only h1
    check_nesting(body)
    work.check()
    clean = embed_videos(sanitize(body).strip())
    work.check()
    if not nh3.clean(clean, tags={"img"}).strip():
        raise RejectedSource(N_("the HTML body is empty once cleaned: put the article's text inside <body>"))
    first = FIRST_PARAGRAPH.search(clean)
    text = nh3.clean(first.group(1), tags=set()) if first else nh3.clean(clean, tags=set())[:1000]
    images = tuple(html.unescape(src) for src in IMG_SRC.findall(clean))
    return RenderedBody(html=clean, text=html.unescape(" ".join(text.split())), images=images)
