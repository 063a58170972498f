"""The content table in memory: every store of ``ContentIndex``, sharing one state like one table.

Each fake keeps the observable rules of its DynamoDB owner in
``newsroom/adapters/content_table/`` that the use cases rely on, so a use-case
test on fakes fails where the real wiring would:

- ``FakeArticles.apply`` is one all-or-nothing transaction: the record's
  version condition, the URL claim and release conditions, the waiting
  registration that holds only while another file owns the URL, the listing
  entries (``CAT#`` and ``TREE#``), the counters (from the pure
  ``count_moves`` and ``articles_delta``) and the revision move together,
  or ``ConcurrentChange`` is raised and nothing moves;
- ``FakeConfiguration.put`` has the same version condition and moves the revision;
- reads return what the adapters' queries return, in their order.

Records are frozen dataclasses, so they are stored as they are given. A
listing partition keeps its sort keys in order as it changes (``Partition``),
so a read bisects instead of sorting the partition, as a query would: the
in-memory benchmark (``bench/publish_inmemory.py``) runs sites of 100,000 articles.
"""

from __future__ import annotations

import time
import zlib
from bisect import bisect_left, bisect_right, insort
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from newsroom.domain.archive_pages import MonthWindow, window_around
from newsroom.domain.errors import ConcurrentChange, RejectedSource
from newsroom.domain.pictures import PictureInfo
from newsroom.domain.records import (
    PUBLISHED,
    Entry,
    Failure,
    IndexedArticle,
    JobProgress,
    Placement,
    Stats,
    StoredConfig,
    month_bounds,
    scopes,
)
from newsroom.domain.sitemap_shards import SHARD_BOUNDARIES, starts_shard
from newsroom.domain.transitions import articles_delta, count_moves
from newsroom.usecases.ports import ContentIndex

# As ``adapters/content_table/articles.py``: a body over this, compressed, cannot be stored.
MAX_BODY_BYTES = 300_000
type Scope = tuple[str, ...]


def joined(category: Sequence[str]) -> str:
    """A category as the table spells it: counters and scopes are read back in this order."""
    return "/".join(category)


@dataclass
class Partition:
    """One ``CAT#`` or ``TREE#`` partition: its entries by sort key, and those keys in order."""

    entries: dict[str, Entry] = field(default_factory=dict)
    order: list[str] = field(default_factory=list)
    """The sort keys, ascending: what a query walks, kept sorted on every change."""

    def put(self, key: str, entry: Entry) -> None:
        """Store or refresh the entry at ``key``."""
        if key not in self.entries:
            insort(self.order, key)
        self.entries[key] = entry

    def drop(self, key: str) -> None:
        """Remove the entry at ``key`` (a missing one is not an error)."""
        if self.entries.pop(key, None) is not None:
            del self.order[bisect_left(self.order, key)]

    def between(self, first: str | None = None, last: str | None = None) -> list[Entry]:
        """The entries from ``first`` to ``last`` inclusive (``None``: open end), oldest first."""
        start = 0 if first is None else bisect_left(self.order, first)
        end = len(self.order) if last is None else bisect_right(self.order, last)
        return [self.entries[key] for key in self.order[start:end]]


