"""Render pages from view models with Jinja2.

One environment per locale, built once per process: templates from the
package, autoescape on, undefined names fail loudly, no reloading, UI strings
from the compiled gettext catalog of the locale. A page is a pure function of
its views: the same views give the same bytes, which is what lets a full
rebuild be compared byte for byte with the incremental path.
"""

from __future__ import annotations

import gettext
from functools import cache, lru_cache
from importlib import resources
from typing import Any
from urllib.parse import quote

import jinja2
from babel import Locale
from babel.numbers import format_decimal
from markupsafe import Markup, escape

from newsroom.domain.editor_urls import picture_url
from newsroom.domain.embeds import Video, placeholder_html
from newsroom.web import dates
from newsroom.web.view_models import ArticleView, PageView, SiteView

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
    path = resources.files("newsroom.web") / "locales" / locale / "LC_MESSAGES" / "messages.mo"
    with path.open("rb") as catalog:
        return gettext.GNUTranslations(catalog)


def uri_component(value: object) -> str:
    """Percent-encode like JavaScript's ``encodeURIComponent`` (UTF-8, spaces as %20)."""
    return quote(str(value), safe="-_.!~*'()")


@cache
def build_environment(locale: str) -> jinja2.Environment:
    """The Jinja environment for ``locale`` (``vi`` or ``en``), cached."""
    env = jinja2.Environment(
        loader=jinja2.PackageLoader("newsroom.web", "templates"),
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

    parsed = Locale.parse(locale)  # once: Babel re-parses a locale given as a string on every call

    def number(value: int) -> str:
        return format_decimal(value, locale=parsed)

    env.filters["number"] = number
    env.filters["uri_component"] = uri_component
    env.globals["og_locale"] = OG_LOCALES[locale]
    env.globals["picture_url"] = picture_url
    env.globals["article_structured_data"] = article_structured_data
    env.globals["video_placeholder"] = video_placeholder
    return env


def video_placeholder(video: Video) -> Markup:
    """The side module's video: the very figure an article's video link becomes (its parts escaped)."""
    poster = (
        f'<img src="{escape(video.poster)}" alt="" loading="lazy" decoding="async">' if video.poster else ""
    )
    return Markup(placeholder_html(video, poster))  # noqa: S704 - every part is escaped by placeholder_html


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
    head = article.head
    news: dict[str, Any] = {
        "@context": SCHEMA_CONTEXT,
        "@type": "NewsArticle",
        "headline": head.title,
        "datePublished": article.date_iso,
        "inLanguage": site.locale,
        "url": head.canonical_url,
        "mainEntityOfPage": {"@type": "WebPage", "@id": head.canonical_url},
        "publisher": {"@type": "Organization", "name": site.name, "url": absolute_url(site, "/")},
    }
    if head.description:
        news["description"] = head.description
    if article.image:
        news["image"] = [picture_url(site.base_url, article.image)]
    if article.author:
        news["author"] = [{"@type": "Person", "name": article.author}]
    if article.tags:
        news["keywords"] = list(article.tags)
    trail = [(link.title, absolute_url(site, link.url)) for link in head.breadcrumb]
    if not head.breadcrumb or head.breadcrumb[-1].url != head.url:
        trail.append((head.title, head.canonical_url))
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


def render_page(site: SiteView, view: PageView) -> str:
    """Any page, in the layout every page shares: ``view.template`` rendered with ``view``.

    The template extends ``base.html``, which reads the page's head as
    ``page``; the site-wide part is ``site``.
    """
    env = build_environment(site.locale)
    text = env.get_template(view.template).render(
        site=site, page=view.head, view=view, sidebar=side_modules(site), **_date_line_names(site)
    )
    return text.rstrip("\n") + "\n"


@lru_cache(maxsize=8)
def side_modules(site: SiteView) -> Markup:
    """The side modules: the same on every page of one site view, so rendered once for all of them
    (a publish renders a dozen pages; this was a sixth of their time). Autoescaped like any page."""
    env = build_environment(site.locale)
    return Markup(env.get_template("_sidebar.html").render(site=site).rstrip("\n"))  # noqa: S704
