"""In-memory fakes of the ports that are not the content table: buckets, CDN, queue, search, redirects.

They keep what the use cases rely on from the S3, CloudFront, SQS and
search-table adapters: versioned source objects with at most ten tags each
(``tag`` answers ``False`` when ours do not fit beside the editor's), status
files about the live version only, site objects compared by
``Output.digest``, a caller reference that CloudFront accepts once, JSON
messages as SQS carries them. A shared ``journal`` records the writes that
readers and editors see, in order, so tests can check what happened first.
The content table's fakes are in ``fake_table.py``; a wired site in ``fake_site.py``.
"""

from __future__ import annotations

import hashlib
import html
import json
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import nh3
from newsroom.domain.errors import RejectedSource
from newsroom.domain.feedback_tags import MAX_TAGS, fits, merge_tags, status_document, status_key
from newsroom.domain.reasons import N_
from newsroom.domain.records import PUBLISHED, IndexedArticle
from newsroom.domain.search_terms import SearchHit, document_terms, intersect
from newsroom.domain.source_objects import SourceHead, SourceObject
from newsroom.web.outputs import Output

type Journal = list[tuple[str, str]]
"""``(what, key)``: ``put``/``remove``/``copy`` on the site, ``tag``/``status`` on the source,
``invalidate`` (the key is the caller reference)."""

# As ``adapters/search_table.py``: matches read per term.
PER_TERM = 500


@dataclass
class SourceVersion:
    """One version of a source key; a delete marker has no body."""

    version_id: str
    body: bytes | None
    last_modified: datetime
    tags: list[dict[str, str]] = field(default_factory=list)

    @property
    def etag(self) -> str:
        """S3's ETag of a single-part upload: the body's MD5."""
        return hashlib.md5(self.body or b"", usedforsecurity=False).hexdigest()