@dataclass
class TableState:
    """Everything the one table holds, by owner; public so tests can look without a port."""

    articles: dict[str, IndexedArticle] = field(default_factory=dict)
    url_owners: dict[str, str] = field(default_factory=dict)
    waiting: dict[str, set[str]] = field(default_factory=dict)
    previews: set[str] = field(default_factory=set)
    """``PREVIEWS``: the source keys whose preview page exists."""
    category_entries: dict[Scope, Partition] = field(default_factory=dict)
    """``CAT#``: an article in its own category only."""
    tree_entries: dict[Scope, Partition] = field(default_factory=dict)
    """``TREE#``: an article in home (empty prefix) and in each ancestor category."""
    shard_starters: Partition = field(default_factory=Partition)
    """``SHARDS``: the entries that start a sitemap shard."""
    scope_counts: dict[Scope, int] = field(default_factory=dict)
    month_counts: dict[Scope, dict[str, int]] = field(default_factory=dict)
    """Each scope's month counters (``yyyy-mm`` → articles), read a scope at a time."""
    articles_count: int = 0
    revision: int = 0
    config: StoredConfig | None = None
    jobs: dict[str, dict[str, Any]] = field(default_factory=dict)
    failures: dict[str, Failure] = field(default_factory=dict)
    invalidations: dict[str, list[str]] = field(default_factory=dict)
    pictures: dict[str, PictureInfo] = field(default_factory=dict)
    uses: dict[str, set[str]] = field(default_factory=dict)
    """``USES#<picture>``: the articles whose pages show it."""
    tick: datetime | None = None
    transactions: int = 0
    """Committed transactions (article and configuration changes): a duplicate delivery adds none."""


def _entry_keys(placement: Placement | None) -> set[tuple[str, Scope, str]]:
    """The listing items of a placement: ``("CAT", category, key)`` and ``("TREE", scope, key)``."""
    if placement is None:
        return set()
    keys = {("CAT", placement.category, placement.key)}
    keys |= {("TREE", scope, placement.key) for scope in scopes(placement.category)}
    if starts_shard(placement.key):
        keys.add(("SHARDS", (), placement.key))
    return keys


class FakeArticles:
    """``ArticleRecords``: one record per key, the URLs they own, the files waiting for one."""

    def __init__(self, state: TableState, timezone: str) -> None:
        self._state = state
        self._timezone = timezone

    def get(self, source_key: str) -> IndexedArticle | None:
        """The stored record, if the key was ever seen."""
        return self._state.articles.get(source_key)

    def get_many(self, source_keys: Iterable[str]) -> dict[str, IndexedArticle]:
        """The records found among ``source_keys`` (missing ones are left out, like BatchGetItem)."""
        return {k: self._state.articles[k] for k in sorted(set(source_keys)) if k in self._state.articles}

    def url_owner(self, url: str) -> str | None:
        """The source key that holds ``url``."""
        return self._state.url_owners.get(url)

    def url_owners(self, urls: Iterable[str]) -> dict[str, str]:
        """The source key holding each URL that has one."""
        return {url: self._state.url_owners[url] for url in urls if url in self._state.url_owners}

    def waiting_for(self, url: str) -> list[str]:
        """The files refused for ``url``, in key order (the ``WAITING#`` partition's order)."""
        return sorted(self._state.waiting.get(url, set()))

    def previewed(self) -> list[str]:
        """The keys whose preview page exists, in key order (the ``PREVIEWS`` partition's order)."""
        return sorted(self._state.previews)

    def apply(self, before: IndexedArticle | None, after: IndexedArticle) -> None:
        """Check every condition of the adapter's transaction first, then move everything at once."""
        state, me = self._state, after.source_key
        stored = state.articles.get(me)
        if before is None and stored is not None:
            raise ConcurrentChange(f"{me}: a record was created meanwhile")
        if before is not None and (stored is None or stored.version != before.version):
            raise ConcurrentChange(f"{me}: the record is no longer at version {before.version}")
        if after.article is not None:
            compressed = zlib.compress(after.article.body_html.encode("utf-8"), 9)
            if len(compressed) > MAX_BODY_BYTES:
                raise RejectedSource("the article is too large to publish (over 300 KB compressed)")
        old_url = _published_url(before)
        new_url = _published_url(after)
        if old_url and old_url != new_url and state.url_owners.get(old_url) != me:
            raise ConcurrentChange(f"{me}: {old_url} is not this file's to release")
        if new_url and new_url != old_url and state.url_owners.get(new_url) not in (None, me):
            raise ConcurrentChange(f"{me}: {new_url} was claimed meanwhile")
        if after.waiting_for and state.url_owners.get(after.waiting_for) in (None, me):
            raise ConcurrentChange(f"{me}: {after.waiting_for} is no longer held by another file")
        # Every condition holds: commit.
        state.articles[me] = after
        self._move_listings(before, after)
        if old_url and old_url != new_url:
            del state.url_owners[old_url]
        if new_url and new_url != old_url:
            state.url_owners[new_url] = me
        waited = before.waiting_for if before else None
        if waited and waited != after.waiting_for:
            state.waiting.get(waited, set()).discard(me)
        if after.waiting_for:
            state.waiting.setdefault(after.waiting_for, set()).add(me)
        if after.shows_preview:
            state.previews.add(me)
        else:
            state.previews.discard(me)
        for (scope, month), delta in count_moves(before, after, self._timezone).items():
            if month is None:
                state.scope_counts[scope] = state.scope_counts.get(scope, 0) + delta
            else:
                counters = state.month_counts.setdefault(scope, {})
                counters[month] = counters.get(month, 0) + delta
        state.articles_count += articles_delta(before, after)
        state.revision += 1
        state.transactions += 1

    def _move_listings(self, before: IndexedArticle | None, after: IndexedArticle) -> None:
        """Drop the entries ``before`` had and ``after`` has not; put ``after``'s, refreshed."""
        old = _entry_keys(before.placement) if before and before.state == PUBLISHED else set()
        new = _entry_keys(after.placement) if after.state == PUBLISHED else set()
        for kind, scope, key in old - new:
            self._partition(kind, scope).drop(key)
        if after.state == PUBLISHED:
            entry = after.entry()
            for kind, scope, key in new:
                self._partition(kind, scope).put(key, entry)

    def _partition(self, kind: str, scope: Scope) -> Partition:
        if kind == "SHARDS":
            return self._state.shard_starters
        table = self._state.category_entries if kind == "CAT" else self._state.tree_entries
        found = table.get(scope)
        if found is None:
            found = table[scope] = Partition()
        return found


