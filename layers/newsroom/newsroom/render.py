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
from newsroom.views import ArticleView, Link, ListingView, SiteView

CATALOG_DOMAIN = "messages"
LOCALES = ("vi", "en")


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
    return env


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
            "page_title": article.title,
            "description": article.summary,
            "canonical_url": article.canonical_url,
            "current_url": article.url,
            "date_line": article.date_line,
            "breadcrumb": article.breadcrumb,
        },
    )


def render_listing_page(site: SiteView, listing: ListingView) -> str:
    """A listing page: the home page or the first page of a category."""
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
