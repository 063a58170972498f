"""What the index stores about an article, independent of DynamoDB.

An article's *placement* is where it sits in its category's timeline: the
category and a sort key made of its UTC publish time and URL. Listings,
neighbours and the planner all reason about placements only.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from functools import cache
from zoneinfo import ZoneInfo

from newsroom.domain.article import Article

PUBLISHED = "published"
DRAFT = "draft"
SCHEDULED = "scheduled"
"""Waiting for its ``publish_at`` (or future ``date``): no page yet, a preview."""
EXPIRED = "expired"
"""Past its ``unpublish_at``: the page is down, the file stays."""
DELETED = "deleted"
REJECTED = "rejected"


def sort_key(published_at: datetime, url: str) -> str:
    """Chronological and unique: ``2024-04-28T01:30:00Z#/tin-tuc/x.html``."""
    return f"{published_at.astimezone(UTC).strftime('%Y-%m-%dT%H:%M:%SZ')}#{url}"


def month_of(key: str, timezone: str) -> str:
    """The archive month (``2024-06``) of a sort key, in the site's timezone.

    Readers expect an article published at 01:00 on 1 July in Hà Nội in July,
    although it is still June in UTC.
    """
    moment = datetime.strptime(key[:20], "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=UTC)
    return moment.astimezone(_zone(timezone)).strftime("%Y-%m")


def month_bounds(month: str, timezone: str) -> tuple[str, str]:
    """Sort-key bounds of a local month: every key of the month sorts between them."""
    year, number = (int(part) for part in month.split("-"))
    zone = _zone(timezone)
    start = datetime(year, number, 1, tzinfo=zone)
    end = datetime(year + number // 12, number % 12 + 1, 1, tzinfo=zone)
    fmt = "%Y-%m-%dT%H:%M:%SZ"
    return start.astimezone(UTC).strftime(fmt), end.astimezone(UTC).strftime(fmt)


@cache
def _zone(name: str) -> ZoneInfo:
    return ZoneInfo(name)


def url_of(key: str) -> str:
    """The URL part of a sort key."""
    return key.split("#", 1)[1]


@dataclass(frozen=True)
class Placement:
    """Where a published article is listed."""

    category: tuple[str, ...]
    key: str

    @property
    def url(self) -> str:
        """The article's URL at this placement."""
        return url_of(self.key)


@dataclass(frozen=True)
class Entry:
    """One article as lists show it (a listing item in the table)."""

    source_key: str
    key: str
    title: str
    url: str
    published_at: str
    summary: str
    image: str | None
    category: tuple[str, ...]
    category_names: tuple[str, ...]


@dataclass(frozen=True)
class IndexedArticle:
    """The index's record of one source key.

    ``article`` is the last content that was accepted (kept while a broken
    re-upload is rejected, so the live page stays up). ``previous`` is the
    placement before the last move or removal: the planner re-renders around
    it on every delivery, so a retry after a failure still repairs the old
    neighbours.
    """

    source_key: str
    state: str
    version: int
    first_seen: str
    article: Article | None
    placement: Placement | None
    previous: Placement | None
    error: str | None = None
    source_version: str | None = None
    aliases: tuple[str, ...] = ()
    """URLs the article had before it moved (slug or category changed): they answer 301."""
    sequencer: str | None = None
    """The newest S3 event sequencer applied to the key (absent when events carry none)."""
    waiting_for: str | None = None
    """The URL this file was refused for because another file holds it: re-examined when released."""
    preview: str | None = None
    """The unguessable token of a draft's or scheduled article's preview page (``/preview/<token>.html``)."""
    revoked_preview: str | None = None
    """The last token revoked (published, deleted): its page is removed on every render, retries included."""
    timed: bool = False
    """The key ever had a schedule: every change of it cancels the schedules it no longer needs."""

    def same_content(self, other: IndexedArticle) -> bool:
        """True when applying ``other`` would change nothing readers or editors see."""
        ignored = {"version": 0, "source_version": None, "sequencer": None}
        return replace(self, **ignored) == replace(other, **ignored)  # type: ignore[arg-type]

    @property
    def shows_preview(self) -> bool:
        """A draft or scheduled article whose private preview page exists (rebuilds re-render it)."""
        return bool(self.preview) and self.article is not None and self.state in (DRAFT, SCHEDULED)

    def entry(self) -> Entry:
        """The listing entry of a published article."""
        assert self.article is not None
        assert self.placement is not None
        a = self.article
        return Entry(
            source_key=self.source_key,
            key=self.placement.key,
            title=a.title,
            url=a.url,
            published_at=a.published_at.isoformat(),
            summary=a.summary,
            image=a.image,
            category=a.category,
            category_names=a.category_names,
        )


def scopes(category: tuple[str, ...]) -> list[tuple[str, ...]]:
    """The listing scopes an article in ``category`` appears in: home and each ancestor."""
    return [category[:depth] for depth in range(len(category) + 1)]


@dataclass(frozen=True)
class Stats:
    """Site counters."""

    articles: int


@dataclass(frozen=True)
class MostRead:
    """One line of a most-read list."""

    title: str
    url: str
    views: int


@dataclass(frozen=True)
class ViewFigures:
    """The view figures the hits function last published, for every writer of ``/stats.json``.

    Kept as one item so that a publish, which also rewrites ``/stats.json``
    (its article count moved), repeats them with one read instead of
    recomputing them: the figures come from the logs, the article count from
    the index, and neither writer may erase the other's.
    """

    views: int = 0
    """Views counted from the logs (the configured base figure is added when shown)."""
    online: int = 0
    as_of: str | None = None
    """The newest log line counted (UTC, ISO 8601): what "readers online" and "today" refer to."""
    today: tuple[MostRead, ...] = ()
    week: tuple[MostRead, ...] = ()
    shards: tuple[str, ...] = ()
    """The shard files that exist (``views/<shard>.json``): the browser asks only for those."""

    @property
    def urls(self) -> set[str]:
        """The URLs the most-read lists name."""
        return {line.url for line in (*self.today, *self.week)}

    def keeping(self, urls: Collection[str]) -> ViewFigures:
        """These figures with only the most-read lines whose URL is in ``urls`` (still published)."""
        return replace(
            self,
            today=tuple(line for line in self.today if line.url in urls),
            week=tuple(line for line in self.week if line.url in urls),
        )


NO_FIGURES = ViewFigures()


@dataclass(frozen=True)
class StoredConfig:
    """The configuration files in force, as accepted, and their version (1, 2, …)."""

    version: int
    site_yaml: bytes | None
    categories_yaml: bytes | None
    retired: tuple[tuple[str, ...], ...] = ()
    """Categories once configured and no longer: their pages go if they hold no articles."""


@dataclass(frozen=True)
class JobProgress:
    """How far a fanned-out re-render got."""

    total: int
    done: int
    invalidated: bool
    dispatched: bool = False
    written: int = 0
    """Objects whose bytes changed, summed over the chunks that reported."""

    @property
    def complete(self) -> bool:
        """Every chunk has reported."""
        return self.done >= self.total


@dataclass(frozen=True)
class Failure:
    """The latest failed attempt of one message."""

    message_id: str
    keys: tuple[str, ...]
    reason: str
    receive_count: int
    failed_at: str