class FakeSourceBucket:
    """``SourceFiles`` on a versioned bucket: uploads and deletes are versions, tags are per version."""

    def __init__(self, bucket: str = "src", journal: Journal | None = None) -> None:
        self.bucket = bucket
        self.journal: Journal = journal if journal is not None else []
        self.versions: dict[str, list[SourceVersion]] = {}
        self._next_version = 0

    # -- what editors do (not part of the port) --------------------------------------
    def upload(
        self, key: str, body: bytes | str, tags: Mapping[str, str] | None = None, when: datetime | None = None
    ) -> str:
        """A new version of ``key`` (S3 refuses more than ten tags); returns its version id."""
        if tags is not None and len(tags) > MAX_TAGS:
            raise ValueError(f"S3 allows at most {MAX_TAGS} tags an object")
        self._next_version += 1
        version = SourceVersion(
            version_id=f"v{self._next_version:04d}",
            body=body.encode() if isinstance(body, str) else body,
            last_modified=when or datetime.now(UTC),
            tags=[{"Key": k, "Value": v} for k, v in (tags or {}).items()],
        )
        self.versions.setdefault(key, []).append(version)
        return version.version_id

    def delete(self, key: str) -> None:
        """A delete marker on top of ``key`` (its versions stay, as in a versioned bucket)."""
        self._next_version += 1
        marker = SourceVersion(f"v{self._next_version:04d}", None, datetime.now(UTC))
        self.versions.setdefault(key, []).append(marker)

    def _live(self, key: str) -> SourceVersion | None:
        versions = self.versions.get(key)
        return versions[-1] if versions and versions[-1].body is not None else None

    def tags_of(self, key: str, version_id: str | None = None) -> dict[str, str]:
        """The tags of one version (default: the newest that is not a delete marker)."""
        versions = [v for v in self.versions.get(key, []) if v.body is not None]
        if version_id is not None:
            versions = [v for v in versions if v.version_id == version_id]
        return {t["Key"]: t["Value"] for t in versions[-1].tags} if versions else {}

    def status_of(self, key: str) -> dict[str, Any] | None:
        """The status file of ``key``, parsed, or ``None``."""
        target = status_key(key)
        live = self._live(target) if target else None
        return dict(json.loads(live.body)) if live is not None and live.body is not None else None

    # -- the port ------------------------------------------------------------------
    def current(self, key: str, limit: int) -> SourceObject | None:
        """The live version, refused before reading when over ``limit`` bytes."""
        live = self._live(key)
        if live is None or live.body is None:
            return None
        size = len(live.body)
        if size > limit:
            raise RejectedSource(
                N_("file is {size:,} bytes, over the limit of {limit:,} bytes ({megabytes:.1f} MB)"),
                size=size,
                limit=limit,
                megabytes=limit / 1048576,
            )
        return SourceObject(key, live.body, live.version_id, live.last_modified, size)

    def head(self, key: str) -> SourceHead | None:
        """The live version's identity."""
        live = self._live(key)
        if live is None or live.body is None:
            return None
        return SourceHead(key, live.version_id, live.etag, len(live.body))

    def add(self, key: str, data: bytes, content_type: str) -> bool:
        """Upload ``key`` unless it is live already."""
        if self.head(key) is not None:
            return False
        self.upload(key, data)
        return True

    def discard(self, key: str) -> None:
        """A delete marker on ``key`` if it is live (S3 adds one even when it is not; nothing reads it)."""
        if self.head(key) is not None:
            self.delete(key)

    def keys(self, prefix: str) -> list[str]:
        """Live keys under ``prefix``, in S3's order."""
        return sorted(k for k in self.versions if k.startswith(prefix) and self._live(k) is not None)

    def tag(self, key: str, version_id: str | None, ours: Mapping[str, str]) -> bool:
        """Merge ours into one version's tags; ``False`` when they do not all fit beside the editor's."""
        versions = self.versions.get(key, [])
        if version_id:
            target = next((v for v in versions if v.version_id == version_id), None)
        else:
            target = versions[-1] if versions else None
        if target is None or target.body is None:
            return True  # deleted meanwhile (NoSuchVersion, MethodNotAllowed): nothing to tag
        existing = list(target.tags)
        target.tags = merge_tags(existing, ours)
        assert len(target.tags) <= MAX_TAGS
        self.journal.append(("tag", key))
        return fits(existing, ours)

    def write_status(self, key: str, version_id: str | None, ours: Mapping[str, str], tagged: bool) -> None:
        """Write the status file, unless it is about a version that is no longer the live one."""
        target = status_key(key)
        if target is None:
            return
        if version_id is not None:
            head = self.head(key)
            if head is None or head.version_id != version_id:
                return
        self.upload(target, status_document(key, version_id, ours, tagged))
        self.journal.append(("status", key))

    def remove_status(self, key: str) -> None:
        """Remove the status file of a source that is gone (unless it came back)."""
        target = status_key(key)
        if target is not None and self.head(key) is None and self._live(target) is not None:
            self.delete(target)


@dataclass(frozen=True)
class SiteObject:
    """One object of the site bucket, with the metadata the adapter writes."""

    body: bytes
    content_type: str
    cache_control: str
    metadata: dict[str, str]


