"""Feeds and crawler files: RSS 2.0, sitemaps, the Google News sitemap, robots.txt.

Pure functions from values to UTF-8 bytes. Nothing reads the clock: a feed's
``lastBuildDate`` is its newest item's time, so the same items always give the
same bytes (a rebuild compares byte for byte with the incremental path).

XML is written by hand, not through a DOM, so that the element and attribute
order is fixed by this module; every text and attribute value goes through
:func:`_text` / :func:`_attr`, which escape markup and drop the characters XML
1.0 cannot carry at all (control characters, lone surrogates, U+FFFE/U+FFFF),
so no article title can make a feed unreadable.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from email.utils import format_datetime

ATOM_NS = "http://www.w3.org/2005/Atom"
MEDIA_NS = "http://search.yahoo.com/mrss/"
SITEMAP_NS = "http://www.sitemaps.org/schemas/sitemap/0.9"
NEWS_NS = "http://www.google.com/schemas/sitemap-news/0.9"

MAX_SITEMAP_URLS = 50_000
"""sitemaps.org: at most 50,000 URLs in one sitemap or sitemap index."""
MAX_NEWS_URLS = 1_000
"""Google News: at most 1,000 URLs in one news sitemap."""

XML_DECLARATION = '<?xml version="1.0" encoding="UTF-8"?>'

# Everything outside XML 1.0's Char production:
# #x9 | #xA | #xD | [#x20-#xD7FF] | [#xE000-#xFFFD] | [#x10000-#x10FFFF]
_NOT_XML_CHAR = re.compile("[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")


@dataclass(frozen=True)
class FeedItem:
    """One article as a feed shows it."""

    title: str
    url: str
    """Absolute URL of the article page (also its permalink guid)."""
    published: datetime
    """When it was published; must be timezone-aware."""
    summary: str
    categories: tuple[str, ...] = ()
    image_url: str | None = None
    """Absolute URL of the article's picture, given as ``media:content``."""


def clean_xml_text(value: str) -> str:
    """``value`` without the characters XML 1.0 does not allow (C0 controls but tab/newlines, …)."""
    return _NOT_XML_CHAR.sub("", value)


def _text(value: str) -> str:
    # str.replace, not str.translate: a table of multi-character replacements walks Vietnamese text
    # a character at a time in Python's slow path (a tenth of a publish's own time in feeds).
    value = clean_xml_text(value)
    return value.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\r", "&#13;")


def _attr(value: str) -> str:
    value = _text(value)
    return value.replace('"', "&quot;").replace("\t", "&#9;").replace("\n", "&#10;")


def _start(name: str, attrs: Iterable[tuple[str, str]] = ()) -> str:
    return "<" + name + "".join(f' {key}="{_attr(value)}"' for key, value in attrs)


def _element(name: str, text: str, attrs: Iterable[tuple[str, str]] = ()) -> str:
    return f"{_start(name, attrs)}>{_text(text)}</{name}>"


def _empty(name: str, attrs: Iterable[tuple[str, str]]) -> str:
    return f"{_start(name, attrs)}/>"


def _document(lines: Iterable[str]) -> bytes:
    return ("\n".join([XML_DECLARATION, *lines]) + "\n").encode("utf-8")


def _aware(value: datetime) -> datetime:
    if value.tzinfo is None or value.utcoffset() is None:
        raise ValueError(f"naive datetime {value.isoformat()}: feeds need timezone-aware times")
    return value


def rfc822(value: datetime) -> str:
    """``Sun, 28 Apr 2024 09:00:00 GMT``: RSS dates, always in UTC."""
    return format_datetime(_aware(value).astimezone(UTC), usegmt=True)


def w3c_datetime(value: datetime) -> str:
    """``2024-04-28T16:00:00+07:00``: sitemap dates, to the second, offset kept."""
    return _aware(value).isoformat(timespec="seconds")


def _language(code: str) -> str:
    """``vi`` / ``en_US`` → ``vi`` / ``en-us`` (RSS and Google News take RFC 5646 codes)."""
    return code.replace("_", "-").lower()


def _check_url(url: str) -> str:
    # Whitespace other than the space is not printable: two C-level scans, not one call per character.
    if not url or " " in url or not url.isprintable():
        raise ValueError(f"not an absolute URL: {url!r}")
    if not url.startswith(("https://", "http://")):
        raise ValueError(f"not an absolute URL: {url!r}")
    return url