def _published_url(record: IndexedArticle | None) -> str | None:
    """The URL a record holds: its placement's, while it is published."""
    if record is None or record.state != PUBLISHED or record.placement is None:
        return None
    return record.placement.url


class FakeListings:
    """``ListingEntries``: the ``CAT#`` and ``TREE#`` partitions, read in sort-key order."""

    def __init__(self, state: TableState, timezone: str) -> None:
        self._state = state
        self.timezone = timezone

    def _partition(self, entries: dict[Scope, Partition], scope: Scope) -> Partition:
        return entries.get(scope) or Partition()

    def window(self, category: tuple[str, ...], key: str, size: int) -> list[Entry]:
        """``size`` entries before ``key`` and ``size + 1`` from it, oldest first."""
        partition = self._partition(self._state.category_entries, category)
        at = bisect_left(partition.order, key)
        older = partition.order[max(0, at - size) : at] if size > 0 else []
        stop = at + size + 1 if size >= -1 else max(0, len(partition.order) + size + 1)
        return [partition.entries[k] for k in (*older, *partition.order[at:stop])]

    def latest(self, prefix: tuple[str, ...], limit: int) -> list[Entry]:
        """The newest ``limit`` entries of home or a category and its subcategories."""
        partition = self._partition(self._state.tree_entries, prefix)
        return [partition.entries[k] for k in _newest(partition.order, limit)]

    def month_entries(self, prefix: tuple[str, ...], month: str) -> list[Entry]:
        """One local month of a scope, newest first (``BETWEEN`` is inclusive, as DynamoDB's)."""
        start, end = month_bounds(month, self.timezone)
        return list(reversed(self._partition(self._state.tree_entries, prefix).between(start, end)))

    def month_window(self, prefix: tuple[str, ...], month: str, key: str) -> MonthWindow:
        """The month's entries around ``key``, taken as the table adapter takes them (lazily, each side)."""
        start, end = month_bounds(month, self.timezone)
        partition = self._partition(self._state.tree_entries, prefix)
        low, at, high = (bisect_left(partition.order, k) for k in (start, key, end))
        high += high < len(partition.order) and partition.order[high] == end  # BETWEEN is inclusive
        order, entries = partition.order, partition.entries
        older = (entries[order[i]] for i in range(at - 1, low - 1, -1))  # no copy of a busy month
        newer = (entries[order[i]] for i in range(at, high))
        return window_around(older, newer, key)

    def timeline_window(self, key: str) -> MonthWindow:
        """The site's entries around ``key``, taken lazily on each side as the table adapter takes them."""
        partition = self._partition(self._state.tree_entries, ())
        order, entries, at = partition.order, partition.entries, bisect_left(partition.order, key)
        older = (entries[order[i]] for i in range(at - 1, -1, -1))
        newer = (entries[order[i]] for i in range(at, len(order)))
        return window_around(older, newer, key, starts_shard, SHARD_BOUNDARIES)

    def timeline_after(self, key: str) -> list[Entry]:
        """The site's entries after ``key`` up to the next shard starter, inclusive."""
        partition = self._partition(self._state.tree_entries, ())
        found: list[Entry] = []
        for i in range(bisect_right(partition.order, key), len(partition.order)):
            found.append(partition.entries[partition.order[i]])
            if starts_shard(partition.order[i]):
                break
        return found

    def shard_starters(self) -> list[str]:
        """The sort keys that start a sitemap shard, oldest first."""
        return list(self._state.shard_starters.order)

    def oldest_key(self) -> str | None:
        """The site's oldest sort key."""
        order = self._partition(self._state.tree_entries, ()).order
        return order[0] if order else None

    def since(self, key: str, limit: int) -> list[Entry]:
        """Site-wide entries at or after ``key``, newest first."""
        partition = self._partition(self._state.tree_entries, ())
        later = partition.order[bisect_left(partition.order, key) :]
        return [partition.entries[k] for k in _newest(later, limit)]

    def entries_between(self, first: str, last: str) -> list[Entry]:
        """Site-wide entries from ``first`` to ``last`` inclusive, oldest first."""
        return self._partition(self._state.tree_entries, ()).between(first, last)

    def timeline_chunks(self, size: int) -> list[tuple[str, str]]:
        """The site's timeline cut into ``(first, last)`` ranges of ``size`` entries."""
        keys = self._partition(self._state.tree_entries, ()).order
        return [(keys[i], keys[min(i + size, len(keys)) - 1]) for i in range(0, len(keys), size)]


