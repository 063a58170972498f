"""From index records to rendered outputs.

Everything a page shows comes from stored state (index records, counters,
configuration), never from the clock, so that re-rendering the same state
gives the same bytes.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from newsroom.adapters.index import Stats
from newsroom.adapters.site import JSON_CACHE, Output, owner_metadata
from newsroom.article import Article
from newsroom.assets import asset_url
from newsroom.dates import format_article_date, format_date_line, weekday_names
from newsroom.model import Entry
from newsroom.planner import Neighbours, listing_url, page_key
from newsroom.render import (
    render_article_page,
    render_listing_page,
    render_not_found_page,
    translations,
)
from newsroom.site_config import SiteConfig
from newsroom.views import ArticleView, Link, ListingView, SiteView, Teaser


@dataclass(frozen=True)
class PageContext:
    """What every page of one render pass shares."""

    config: SiteConfig
    stats: Stats
    base_url: str
    locale: str
    timezone: str

    def site_view(self) -> SiteView:
        """The site-wide part of every page."""
        return SiteView(
            name=self.config.name,
            base_url=self.base_url,
            locale=self.locale,
            menu=self.config.menu,
            links=self.config.links,
            partners=self.config.partners,
            members=self.config.members,
            web_links=self.config.web_links,
            articles=self.stats.articles,
            views=0,
            stylesheet_url=asset_url("site.css"),
            script_url=asset_url("site.js"),
            icon_url=asset_url("favicon.svg"),
            weekday_names=weekday_names(self.locale),
        )

    def teaser(self, entry: Entry) -> Teaser:
        """An entry as lists show it."""
        published = datetime.fromisoformat(entry.published_at)
        return Teaser(
            title=entry.title,
            url=entry.url,
            date_iso=published.isoformat(),
            date_text=format_article_date(published, self.locale, self.timezone),
            summary=entry.summary,
            image=entry.image,
        )

    def breadcrumb(self, category: Sequence[str], names: Sequence[str]) -> list[Link]:
        """Home › each category (by its display name)."""
        crumbs = [Link(translations(self.locale).gettext("Home"), "/")]
        for depth in range(1, len(category) + 1):
            name = names[depth - 1] if depth - 1 < len(names) else category[depth - 1]
            crumbs.append(Link(name, listing_url(tuple(category[:depth]))))
        return crumbs


def article_output(ctx: PageContext, article: Article, neighbours: Neighbours) -> Output:
    """The article page."""
    crumbs = ctx.breadcrumb(article.category, article.category_names)
    crumbs.append(Link(article.title, article.url))
    view = ArticleView(
        title=article.title,
        url=article.url,
        canonical_url=ctx.base_url + article.url,
        date_iso=article.published_at.isoformat(),
        date_text=format_article_date(article.published_at, ctx.locale, ctx.timezone),
        date_line=format_date_line(article.published_at, ctx.locale, ctx.timezone),
        summary=article.summary,
        author=article.author,
        image=article.image,
        tags=article.tags,
        body_html=article.body_html,
        breadcrumb=tuple(crumbs),
        newer=tuple(ctx.teaser(e) for e in neighbours.newer),
        older=tuple(ctx.teaser(e) for e in neighbours.older),
    )
    html = render_article_page(ctx.site_view(), view)
    return Output(page_key(article.url), html.encode("utf-8"), metadata=owner_metadata(article.source_key))


def listing_output(
    ctx: PageContext, scope: tuple[str, ...], names: Sequence[str], entries: Sequence[Entry]
) -> Output:
    """Home (empty scope) or a category's first page."""
    url = listing_url(scope)
    crumbs = ctx.breadcrumb(scope, names)
    title = crumbs[-1].title if scope else ctx.config.name
    newest = datetime.fromisoformat(entries[0].published_at) if entries else None
    view = ListingView(
        title=title,
        url=url,
        canonical_url=ctx.base_url + url,
        date_line=format_date_line(newest, ctx.locale, ctx.timezone) if newest else "",
        breadcrumb=tuple(crumbs) if scope else (),
        teasers=tuple(ctx.teaser(e) for e in entries),
    )
    return Output(page_key(url), render_listing_page(ctx.site_view(), view).encode("utf-8"))


def not_found_output(ctx: PageContext) -> Output:
    """The page CloudFront shows for a missing key."""
    return Output("404.html", render_not_found_page(ctx.site_view()).encode("utf-8"))


def stats_output(ctx: PageContext) -> Output:
    """``/stats.json``: the live figures the browser fills into every page."""
    body = {
        "articles": ctx.stats.articles,
        "members": ctx.config.members,
        "web_links": ctx.config.web_links,
        "views": 0,
    }
    data = json.dumps(body, sort_keys=True, separators=(",", ":")).encode("utf-8")
    return Output("stats.json", data, content_type="application/json", cache_control=JSON_CACHE)
