"""From stored state to outputs: one function per kind of page or file.

Everything an output holds comes from stored state (index entries, counters,
the stored configuration and its version), never from the clock, so that
re-rendering the same state gives the same bytes: that is what lets a full
rebuild be compared byte for byte with the incremental path.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import datetime

from newsroom.configuration.site_config import Link, SiteConfig
from newsroom.domain.article import Article
from newsroom.domain.cache_tags import PAGES, article_tag, tag_metadata
from newsroom.domain.editor_urls import picture_url
from newsroom.domain.embeds import video_of
from newsroom.domain.pictures import PictureInfo, with_variants
from newsroom.domain.planner import Neighbours
from newsroom.domain.records import Entry, month_of, sort_key
from newsroom.domain.site_paths import (
    archive_url,
    feed_key,
    listing_url,
    page_key,
    pdf_key,
    preview_url,
    shard_key,
    views_shard,
    views_shard_key,
)
from newsroom.web.assets import asset_url
from newsroom.web.dates import format_article_date, format_date_line, month_names, weekday_names
from newsroom.web.feeds import FeedItem, news_sitemap, robots_txt, rss_feed, sitemap_index, sitemap_urlset
from newsroom.web.headings import outlined_headings
from newsroom.web.outputs import JSON_CACHE, PREVIEW_CACHE, Output, listed, owner_metadata
from newsroom.web.templating import render_page, translations
from newsroom.web.view_models import (
    ArticleView,
    HomeView,
    ListingView,
    MonthLink,
    NotFoundView,
    PageHead,
    PageView,
    SearchView,
    Section,
    SiteView,
    Teaser,
)

XML = "application/xml; charset=utf-8"
RSS = "application/rss+xml; charset=utf-8"
TEXT = "text/plain; charset=utf-8"


@dataclass(frozen=True)
class PageContext:
    """What every output of one render pass shares: the configuration in force."""

    config: SiteConfig
    config_version: int
    base_url: str
    locale: str
    timezone: str

    def site_view(self) -> SiteView:
        """The site-wide part of every page (no live figures: see ``SiteView``)."""
        return SiteView(
            name=self.config.name,
            base_url=self.base_url,
            locale=self.locale,
            menu=self.config.menu,
            links=self.config.links,
            partners=self.config.partners,
            members=self.config.members,
            web_links=self.config.web_links,
            articles=None,
            views=None,
            weekday_names=weekday_names(self.locale),
            description=self.config.description,
            timezone=self.timezone,
            video=(
                video_of(self.config.video.url, self.config.video.title, self.config.video.image or "")
                if self.config.video
                else None
            ),
        )

    def head(
        self,
        title: str,
        url: str = "",
        *,
        date_line: str = "",
        description: str = "",
        breadcrumb: Sequence[Link] = (),
    ) -> PageHead:
        """The head of one page; a page without ``url`` (404, search) has no canonical URL."""
        return PageHead(
            title=title,
            url=url,
            canonical_url=self.absolute(url) if url else "",
            description=description,
            date_line=date_line,
            breadcrumb=tuple(breadcrumb),
            config_version=self.config_version,
            stylesheet_url=asset_url("site.css"),
            script_url=asset_url("site.js"),
            icon_url=asset_url("favicon.svg"),
        )

    def html(self, view: PageView) -> bytes:
        """A page rendered with this context's site view, as stored."""
        return render_page(self.site_view(), view).encode("utf-8")

    def gettext(self, message: str) -> str:
        """A UI string in the site's locale."""
        return translations(self.locale).gettext(message)

    def absolute(self, path: str) -> str:
        """``/tin-tuc/`` → ``https://example.vn/tin-tuc/``."""
        return self.base_url + path

    def category_name(self, path: Sequence[str]) -> str:
        """The configured name of a category, else a readable form of its folder."""
        return self.config.categories.name(tuple(path))

    def teaser(self, entry: Entry) -> Teaser:
        """An entry as lists show it."""
        published = datetime.fromisoformat(entry.published_at)
        return self.teaser_of(entry.title, entry.url, published, entry.summary, entry.image)

    def teaser_of(self, title: str, url: str, published: datetime, summary: str, image: str | None) -> Teaser:
        """An article as lists show it (index entries and search hits alike)."""
        return Teaser(
            title=title,
            url=url,
            date_iso=published.isoformat(),
            date_text=format_article_date(published, self.locale, self.timezone),
            summary=summary,
            image=image,
        )

    def breadcrumb(self, category: Sequence[str]) -> list[Link]:
        """Home › each category (by its configured name)."""
        crumbs = [Link(self.gettext("Home"), "/")]
        for depth in range(1, len(category) + 1):
            crumbs.append(Link(self.category_name(category[:depth]), listing_url(tuple(category[:depth]))))
        return crumbs

    def month_title(self, month: str) -> str:
        """``2024-06`` → ``Tháng 6 2024`` / ``June 2024``."""
        year, number = month.split("-")
        return f"{month_names(self.locale)[int(number) - 1]} {year}"

    def month_link(self, scope: tuple[str, ...], month: str, count: int) -> MonthLink:
        """A link to one month of ``scope``'s archive."""
        return MonthLink(self.month_title(month), archive_url(scope, month), count)

    def date_line(self, entries: Sequence[Entry]) -> str:
        """A listing's render-time date line: its newest article's day (stored state, not today)."""
        if not entries:
            return ""
        return format_date_line(datetime.fromisoformat(entries[0].published_at), self.locale, self.timezone)

    def feed_item(self, entry: Entry) -> FeedItem:
        """An entry as RSS shows it."""
        return FeedItem(
            title=entry.title,
            url=self.absolute(entry.url),
            published=datetime.fromisoformat(entry.published_at),
            summary=entry.summary,
            categories=(self.category_name(entry.category),) if entry.category else (),
            image_url=picture_url(self.base_url, entry.image) if entry.image else None,
        )