class FakeSiteBucket:
    """``SiteFiles``: objects keyed by path; a write whose digest did not change is not needed."""

    def __init__(self, source: FakeSourceBucket, journal: Journal | None = None) -> None:
        self.objects: dict[str, SiteObject] = {}
        self.journal: Journal = journal if journal is not None else []
        self._source = source

    def read(self, key: str, limit: int) -> bytes | None:
        """An object's bytes, ``None`` when absent or over ``limit``."""
        found = self.objects.get(key)
        return found.body if found is not None and len(found.body) <= limit else None

    def body(self, key: str) -> str:
        """An object's text (``KeyError`` when it does not exist)."""
        return self.objects[key].body.decode("utf-8")

    def head(self, key: str) -> dict[str, Any] | None:
        """What HeadObject answers, or ``None``."""
        found = self.objects.get(key)
        if found is None:
            return None
        return {
            "ContentLength": len(found.body),
            "ContentType": found.content_type,
            "CacheControl": found.cache_control,
            "Metadata": dict(found.metadata),
        }

    def differs(self, output: Output) -> bool:
        """True unless the stored digest is ``output``'s."""
        found = self.objects.get(output.key)
        return found is None or found.metadata.get("sha256") != output.digest

    def put(self, output: Output) -> None:
        """Store ``output`` with its digest."""
        metadata = {**output.metadata, "sha256": output.digest}
        self.objects[output.key] = SiteObject(
            output.body, output.content_type, output.cache_control, metadata
        )
        self.journal.append(("put", output.key))

    def remove(self, key: str) -> None:
        """Remove ``key`` (a missing one is not an error)."""
        if self.objects.pop(key, None) is not None:
            self.journal.append(("remove", key))

    def copy_from(
        self, source_bucket: str, source_key: str, version_id: str | None, key: str, etag: str
    ) -> bool:
        """Copy one source version, unless the site already holds that ETag."""
        current = self.objects.get(key)
        if current is not None and current.metadata.get("source-etag") == etag:
            return False
        assert source_bucket == self._source.bucket, "copies come from the source bucket only"
        versions = self._source.versions.get(source_key, [])
        if version_id:
            chosen = next((v for v in versions if v.version_id == version_id), None)
        else:
            chosen = versions[-1] if versions else None
        if chosen is None or chosen.body is None:
            raise KeyError(f"NoSuchKey: {source_key}@{version_id}")
        media_type = "image/jpeg" if key.lower().endswith((".jpg", ".jpeg")) else "application/octet-stream"
        cache = "public, max-age=86400, s-maxage=31536000"
        self.objects[key] = SiteObject(chosen.body, media_type, cache, {"source-etag": etag})
        self.journal.append(("copy", key))
        return True

    def delete(self, key: str) -> bool:
        """Remove ``key`` if present; True if it existed."""
        if key not in self.objects:
            return False
        self.remove(key)
        return True


class FakeInvalidations:
    """``Invalidations``: CloudFront creates one invalidation per caller reference, however often sent."""

    def __init__(self, journal: Journal | None = None) -> None:
        self.created: list[tuple[str, list[str]]] = []
        self.calls = 0
        self.journal: Journal = journal if journal is not None else []
        self.fail_next = 0
        """Calls to refuse (as a throttled or unreachable CloudFront would) before accepting again."""

    def invalidate(self, reference: str, paths: Sequence[str]) -> str:
        """Create the invalidation (or answer the one this reference created)."""
        self.calls += 1
        if self.fail_next:
            self.fail_next -= 1
            raise ConnectionError("injected: CloudFront unreachable")
        for number, (known, known_paths) in enumerate(self.created):
            if known == reference:
                if sorted(known_paths) != sorted(paths):
                    raise ValueError(f"InvalidationBatchAlreadyExists: {reference}")
                return f"I{number + 1}"
        self.created.append((reference, list(paths)))
        self.journal.append(("invalidate", reference))
        return f"I{len(self.created)}"

    def paths(self) -> list[str]:
        """Every path invalidated so far, in order."""
        return [path for _, paths in self.created for path in paths]


class FakeWorkQueue:
    """``WorkQueue``: messages kept as the JSON bodies SQS would deliver."""

    def __init__(self) -> None:
        self.bodies: list[str] = []

    def send_all(self, messages: Sequence[Mapping[str, Any]]) -> None:
        """Queue each message, serialised as the adapter does."""
        self.bodies.extend(json.dumps(m, sort_keys=True, ensure_ascii=False) for m in messages)

    def messages(self) -> list[dict[str, Any]]:
        """The queued messages, parsed."""
        return [dict(json.loads(body)) for body in self.bodies]

    def receive(self) -> str | None:
        """Take the oldest body off the queue."""
        return self.bodies.pop(0) if self.bodies else None


@dataclass
class _Indexed:
    version: int
    hits: dict[str, tuple[str, SearchHit]]
    """term → (sort key of its ``T#``/``B#`` item, what a result shows)."""


