"""What a page becomes: one object for the site bucket, with how readers' caches keep it."""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, field, replace

from newsroom.domain.cache_tags import CACHE_TAG_METADATA, LISTS, tag_metadata

HTML = "text/html; charset=utf-8"
# Live figures (``<dd data-stat="articles">12</dd>``) are refreshed in the
# browser from /stats.json; their render-time value is only a fallback, so a
# page whose only difference is a live figure is not rewritten.
_LIVE_FIGURE = re.compile(rb'(data-stat="[a-z_]+">)[^<]*')
HTML_CACHE = "public, max-age=60, s-maxage=31536000"
JSON_CACHE = "public, max-age=30, s-maxage=31536000"
# A draft's preview changes with every upload and must never outlive its revocation in a cache.
PREVIEW_CACHE = "private, no-store"


@dataclass(frozen=True)
class Output:
    """One object to put on the site."""

    key: str
    body: bytes
    content_type: str = HTML
    cache_control: str = HTML_CACHE
    metadata: dict[str, str] = field(default_factory=dict)

    @property
    def digest(self) -> str:
        """What the write-if-changed check compares: the body, live figures masked."""
        stable = _LIVE_FIGURE.sub(rb"\1", self.body) if self.content_type == HTML else self.body
        if tags := self.metadata.get(CACHE_TAG_METADATA):  # a re-tagged object must be written again
            stable += b"\0cache-tag:" + tags.encode("ascii")
        return hashlib.sha256(stable).hexdigest()


def _meta(value: str) -> str:
    """S3 user metadata is ASCII: keep source keys comparable after the round trip."""
    return value.encode("utf-8").hex()


def owner_metadata(source_key: str) -> dict[str, str]:
    """Metadata that marks a page as written for ``source_key``."""
    return {"source-key": _meta(source_key)}


def listed(output: Output) -> Output:
    """``output`` tagged ``lists`` at the CDN: rendered from the timeline, invalidated by every batch."""
    return replace(output, metadata={**output.metadata, **tag_metadata(LISTS)})
