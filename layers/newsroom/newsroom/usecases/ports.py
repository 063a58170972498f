"""Ports: what the use cases need from storage and the CDN, and nothing of how it is done.

The adapters (DynamoDB, S3, CloudFront, SQS) match these by shape; the
wiring hands them in; the use-case tests hand in the in-memory fakes of
``tests/support/fake_table.py`` and ``fakes.py``. A use case never imports an adapter.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any, BinaryIO, Protocol

from newsroom.domain.archive_pages import MonthWindow
from newsroom.domain.pictures import PictureInfo
from newsroom.domain.records import (
    NO_FIGURES,
    Entry,
    Failure,
    IndexedArticle,
    JobProgress,
    Stats,
    StoredConfig,
    ViewFigures,
)
from newsroom.domain.search_terms import SearchHit
from newsroom.domain.source_objects import SourceHead, SourceObject
from newsroom.domain.view_counting import Reader, Tally, Url
from newsroom.web.outputs import Output

log = logging.getLogger(__name__)


class ArticleRecords(Protocol):
    """One record per source key, the page URLs they own, the files waiting for one."""

    def get(self, source_key: str) -> IndexedArticle | None: ...
    def get_many(self, source_keys: Iterable[str]) -> dict[str, IndexedArticle]: ...
    def url_owner(self, url: str) -> str | None: ...
    def url_owners(self, urls: Iterable[str]) -> dict[str, str]: ...
    def waiting_for(self, url: str) -> list[str]: ...
    def previewed(self) -> list[str]: ...
    def apply(self, before: IndexedArticle | None, after: IndexedArticle) -> None:
        """Replace ``before`` by ``after``, and all it moves, atomically; or raise ``ConcurrentChange``."""
        ...


class ListingEntries(Protocol):
    """The entries listings show, in their order."""

    def window(self, category: tuple[str, ...], key: str, size: int) -> list[Entry]: ...
    def latest(self, prefix: tuple[str, ...], limit: int) -> list[Entry]: ...
    def month_entries(self, prefix: tuple[str, ...], month: str) -> list[Entry]: ...
    def month_window(self, prefix: tuple[str, ...], month: str, key: str) -> MonthWindow:
        """The entries of one month around ``key`` that ``archive_pages.pages_for_change`` needs."""
        ...

    def timeline_window(self, key: str) -> MonthWindow:
        """The site's entries around ``key`` that ``sitemap_shards.shards_for_change`` needs."""
        ...

    def timeline_after(self, key: str) -> list[Entry]: ...
    def shard_starters(self) -> list[str]: ...
    def oldest_key(self) -> str | None: ...
    def since(self, key: str, limit: int) -> list[Entry]: ...
    def entries_between(self, first: str, last: str) -> list[Entry]: ...
    def timeline_chunks(self, size: int) -> list[tuple[str, str]]: ...


class SiteCounts(Protocol):
    """Counters, and the revision every change of stored state moves."""

    def revision(self) -> int: ...
    def stats(self) -> Stats: ...
    def scope_counts(self) -> dict[tuple[str, ...], int]: ...
    def emptied_scopes(self) -> list[tuple[str, ...]]: ...
    def months(self, prefix: tuple[str, ...]) -> list[tuple[str, int]]: ...
    def recent_months(self, prefix: tuple[str, ...], limit: int) -> list[tuple[str, int]]: ...
    def year_months(self, prefix: tuple[str, ...], year: str) -> list[tuple[str, int]]: ...
    def years_around(self, prefix: tuple[str, ...], year: str) -> tuple[str | None, str | None]: ...


class ConfigurationRecord(Protocol):
    """The accepted site configuration files."""

    def current(self) -> StoredConfig | None: ...
    def put(self, before: StoredConfig | None, after: StoredConfig) -> None: ...


class JobRecords(Protocol):
    """Fanned-out re-renders and their chunks.

    ``start`` raises ``ConcurrentChange`` when the job's chunks were already
    sent, ``finish_chunk`` when the job does not exist.
    """

    def start(self, job: str, total: int, created: str) -> None: ...
    def finish_chunk(self, job: str, chunk: int, written: int = 0) -> JobProgress: ...
    def get(self, job: str) -> JobProgress | None: ...
    def mark_dispatched(self, job: str) -> None: ...
    def mark_invalidated(self, job: str) -> None: ...


