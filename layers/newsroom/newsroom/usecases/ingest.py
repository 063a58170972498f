"""Ingest: bring the index in line with the current state of one source key.

S3 events arrive at least once, in any order, and moto sends none for some
deletes, so any event for a key means "look again": each kind of source
(article, medium, site file) is read as it is now, decided on by the pure
transitions of ``domain.transitions``, and stored in one conditional change.
What the editor will be told waits in the result until the batch's pages
are written (``Publisher.tell``): the tags in English, the status file's
words in the site's language at the time (``usecases.feedback``).
"""

from __future__ import annotations

import secrets
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime

from newsroom.configuration.settings import Settings
from newsroom.configuration.site_yaml import MAX_CONFIG_BYTES, build_config
from newsroom.domain.article import parse_article
from newsroom.domain.errors import MAX_ATTEMPTS, ConcurrentChange, RejectedSource, UrlTaken
from newsroom.domain.feedback_tags import CONFIG_TAG, STATUS_TAG, URL_TAG
from newsroom.domain.reasons import N_, Reason, either
from newsroom.domain.records import (
    DELETED,
    PUBLISHED,
    IndexedArticle,
    StoredConfig,
)
from newsroom.domain.schedule import ACTIONS, timers
from newsroom.domain.site_paths import invalidation_paths
from newsroom.domain.source_keys import SourceKey, SourceKind, classify, decode_event_key
from newsroom.domain.source_objects import SourceObject
from newsroom.domain.transitions import (
    deleted,
    error_tags,
    feedback_tags,
    is_older,
    latest,
    left_url,
    rejected,
    released_url,
    uploaded,
)
from newsroom.domain.word_article import is_sidecar, is_word, word_key_of
from newsroom.domain.word_document import MAX_DOCX_BYTES
from newsroom.usecases.article_extras import drop_word_pictures, picture_notes, word_document
from newsroom.usecases.feedback import record_time, with_reasons
from newsroom.usecases.media import sync_media
from newsroom.usecases.ports import (
    ContentIndex,
    NoSchedules,
    Schedules,
    SiteFiles,
    SourceFiles,
)
from newsroom.usecases.site_render import ContextLoader

# A file given a URL may release another (it moved): re-examinations chain at most this far.
MAX_REEXAMINE_DEPTH = 10
SITE_YAML = "site/site.yaml"
CATEGORIES_YAML = "site/categories.yaml"
CONFIG_FILES = (SITE_YAML, CATEGORIES_YAML)
SIDECAR_ALONE = N_("a .yaml file here holds the fields of a Word article: upload {name} beside it")
TIMEZONE_FIXED = N_(
    "site.yaml: timezone is fixed by the deployment ({zone}), because monthly archives are keyed by it"
)


@dataclass(frozen=True)
class Feedback:
    """The tags one source version gets, written only once the batch's pages are live.

    ``tags`` are English, as tagged and stored; their status file's words in the
    site's language are made when the editor is told (``Publisher.tell``), in
    the configuration the batch rendered with. ``removed``: the source is
    gone, and so goes its status file.
    """

    key: str
    version_id: str | None
    tags: Mapping[str, str]
    removed: bool = False
    at: str | None = None
    """When the change took effect, in the site's time (the status file's summary line)."""


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
    refresh: bool = False
    """The site-wide files must be rendered again though no article changed (the daily tick)."""
    """Files that were waiting for a URL this change released, ingested again."""


def flatten(ingested: Sequence[Ingested]) -> list[Ingested]:
    """Every result of a batch, the files it re-examined included."""
    return [one for i in ingested for one in (i, *flatten(i.reexamined))]


