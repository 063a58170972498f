"""The publish use case: ingest each changed key, then render one plan per batch.

Ingest acts on the key's *current* state (S3 events arrive at least once, in
any order, and moto sends none for some deletes), so any event for a key
means "look again". Rendering is planned once per batch, pages are written
only when their bytes change, and exactly the changed paths are invalidated.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, timedelta
from urllib.parse import quote

from newsroom.adapters.cdn import Invalidator
from newsroom.adapters.index import ContentIndex, StoredConfig
from newsroom.adapters.redirects import NoRedirects, Redirects
from newsroom.adapters.search_index import SearchIndex
from newsroom.adapters.site import SiteStore
from newsroom.adapters.source import SourceObject, SourceStore
from newsroom.article import Article, parse_article
from newsroom.config import build_config
from newsroom.errors import ConcurrentChange, RejectedSource, UrlTaken
from newsroom.fanout import Fanout
from newsroom.keys import SourceKey, SourceKind, classify, decode_event_key
from newsroom.media import sync_media
from newsroom.model import DELETED, PUBLISHED, REJECTED, IndexedArticle, Placement, sort_key
from newsroom.planner import Plan, invalidation_paths, page_key, plan_batch
from newsroom.renderer import ContextLoader, Rendered, SiteRenderer
from newsroom.settings import Settings
from newsroom.tags import CONFIG_TAG, ERROR_TAG, STATUS_TAG, URL_TAG

MAX_ATTEMPTS = 5
MAX_RENDER_PASSES = 5
# A file given a URL may release another (it moved): re-examinations chain at most this far.
MAX_REEXAMINE_DEPTH = 10
# Longer than PublishFunction's timeout (60 s), so an older pending invalidation's writer is
# gone; shorter than PublishQueue's visibility timeout (360 s), so the redelivered batch sends
# it. tests/template checks both against template.yaml.
ABANDONED_AFTER = timedelta(seconds=120)
SEQUENCER_WIDTH = 64
# Old URLs an article keeps redirecting (a KeyValueStore holds 5 MB in all).
MAX_ALIASES = 20
SITE_YAML = "site/site.yaml"
CATEGORIES_YAML = "site/categories.yaml"
CONFIG_FILES = (SITE_YAML, CATEGORIES_YAML)
MAX_CONFIG_BYTES = 256 * 1024


@dataclass(frozen=True)
class Feedback:
    """The tags one source version gets, written only once the batch's pages are live.

    ``removed``: the source is gone, and so goes its status file.
    """

    key: str
    version_id: str | None
    tags: Mapping[str, str]
    removed: bool = False


@dataclass(frozen=True)
class Ingested:
    """What one event did to the index (``record``) or the site (``paths``)."""

    key: str
    feedback: Feedback | None = None
    """What the editor will be told, after the render (``None``: nothing to tag)."""
    record: IndexedArticle | None = None
    paths: tuple[str, ...] = ()
    error: str | None = None
    config_version: int | None = None
    """The configuration version a ``site/`` file left in force (its re-render is fanned out)."""
    stale: bool = False
    """The event was older than the last one applied to the key, and was dropped."""
    reexamined: tuple[Ingested, ...] = ()
    """Files that were waiting for a URL this change released, ingested again."""


def flatten(ingested: Sequence[Ingested]) -> list[Ingested]:
    """Every result of a batch, the files it re-examined included."""
    return [one for i in ingested for one in (i, *flatten(i.reexamined))]


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
        source: SourceStore,
        site: SiteStore,
        invalidator: Invalidator,
        fanout: Fanout | None = None,
        context: ContextLoader | None = None,
        redirects: Redirects | None = None,
        search: SearchIndex | None = None,
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
        self._static_done = False
        self._references: set[str] = set()

    # -- ingest ------------------------------------------------------------------
    def ingest(self, event_key: str, sequencer: str | None = None) -> Ingested:
        """Bring the index in line with the current state of one source key.

        ``sequencer`` is the event's ``s3.object.sequencer`` when S3 sent one
        (moto does not): an event older than the last one applied to the key
        is dropped without reading S3. Without it, the key's current state
        decides, which is right for any delivery order.
        """
        key = decode_event_key(event_key)
        try:
            source_key = classify(key)
        except RejectedSource as exc:
            return Ingested(key, Feedback(key, None, _error_tags(exc.reason)), error=exc.reason)
        if source_key.kind is SourceKind.ARTICLE:
            return self._ingest_article(source_key, sequencer)
        if source_key.kind is SourceKind.MEDIA:
            return self._ingest_media(source_key)
        return self._ingest_config(source_key)

    def _ingest_article(self, key: SourceKey, sequencer: str | None = None, depth: int = 0) -> Ingested:
        applied = False
        for _ in range(MAX_ATTEMPTS):
            before = self.index.get(key.key)
            if is_older(sequencer, before.sequencer if before else None):
                return Ingested(key.key, stale=True)
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
            after = replace(after, source_version=version, sequencer=latest(sequencer, before))
            if before is not None and before.same_content(after):
                after = before
                break
            try:
                self.index.apply(before, after)
                applied = True
                break
            except ConcurrentChange:
                continue
            except RejectedSource as exc:  # the stored form is too large
                after = self._rejected(before, key.key, exc.reason)
                self.index.apply(before, after)
                applied = True
                break
        else:
            raise ConcurrentChange(f"{key.key}: index kept changing under {MAX_ATTEMPTS} attempts")
        feedback = (
            Feedback(key.key, version, self._feedback(after))
            if after.state != DELETED
            else Feedback(key.key, None, {}, removed=True)
        )
        # A retried delivery finds nothing to apply, but re-examines what its first attempt released.
        released = _released_url(before, after) if applied else _left_url(after)
        reexamined = self._reexamine(released, depth) if released else ()
        return Ingested(key.key, feedback, record=after, error=after.error, reexamined=reexamined)

    def _reexamine(self, url: str, depth: int) -> tuple[Ingested, ...]:
        """Ingest again the files refused because this URL was taken: one of them may have it now.

        The release is committed before the waiting files are read, and a
        file registers as waiting only while the URL is held, so none is missed.
        """
        if depth >= MAX_REEXAMINE_DEPTH:
            return ()
        waiting = self.index.waiting_for(url)
        return tuple(self._ingest_article(classify(waiter), depth=depth + 1) for waiter in waiting)

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
                image_hosts=self.settings.image_hosts,
            )
            owner = self.index.url_owner(article.url) if article.status == PUBLISHED else None
            if owner is not None and owner != key.key:
                raise UrlTaken(article.url, owner)
        except UrlTaken as exc:
            return self._rejected(before, key.key, exc.reason, first_seen, waiting_for=exc.url)
        except RejectedSource as exc:
            return self._rejected(before, key.key, exc.reason, first_seen)
        placement: Placement | None = Placement(article.category, sort_key(article.published_at, article.url))
        if article.status != PUBLISHED:
            placement = None
        return self._moved(before, key.key, first_seen, article.status, article, placement, None)

    def _rejected(
        self,
        before: IndexedArticle | None,
        source_key: str,
        reason: str,
        first_seen: str | None = None,
        waiting_for: str | None = None,
    ) -> IndexedArticle:
        """Keep a published page up when a broken re-upload arrives; record why.

        ``waiting_for`` is the URL another file holds, when that is the reason.
        """
        if before is not None and before.state == PUBLISHED:
            return replace(before, version=before.version + 1, error=reason, waiting_for=waiting_for)
        seen = first_seen or (before.first_seen if before else _iso(datetime.now(UTC)))
        rejected = self._moved(before, source_key, seen, REJECTED, None, None, reason)
        return replace(rejected, waiting_for=waiting_for)

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
        # Every URL the article was published at before answers 301 to the new one.
        aliases = before.aliases if before else ()
        if before is not None and placement is not None:
            earlier = (p.url for p in (before.previous, before.placement) if p is not None)
            aliases = tuple(a for a in dict.fromkeys((*aliases, *earlier)) if a != placement.url)
            aliases = aliases[-MAX_ALIASES:]
        return IndexedArticle(
            source_key=before.source_key if before else source_key,
            state=state,
            version=(before.version + 1) if before else 1,
            first_seen=first_seen,
            article=article,
            placement=placement,
            previous=previous,
            error=error,
            aliases=aliases,
        )

    @staticmethod
    def _feedback(record: IndexedArticle) -> dict[str, str]:
        tags: dict[str, str] = {STATUS_TAG: "error" if record.error else record.state}
        if record.article is not None:
            tags[URL_TAG] = record.article.url
        if record.error:
            tags[ERROR_TAG] = record.error
        return tags

    def _ingest_config(self, key: SourceKey) -> Ingested:
        """Accept a configuration file if the configuration it makes is valid; else keep the old one.

        Acts on the current state of the file, like articles; a deleted file
        falls back to the built-in defaults for its part.
        """
        if key.key not in CONFIG_FILES:
            reason = f"unknown site file: use {' or '.join(CONFIG_FILES)}"
            return Ingested(key.key, Feedback(key.key, None, _error_tags(reason)), error=reason)
        for _ in range(MAX_ATTEMPTS):
            before = self.index.config()
            try:
                current = self.source.current(key.key, MAX_CONFIG_BYTES)
                body = current.body if current else None
                files = {
                    SITE_YAML: before.site_yaml if before else None,
                    CATEGORIES_YAML: before.categories_yaml if before else None,
                }
                files[key.key] = body
                config = build_config(
                    files[SITE_YAML], files[CATEGORIES_YAML], self.settings.locale, self.settings.image_hosts
                )
                if config.timezone not in (None, self.settings.timezone):
                    raise RejectedSource(
                        f"site.yaml: timezone is fixed by the deployment ({self.settings.timezone}), "
                        "because monthly archives are keyed by it"
                    )
            except RejectedSource as exc:
                feedback = Feedback(key.key, None, _error_tags(exc.reason))
                return Ingested(key.key, feedback, error=exc.reason)
            old = self.context.parse(before)
            retired = (set(old.categories.configured()) | set(before.retired if before else ())) - set(
                config.categories.configured()
            )
            after = StoredConfig(
                version=(before.version if before else 0) + 1,
                site_yaml=files[SITE_YAML],
                categories_yaml=files[CATEGORIES_YAML],
                retired=tuple(sorted(retired)),
            )
            if before is not None and (before.site_yaml, before.categories_yaml) == (
                after.site_yaml,
                after.categories_yaml,
            ):
                after = before
                break
            try:
                self.index.put_config(before, after)
                break
            except ConcurrentChange:
                continue
        else:
            raise ConcurrentChange(
                f"{key.key}: the configuration kept changing under {MAX_ATTEMPTS} attempts"
            )
        tags = {STATUS_TAG: PUBLISHED, CONFIG_TAG: str(after.version)}
        accepted = (
            Feedback(key.key, current.version_id, tags)
            if current is not None
            else Feedback(key.key, None, {}, removed=True)
        )
        return Ingested(key.key, accepted, config_version=after.version)

    def _ingest_media(self, key: SourceKey) -> Ingested:
        head, changed = sync_media(self.source, self.site, key.key)
        feedback = Feedback(key.key, None, {}, removed=True)
        if head is not None:
            feedback = Feedback(key.key, head.version_id, {STATUS_TAG: PUBLISHED, URL_TAG: "/" + key.key})
        return Ingested(key.key, feedback, paths=tuple(invalidation_paths(key.key)) if changed else ())

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
        told = [i.feedback for i in flatten(ingested) if i.feedback is not None]
        for feedback in {(f.key, f.version_id): f for f in told}.values():
            if feedback.removed:
                self.source.remove_status(feedback.key)
                continue
            tagged = self.source.tag(feedback.key, feedback.version_id, feedback.tags)
            self.source.write_status(feedback.key, feedback.version_id, feedback.tags, tagged)
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
        if not records and not extra_paths and self._static_done:
            return report
        self._sync_redirects(records)
        if self.search is not None:
            for record in records:
                self.search.sync(record)
        plan = plan_batch(records, self.settings.timezone)
        # The site's skeleton (home, feeds, sitemaps, 404, assets) exists from the first batch a
        # container handles, even before any article is published: a rebuild renders it too.
        skeleton = bool(records) or not self._static_done
        for _ in range(MAX_RENDER_PASSES):
            revision = self.index.revision()
            self._render_pass(plan, skeleton, extra_paths, report)
            extra_paths = []
            report.passes += 1
            if self.index.revision() == revision:
                break
        else:
            raise ConcurrentChange(f"the site kept changing during {MAX_RENDER_PASSES} render passes")
        self._static_done = True
        report.invalidations = self.flush_invalidations()
        return report

    def _render_pass(
        self, plan: Plan, skeleton: bool, extra_paths: Sequence[str], report: BatchReport
    ) -> None:
        """Render the plan from the index as it is now; write, remove and record what changed."""
        renderer = SiteRenderer(self.index, self.context())
        anchors = set(plan.anchors)
        # A URL an article left is removed unless another article holds it now: then that
        # article's page is rendered (the other invocation may have lost it to this one's removal).
        removals: list[str] = []
        for url, _owner in sorted(plan.removals):
            holder = self.index.url_owner(url)
            record = self.index.get(holder) if holder is not None else None
            if record is not None and record.state == PUBLISHED and record.placement is not None:
                anchors.add(record.placement)
            elif holder is None and self.site.head(page_key(url)) is not None:
                removals.append(page_key(url))
        rendered = Rendered(renderer.around(anchors))
        for scope in sorted(plan.listings | ({()} if skeleton else set())):
            rendered.add(renderer.scope(scope))
        for scope, month in sorted(plan.months):
            rendered.add(renderer.archive(scope, month))
        if skeleton:
            rendered.outputs += renderer.site_files()
        if not self._static_done:
            rendered.outputs += renderer.fixed_files()
        changed = [o for o in rendered.outputs if self.site.differs(o)]
        removals += [key for key in sorted(set(rendered.removals)) if self.site.head(key) is not None]
        paths = sorted(
            {quote(p, safe="/-._~*") for o in changed for p in invalidation_paths(o.key)}
            | {quote(p, safe="/-._~*") for key in removals for p in invalidation_paths(key)}
            | {quote(p, safe="/-._~*") for p in extra_paths}
        )
        if paths:
            reference = f"{_iso(datetime.now(UTC))}#{uuid.uuid4().hex}"
            self._references.add(reference)
            self.index.put_pending_invalidation(reference, paths)
        for output in changed:
            self.site.put(output)
            report.written.append(output.key)
        for key in removals:
            self.site.remove(key)
            report.removed.append(key)
        report.invalidated = sorted({*report.invalidated, *paths})

    def _sync_redirects(self, records: Sequence[IndexedArticle]) -> None:
        """Old URLs of published articles answer 301 to the current one; others answer nothing.

        Derived from each record's current state, so a retry or a duplicate
        converges; an old URL another article has taken is never redirected,
        and a live page's own URL never is.
        """
        puts: dict[str, str] = {}
        deletes: set[str] = set()
        for record in records:
            current = record.placement.url if record.state == PUBLISHED and record.placement else None
            for alias in record.aliases:
                if current is not None and self.index.url_owner(alias) in (None, record.source_key):
                    puts[alias] = current
                else:
                    deletes.add(alias)
            if current is not None:  # it may be another article's old URL: the live page wins
                deletes.add(current)
        if puts or deletes:
            self.redirects.apply(puts, sorted(deletes - set(puts)))

    def _request_config_job(self, version: int) -> None:
        """Fan out the re-render of a configuration version, unless it already ran."""
        job = f"config-{version}"
        progress = self.index.job(job)
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
        for reference, paths in self.index.pending_invalidations():
            if reference not in self._references and reference >= abandoned:
                continue
            self.invalidator.invalidate(reference, paths)
            self.index.clear_pending_invalidation(reference)
            self._references.discard(reference)
            sent += 1
        return sent


def _released_url(before: IndexedArticle | None, after: IndexedArticle) -> str | None:
    """The page URL ``before`` held and ``after`` no longer holds (deleted, moved, made a draft)."""
    old = before.placement.url if before and before.state == PUBLISHED and before.placement else None
    new = after.placement.url if after.state == PUBLISHED and after.placement else None
    return old if old and old != new else None


def _left_url(record: IndexedArticle) -> str | None:
    """The URL a record's last move or removal left (``previous``), if it no longer holds it."""
    if record.previous is None:
        return None
    current = record.placement.url if record.state == PUBLISHED and record.placement else None
    return record.previous.url if record.previous.url != current else None


def sequencer_order(sequencer: str) -> str:
    """A sequencer made comparable: S3 says pad the shorter with zeros on the right, then compare."""
    return sequencer.upper().ljust(SEQUENCER_WIDTH, "0")


def is_older(sequencer: str | None, applied: str | None) -> bool:
    """True when an event's sequencer is older than the last one applied to the same key."""
    return (
        sequencer is not None
        and applied is not None
        and sequencer_order(sequencer) < sequencer_order(applied)
    )


def latest(sequencer: str | None, before: IndexedArticle | None) -> str | None:
    """The newer of an event's sequencer and the one the record already holds."""
    applied = before.sequencer if before else None
    if sequencer is None or (applied is not None and not is_older(applied, sequencer)):
        return applied
    return sequencer


def _error_tags(reason: str) -> dict[str, str]:
    return {STATUS_TAG: "error", ERROR_TAG: reason}


def _iso(moment: datetime) -> str:
    return moment.astimezone(UTC).isoformat()