def article_output(
    ctx: PageContext,
    article: Article,
    neighbours: Neighbours,
    pictures: Mapping[str, PictureInfo] | None = None,
) -> Output:
    """The article page; ``pictures``: the variants of the media pictures it shows."""
    view = article_view(ctx, article, neighbours, pictures or {})
    month = month_of(sort_key(article.published_at, article.url), ctx.timezone)
    tags = tag_metadata(article_tag(article.category, month), PAGES)
    return Output(
        page_key(article.url), ctx.html(view), metadata={**owner_metadata(article.source_key), **tags}
    )


def preview_output(
    ctx: PageContext, article: Article, token: str, pictures: Mapping[str, PictureInfo] | None = None
) -> Output:
    """A draft's (or scheduled article's) private preview: the page as it will look, with no lists.

    No canonical URL (so ``noindex``), no referrer, never stored by a cache;
    the CDN adds the same as headers for ``/preview/*``.
    """
    view = article_view(ctx, article, Neighbours((), ()), pictures or {}, preview=True)
    return Output(
        page_key(preview_url(token)),
        ctx.html(view),
        cache_control=PREVIEW_CACHE,
        metadata=owner_metadata(article.source_key),
    )


def article_view(
    ctx: PageContext,
    article: Article,
    neighbours: Neighbours,
    pictures: Mapping[str, PictureInfo],
    *,
    preview: bool = False,
) -> ArticleView:
    """What the article template shows; a preview has no canonical URL and counts no views."""
    crumbs = ctx.breadcrumb(article.category)
    crumbs.append(Link(article.title, article.url))
    head = ctx.head(
        article.title,
        "" if preview else article.url,
        date_line=format_date_line(article.published_at, ctx.locale, ctx.timezone),
        description=article.summary,
        breadcrumb=crumbs,
    )
    return ArticleView(
        head=replace(head, preview=True) if preview else head,
        date_iso=article.published_at.isoformat(),
        date_text=format_article_date(article.published_at, ctx.locale, ctx.timezone),
        author=article.author,
        image=article.image,
        tags=article.tags,
        url=article.url,
        views_url="" if preview else "/" + views_shard_key(views_shard(article.url)),
        pdf_url="" if preview else "/" + pdf_key(article.url),
        views_shard=views_shard(article.url),
        views_base=article.views_base,
        body_html=outlined_headings(with_variants(article.body_html, pictures)),
        newer=tuple(ctx.teaser(e) for e in neighbours.newer),
        older=tuple(ctx.teaser(e) for e in neighbours.older),
    )


def category_output(
    ctx: PageContext,
    scope: tuple[str, ...],
    entries: Sequence[Entry],
    months: Sequence[tuple[str, int]],
    subcategories: Sequence[tuple[str, ...]],
    earlier: Link | None = None,
) -> Output:
    """A category's front page: its newest articles, subcategories and monthly archives."""
    url = listing_url(scope)
    view = ListingView(
        head=ctx.head(
            ctx.category_name(scope),
            url,
            date_line=ctx.date_line(entries),
            description=ctx.config.categories.description(scope),
            breadcrumb=ctx.breadcrumb(scope),
        ),
        teasers=tuple(ctx.teaser(e) for e in entries),
        months=tuple(ctx.month_link(scope, month, count) for month, count in months),
        earlier=earlier,
        subcategories=tuple(Link(ctx.category_name(sub), listing_url(sub)) for sub in subcategories),
        feed_url="/" + feed_key(scope),
    )
    return listed(Output(page_key(url), ctx.html(view)))