@dataclass(eq=False)
class SourceIngest:
    """One source key's event in, the index changed and the result out. Built once per container."""

    settings: Settings
    index: ContentIndex
    source: SourceFiles
    site: SiteFiles
    context: ContextLoader
    schedules: Schedules = field(default_factory=NoSchedules)

    def ingest(
        self,
        event_key: str,
        sequencer: str | None = None,
        *,
        now: datetime | None = None,
        version: str | None = None,
    ) -> Ingested:
        """Bring the index in line with the current state of one source key.

        ``sequencer`` is the event's ``s3.object.sequencer`` when S3 sent one
        (moto does not): an event older than the last one applied to the key
        is dropped without reading S3. Without it, the key's current state
        decides, which is right for any delivery order.

        ``now`` is the moment the change is judged at (a fired schedule's own
        time; the clock otherwise). ``version`` is the source version a fired
        schedule was made for: if the file changed since, its newer version
        has its own schedules, and this one is dropped as stale.
        """
        key = decode_event_key(event_key)
        try:
            source_key = classify(key)
        except RejectedSource as exc:
            return Ingested(key, Feedback(key, None, error_tags(exc.reason)), error=exc.reason)
        if source_key.kind is SourceKind.ARTICLE and is_sidecar(key):
            return self._sidecar(source_key)
        if source_key.kind is SourceKind.ARTICLE:
            return self.article(source_key, sequencer, now=now, version=version)
        if source_key.kind is SourceKind.MEDIA:
            return self._ingest_media(source_key)
        return self._ingest_config(source_key)

    def article(
        self,
        key: SourceKey,
        sequencer: str | None = None,
        depth: int = 0,
        *,
        now: datetime | None = None,
        version: str | None = None,
    ) -> Ingested:
        moment = now or datetime.now(UTC)
        applied = False
        notes: tuple[str, ...] = ()
        unstorable: str | None = None  # the stored form was too large: learnt from a first attempt
        for _ in range(MAX_ATTEMPTS):
            before = self.index.articles.get(key.key)
            if is_older(sequencer, before.sequencer if before else None):
                return Ingested(key.key, stale=True)
            try:
                limit = MAX_DOCX_BYTES if is_word(key.key) else self.settings.max_source_bytes
                current = self.source.current(key.key, limit)
                too_big = None
            except RejectedSource as exc:
                current, too_big = None, exc.reason
            if too_big is None and current is None and before is None:
                return Ingested(key.key)  # a delete of something never published
            if version is not None and (current is None or current.version_id != version):
                return Ingested(key.key, stale=True)  # a schedule made for an older version
            if too_big is not None or unstorable is not None:
                after = rejected(before, key.key, too_big or unstorable or "", _first_seen(before, None))
                source_version = current.version_id if current is not None else None
            else:
                after, notes = self._next(before, key, current, moment)
                source_version = current.version_id if current else None
            after = replace(after, source_version=source_version, sequencer=latest(sequencer, before))
            found = after.error  # the refusal as this delivery found it (translatable), if any
            if before is not None and before.same_content(after):
                after = before
                break
            try:
                self.index.articles.apply(before, after)
                applied = True
                break
            except ConcurrentChange:
                continue
            except RejectedSource as exc:  # the stored form is too large: refuse it, like any other
                if unstorable is not None:
                    raise
                unstorable = exc.reason
        else:
            raise ConcurrentChange(f"{key.key}: index kept changing under {MAX_ATTEMPTS} attempts")
        self._schedule(after)
        tags = self._tags(before, after, notes, found)  # notes the pictures the page shows now
        drop_word_pictures(self.source, self.index.pictures, before, after)
        removed = after.state == DELETED
        at = None if removed else record_time(after, self.settings.timezone)
        version = None if removed else source_version
        feedback = Feedback(key.key, version, {} if removed else tags, removed, at)
        # A retried delivery finds nothing to apply, but re-examines what its first attempt released.
        released = released_url(before, after) if applied else left_url(after)
        reexamined = self._reexamine(released, depth) if released else ()
        return Ingested(key.key, feedback, record=after, error=after.error, reexamined=reexamined)

    def _tags(
        self, before: IndexedArticle | None, after: IndexedArticle, notes: tuple[str, ...], found: str | None
    ) -> dict[str, str]:
        """The record's tags, with what the editor's file lost on the way (Word) and missing pictures."""
        tags = feedback_tags(after) | picture_notes(self.index.pictures, before, after)
        return with_reasons(tags, after, notes, found)

    def _reexamine(self, url: str, depth: int) -> tuple[Ingested, ...]:
        """Ingest again the files refused because this URL was taken: one of them may have it now.

        The release is committed before the waiting files are read, and a
        file registers as waiting only while the URL is held, so none is missed.
        """
        if depth >= MAX_REEXAMINE_DEPTH:
            return ()
        waiting = self.index.articles.waiting_for(url)
        return tuple(self.article(classify(waiter), depth=depth + 1) for waiter in waiting)

    def _schedule(self, record: IndexedArticle) -> None:
        """Make the key's schedules what its record needs, from the record alone (retries repeat it)."""
        if not record.timed:
            return
        wanted = {timer.action: timer for timer in timers(record.article, record.state)}
        for action in ACTIONS:
            if action in wanted:
                self.schedules.put(record.source_key, action, wanted[action].at, record.source_version)
            else:
                self.schedules.cancel(record.source_key, action)

    def _next(
        self, before: IndexedArticle | None, key: SourceKey, current: SourceObject | None, now: datetime
    ) -> tuple[IndexedArticle, tuple[str, ...]]:
        """The record the index should hold for ``current`` (``None``: deleted), and what its file lost."""
        first_seen = _first_seen(before, current)
        if current is None:
            return deleted(before, key.key, first_seen), ()
        notes: tuple[str, ...] = ()
        try:
            body, notes = (current.body, ())
            if is_word(key.key):
                body, notes = word_document(self.source, key, current.body)
            article = parse_article(
                key,
                body,
                first_seen=datetime.fromisoformat(first_seen),
                timezone=self.settings.timezone,
                image_hosts=self.settings.image_hosts,
            )
            owner = self.index.articles.url_owner(article.url) if article.status == PUBLISHED else None
            if owner is not None and owner != key.key:
                raise UrlTaken(article.url, owner)
        except UrlTaken as exc:
            return rejected(before, key.key, exc.reason, first_seen, waiting_for=exc.url), ()
        except RejectedSource as exc:
            return rejected(before, key.key, exc.reason, first_seen), ()
        token = secrets.token_urlsafe(24)
        return uploaded(before, key.key, article, first_seen, now=now, new_token=token), notes

    def _sidecar(self, key: SourceKey) -> Ingested:
        """A Word article's fields changed: publish it again, and tell the sidecar what became of it."""
        word_key = word_key_of(key.key)
        current = self.source.head(key.key)
        if self.source.head(word_key) is None and self.index.articles.get(word_key) is None:
            if current is None:
                return Ingested(key.key, Feedback(key.key, None, {}, removed=True))
            reason = Reason(SIDECAR_ALONE, name=word_key.rsplit("/", 1)[-1])
            feedback = Feedback(key.key, current.version_id, error_tags(reason))
            return Ingested(key.key, feedback, error=reason)
        result = self.article(classify(word_key))
        answer = result.feedback.tags if result.feedback is not None else {}
        at = result.feedback.at if result.feedback is not None else None
        feedback = (
            Feedback(key.key, current.version_id, answer, at=at)
            if current is not None
            else Feedback(key.key, None, {}, removed=True)
        )
        return replace(result, reexamined=(*result.reexamined, Ingested(key.key, feedback)))

    def _ingest_config(self, key: SourceKey) -> Ingested:
        """Accept a configuration file if the configuration it makes is valid; else keep the old one.

        Acts on the current state of the file, like articles; a deleted file
        falls back to the built-in defaults for its part.
        """
        if key.key not in CONFIG_FILES:
            reason = Reason(N_("unknown site file: use {files}"), files=either(*CONFIG_FILES))
            return Ingested(key.key, Feedback(key.key, None, error_tags(reason)), error=reason)
        for _ in range(MAX_ATTEMPTS):
            before = self.index.configuration.current()
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
                    raise RejectedSource(TIMEZONE_FIXED, zone=self.settings.timezone)
            except RejectedSource as exc:
                feedback = Feedback(key.key, None, error_tags(exc.reason))
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
                self.index.configuration.put(before, after)
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
            tags = {STATUS_TAG: PUBLISHED, URL_TAG: "/" + key.key}
            feedback = Feedback(key.key, head.version_id, tags)
        return Ingested(key.key, feedback, paths=tuple(invalidation_paths(key.key)) if changed else ())


def _first_seen(before: IndexedArticle | None, current: SourceObject | None) -> str:
    """When the key was first seen: kept from its record, else the upload's time, else now."""
    if before is not None:
        return before.first_seen
    return _iso(current.last_modified if current is not None else datetime.now(UTC))


def _iso(moment: datetime) -> str:
    return moment.astimezone(UTC).isoformat()