def rss_feed(
    *,
    title: str,
    link: str,
    description: str,
    language: str,
    self_url: str,
    items: Sequence[FeedItem],
    generator: str,
) -> bytes:
    """An RSS 2.0 feed with an ``atom:link rel="self"``, items in the order given.

    ``lastBuildDate`` is the newest item's publication time (omitted for an
    empty feed), never the time of rendering.
    """
    lines = [
        f'<rss version="2.0" xmlns:atom="{ATOM_NS}" xmlns:media="{MEDIA_NS}">',
        "<channel>",
        "  " + _element("title", title),
        "  " + _element("link", _check_url(link)),
        "  " + _element("description", description),
        "  " + _element("language", _language(language)),
        "  " + _element("generator", generator),
    ]
    if items:
        newest = max(items, key=lambda item: _aware(item.published))
        lines.append("  " + _element("lastBuildDate", rfc822(newest.published)))
    lines.append(
        "  "
        + _empty(
            "atom:link",
            [("href", _check_url(self_url)), ("rel", "self"), ("type", "application/rss+xml")],
        )
    )
    for item in items:
        url = _check_url(item.url)
        lines += [
            "  <item>",
            "    " + _element("title", item.title),
            "    " + _element("link", url),
        ]
        if item.summary:
            lines.append("    " + _element("description", item.summary))
        lines.append("    " + _element("pubDate", rfc822(item.published)))
        lines.append("    " + _element("guid", url, [("isPermaLink", "true")]))
        lines += ["    " + _element("category", category) for category in item.categories if category]
        if item.image_url:
            lines.append(
                "    " + _empty("media:content", [("url", _check_url(item.image_url)), ("medium", "image")])
            )
        lines.append("  </item>")
    lines += ["</channel>", "</rss>"]
    return _document(lines)


def _check_count(count: int, limit: int, what: str) -> None:
    if count > limit:
        raise ValueError(f"{count} URLs in one {what}; the limit is {limit}: split it")


def _sitemap(root: str, entry: str, what: str, locations: Sequence[tuple[str, str | None]]) -> bytes:
    """The one sitemap writer: ``<root>`` holding an ``<entry>`` (loc, optional lastmod) per location."""
    _check_count(len(locations), MAX_SITEMAP_URLS, what)
    lines = [f'<{root} xmlns="{SITEMAP_NS}">']
    for url, lastmod in locations:
        lines.append(f"  <{entry}>")
        lines.append("    " + _element("loc", _check_url(url)))
        if lastmod:
            lines.append("    " + _element("lastmod", lastmod))
        lines.append(f"  </{entry}>")
    lines.append(f"</{root}>")
    return _document(lines)


def sitemap_index(shards: Sequence[tuple[str, str | None]]) -> bytes:
    """A sitemap index: ``(absolute shard URL, W3C datetime lastmod or None)`` in the order given."""
    return _sitemap("sitemapindex", "sitemap", "sitemap index", shards)


def sitemap_urlset(urls: Sequence[tuple[str, str | None]]) -> bytes:
    """A sitemap: ``(absolute page URL, W3C datetime lastmod or None)`` in the order given."""
    return _sitemap("urlset", "url", "sitemap", urls)


def news_sitemap(
    *, publication_name: str, language: str, items: Sequence[tuple[str, str, datetime]]
) -> bytes:
    """A Google News sitemap: ``(absolute URL, title, publication time)`` per article."""
    _check_count(len(items), MAX_NEWS_URLS, "news sitemap")
    code = _language(language)
    lines = [f'<urlset xmlns="{SITEMAP_NS}" xmlns:news="{NEWS_NS}">']
    for url, title, published in items:
        lines += [
            "  <url>",
            "    " + _element("loc", _check_url(url)),
            "    <news:news>",
            "      <news:publication>",
            "        " + _element("news:name", publication_name),
            "        " + _element("news:language", code),
            "      </news:publication>",
            "      " + _element("news:publication_date", w3c_datetime(published)),
            "      " + _element("news:title", title),
            "    </news:news>",
            "  </url>",
        ]
    lines.append("</urlset>")
    return _document(lines)


def robots_txt(sitemaps: Sequence[str]) -> bytes:
    """``robots.txt``: crawl everything but the API; one ``Sitemap:`` line per absolute URL."""
    lines = ["User-agent: *", "Allow: /", "Disallow: /api/"]
    if sitemaps:
        lines.append("")
        lines += [f"Sitemap: {_check_url(url)}" for url in sitemaps]
    return ("\n".join(lines) + "\n").encode("utf-8")