def home_output(
    ctx: PageContext,
    latest: Sequence[Entry],
    sections: Sequence[tuple[tuple[str, ...], Sequence[Entry]]],
    months: Sequence[tuple[str, int]],
    earlier: Link | None = None,
) -> Output:
    """The home page: the lead story, the latest list, one block per top-level category."""
    view = HomeView(
        head=ctx.head(
            ctx.config.name, "/", date_line=ctx.date_line(latest), description=ctx.config.description
        ),
        lead=ctx.teaser(latest[0]) if latest else None,
        latest=tuple(ctx.teaser(e) for e in latest[1:]),
        sections=tuple(
            Section(
                title=ctx.category_name(scope),
                url=listing_url(scope),
                description=ctx.config.categories.description(scope),
                teasers=tuple(ctx.teaser(e) for e in entries),
            )
            for scope, entries in sections
        ),
        months=tuple(ctx.month_link((), month, count) for month, count in months),
        earlier=earlier,
    )
    return listed(Output("index.html", ctx.html(view)))


def feed_output(ctx: PageContext, scope: tuple[str, ...], entries: Sequence[Entry]) -> Output:
    """The RSS 2.0 feed of the site or of one category."""
    key = feed_key(scope)
    title = f"{ctx.config.name}: {ctx.category_name(scope)}" if scope else ctx.config.name
    description = (ctx.config.categories.description(scope) if scope else ctx.config.description) or title
    body = rss_feed(
        title=title,
        link=ctx.absolute(listing_url(scope)),
        description=description,
        language=ctx.locale,
        self_url=ctx.absolute("/" + key),
        items=[ctx.feed_item(e) for e in entries],
        generator=f"Newsroom (configuration {ctx.config_version})",
    )
    return listed(Output(key, body, content_type=RSS, cache_control=JSON_CACHE))


def shard_output(ctx: PageContext, name: str, entries: Sequence[Entry]) -> Output:
    """One shard of the site's sitemap: a run of its timeline (``sitemap_shards``)."""
    urls = [(ctx.absolute(e.url), e.published_at) for e in entries]
    return listed(Output(shard_key(name), sitemap_urlset(urls), content_type=XML, cache_control=JSON_CACHE))


def sections_sitemap_output(ctx: PageContext, scopes: Sequence[tuple[str, ...]]) -> Output:
    """The sitemap of the home page and every category's front page."""
    urls = [(ctx.absolute(listing_url(scope)), None) for scope in [(), *scopes]]
    body = sitemap_urlset(urls)
    return listed(Output("sitemaps/sections.xml", body, content_type=XML, cache_control=JSON_CACHE))


def sitemap_index_output(ctx: PageContext, names: Sequence[str]) -> Output:
    """``/sitemap.xml``: the sections sitemap and every shard of the timeline, oldest first."""
    entries: list[tuple[str, str | None]] = [(ctx.absolute("/sitemaps/sections.xml"), None)]
    entries += [(ctx.absolute("/" + shard_key(name)), None) for name in names]
    return listed(Output("sitemap.xml", sitemap_index(entries), content_type=XML, cache_control=JSON_CACHE))


def news_sitemap_output(ctx: PageContext, entries: Sequence[Entry]) -> Output:
    """``/sitemap-news.xml``: the articles of the 48 hours before the newest one."""
    items = [(ctx.absolute(e.url), e.title, datetime.fromisoformat(e.published_at)) for e in entries]
    body = news_sitemap(publication_name=ctx.config.name, language=ctx.locale, items=items)
    return listed(Output("sitemap-news.xml", body, content_type=XML, cache_control=JSON_CACHE))


def robots_output(ctx: PageContext) -> Output:
    """``/robots.txt``, pointing crawlers at both sitemaps."""
    body = robots_txt([ctx.absolute("/sitemap.xml"), ctx.absolute("/sitemap-news.xml")])
    return Output("robots.txt", body, content_type=TEXT, cache_control=JSON_CACHE)


def not_found_output(ctx: PageContext) -> Output:
    """The page CloudFront shows for a missing key (its date line starts empty: the browser fills it)."""
    head = ctx.head(ctx.gettext("Page not found"), breadcrumb=ctx.breadcrumb(()))
    return Output("404.html", ctx.html(NotFoundView(head)))


def search_page(ctx: PageContext, query: str, results: Sequence[Teaser], *, searched: bool) -> str:
    """The search results for ``query`` in the site's layout (served by the search function, not stored).

    ``searched`` is false when the query held no searchable word: the page then invites a search.
    """
    title = (
        ctx.gettext("Search results for “%(query)s”") % {"query": query} if query else ctx.gettext("Search")
    )
    head = ctx.head(title, breadcrumb=ctx.breadcrumb(()))
    view = SearchView(head, query=query, results=tuple(results), searched=searched)
    return render_page(ctx.site_view(), view)
