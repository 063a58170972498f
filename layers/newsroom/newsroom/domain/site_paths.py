"""Where each kind of page lives: its URL, its key in the site bucket, the CDN paths that cache it.

One home for the paths, beside the page kinds that own them: an article
page (``/<category>/<slug>.html``), a listing (``/``, ``/tin-tuc/``), a
monthly archive (``/tin-tuc/2024/06/``), a feed (``rss.xml``), a sitemap
shard (``sitemaps/3fa9c2d1.xml``). The planner, the pages and the use cases
all ask here, so a URL is spelled once.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterable

VIEW_SHARD_FILES = 256
"""Per-article view counts are spread over this many files, whatever the size of the site."""


def page_key(url: str) -> str:
    """The site bucket key of a URL: ``/a/`` → ``a/index.html``, ``/a/b.html`` → ``a/b.html``."""
    path = url.lstrip("/")
    return path + "index.html" if path == "" or path.endswith("/") else path


def listing_url(scope: tuple[str, ...]) -> str:
    """The URL of a listing: ``/`` for home, ``/tin-tuc/`` for a category."""
    return "/" + "".join(f"{part}/" for part in scope)


def archive_url(scope: tuple[str, ...], month: str) -> str:
    """``/tin-tuc/2024/06/``; the whole site's months are ``/2024/06/``.

    Category slugs are never all digits (the configuration and the article
    parser refuse them), so these never collide with a category.
    """
    year, number = month.split("-")
    return f"{listing_url(scope)}{year}/{number}/"


def year_url(scope: tuple[str, ...], year: str) -> str:
    """``/tin-tuc/2024/``: the months of one year of a category (or of the site, ``/2024/``)."""
    return f"{listing_url(scope)}{year}/"


def archive_page_url(scope: tuple[str, ...], month: str, name: str) -> str:
    """One page of a month's archive, named by its first entry: ``/tin-tuc/2024/06/3fa9c2d1.html``."""
    return f"{archive_url(scope, month)}{name}.html"


def feed_key(scope: tuple[str, ...]) -> str:
    """``rss.xml`` for the site, ``tin-tuc/rss.xml`` for a category."""
    return page_key(listing_url(scope)).removesuffix("index.html") + "rss.xml"


def shard_key(name: str) -> str:
    """One shard of the site's sitemap, named by the entry that starts it (``sitemap_shards``)."""
    return f"sitemaps/{name}.xml"


def views_shard(url: str) -> str:
    """The shard (``3f``) holding ``url``'s view count: two hex digits of its SHA-256, stable forever."""
    return hashlib.sha256(url.encode("utf-8")).hexdigest()[:2]


def views_shard_key(shard: str) -> str:
    """``views/3f.json``: one of ``VIEW_SHARD_FILES`` files of per-article views (``{url: views}``)."""
    return f"views/{shard}.json"


def pdf_key(url: str) -> str:
    """Where an article's PDF lives, beside its page: ``/tin-tuc/x.html`` → ``tin-tuc/x.pdf``."""
    return page_key(url).removesuffix(".html") + ".pdf"


PREVIEW_FOLDER = "preview"


def preview_url(token: str) -> str:
    """A draft's private page: ``/preview/<token>.html``, found only by whoever was given the link."""
    return f"/{PREVIEW_FOLDER}/{token}.html"


def invalidation_paths(key: str) -> list[str]:
    """The CDN paths that may cache ``key``: both URIs when the viewer function rewrote it."""
    if key == "index.html" or key.endswith("/index.html"):
        folder = key[: -len("index.html")]
        return [f"/{folder}", f"/{key}"]
    return [f"/{key}"]


_ARCHIVE_MONTH = re.compile(r"^((?:/[^/]+)*/\d{4}/\d{2}/)")


def billed_paths(paths: Iterable[str]) -> list[str]:
    """The invalidation paths to send: the archive pages of one month of one scope as one wildcard.

    A publish touches a month's address and one to three of its pages in
    each scope (``archive_pages``); CloudFront bills a wildcard path as one,
    and ``/tin-tuc/2024/06/*`` also covers the month's other pages, which
    only makes them fetched again. Category slugs are never all digits, so
    ``/<yyyy>/<mm>/`` is always an archive month.
    """
    by_month: dict[str, list[str]] = {}
    others: list[str] = []
    for path in paths:
        found = _ARCHIVE_MONTH.match(path)
        if found:
            by_month.setdefault(found.group(1), []).append(path)
        else:
            others.append(path)
    for folder, inside in by_month.items():
        others += [folder + "*"] if len(inside) > 1 else inside
    return sorted(set(others))