def _newest(order: list[str], limit: int) -> list[str]:
    """``list(reversed(order))[:limit]``, without reversing all of a large partition."""
    start = max(0, len(order) - limit) if limit >= 0 else min(len(order), -limit)
    return order[start:][::-1]


class FakeCounts:
    """``SiteCounts``: counters kept at zero once counted, as ``ADD`` leaves them."""

    def __init__(self, state: TableState) -> None:
        self._state = state

    def revision(self) -> int:
        """Moved by every committed article or configuration change."""
        return self._state.revision

    def stats(self) -> Stats:
        """The site's published articles."""
        return Stats(articles=self._state.articles_count)

    def _scopes(self) -> list[tuple[Scope, int]]:
        """Every category ever counted, in the ``SCOPES`` partition's order (joined spelling)."""
        return sorted(self._state.scope_counts.items(), key=lambda item: joined(item[0]))

    def scope_counts(self) -> dict[tuple[str, ...], int]:
        """Categories holding published articles, with how many."""
        return {scope: count for scope, count in self._scopes() if count > 0}

    def emptied_scopes(self) -> list[tuple[str, ...]]:
        """Categories counted once that hold none now."""
        return [scope for scope, count in self._scopes() if count <= 0]

    def months(self, prefix: tuple[str, ...]) -> list[tuple[str, int]]:
        """The months of a scope that hold articles, newest first."""
        found = [(m, n) for m, n in self._state.month_counts.get(prefix, {}).items() if n > 0]
        return sorted(found, reverse=True)

    def recent_months(self, prefix: tuple[str, ...], limit: int) -> list[tuple[str, int]]:
        """The newest ``limit`` months of a scope that hold articles."""
        return self.months(prefix)[:limit]

    def year_months(self, prefix: tuple[str, ...], year: str) -> list[tuple[str, int]]:
        """The months of one year of a scope that hold articles, newest first."""
        return [(m, n) for m, n in self.months(prefix) if m.startswith(f"{year}-")]

    def years_around(self, prefix: tuple[str, ...], year: str) -> tuple[str | None, str | None]:
        """The nearest earlier and later years of a scope that hold articles."""
        years = {m[:4] for m, _ in self.months(prefix)}
        older, newer = [y for y in years if y < year], [y for y in years if y > year]
        return (max(older) if older else None, min(newer) if newer else None)


