"""Render parts of the site from the index: shared by a publish and a full re-render.

A publish asks for the few parts its plan names; a re-render chunk asks for
a range of articles or a group of scopes. Both go through these methods, so
the two paths cannot produce different bytes for the same stored state.

Each method returns what to write and which keys to remove: a category with
no articles left (and no configuration), an emptied month, a sitemap shard
whose starter left disappear, exactly as a rebuild would not produce them.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from functools import cached_property
from typing import Protocol

from newsroom.configuration.site_config import Link, SiteConfig
from newsroom.configuration.site_yaml import build_config
from newsroom.domain.archive_pages import month_pages, pages_for_change
from newsroom.domain.article import Article
from newsroom.domain.errors import ConcurrentChange
from newsroom.domain.pictures import PictureInfo, pictures_in
from newsroom.domain.planner import LISTING_SIZE, RADIUS, Neighbours, neighbourhood
from newsroom.domain.records import PUBLISHED, Entry, IndexedArticle, Placement, StoredConfig, ViewFigures
from newsroom.domain.site_paths import (
    archive_page_url,
    archive_url,
    feed_key,
    listing_url,
    page_key,
    preview_url,
    shard_key,
    year_url,
)
from newsroom.domain.sitemap_shards import shard_names, shards_for_change, shards_starting_in
from newsroom.usecases.ports import ContentIndex, SiteCounts
from newsroom.web.archive_outputs import archive_page_outputs, earlier_months, year_output
from newsroom.web.assets import static_assets
from newsroom.web.figure_outputs import stats_output
from newsroom.web.outputs import Output
from newsroom.web.page_outputs import (
    PageContext,
    article_output,
    category_output,
    feed_output,
    home_output,
    news_sitemap_output,
    not_found_output,
    preview_output,
    robots_output,
    sections_sitemap_output,
    shard_output,
    sitemap_index_output,
)

MAX_RENDER_PASSES = 5
HOME_LATEST = 11
SECTION_SIZE = 5
NEWS_WINDOW = timedelta(hours=48)
NEWS_LIMIT = 100
"""The News sitemap's newest articles of the two days: Google allows 1,000, and reads the file within
minutes of a change, so 100 cover a paper publishing hundreds a day while keeping what every publish
rewrites the same size, whatever the day holds."""
MONTH_LINKS = 12
"""Months a home or category page links; the year pages reach the older ones."""


def until_unchanged(counts: SiteCounts, render_pass: Callable[[int], None], what: str) -> int:
    """Run ``render_pass`` until the site's revision stood still while it ran; returns the passes.

    Another invocation may change the index while this one renders, and S3
    keeps whichever page is written last, so a pass that read the state
    before that change could overwrite a newer page. Each pass therefore
    reads the revision before it reads anything else, and again after its
    last write: if it moved, the pass is run again (writing only what still
    differs). A change committed after that second read is rendered by its
    own invocation, which writes later. ``render_pass`` gets the attempt (0, 1, …).
    """
    for attempt in range(MAX_RENDER_PASSES):
        revision = counts.revision()
        render_pass(attempt)
        if counts.revision() == revision:
            return attempt + 1
    raise ConcurrentChange(f"{what} kept changing during {MAX_RENDER_PASSES} render passes")


@dataclass
class Rendered:
    """Outputs to write and keys to remove."""

    outputs: list[Output] = field(default_factory=list)
    removals: list[str] = field(default_factory=list)
    months_moved: set[tuple[tuple[str, ...], str]] = field(default_factory=set)
    """``(scope, yyyy-mm)`` of months that appeared or emptied: their year pages list them."""

    def add(self, other: Rendered) -> None:
        """Merge another part into this one."""
        self.outputs.extend(other.outputs)
        self.removals.extend(other.removals)
        self.months_moved |= other.months_moved


class SiteDefaults(Protocol):
    """What the deployment decides before any configuration file: ``Settings`` has it."""

    @property
    def base_url(self) -> str: ...
    @property
    def locale(self) -> str: ...
    @property
    def timezone(self) -> str: ...


class ContextLoader:
    """The page context of the stored configuration, parsed once per version per container."""

    def __init__(self, index: ContentIndex, settings: SiteDefaults) -> None:
        self.index = index
        self.settings = settings
        self._cached: PageContext | None = None

    def parse(self, stored: StoredConfig | None) -> SiteConfig:
        """The configuration stored files make (the defaults when there are none)."""
        return build_config(
            stored.site_yaml if stored else None,
            stored.categories_yaml if stored else None,
            self.settings.locale,
            None,  # checked when it was accepted: a later ImageHosts must not break the site
        )

    def __call__(self) -> PageContext:
        """The context for the configuration in force now (one GetItem)."""
        stored = self.index.configuration.current()
        version = stored.version if stored else 0
        if self._cached is None or self._cached.config_version != version:
            config = self.parse(stored)
            self._cached = PageContext(
                config=config,
                config_version=version,
                base_url=config.base_url or self.settings.base_url,
                locale=config.locale or self.settings.locale,
                timezone=self.settings.timezone,
            )
        return self._cached


class SiteRenderer:
    """One render pass over stored state, with the configuration in ``ctx``."""

    def __init__(self, index: ContentIndex, ctx: PageContext) -> None:
        self.index = index
        self.ctx = ctx

    @cached_property
    def scope_counts(self) -> dict[tuple[str, ...], int]:
        """Categories holding articles (read once per pass; bounded by the number of categories)."""
        return self.index.counts.scope_counts()

    def categories(self) -> list[tuple[str, ...]]:
        """Every category with a front page: configured ones and those holding articles."""
        known = set(self.scope_counts) | set(self.ctx.config.categories.configured())
        # Ancestors of a configured category exist too (their pages link to it).
        known |= {path[:depth] for path in list(known) for depth in range(1, len(path))}
        return sorted(known, key=self.ctx.config.categories.sort_key)

    def children(self, scope: tuple[str, ...]) -> list[tuple[str, ...]]:
        """The direct subcategories of ``scope`` that have a front page."""
        return [c for c in self.categories() if len(c) == len(scope) + 1 and c[: len(scope)] == scope]

    # -- articles -------------------------------------------------------------------
    def around(self, anchors: Iterable[Placement]) -> list[Output]:
        """Every article page whose newer/older lists may show one of ``anchors``."""
        lists: dict[str, Neighbours] = {}
        for anchor in sorted(anchors, key=lambda p: (p.category, p.key)):
            window = self.index.listings.window(anchor.category, anchor.key, 2 * RADIUS)
            lists.update(neighbourhood(window, anchor.key))
        return self._articles(lists)

    def holders(self, urls: Iterable[str]) -> tuple[set[Placement], list[str]]:
        """Who holds these article URLs now: the live articles' placements, and the URLs nobody holds.

        Asked of URLs a page may wrongly stand at: one an article left, or
        one an earlier pass wrote from a state that has moved since. A held
        URL's page is rendered again (an invocation racing this one may have
        lost it); a free URL's page and PDF must go. Two batch reads.
        """
        wanted = sorted(set(urls))
        owners = self.index.articles.url_owners(wanted) if wanted else {}
        records = self.index.articles.get_many(set(owners.values())) if owners else {}
        held = {
            r.placement
            for r in records.values()
            if r.state == PUBLISHED and r.placement is not None and r.placement.url in owners
        }
        return held, [url for url in wanted if url not in owners]

    def articles(
        self, entries: Sequence[Entry], found: Mapping[str, IndexedArticle] | None = None
    ) -> list[Output]:
        """The pages of ``entries`` (a chunk of the timeline), each with its own lists."""
        lists: dict[str, Neighbours] = {}
        for entry in entries:
            window = self.index.listings.window(entry.category, entry.key, RADIUS)
            lists[entry.source_key] = neighbourhood(window, entry.key)[entry.source_key]
        return self._articles(lists, found)

    def _articles(
        self, lists: dict[str, Neighbours], found: Mapping[str, IndexedArticle] | None = None
    ) -> list[Output]:
        """The pages of ``lists``' articles; ``found`` holds their records when the caller read them."""
        outputs = []
        found = self.index.articles.get_many(lists) if found is None else found
        live = [found[key] for key in sorted(lists) if key in found and found[key].state == PUBLISHED]
        pictures = self.pictures(r.article for r in live)
        for record in live:
            if record.article is not None:
                outputs.append(article_output(self.ctx, record.article, lists[record.source_key], pictures))
        return outputs

    def pictures(self, articles: Iterable[Article | None]) -> dict[str, PictureInfo]:
        """The variants of every media picture these articles show: one batch read."""
        keys = {key for a in articles if a is not None for key in pictures_in(a.body_html)}
        return self.index.pictures.get_many(keys) if keys else {}

    def previews(self, source_keys: Iterable[str]) -> Rendered:
        """The private previews of these keys' drafts and scheduled articles; revoked ones removed.

        Read from the index as it is now, so a preview revoked meanwhile by
        another invocation is removed, never written back.
        """
        rendered = Rendered()
        for record in self.index.articles.get_many(sorted(set(source_keys))).values():
            if record.shows_preview and record.preview and record.article is not None:
                pictures = self.pictures([record.article])
                rendered.outputs.append(preview_output(self.ctx, record.article, record.preview, pictures))
            if record.revoked_preview:
                rendered.removals.append(page_key(preview_url(record.revoked_preview)))
        return rendered

    # -- listings -----------------------------------------------------------------------
    def scope(self, scope: tuple[str, ...]) -> Rendered:
        """Home, or a category's front page, with its feed."""
        if not scope:
            latest = self.index.listings.latest((), max(HOME_LATEST, LISTING_SIZE))
            sections = [
                (top, self.index.listings.latest(top, SECTION_SIZE))
                for top in self.categories()
                if len(top) == 1
            ]
            return Rendered(
                [
                    home_output(self.ctx, latest[:HOME_LATEST], sections, *self._months(())),
                    feed_output(self.ctx, (), latest[:LISTING_SIZE]),
                ]
            )
        if scope not in self.categories():
            return Rendered(removals=[page_key(listing_url(scope)), feed_key(scope)])
        entries = self.index.listings.latest(scope, LISTING_SIZE)
        months, earlier = self._months(scope)
        return Rendered(
            [
                category_output(self.ctx, scope, entries, months, self.children(scope), earlier),
                feed_output(self.ctx, scope, entries),
            ]
        )

    def _months(self, scope: tuple[str, ...]) -> tuple[list[tuple[str, int]], Link | None]:
        """A listing's newest months, and the link to the year of the next older one if there is one."""
        months = self.index.counts.recent_months(scope, MONTH_LINKS + 1)
        beyond = months[MONTH_LINKS][0] if len(months) > MONTH_LINKS else None
        return months[:MONTH_LINKS], earlier_months(self.ctx, scope, beyond)

    def years(self, scope: tuple[str, ...], years: Iterable[str], *, neighbours: bool = False) -> Rendered:
        """The year pages of ``scope`` for these years (removed when emptied), and, with ``neighbours``,
        those of the years either side, whose links to them may have moved."""
        around: dict[str, tuple[str | None, str | None]] = {}

        def near(year: str) -> tuple[str | None, str | None]:  # one read per year, whoever asks
            if year not in around:
                around[year] = self.index.counts.years_around(scope, year)
            return around[year]

        wanted = set(years)
        if neighbours:
            wanted |= {y for year in list(wanted) for y in near(year) if y}
        rendered = Rendered()
        for year in sorted(wanted):
            months = [month for month, _ in self.index.counts.year_months(scope, year)]
            if months:
                rendered.outputs.append(year_output(self.ctx, scope, year, months, near(year)))
            else:
                rendered.removals.append(page_key(year_url(scope, year)))
        return rendered

    def archive(self, scope: tuple[str, ...], month: str, keys: Iterable[str] = ()) -> Rendered:
        """The pages of one month of ``scope`` that changes at ``keys`` alter; with no keys, all of them.

        A publish names the sort keys it moved (a page or three each, whatever
        the month holds); a rebuild names none and writes every page of the month.
        """
        batch = set(keys)
        wanted = sorted(batch)
        rendered = Rendered()
        landing = page_key(archive_url(scope, month))
        if not wanted:
            pages = month_pages(list(reversed(self.index.listings.month_entries(scope, month))))
            for page in pages:
                rendered.outputs += archive_page_outputs(self.ctx, scope, month, page, landing=page.newest)
            if not pages:
                rendered.removals.append(landing)
        for key in wanted:
            window = self.index.listings.month_window(scope, month, key)
            change = pages_for_change(window, key)
            # Born or emptied by this batch, the month shows only the batch's keys around each of them
            # (or nothing): its year page may list it anew or no more.
            if all(entry.key in batch for entry in (*window.older, *window.newer)):
                rendered.months_moved.add((scope, month))
            for page in change.pages:
                rendered.outputs += archive_page_outputs(self.ctx, scope, month, page, landing=page.newest)
            rendered.removals += [page_key(archive_page_url(scope, month, name)) for name in change.removed]
            if change.month_empty:
                rendered.removals.append(landing)
        return rendered

    def sitemap(self, keys: Iterable[str]) -> tuple[Rendered, bool]:
        """The sitemap shards that changes at these sort keys alter, and whether the index must follow."""
        rendered, index_changes = Rendered(), False
        for key in sorted(set(keys)):
            change = shards_for_change(self.index.listings.timeline_window(key), key)
            rendered.outputs += [shard_output(self.ctx, run.name, run.entries) for run in change.shards]
            rendered.removals += [shard_key(name) for name in change.removed]
            index_changes |= change.index_changes
        return rendered, index_changes

    def shards_in(self, entries: Sequence[Entry], *, from_start: bool) -> list[Output]:
        """The sitemap shards that start in a chunk of the timeline (``entries``, oldest first)."""
        tail = self.index.listings.timeline_after(entries[-1].key) if entries else []
        return [
            shard_output(self.ctx, run.name, run.entries)
            for run in shards_starting_in(entries, tail, from_start=from_start)
        ]

    def sitemap_index(self) -> Output:
        """``/sitemap.xml`` from the shard starters' partition: one read of one item in ``SHARD_SPAN``."""
        names = shard_names(self.index.listings.shard_starters(), self.index.listings.oldest_key())
        return sitemap_index_output(self.ctx, names)

    # -- site-wide files -------------------------------------------------------------------
    def site_files(self, *, index: bool = True) -> list[Output]:
        """Files every publish may change: sections and News sitemaps, live figures; and the sitemap
        index, which a publish asks for only when the set of shards may have moved."""
        newest = self.index.listings.latest((), 1)
        recent: list[Entry] = []
        if newest:
            # Two days before the newest article or the last daily tick, whichever is later: on a
            # quiet week the tick keeps articles older than Google's two days out of the sitemap.
            moments = [datetime.fromisoformat(newest[0].published_at).astimezone(UTC)]
            moments += [tick] if (tick := self.index.ticks.last()) is not None else []
            since = max(moments) - NEWS_WINDOW
            recent = self.index.listings.since(since.strftime("%Y-%m-%dT%H:%M:%SZ"), NEWS_LIMIT)
        return [
            *([self.sitemap_index()] if index else []),
            sections_sitemap_output(self.ctx, self.categories()),
            news_sitemap_output(self.ctx, recent),
            stats_output(self.ctx.config, self.index.counts.stats(), self.figures()),
        ]

    def figures(self) -> ViewFigures:
        """The view figures last published, without articles gone since (deleted, or moved away)."""
        figures = self.index.figures.figures()
        return figures.keeping(self.index.articles.url_owners(figures.urls)) if figures.urls else figures

    def fixed_files(self) -> list[Output]:
        """Files that change only with a deployment or the configuration."""
        assets = [
            Output(a.key, a.body, content_type=a.content_type, cache_control=a.cache_control)
            for a in static_assets()
        ]
        return [*assets, not_found_output(self.ctx), robots_output(self.ctx)]
