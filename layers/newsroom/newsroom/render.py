"""Render pages from view models with Jinja2.

One environment per locale, built once per process: templates from the
package, autoescape on, undefined names fail loudly, no reloading, UI strings
from the compiled gettext catalog of the locale. A page is a pure function of
its views: the same views give the same bytes, which is what lets a full
rebuild be compared byte for byte with the incremental path.
"""

from __future__ import annotations

import gettext
from collections.abc import Mapping
from functools import cache
from importlib import resources
from typing import Any
from urllib.parse import quote

import jinja2
from babel.numbers import format_decimal

from newsroom import dates
from newsroom.site_urls import picture_url
from newsroom.views import ArchiveView, ArticleView, HomeView, Link, ListingView, SearchView, SiteView

CATALOG_DOMAIN = "messages"
LOCALES = ("vi", "en")
OG_LOCALES = {"vi": "vi_VN", "en": "en_US"}
"""Open Graph's ``og:locale`` (language_TERRITORY) for each site locale."""
SCHEMA_CONTEXT = "https://schema.org"


@cache
def translations(locale: str) -> gettext.GNUTranslations:
    """The compiled catalog ``locales/<locale>/LC_MESSAGES/messages.mo``.

    Python code that needs a UI string outside a template (a breadcrumb's
    ``Home``) can use ``translations(locale).gettext("Home")``.
    """
    if locale not in LOCALES:
        raise ValueError(f"no catalog for locale {locale!r}; known: {', '.join(LOCALES)}")
    path = resources.files("newsroom") / "locales" / locale / "LC_MESSAGES" / "messages.mo"
    with path.open("rb") as catalog:
        return gettext.GNUTranslations(catalog)


def uri_component(value: object) -> str:
    """Percent-encode like JavaScript's ``encodeURIComponent`` (UTF-8, spaces as %20)."""
    return quote(str(value), safe="-_.!~*'()")


@cache
def build_environment(locale: str) -> jinja2.Environment:
    """The Jinja environment for ``locale`` (``vi`` or ``en``), cached."""
    env = jinja2.Environment(
        loader=jinja2.PackageLoader("newsroom", "templates"),
        autoescape=jinja2.select_autoescape(["html", "xml"], default=True),
        undefined=jinja2.StrictUndefined,
        auto_reload=False,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
        extensions=["jinja2.ext.i18n"],
    )
    env.policies["ext.i18n.trimmed"] = True
    # tojson: stable key order, readable UTF-8 (still HTML-safe: <, >, &, ' escaped).
    env.policies["json.dumps_kwargs"] = {"sort_keys": True, "ensure_ascii": False}
    env.install_gettext_translations(translations(locale), newstyle=True)  # type: ignore[attr-defined]

    def number(value: int) -> str:
        return format_decimal(value, locale=locale)

    env.filters["number"] = number
    env.filters["uri_component"] = uri_component
    env.globals["og_locale"] = OG_LOCALES[locale]
    return env


def absolute_url(site: SiteView, url: str) -> str:
    """A root-relative URL made absolute on the site (``/a/`` → ``https://site/a/``); others unchanged."""
    if url.startswith("/") and not url.startswith("//"):
        return site.base_url + url
    return url


def article_structured_data(site: SiteView, article: ArticleView) -> list[dict[str, Any]]:
    """The article's JSON-LD: a schema.org ``NewsArticle`` and its ``BreadcrumbList``.

    Every URL is absolute. The breadcrumb's trail ends with the article itself
    (added when the view's breadcrumb stops at its category).
    """
    news: dict[str, Any] = {
        "@context": SCHEMA_CONTEXT,
        "@type": "NewsArticle",
        "headline": article.title,
        "datePublished": article.date_iso,
        "inLanguage": site.locale,
        "url": article.canonical_url,
        "mainEntityOfPage": {"@type": "WebPage", "@id": article.canonical_url},
        "publisher": {"@type": "Organization", "name": site.name, "url": absolute_url(site, "/")},
    }
    if article.summary:
        news["description"] = article.summary
    if article.image:
        news["image"] = [picture_url(site.base_url, article.image)]
    if article.author:
        news["author"] = [{"@type": "Person", "name": article.author}]
    if article.tags:
        news["keywords"] = list(article.tags)
    trail = [(link.title, absolute_url(site, link.url)) for link in article.breadcrumb]
    if not article.breadcrumb or article.breadcrumb[-1].url != article.url:
        trail.append((article.title, article.canonical_url))
    crumbs: dict[str, Any] = {
        "@context": SCHEMA_CONTEXT,
        "@type": "BreadcrumbList",
        "itemListElement": [
            {"@type": "ListItem", "position": position, "name": name, "item": url}
            for position, (name, url) in enumerate(trail, start=1)
        ],
    }
    return [news, crumbs]