class FakeConfiguration:
    """``ConfigurationRecord``: the accepted files, under the same version condition as articles."""

    def __init__(self, state: TableState) -> None:
        self._state = state

    def current(self) -> StoredConfig | None:
        """The configuration in force."""
        return self._state.config

    def put(self, before: StoredConfig | None, after: StoredConfig) -> None:
        """Store ``after`` only if ``before`` is still what is stored (by version); move the revision."""
        stored = self._state.config
        if (before is None) != (stored is None) or (
            before is not None and stored is not None and stored.version != before.version
        ):
            raise ConcurrentChange("the site configuration changed meanwhile")
        self._state.config = after
        self._state.revision += 1
        self._state.transactions += 1


class FakeJobs:
    """``JobRecords``: a job's attributes as the ``JOB#`` item holds them (chunks are a set)."""

    def __init__(self, state: TableState) -> None:
        self._state = state

    def start(self, job: str, total: int, created: str) -> None:
        """Record the job, unless its chunks were dispatched (the adapter's condition fails then)."""
        item = self._state.jobs.setdefault(job, {})
        if item.get("dispatched"):
            raise ConcurrentChange(f"{job}: its chunks were dispatched already")
        item["total"] = total
        item.setdefault("created", created)

    def finish_chunk(self, job: str, chunk: int, written: int = 0) -> JobProgress:
        """Add the chunk to the done set, keep what it wrote (a retry overwrites it)."""
        item = self._state.jobs.get(job)
        if item is None:
            raise ConcurrentChange(f"{job}: no such job")
        item.setdefault("done_chunks", set()).add(chunk)
        item[f"written_{chunk}"] = written
        return _progress(item)

    def get(self, job: str) -> JobProgress | None:
        """The job's progress, if it exists."""
        item = self._state.jobs.get(job)
        return _progress(item) if item is not None else None

    def mark_dispatched(self, job: str) -> None:
        """Every chunk message was sent."""
        self._state.jobs.setdefault(job, {})["dispatched"] = True

    def mark_invalidated(self, job: str) -> None:
        """The job's wildcard invalidation was accepted."""
        self._state.jobs.setdefault(job, {})["invalidated"] = True


def _progress(item: dict[str, Any]) -> JobProgress:
    return JobProgress(
        total=int(item["total"]),
        done=len(item.get("done_chunks", ())),
        invalidated=bool(item.get("invalidated", False)),
        dispatched=bool(item.get("dispatched", False)),
        written=sum(int(v) for k, v in item.items() if k.startswith("written_")),
    )