class FakeSearchTerms:
    """``SearchTerms``: the term items of each article, from ``newsroom.domain.search_terms``.

    As the search table: an older version's sync never overwrites a newer
    one's, a sync that changes nothing writes nothing, and a term's matches
    are read title matches first, each group newest first.
    """

    def __init__(self) -> None:
        self.indexed: dict[str, _Indexed] = {}

    def sync(self, record: IndexedArticle, *, trust_current: bool = False) -> int:
        """Make the article's term items what its state requires; returns the items written or deleted."""
        stored = self.indexed.get(record.source_key)
        if stored is not None and (
            stored.version > record.version or (trust_current and stored.version == record.version)
        ):
            return 0
        desired: dict[str, tuple[str, SearchHit]] = {}
        if record.state == PUBLISHED and record.article is not None and record.placement is not None:
            a = record.article
            text = html.unescape(nh3.clean(a.body_html, tags=set()))
            for term, in_title in document_terms(a.title, f"{a.summary}\n{text}").items():
                hit = SearchHit(
                    record.source_key, a.title, a.url, a.published_at.isoformat(), a.summary, a.image, 0
                )
                desired[term] = (f"{'T' if in_title else 'B'}#{record.placement.key}", hit)
        current = stored.hits if stored is not None else {}
        self.indexed[record.source_key] = _Indexed(record.version, desired)
        changed = {t for t in desired if current.get(t) != desired[t]}
        return len(changed) + len(set(current) - set(desired))

    def search(self, terms: Sequence[str], limit: int = 50) -> list[SearchHit]:
        """Articles holding every term: title matches first, then newest first."""
        per_term: list[dict[str, SearchHit]] = []
        for term in terms:
            items = [entry.hits[term] for entry in self.indexed.values() if term in entry.hits]
            items.sort(key=lambda item: item[0], reverse=True)
            found: dict[str, SearchHit] = {}
            for sk, hit in items[:PER_TERM]:
                found.setdefault(hit.source_key, _with_matches(hit, 1 if sk.startswith("T#") else 0))
            if not found:
                return []
            per_term.append(found)
        return intersect(per_term)[:limit]


def _with_matches(hit: SearchHit, matches: int) -> SearchHit:
    return SearchHit(hit.source_key, hit.title, hit.url, hit.published_at, hit.summary, hit.image, matches)


class FakeRedirects:
    """``Redirects``: old path → new path; deleting a missing path is not an error."""

    def __init__(self) -> None:
        self.targets: dict[str, str] = {}
        self.calls: list[tuple[dict[str, str], list[str]]] = []

    def apply(self, puts: Mapping[str, str], deletes: Iterable[str]) -> None:
        """Write ``puts``, forget ``deletes``."""
        puts, deletes = dict(puts), list(deletes)
        self.calls.append((puts, deletes))
        self.targets.update(puts)
        for path in deletes:
            self.targets.pop(path, None)


class FakeSchedules:
    """``Schedules``: one schedule per (key, action), as EventBridge keeps them by name."""

    def __init__(self) -> None:
        self.pending: dict[tuple[str, str], tuple[datetime, str | None]] = {}
        self.calls: list[tuple[str, str, str]] = []

    def put(self, source_key: str, action: str, at: datetime, version: str | None) -> None:
        """Create or move the schedule."""
        self.calls.append(("put", source_key, action))
        self.pending[(source_key, action)] = (at, version)

    def cancel(self, source_key: str, action: str) -> None:
        """Delete it; an absent one is fine."""
        self.calls.append(("cancel", source_key, action))
        self.pending.pop((source_key, action), None)

    def due(self, now: datetime) -> list[tuple[str, str, datetime, str | None]]:
        """Fire what is due, as Scheduler does with ActionAfterCompletion DELETE: each once, then gone."""
        fired = [
            (key, action, at, version) for (key, action), (at, version) in self.pending.items() if at <= now
        ]
        for key, action, _, _ in fired:
            del self.pending[(key, action)]
        return sorted(fired, key=lambda item: item[2])
