"""The local CDN's cache: TTLs, entries, and invalidations applied as CloudFront applies them.

A page stays stale until it is invalidated or its TTL runs out, as on
CloudFront. Entries are keyed by the URI sent to the origin (after the
viewer-request rewrite) and remember every viewer URI that hit them, so an
invalidation of either purges them. Query strings are not part of the key
(like the CachingOptimized policy).
"""

from __future__ import annotations

import logging
import re
import threading
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import unquote

log = logging.getLogger("local.cdn")  # the CDN's log: invalidations are its news

MAX_TAGS = 50
"""CloudFront keeps at most 50 cache tags per object."""

# CachingOptimized: min 1 s, default 1 day, max 1 year.
MIN_TTL, DEFAULT_TTL, MAX_TTL = 1, 86_400, 31_536_000
_MAX_AGE = re.compile(r"(?:^|,)\s*(s-maxage|max-age)\s*=\s*(\d+)", re.IGNORECASE)

# An origin fetch: URI -> (status, headers, body, TTL in seconds)
Fetch = Callable[[str], tuple[int, dict[str, str], bytes, int]]


def ttl_for(cache_control: str | None) -> int:
    """Seconds to cache a response under CachingOptimized (``s-maxage`` wins over ``max-age``)."""
    found = {name.lower(): int(value) for name, value in _MAX_AGE.findall(cache_control or "")}
    ttl = found.get("s-maxage", found.get("max-age", DEFAULT_TTL))
    return max(MIN_TTL, min(ttl, MAX_TTL))


def path_matches(pattern: str, path: str) -> bool:
    """CloudFront invalidation matching: exact path, or a prefix when it ends with ``*``."""
    pattern, path = unquote(pattern), unquote(path)
    if not pattern.startswith("/"):
        pattern = "/" + pattern
    if pattern.endswith("*"):
        return path.startswith(pattern[:-1])
    return path == pattern


@dataclass
class CachedResponse:
    """One cache entry, keyed by the URI sent to the origin (after the rewrite)."""

    status: int
    headers: dict[str, str]
    body: bytes
    stored_at: float
    expires_at: float
    viewer_uris: set[str] = field(default_factory=set)
    tags: frozenset[str] = frozenset()
    """The cache tags of the origin response (``CacheTagConfig``), lower case: ``#tag`` purges match them."""


@dataclass
class Response:
    """What a request produced, for the wire and for the access log."""

    status: int
    headers: dict[str, str]
    body: bytes
    result_type: str


class EdgeCache:
    """Cached origin responses; a purge also discards fetches that were in flight when it ran."""

    def __init__(self, tag_header: str | None = None) -> None:
        self.entries: dict[str, CachedResponse] = {}
        self.tag_header = tag_header
        self._lock = threading.Lock()
        self._generation = 0

    def get_or_fetch(self, origin_uri: str, viewer_uri: str, fetch: Fetch) -> Response:
        """A hit while the entry is fresh, else a ``fetch`` from the origin, cached for its TTL."""
        now = time.time()
        with self._lock:
            entry = self.entries.get(origin_uri)
            if entry is not None and entry.expires_at > now:
                entry.viewer_uris.add(viewer_uri)
                headers = {
                    **entry.headers,
                    "Age": str(int(now - entry.stored_at)),
                    "X-Cache": "Hit from localcdn",
                }
                result = "Hit" if entry.status < 400 else "Error"
                return Response(entry.status, headers, entry.body, result)
            generation = self._generation
        status, headers, body, ttl = fetch(origin_uri)
        with self._lock:
            if ttl > 0 and generation == self._generation:
                tags = self._tags(headers)
                self.entries[origin_uri] = CachedResponse(
                    status, headers, body, now, now + ttl, {viewer_uri}, tags
                )
        return Response(
            status, {**headers, "X-Cache": "Miss from localcdn"}, body, "Miss" if status < 400 else "Error"
        )

    def _tags(self, headers: dict[str, str]) -> frozenset[str]:
        """CloudFront's reading of the tag header: comma-separated, case-insensitive, the first 50."""
        if self.tag_header is None:
            return frozenset()
        value = next((v for k, v in headers.items() if k.lower() == self.tag_header.lower()), "")
        return frozenset([t.strip().lower() for t in value.split(",") if t.strip()][:MAX_TAGS])

    def purge(self, paths: Iterable[str]) -> int:
        """Drop cached entries matching any item: a path, by origin URI or by any viewer URI that hit
        them; a ``#tag``, by the tags they were cached with (exact, case-insensitive, no wildcard)."""
        items = list(paths)
        tags = {item[1:].lower() for item in items if item.startswith("#")}
        patterns = [item for item in items if not item.startswith("#")]
        with self._lock:
            self._generation += 1
            doomed = [
                uri
                for uri, entry in self.entries.items()
                if entry.tags & tags
                or any(
                    path_matches(p, uri) or any(path_matches(p, v) for v in entry.viewer_uris)
                    for p in patterns
                )
            ]
            for uri in doomed:
                del self.entries[uri]
        return len(doomed)


class Invalidations:
    """The distribution's invalidations in moto, each applied to the cache once, oldest first."""

    def __init__(self, cloudfront: Any, distribution_id: str, cache: EdgeCache) -> None:
        self.cloudfront = cloudfront
        self.distribution_id = distribution_id
        self.cache = cache
        self._seen: set[str] = set()
        self._lock = threading.Lock()

    def skip_existing(self) -> None:
        """Take the invalidations that exist now as already applied (the cache starts empty)."""
        self._seen.update(self._new_ids())

    def _new_ids(self) -> list[str]:
        """Invalidations not seen yet. CloudFront lists the most recent first: stop at a seen one."""
        ids: list[str] = []
        marker = ""
        while True:
            kwargs = {"DistributionId": self.distribution_id, "MaxItems": "100"}
            if marker:
                kwargs["Marker"] = marker
            listing = self.cloudfront.list_invalidations(**kwargs)["InvalidationList"]
            for item in listing.get("Items") or []:
                if item["Id"] in self._seen:
                    return ids
                ids.append(item["Id"])
            if not listing.get("IsTruncated"):
                return ids
            marker = listing.get("NextMarker", "")

    def sync(self) -> int:
        """Apply invalidations created since the last look; returns how many entries were purged."""
        with self._lock:
            purged = 0
            for invalidation_id in reversed(self._new_ids()):  # oldest first
                batch = self.cloudfront.get_invalidation(
                    DistributionId=self.distribution_id, Id=invalidation_id
                )
                paths = batch["Invalidation"]["InvalidationBatch"]["Paths"].get("Items") or []
                purged += self.cache.purge(paths)
                self._seen.add(invalidation_id)
                log.info(
                    "invalidation %s: %d path(s), %d cached object(s) purged",
                    invalidation_id,
                    len(paths),
                    purged,
                )
            return purged
