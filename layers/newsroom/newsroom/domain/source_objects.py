"""What the source bucket holds for a key, as the use cases see it."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime


@dataclass(frozen=True)
class SourceObject:
    """The current version of a source key (at most ``limit`` bytes of it)."""

    key: str
    body: bytes
    version_id: str | None
    last_modified: datetime
    size: int


@dataclass(frozen=True)
class SourceHead:
    """A source object's identity, without its body (media can be large)."""

    key: str
    version_id: str | None
    etag: str
    size: int