class FailureRecords(Protocol):
    """Why queue messages failed."""

    def record(self, message_id: str, keys: Sequence[str], reason: str, receive_count: int) -> None: ...
    def get(self, message_id: str) -> Failure | None: ...
    def all(self) -> list[Failure]: ...
    def clear(self, message_id: str) -> None: ...


class InvalidationRecords(Protocol):
    """Invalidations written down before the pages change, until sent."""

    def record(self, reference: str, paths: Sequence[str]) -> None: ...
    def pending(self) -> list[tuple[str, list[str]]]: ...
    def clear(self, reference: str) -> None: ...


class FigureRecords(Protocol):
    """The view figures last published: what a publish repeats in ``/stats.json``."""

    def figures(self) -> ViewFigures: ...


class NoFigures:
    """No view counters (a test's index without them): the figures of a site nobody read yet."""

    def figures(self) -> ViewFigures:
        """Always none."""
        return NO_FIGURES


NO_VIEW_FIGURES = NoFigures()


class PictureRecords(Protocol):
    """What the picture function made of each picture, and which articles show it."""

    def get_many(self, keys: Iterable[str]) -> dict[str, PictureInfo]: ...
    def put(self, info: PictureInfo) -> None: ...
    def delete(self, key: str) -> None: ...
    def use(self, article_key: str, added: Iterable[str], dropped: Iterable[str]) -> None: ...
    def users(self, picture_key: str, limit: int = 200) -> list[str]: ...
    def gallery(self, limit: int) -> list[PictureInfo]: ...


class NoPictures:
    """No picture records (a test's index without them): every picture shows as it was written."""

    def get_many(self, keys: Iterable[str]) -> dict[str, PictureInfo]:
        """None known."""
        return {}

    def put(self, info: PictureInfo) -> None:
        """Dropped."""

    def delete(self, key: str) -> None:
        """Nothing to forget."""

    def use(self, article_key: str, added: Iterable[str], dropped: Iterable[str]) -> None:
        """Dropped."""

    def users(self, picture_key: str, limit: int = 200) -> list[str]:
        """Nobody."""
        return []

    def gallery(self, limit: int) -> list[PictureInfo]:
        """An empty library."""
        return []


NO_PICTURES = NoPictures()


class TickRecords(Protocol):
    """The daily tick's last moment, which dates the Google News sitemap on a quiet day."""

    def last(self) -> datetime | None: ...
    def record(self, at: datetime) -> bool: ...


class NoTicks:
    """No tick recorded (a test's index without them): the sitemap is dated by the newest article."""

    def last(self) -> datetime | None:
        """None yet."""
        return None

    def record(self, at: datetime) -> bool:
        """Dropped."""
        return False


NO_TICKS = NoTicks()


@dataclass(frozen=True)
class ContentIndex:
    """The index, one store per aggregate (on AWS: one DynamoDB table, one owner per item)."""

    articles: ArticleRecords
    listings: ListingEntries
    counts: SiteCounts
    configuration: ConfigurationRecord
    jobs: JobRecords
    failures: FailureRecords
    invalidations: InvalidationRecords
    figures: FigureRecords = NO_VIEW_FIGURES
    pictures: PictureRecords = NO_PICTURES
    ticks: TickRecords = NO_TICKS


class SourceFiles(Protocol):
    """What editors uploaded, and the tags and status files that answer them."""

    bucket: str

    def current(self, key: str, limit: int) -> SourceObject | None: ...
    def head(self, key: str) -> SourceHead | None: ...
    def keys(self, prefix: str) -> list[str]: ...
    def add(self, key: str, data: bytes, content_type: str) -> bool: ...
    def discard(self, key: str) -> None: ...
    def tag(self, key: str, version_id: str | None, ours: Mapping[str, str]) -> bool: ...
    def write_status(
        self, key: str, version_id: str | None, ours: Mapping[str, str], tagged: bool
    ) -> None: ...
    def remove_status(self, key: str) -> None: ...


