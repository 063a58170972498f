"""View models: the only things templates see.

Templates never touch DynamoDB items or S3 responses; the renderer hands them
these frozen records, so a template change cannot depend on storage details and
a rebuild that produces the same records produces the same bytes.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import ClassVar

from newsroom.configuration.site_config import Link
from newsroom.domain.embeds import Video


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

    ``articles`` and ``views`` change with every publish and every read, so
    pages carry none (``None`` renders a dash) and the browser fills them from
    ``/stats.json``: a publish need not rewrite every page, and a page's bytes
    depend on stored state only, so a rebuild reproduces them exactly.
    """

    name: str
    base_url: str
    locale: str
    menu: tuple[Link, ...]
    links: tuple[Link, ...]
    partners: tuple[Link, ...]
    members: int
    web_links: int
    articles: int | None
    views: int | None
    stats_url: str = "/stats.json"
    gallery_url: str = "/gallery.json"
    """The picture function's small list for the random-picture module (``domain.pictures``)."""
    video: Video | None = None
    """The side video module (``site.yaml``'s ``video``), the same placeholder as an article's."""
    # Weekday and month names for the browser-side date line, in the locale.
    weekday_names: tuple[str, ...] = field(default_factory=tuple)
    description: str = ""
    feed_url: str = "/rss.xml"
    search_url: str = "/api/search"
    timezone: str = "UTC"
    """The site's: the browser shows "as of" times in it, whoever reads."""


@dataclass(frozen=True, kw_only=True)
class PageHead:
    """What the layout (``base.html``) shows of one page, whatever its kind.

    The ``<head>`` (title, description, canonical URL and Open Graph, assets),
    the header's date line, the breadcrumb, and the stamp of the stored
    configuration version every page carries (``<html data-config-version="…">``,
    so ops can see which pages a configuration change has reached). A page
    without a ``canonical_url`` (404, search results) is marked ``noindex``.
    """

    title: str
    url: str = ""
    """The page's root-relative URL (the menu marks the link to it as current)."""
    canonical_url: str = ""
    description: str = ""
    date_line: str = ""
    """The render-time date line; when empty the browser fills in today's date."""
    breadcrumb: tuple[Link, ...] = ()
    """From Home; when it stops short of this page the layout adds the page's title."""
    config_version: int = 0
    preview: bool = False
    """A draft's private preview: never indexed, never sent as a referrer, a banner says so."""
    stylesheet_url: str
    script_url: str
    icon_url: str = ""


@dataclass(frozen=True)
class PageView:
    """What every page kind's view has: its template (extending ``base.html``) and its head."""

    template: ClassVar[str]

    head: PageHead


@dataclass(frozen=True)
class Figure:
    """An image in the article body, already resolved to its site URL."""

    src: str
    alt: str
    caption: str


@dataclass(frozen=True)
class ArticleView(PageView):
    """Everything the article page shows (its summary is the head's description)."""

    template = "article.html"

    date_iso: str
    date_text: str
    author: str
    image: str | None
    tags: tuple[str, ...]
    body_html: str
    newer: tuple[Teaser, ...]
    older: tuple[Teaser, ...]
    url: str = ""
    """The article's own URL: the key of its count in ``views_url``."""
    views_url: str = ""
    """The shard file holding its view count (``/views/3f.json``), read by the browser."""
    views_shard: str = ""
    """That file's shard (``3f``): the browser reads it once ``/stats.json`` lists it."""
    views_base: int = 0
    pdf_url: str = ""
    """The article's PDF beside its page (none for a preview: the PDF function prints live pages only)."""
    """The configured old count the browser adds (a fixed setting of the file, not a moving figure)."""


@dataclass(frozen=True)
class MonthLink:
    """A link to one monthly archive page, with how many articles it holds (None: not shown)."""

    title: str
    url: str
    count: int | None = None


@dataclass(frozen=True)
class ListingView(PageView):
    """A category's front page: its newest articles (subcategories included).

    ``months`` links the category's monthly archives, newest first;
    ``subcategories`` its configured or known child categories.
    """

    template = "listing.html"

    teasers: tuple[Teaser, ...]
    months: tuple[MonthLink, ...] = ()
    earlier: Link | None = None
    """The year page of the months older than ``months`` (which are the newest ``MONTH_LINKS``)."""
    subcategories: tuple[Link, ...] = ()
    feed_url: str = ""


@dataclass(frozen=True)
class Section:
    """A block of the home page: one top-level category and its newest articles."""

    title: str
    url: str
    description: str
    teasers: tuple[Teaser, ...]


@dataclass(frozen=True)
class HomeView(PageView):
    """The home page: a lead story, the latest list, a block per top-level category."""

    template = "home.html"

    lead: Teaser | None
    latest: tuple[Teaser, ...]
    sections: tuple[Section, ...]
    months: tuple[MonthLink, ...] = ()
    earlier: Link | None = None
    """The year page of the months older than ``months`` (which are the newest ``MONTH_LINKS``)."""


@dataclass(frozen=True)
class ArchiveView(PageView):
    """One page of a month of a category (or of the whole site, ``/<yyyy>/<mm>/``), oldest last.

    Pages are cut by their own articles (``domain/archive_pages.py``), so an
    article arriving, leaving or being back-dated rewrites its own page and
    never shifts the others; ``newer`` and ``older`` link the pages either side.
    """

    template = "archive.html"

    teasers: tuple[Teaser, ...]
    category: Link
    month_title: str
    newer: Link | None = None
    older: Link | None = None


@dataclass(frozen=True)
class YearView(PageView):
    """The months of one year of a category or of the whole site (``/tin-tuc/2024/``), newest first.

    Home and category pages link only their newest months, so that they do
    not grow with the site's age; the year pages, linked to the years either
    side, reach every other month. They show no counts: a publish rewrites a
    year page only when one of its months appears or empties.
    """

    template = "year.html"

    months: tuple[MonthLink, ...]
    category: Link
    newer: Link | None = None
    older: Link | None = None


@dataclass(frozen=True)
class SearchView(PageView):
    """The search results page (``/api/search?q=…``): never cached long, never indexed."""

    template = "search.html"

    query: str
    results: tuple[Teaser, ...]
    searched: bool
    """False when the query held no searchable word (the page then invites a search)."""


@dataclass(frozen=True)
class NotFoundView(PageView):
    """The 404 page, served for any missing path (so all its links are root-relative)."""

    template = "not_found.html"
