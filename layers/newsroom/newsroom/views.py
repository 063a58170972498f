"""View models: the only things templates see.

Templates never touch DynamoDB items or S3 responses; the renderer hands them
these frozen records, so a template change cannot depend on storage details and
a rebuild that produces the same records produces the same bytes.
"""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class Link:
    """A labelled link (menus, breadcrumb, side links, partner banners)."""

    title: str
    url: str
    image: str | None = None


@dataclass(frozen=True)
class Teaser:
    """What a list needs to show one article: newer/older lists, category pages."""

    title: str
    url: str
    date_iso: str
    date_text: str
    summary: str = ""
    image: str | None = None


@dataclass(frozen=True)
class SiteView:
    """Site-wide settings and the figures of the side modules.

    ``articles`` and ``views`` are the values at render time; the browser
    replaces them from ``/stats.json`` so that a publish need not rewrite
    every page to keep them current.
    """

    name: str
    base_url: str
    locale: str
    menu: tuple[Link, ...]
    links: tuple[Link, ...]
    partners: tuple[Link, ...]
    members: int
    web_links: int
    articles: int
    views: int
    stylesheet_url: str
    script_url: str
    stats_url: str = "/stats.json"
    icon_url: str = ""
    # Weekday and month names for the browser-side date line, in the locale.
    weekday_names: tuple[str, ...] = field(default_factory=tuple)


@dataclass(frozen=True)
class Figure:
    """An image in the article body, already resolved to its site URL."""

    src: str
    alt: str
    caption: str


@dataclass(frozen=True)
class ArticleView:
    """Everything the article page shows."""

    title: str
    url: str
    canonical_url: str
    date_iso: str
    date_text: str
    date_line: str
    summary: str
    author: str
    image: str | None
    tags: tuple[str, ...]
    body_html: str
    breadcrumb: tuple[Link, ...]
    newer: tuple[Teaser, ...]
    older: tuple[Teaser, ...]


@dataclass(frozen=True)
class ListingView:
    """A listing page: the home page or a category's first page."""

    title: str
    url: str
    canonical_url: str
    date_line: str
    breadcrumb: tuple[Link, ...]
    teasers: tuple[Teaser, ...]
    description: str = ""
