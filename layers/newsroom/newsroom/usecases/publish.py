"""The publish use case: ingest each changed key, then render one plan per batch.

Rendering is planned once per batch, pages are written only when their
bytes change, exactly the changed paths are invalidated, and only then is
each source file tagged with what became of it.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from urllib.parse import quote

from newsroom.configuration.settings import Settings
from newsroom.domain.cache_tags import article_tag, invalidation_items, tags_of
from newsroom.domain.planner import Plan, plan_batch
from newsroom.domain.records import (
    PUBLISHED,
    Placement,
    month_of,
)
from newsroom.domain.site_paths import billed_paths, invalidation_paths, page_key, pdf_key
from newsroom.usecases.article_pdfs import pdf_message
from newsroom.usecases.fanout import Fanout
from newsroom.usecases.feedback import told
from newsroom.usecases.ingest import Ingested, SourceIngest, flatten
from newsroom.usecases.ports import (
    ContentIndex,
    Invalidations,
    NoRedirects,
    NoSchedules,
    Redirects,
    Schedules,
    SearchTerms,
    SiteFiles,
    SourceFiles,
    WorkQueue,
)
from newsroom.usecases.redirect_changes import sync_redirects
from newsroom.usecases.site_render import ContextLoader, Rendered, SiteRenderer, until_unchanged
from newsroom.web.outputs import Output
from newsroom.web.page_outputs import PageContext

# Longer than PublishFunction's timeout (60 s), so an older pending invalidation's writer is
# gone; shorter than PublishQueue's visibility timeout (360 s), so the redelivered batch sends
# it. tests/template checks both against template.yaml.
ABANDONED_AFTER = timedelta(seconds=120)


@dataclass
class BatchReport:
    """What a batch wrote, removed and invalidated (for logs, metrics and benchmarks)."""

    written: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)
    invalidated: list[str] = field(default_factory=list)
    invalidations: int = 0
    passes: int = 0
    """Render passes: more than one when the index changed while the batch rendered."""


class Publisher:
    """Turns source changes into site changes. Built once per container."""

    def __init__(
        self,
        settings: Settings,
        index: ContentIndex,
        source: SourceFiles,
        site: SiteFiles,
        invalidator: Invalidations,
        fanout: Fanout | None = None,
        context: ContextLoader | None = None,
        redirects: Redirects | None = None,
        search: SearchTerms | None = None,
        schedules: Schedules | None = None,
        pdfs: WorkQueue | None = None,
    ) -> None:
        self.settings = settings
        self.index = index
        self.source = source
        self.site = site
        self.invalidator = invalidator
        self.fanout = fanout
        self.context: ContextLoader = context or ContextLoader(index, settings)
        self.redirects: Redirects = redirects or NoRedirects()
        self.search = search
        self.pdfs = pdfs
        """Where the PDF function is asked for the PDFs of the articles a batch published."""
        self._static_done = False
        self._references: set[str] = set()
        self._rendered_with: PageContext | None = None
        """The context the batch's last render pass used: the status files speak its language."""

        # -- ingest ------------------------------------------------------------------
        self.ingestion = SourceIngest(settings, index, source, site, self.context, schedules or NoSchedules())

    def ingest(
        self,
        event_key: str,
        sequencer: str | None = None,
        *,
        now: datetime | None = None,
        version: str | None = None,
    ) -> Ingested:
        """Bring the index in line with the current state of one source key (``SourceIngest.ingest``)."""
        return self.ingestion.ingest(event_key, sequencer, now=now, version=version)

    def tick(self, at: datetime) -> Ingested:
        """The daily tick: date the Google News sitemap from ``at`` (stored, so a rebuild agrees)."""
        self.index.ticks.record(at)
        return Ingested("daily-tick", refresh=True)

    # -- feedback ---------------------------------------------------------------
    def tell(self, ingested: Sequence[Ingested]) -> list[str]:
        """Tag each source version with what became of it, and write its status file.

        Called only after ``render`` wrote the batch's pages and requested
        their invalidation: a tag that says ``published`` is a page a reader
        can open. A source deleted meanwhile has nothing left to tag. Returns
        the keys whose own ten tags left no room for ours: their status file
        (``status/<key>.json``) says so, and so must the caller's logs.
        """
        untagged: list[str] = []
        feedbacks = [i.feedback for i in flatten(ingested) if i.feedback is not None]
        # The language of the configuration the pages were just rendered with: no read of
        # its own, unless the batch rendered nothing (only refusals, say).
        ctx, self._rendered_with = self._rendered_with, None
        locale = (ctx or self.context()).locale if feedbacks else ""
        for feedback in {(f.key, f.version_id): f for f in feedbacks}.values():
            if feedback.removed:
                self.source.remove_status(feedback.key)
                continue
            words = told(feedback.tags, locale, at=feedback.at)
            tagged = self.source.tag(feedback.key, feedback.version_id, words)
            self.source.write_status(feedback.key, feedback.version_id, words, tagged)
            if not tagged:
                untagged.append(feedback.key)
        return untagged

    # -- render -----------------------------------------------------------------
    def render(self, ingested: Sequence[Ingested]) -> BatchReport:
        """Render the plan of a batch, write what changed, invalidate it once.

        Another invocation may change the index while this one renders, and
        S3 keeps whichever page is written last, so a pass that read the
        state before that change could overwrite a newer page. Each pass
        therefore reads the site's revision before it reads anything else,
        and again after its last write: if it moved, the pass is run again
        (writing only what still differs). A change committed after that
        second read is rendered by its own invocation, which writes later.
        """
        report = BatchReport()
        ingested = flatten(ingested)
        records = [i.record for i in ingested if i.record is not None]
        extra_paths = [p for i in ingested for p in i.paths]
        for version in sorted({i.config_version for i in ingested if i.config_version}):
            self._request_config_job(version)
        refresh = any(i.refresh for i in ingested)
        if not records and not extra_paths and self._static_done and not refresh:
            return report
        sync_redirects(records, self.index.articles.url_owners, self.redirects)
        if self.search is not None:
            for record in records:
                self.search.sync(record)
        plan = plan_batch(records, self.settings.timezone)
        # The site's skeleton (home, feeds, sitemaps, 404, assets) exists from the first batch a
        # container handles, even before any article is published: a rebuild renders it too.
        skeleton = bool(records) or refresh or not self._static_done

        written_pages: set[str] = set()

        def render_pass(attempt: int) -> None:
            self._render_pass(plan, skeleton, extra_paths if attempt == 0 else (), report, written_pages)

        report.passes = until_unchanged(self.index.counts, render_pass, "the site")
        self._static_done = True
        report.invalidations = self.flush_invalidations()
        live = sorted({r.source_key for r in records if r.state == PUBLISHED})
        if self.pdfs is not None and live:  # after the pages: a PDF is made of what readers see
            self.pdfs.send_all([pdf_message(key) for key in live])
        return report

    def _render_pass(
        self,
        plan: Plan,
        skeleton: bool,
        extra_paths: Sequence[str],
        report: BatchReport,
        written_pages: set[str],
    ) -> None:
        """Render the plan from the index as it is now; write, remove and record what changed.

        ``written_pages`` holds the article URLs earlier passes of this batch
        wrote: a pass runs again because the index moved, and what moved may
        be that article leaving its URL after the earlier pass rendered it.
        Those URLs are checked like the ones the plan's articles left, so a
        page written from the older state never outlives the rerun.
        """
        renderer = SiteRenderer(self.index, self.context())
        self._rendered_with = renderer.ctx
        anchors = set(plan.anchors)
        # A URL an article left is removed unless another article holds it now: then that
        # article's page is rendered (the other invocation may have lost it to this one's removal).
        held, free = renderer.holders({url for url, _owner in plan.removals} | written_pages)
        anchors |= held
        stored_tags: dict[str, set[str]] = {}  # of the objects to remove: what their cached copies carry

        def stored(key: str) -> bool:
            head = self.site.head(key)
            if head is not None:
                stored_tags[key] = tags_of(head.get("Metadata", {}))
            return head is not None

        removals = [key for url in free for key in (page_key(url), pdf_key(url)) if stored(key)]
        pages = renderer.around(anchors)
        rendered = Rendered(list(pages))
        rendered.add(renderer.previews(plan.previews))
        for scope in sorted(plan.listings | ({()} if skeleton else set())):
            rendered.add(renderer.scope(scope))
        by_month: dict[tuple[tuple[str, ...], str], list[str]] = {}
        for scope, month, key in sorted(plan.months):
            by_month.setdefault((scope, month), []).append(key)
        for (scope, month), keys in by_month.items():
            rendered.add(renderer.archive(scope, month, keys))
        for scope in sorted({scope for scope, _month in rendered.months_moved}):
            moved = {month[:4] for s, month in rendered.months_moved if s == scope}
            rendered.add(renderer.years(scope, moved, neighbours=True))
        shards, index_changes = renderer.sitemap(key for scope, _month, key in plan.months if not scope)
        rendered.add(shards)
        if skeleton:
            index = index_changes or not self._static_done  # a new container checks it once
            rendered.outputs += renderer.site_files(index=index)
        if not self._static_done:
            rendered.outputs += renderer.fixed_files()
        # Two keys of a batch in one archive page or shard render it twice, from the same state.
        unique: dict[str, Output] = {}
        for output in rendered.outputs:
            unique.setdefault(output.key, output)
        changed = [o for o in unique.values() if self.site.differs(o)]
        written = {id(o) for o in changed}
        written_pages.update("/" + o.key for o in pages if id(o) in written)
        removals += [key for key in sorted(set(rendered.removals)) if stored(key)]
        touched = [(o.key, tags_of(o.metadata)) for o in changed] + [(k, stored_tags[k]) for k in removals]
        paths = _invalidation(touched, anchors, extra_paths, self.settings.timezone)
        if paths:
            reference = f"{_iso(datetime.now(UTC))}#{uuid.uuid4().hex}"
            self._references.add(reference)
            self.index.invalidations.record(reference, paths)
        for output in changed:
            self.site.put(output)
            report.written.append(output.key)
        for key in removals:
            self.site.remove(key)
            report.removed.append(key)
        report.invalidated = sorted({*report.invalidated, *paths})

    def _request_config_job(self, version: int) -> None:
        """Fan out the re-render of a configuration version, unless it already ran."""
        job = f"config-{version}"
        progress = self.index.jobs.get(job)
        if progress is None or not progress.dispatched:
            if self.fanout is None:
                raise RuntimeError("a configuration changed but no render queue is configured")
            self.fanout.request(job)

    def flush_invalidations(self) -> int:
        """Send this container's recorded invalidations, and any a crashed invocation left behind.

        Another invocation's recent record is left alone: its pages may not be
        written yet, and an invalidation sent before them would let the CDN
        cache the old page again. It sends its own; a record older than the
        function's timeout has lost its writer, so any invocation sends it
        (the redelivered batch of a crashed one arrives only after that).
        """
        sent = 0
        abandoned = _iso(datetime.now(UTC) - ABANDONED_AFTER)
        for reference, paths in self.index.invalidations.pending():
            if reference not in self._references and reference >= abandoned:
                continue
            self.invalidator.invalidate(reference, paths)
            self.index.invalidations.clear(reference)
            self._references.discard(reference)
            sent += 1
        return sent


def _iso(moment: datetime) -> str:
    return moment.astimezone(UTC).isoformat()


__all__ = ["ABANDONED_AFTER", "BatchReport", "Ingested", "Publisher"]


def _invalidation(
    touched: Sequence[tuple[str, set[str]]],
    anchors: Iterable[Placement],
    extra_paths: Iterable[str],
    timezone: str,
) -> list[str]:
    """The items that invalidate what a pass wrote or removed (``domain/cache_tags``): the tags of
    the tagged objects, the paths of the others."""
    # An article page moved to another month keeps its URL: its cached copy carries the old tag.
    placed: dict[str, set[str]] = {}
    for p in anchors:  # its placement before and after the batch: one URL, two months
        placed.setdefault(page_key(p.url), set()).add(article_tag(p.category, month_of(p.key, timezone)))
    tags: set[str] = set()
    untagged = {quote(p, safe="/-._~*") for p in extra_paths}
    for key, found in touched:
        if found:
            tags |= found | placed.get(key, set())
        else:
            untagged |= {quote(p, safe="/-._~*") for p in invalidation_paths(key)}
    return invalidation_items(tags, billed_paths(untagged))
