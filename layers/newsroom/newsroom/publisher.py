"""The publish use case: ingest each changed key, then render one plan per batch.

Ingest acts on the key's *current* state (S3 events arrive at least once, in
any order, and moto sends none for some deletes), so any event for a key
means "look again". Rendering is planned once per batch, pages are written
only when their bytes change, and exactly the changed paths are invalidated.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from urllib.parse import quote

from newsroom.adapters.cdn import Invalidator
from newsroom.adapters.index import ContentIndex
from newsroom.adapters.site import Output, SiteStore
from newsroom.adapters.source import SourceObject, SourceStore
from newsroom.article import Article, humanize, parse_article
from newsroom.assets import static_assets
from newsroom.errors import ConcurrentChange, RejectedSource
from newsroom.keys import SourceKey, SourceKind, classify, decode_event_key
from newsroom.model import DELETED, PUBLISHED, REJECTED, IndexedArticle, Placement, sort_key
from newsroom.pages import PageContext, article_output, listing_output, not_found_output, stats_output
from newsroom.planner import (
    LISTING_SIZE,
    RADIUS,
    Plan,
    invalidation_paths,
    neighbourhood,
    page_key,
    plan_batch,
)
from newsroom.settings import Settings
from newsroom.site_config import SiteConfig, default_config
from newsroom.tags import ERROR_TAG, STATUS_TAG, URL_TAG

MAX_ATTEMPTS = 5


@dataclass(frozen=True)
class Ingested:
    """What one event did to the index (``record``) or the site (``paths``)."""

    key: str
    record: IndexedArticle | None = None
    paths: tuple[str, ...] = ()
    error: str | None = None


@dataclass
class BatchReport:
    """What a batch wrote, removed and invalidated (for logs, metrics and benchmarks)."""

    written: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)
    invalidated: list[str] = field(default_factory=list)
    invalidations: int = 0


class Publisher:
    """Turns source changes into site changes. Built once per container."""

    def __init__(
        self,
        settings: Settings,
        index: ContentIndex,
        source: SourceStore,
        site: SiteStore,
        invalidator: Invalidator,
        config: SiteConfig | None = None,
    ) -> None:
        self.settings = settings
        self.index = index
        self.source = source
        self.site = site
        self.invalidator = invalidator
        self.config = config or default_config(settings.locale)
        self._static_done = False

    # -- ingest ------------------------------------------------------------------
    def ingest(self, event_key: str) -> Ingested:
        """Bring the index in line with the current state of one source key."""
        key = decode_event_key(event_key)
        try:
            source_key = classify(key)
        except RejectedSource as exc:
            self.source.tag(key, None, {STATUS_TAG: "error", ERROR_TAG: exc.reason})
            return Ingested(key, error=exc.reason)
        if source_key.kind is SourceKind.ARTICLE:
            return self._ingest_article(source_key)
        if source_key.kind is SourceKind.MEDIA:
            return self._ingest_media(source_key)
        # Site configuration files are read by a later feature; acknowledge them.
        return Ingested(key)

    def _ingest_article(self, key: SourceKey) -> Ingested:
        for _ in range(MAX_ATTEMPTS):
            before = self.index.get(key.key)
            try:
                current = self.source.current(key.key, self.settings.max_source_bytes)
                too_big = None
            except RejectedSource as exc:
                current, too_big = None, exc.reason
            if too_big is None and current is None and before is None:
                return Ingested(key.key)  # a delete of something never published
            if too_big is not None:
                after = self._rejected(before, key.key, too_big)
                version = None
            else:
                after = self._next(before, key, current)
                version = current.version_id if current else None
            after = replace(after, source_version=version)
            if before is not None and before.same_content(after):
                after = before
                break
            try:
                self.index.apply(before, after)
                break
            except ConcurrentChange:
                continue
            except RejectedSource as exc:  # the stored form is too large
                after = self._rejected(before, key.key, exc.reason)
                self.index.apply(before, after)
                break
        else:
            raise ConcurrentChange(f"{key.key}: index kept changing under {MAX_ATTEMPTS} attempts")
        if after.state != DELETED:
            self.source.tag(key.key, version, self._feedback(after))
        return Ingested(key.key, record=after, error=after.error)

    def _next(
        self, before: IndexedArticle | None, key: SourceKey, current: SourceObject | None
    ) -> IndexedArticle:
        """The record the index should hold for ``current`` (``None``: deleted)."""
        first_seen = (
            before.first_seen if before else _iso(current.last_modified if current else datetime.now(UTC))
        )
        if current is None:
            return self._moved(before, key.key, first_seen, DELETED, None, None, None)
        try:
            article = parse_article(
                key,
                current.body,
                first_seen=datetime.fromisoformat(first_seen),
                timezone=self.settings.timezone,
            )
            owner = self.index.url_owner(article.url) if article.status == PUBLISHED else None
            if owner not in (None, key.key):
                raise RejectedSource(f"the URL {article.url} is already used by {owner}")
        except RejectedSource as exc:
            return self._rejected(before, key.key, exc.reason, first_seen)
        placement: Placement | None = Placement(article.category, sort_key(article.published_at, article.url))
        if article.status != PUBLISHED:
            placement = None
        return self._moved(before, key.key, first_seen, article.status, article, placement, None)

    def _rejected(
        self, before: IndexedArticle | None, source_key: str, reason: str, first_seen: str | None = None
    ) -> IndexedArticle:
        """Keep a published page up when a broken re-upload arrives; record why."""
        if before is not None and before.state == PUBLISHED:
            return replace(before, version=before.version + 1, error=reason)
        seen = first_seen or (before.first_seen if before else _iso(datetime.now(UTC)))
        return self._moved(before, source_key, seen, REJECTED, None, None, reason)

    @staticmethod
    def _moved(
        before: IndexedArticle | None,
        source_key: str,
        first_seen: str,
        state: str,
        article: Article | None,
        placement: Placement | None,
        error: str | None,
    ) -> IndexedArticle:
        """The next record for a key, remembering where it was listed before it moved.

        The previous placement survives changes that keep the placement, so a
        retry after a failed render still re-renders the old neighbourhood.
        """
        previous = before.previous if before else None
        if before is not None and before.placement is not None and before.placement != placement:
            previous = before.placement
        return IndexedArticle(
            source_key=before.source_key if before else source_key,
            state=state,
            version=(before.version + 1) if before else 1,
            first_seen=first_seen,
            article=article,
            placement=placement,
            previous=previous,
            error=error,
        )

    @staticmethod
    def _feedback(record: IndexedArticle) -> dict[str, str]:
        tags: dict[str, str] = {STATUS_TAG: "error" if record.error else record.state}
        if record.article is not None:
            tags[URL_TAG] = record.article.url
        if record.error:
            tags[ERROR_TAG] = record.error
        return tags

    def _ingest_media(self, key: SourceKey) -> Ingested:
        head = self.source.head(key.key)
        if head is None:
            removed = self.site.delete(key.key)
            return Ingested(key.key, paths=tuple(invalidation_paths(key.key)) if removed else ())
        written = self.site.copy_from(self.source.bucket, key.key, head.version_id, key.key, head.etag)
        self.source.tag(key.key, head.version_id, {STATUS_TAG: PUBLISHED, URL_TAG: "/" + key.key})
        return Ingested(key.key, paths=tuple(invalidation_paths(key.key)) if written else ())

    # -- render -----------------------------------------------------------------
    def render(self, ingested: Sequence[Ingested]) -> BatchReport:
        """Render the plan of a batch, write what changed, invalidate it once."""
        report = BatchReport()
        records = [i.record for i in ingested if i.record is not None]
        extra_paths = [p for i in ingested for p in i.paths]
        ctx = PageContext(
            config=self.config,
            stats=self.index.stats(),
            base_url=self.settings.base_url,
            locale=self.settings.locale,
            timezone=self.settings.timezone,
        )
        plan = plan_batch(records)
        outputs = self._static_outputs(ctx) + self._page_outputs(ctx, plan, records)
        changed = [o for o in outputs if self.site.differs(o)]
        # Another article may own a previous URL by now: only pages written for this key go.
        removals = [
            page_key(url) for url, owner in sorted(plan.removals) if self.site.owned_by(page_key(url), owner)
        ]
        paths = sorted(
            {quote(p, safe="/-._~*") for o in changed for p in invalidation_paths(o.key)}
            | {quote(p, safe="/-._~*") for key in removals for p in invalidation_paths(key)}
            | {quote(p, safe="/-._~*") for p in extra_paths}
        )
        if paths:
            self.index.put_pending_invalidation(f"{_iso(datetime.now(UTC))}#{uuid.uuid4().hex}", paths)
        for output in changed:
            self.site.put(output)
            report.written.append(output.key)
        for key in removals:
            self.site.remove(key)
            report.removed.append(key)
        self._static_done = True
        report.invalidated = paths
        report.invalidations = self.flush_invalidations()
        return report

    def flush_invalidations(self) -> int:
        """Send every recorded invalidation (this batch's and any a crash left behind)."""
        sent = 0
        for reference, paths in self.index.pending_invalidations():
            self.invalidator.invalidate(reference, paths)
            self.index.clear_pending_invalidation(reference)
            sent += 1
        return sent

    def _static_outputs(self, ctx: PageContext) -> list[Output]:
        """Assets and the 404 page: checked once per container, not per batch."""
        if self._static_done:
            return []
        assets = [
            Output(a.key, a.body, content_type=a.content_type, cache_control=a.cache_control)
            for a in static_assets()
        ]
        return [*assets, not_found_output(ctx)]

    def _page_outputs(self, ctx: PageContext, plan: Plan, records: Sequence[IndexedArticle]) -> list[Output]:
        lists = {}
        for anchor in sorted(plan.anchors, key=lambda p: (p.category, p.key)):
            window = self.index.window(anchor.category, anchor.key, 2 * RADIUS)
            lists.update(neighbourhood(window, anchor.key))
        outputs: list[Output] = []
        found = self.index.get_many(lists)
        for source_key in sorted(lists):
            record = found.get(source_key)
            if record is None or record.state != PUBLISHED or record.article is None:
                continue
            outputs.append(article_output(ctx, record.article, lists[source_key]))
        names = _category_names(records)
        for scope in sorted(plan.listings):
            entries = self.index.latest(scope, LISTING_SIZE)
            known = next((e.category_names for e in entries if len(e.category_names) >= len(scope)), None)
            scope_names = known or names.get(scope) or tuple(humanize(part) for part in scope)
            outputs.append(listing_output(ctx, scope, scope_names[: len(scope)], entries))
        outputs.append(stats_output(ctx))
        return outputs


def _category_names(records: Iterable[IndexedArticle]) -> dict[tuple[str, ...], tuple[str, ...]]:
    names: dict[tuple[str, ...], tuple[str, ...]] = {}
    for record in records:
        if record.article is not None:
            for depth in range(len(record.article.category) + 1):
                names[record.article.category[:depth]] = record.article.category_names[:depth]
    return names


def _iso(moment: datetime) -> str:
    return moment.astimezone(UTC).isoformat()