class FakeFailures:
    """``FailureRecords``: the latest failure per message, listed by message id."""

    def __init__(self, state: TableState) -> None:
        self._state = state

    def record(self, message_id: str, keys: Sequence[str], reason: str, receive_count: int) -> None:
        """Keep why the message failed (the reason cut at 2,000 characters, as stored)."""
        failed_at = datetime.fromtimestamp(int(time.time()), UTC).isoformat()
        self._state.failures[message_id] = Failure(
            message_id, tuple(keys), reason[:2000], receive_count, failed_at
        )

    def get(self, message_id: str) -> Failure | None:
        """The recorded failure of a message."""
        return self._state.failures.get(message_id)

    def all(self) -> list[Failure]:
        """Every failure, by message id."""
        return [self._state.failures[k] for k in sorted(self._state.failures)]

    def clear(self, message_id: str) -> None:
        """Forget a failure (a missing one is not an error)."""
        self._state.failures.pop(message_id, None)


class FakeInvalidationRecords:
    """``InvalidationRecords``: paths written down before pages change, oldest reference first."""

    def __init__(self, state: TableState) -> None:
        self._state = state

    def record(self, reference: str, paths: Sequence[str]) -> None:
        """Write down ``paths`` under ``reference``."""
        self._state.invalidations[reference] = list(paths)

    def pending(self) -> list[tuple[str, list[str]]]:
        """What is recorded and not cleared, by reference."""
        return [(r, list(self._state.invalidations[r])) for r in sorted(self._state.invalidations)]

    def clear(self, reference: str) -> None:
        """Forget an invalidation that was sent."""
        self._state.invalidations.pop(reference, None)


class FakePictures:
    """``PictureRecords``: pictures by source key, and the articles that use each."""

    def __init__(self, state: TableState) -> None:
        self._state = state

    def get_many(self, keys: Iterable[str]) -> dict[str, PictureInfo]:
        """The known ones."""
        return {key: self._state.pictures[key] for key in keys if key in self._state.pictures}

    def put(self, info: PictureInfo) -> None:
        """Record it."""
        self._state.pictures[info.source_key] = info

    def delete(self, key: str) -> None:
        """Forget it."""
        self._state.pictures.pop(key, None)

    def use(self, article_key: str, added: Iterable[str], dropped: Iterable[str]) -> None:
        """Note the pictures an article shows now."""
        added = set(added)
        for key in added:
            self._state.uses.setdefault(key, set()).add(article_key)
        for key in set(dropped) - added:
            self._state.uses.get(key, set()).discard(article_key)

    def users(self, picture_key: str, limit: int = 200) -> list[str]:
        """The articles that show it."""
        return sorted(self._state.uses.get(picture_key, set()))[:limit]

    def gallery(self, limit: int) -> list[PictureInfo]:
        """The first ``limit`` pictures by digest, as the table's GALLERY partition sorts them."""
        return sorted(self._state.pictures.values(), key=lambda info: (info.digest, info.source_key))[:limit]


class FakeTicks:
    """``TickRecords``: the newest tick, only ever moved forward."""

    def __init__(self, state: TableState) -> None:
        self._state = state

    def last(self) -> datetime | None:
        """The newest tick."""
        return self._state.tick

    def record(self, at: datetime) -> bool:
        """Move it forward."""
        if self._state.tick is not None and self._state.tick >= at:
            return False
        self._state.tick = at
        return True


def fake_content_index(timezone: str, state: TableState | None = None) -> tuple[ContentIndex, TableState]:
    """A ``ContentIndex`` of fakes on one shared state (``timezone``: the site's, for months)."""
    state = state if state is not None else TableState()
    index = ContentIndex(
        articles=FakeArticles(state, timezone),
        listings=FakeListings(state, timezone),
        counts=FakeCounts(state),
        configuration=FakeConfiguration(state),
        jobs=FakeJobs(state),
        failures=FakeFailures(state),
        invalidations=FakeInvalidationRecords(state),
        pictures=FakePictures(state),
        ticks=FakeTicks(state),
    )
    return index, state