def _date_line_names(site: SiteView) -> dict[str, tuple[str, ...]]:
    weekdays = site.weekday_names or dates.weekday_names(site.locale)
    return {"weekdays": weekdays, "months": dates.month_names(site.locale)}


def _render(site: SiteView, template: str, context: Mapping[str, Any]) -> str:
    env = build_environment(site.locale)
    text = env.get_template(template).render(site=site, **_date_line_names(site), **context)
    return text.rstrip("\n") + "\n"


def render_article_page(site: SiteView, article: ArticleView) -> str:
    """The article page: ``/<category path>/<slug>.html``."""
    return _render(
        site,
        "article.html",
        {
            "article": article,
            "og_image": picture_url(site.base_url, article.image) if article.image else None,
            "structured_data": article_structured_data(site, article),
            "page_title": article.title,
            "description": article.summary,
            "canonical_url": article.canonical_url,
            "current_url": article.url,
            "date_line": article.date_line,
            "breadcrumb": article.breadcrumb,
        },
    )


def render_listing_page(site: SiteView, listing: ListingView) -> str:
    """A category's front page: description, subcategories, newest articles, months, its feed."""
    return _render(
        site,
        "listing.html",
        {
            "listing": listing,
            "page_title": listing.title,
            "description": listing.description,
            "canonical_url": listing.canonical_url,
            "current_url": listing.url,
            "date_line": listing.date_line,
            "breadcrumb": listing.breadcrumb,
        },
    )


def render_home_page(site: SiteView, home: HomeView) -> str:
    """The home page ``/``: lead story, latest list, a block per top-level category, months."""
    return _render(
        site,
        "home.html",
        {
            "home": home,
            "page_title": home.title,
            "description": home.description,
            "canonical_url": home.canonical_url,
            "current_url": home.url,
            "date_line": home.date_line,
            "breadcrumb": (),
        },
    )


def render_archive_page(site: SiteView, archive: ArchiveView) -> str:
    """One month of a category or of the site: ``/<category path>/<yyyy>/<mm>/``."""
    return _render(
        site,
        "archive.html",
        {
            "archive": archive,
            "page_title": archive.title,
            "description": "",
            "canonical_url": archive.canonical_url,
            "current_url": archive.url,
            "date_line": archive.date_line,
            "breadcrumb": archive.breadcrumb,
        },
    )


def render_not_found_page(site: SiteView, date_line: str = "") -> str:
    """The 404 page, served for any missing path (so all its links are root-relative).

    ``date_line`` is the render-time text of the date line; when empty the
    element starts empty and the browser fills in today's date.
    """
    catalog = translations(site.locale)
    return _render(
        site,
        "not_found.html",
        {
            "page_title": catalog.gettext("Page not found"),
            "description": "",
            "canonical_url": "",
            "current_url": "",
            "date_line": date_line,
            "breadcrumb": (Link(title=catalog.gettext("Home"), url="/"),),
        },
    )


def render_search_page(site: SiteView, search: SearchView) -> str:
    """The search results, in the site's layout, served by the search function."""
    catalog = translations(site.locale)
    title = (
        catalog.gettext("Search results for “%(query)s”") % {"query": search.query}
        if search.query
        else catalog.gettext("Search")
    )
    return _render(
        site,
        "search.html",
        {
            "search": search,
            "page_title": title,
            "description": "",
            "canonical_url": "",
            "current_url": "",
            "date_line": "",
            "breadcrumb": (Link(title=catalog.gettext("Home"), url="/"),),
        },
    )