class SiteFiles(Protocol):
    """The objects readers get: written only when their bytes change."""

    def head(self, key: str) -> dict[str, Any] | None: ...
    def differs(self, output: Output) -> bool: ...
    def put(self, output: Output) -> None: ...
    def remove(self, key: str) -> None: ...
    def copy_from(
        self, source_bucket: str, source_key: str, version_id: str | None, key: str, etag: str
    ) -> bool: ...
    def delete(self, key: str) -> bool: ...
    def read(self, key: str, limit: int) -> bytes | None: ...


class Invalidations(Protocol):
    """The CDN's cache, invalidated by path."""

    def invalidate(self, reference: str, paths: Sequence[str]) -> str: ...


class WorkQueue(Protocol):
    """Where a site-wide re-render is fanned out in chunks."""

    def send_all(self, messages: Sequence[Mapping[str, Any]]) -> None: ...


class SearchTerms(Protocol):
    """The search index: kept in line with each record, queried by folded terms."""

    def sync(self, record: IndexedArticle, *, trust_current: bool = False) -> int:
        """Bring ``record``'s term items in line; ``trust_current``: skip a version already complete."""
        ...

    def search(self, terms: Sequence[str], limit: int = 50) -> list[SearchHit]: ...


class ViewRecords(Protocol):
    """The view counters, each log file's parts committed once, and the readers' recent views."""

    def salt(self, day: date) -> bytes | None: ...
    def commit(
        self,
        log_key: str,
        etag: str,
        requests: Mapping[tuple[Reader, Url], Sequence[datetime]],
        day_of: Callable[[datetime], date],
    ) -> tuple[int, Tally]: ...
    def note_readers(self, tally: Tally) -> None: ...
    def site_views(self) -> int: ...
    def article_views(self, urls: Iterable[Url]) -> dict[Url, int]: ...
    def most_read(self, days: Iterable[date], limit: int) -> list[tuple[Url, int]]: ...
    def online(self, window: timedelta) -> tuple[int, datetime | None]: ...
    def shard_views(self, shard: str) -> dict[Url, int]: ...
    def figures(self) -> ViewFigures: ...
    def put_figures(self, figures: ViewFigures) -> None: ...
    def add_shards(self, shards: Iterable[str]) -> None: ...
    def shards(self) -> tuple[str, ...]: ...


class LogFiles(Protocol):
    """The CDN's access log files, as delivered."""

    def open(self, key: str) -> tuple[BinaryIO, str]:
        """The file's bytes as a stream, and its ETag (what makes one delivery the same file)."""
        ...


class Redirects(Protocol):
    """Where moved pages' old URLs are mapped to their new ones."""

    def apply(self, puts: Mapping[str, str], deletes: Iterable[str]) -> None:
        """Map each old path in ``puts`` to its new path; forget each path in ``deletes``.

        Deleting a path that has no redirect is not an error.
        """
        ...


class NoRedirects:
    """No store configured: redirects are accepted and dropped."""

    def apply(self, puts: Mapping[str, str], deletes: Iterable[str]) -> None:
        """Do nothing (log what would have been written, for the curious)."""
        puts, deletes = dict(puts), list(deletes)
        if puts or deletes:
            log.debug("no redirect store: %d put(s), %d delete(s) dropped", len(puts), len(deletes))


class Schedules(Protocol):
    """One-time schedules that bring a key back to the publish path at a given moment.

    Both calls are idempotent: a retried delivery may repeat them. The fired
    message names the source version it was made for (``version``).
    """

    def put(self, source_key: str, action: str, at: datetime, version: str | None) -> None:
        """Create, or move, the ``action`` schedule of ``source_key`` to fire at ``at``."""
        ...

    def cancel(self, source_key: str, action: str) -> None:
        """Delete the ``action`` schedule of ``source_key``; an absent one is not an error."""
        ...


class NoSchedules:
    """No scheduler configured: scheduled articles wait for the next event on their key."""

    def put(self, source_key: str, action: str, at: datetime, version: str | None) -> None:
        """Drop the request (logged)."""
        log.warning("no scheduler: %s of %s at %s is not scheduled", action, source_key, at.isoformat())

    def cancel(self, source_key: str, action: str) -> None:
        """Nothing to cancel."""
