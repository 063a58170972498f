"""Source keys: decoding them from events and deciding what they are.

S3 keys become site paths, so every key is checked here before anything else
looks at it: no ``..``, no empty or hidden segments, no control characters, no
backslashes. The same idea as Jinja's ``split_template_path``: refuse, never
repair, because a repaired key could collide with another article's URL.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass
from enum import Enum
from urllib.parse import unquote_plus

from newsroom.domain.errors import RejectedSource
from newsroom.domain.reasons import N_

MAX_KEY_LENGTH = 512
ARTICLE_SUFFIXES = (".md", ".markdown", ".html", ".htm", ".docx", ".yaml", ".yml")
"""Markdown, HTML, Word; and a Word file's fields beside it (``x.yaml`` for ``x.docx``)."""
MEDIA_SUFFIXES = (
    ".jpg",
    ".jpeg",
    ".png",
    ".gif",
    ".webp",
    ".heic",
    ".heif",
    ".avif",
    ".pdf",
    ".mp3",
    ".mp4",
)


class SourceKind(Enum):
    """The three prefixes the source bucket notifies about."""

    ARTICLE = "articles"
    MEDIA = "media"
    SITE = "site"


@dataclass(frozen=True)
class SourceKey:
    """A validated source key and what kind of file it names."""

    key: str
    kind: SourceKind

    @property
    def segments(self) -> tuple[str, ...]:
        """The folders and file name under the kind's prefix."""
        return tuple(self.key.split("/")[1:])


def decode_event_key(raw: str) -> str:
    """Decode a key as S3 events carry it (form-encoded), and nothing more.

    ``unquote_plus`` and not ``unquote``: S3 encodes a space as ``+``. The key
    is not normalised: S3 compares keys byte for byte, so a name saved on a Mac
    (NFD) must be read back exactly as stored, or the article is never found.
    Its URL comes from the slug, which is the same for both forms, so an NFC
    and an NFD twin collide on the URL and the second is refused by name.
    """
    return unquote_plus(raw)


def classify(key: str) -> SourceKey:
    """Validate ``key`` and tell which pipeline handles it.

    Raises ``RejectedSource`` with the reason the editor will see.
    """
    if not key or len(key) > MAX_KEY_LENGTH:
        raise RejectedSource(N_("key must be 1 to {most} characters long"), most=MAX_KEY_LENGTH)
    if any(unicodedata.category(ch) in ("Cc", "Cf") for ch in key):
        raise RejectedSource(N_("key contains control or invisible characters"))
    if "\\" in key:
        raise RejectedSource(N_("key contains a backslash"))
    segments = key.split("/")
    if any(segment in ("", ".", "..") for segment in segments):
        raise RejectedSource(N_("key has an empty, '.' or '..' path segment"))
    if any(segment.startswith(".") for segment in segments):
        raise RejectedSource(N_("key has a hidden (dot) file or folder"))
    try:
        kind = SourceKind(segments[0])
    except ValueError:
        raise RejectedSource(N_("key is outside articles/, media/ and site/")) from None
    if len(segments) < 2:
        raise RejectedSource(N_("key names a folder, not a file"))
    name = segments[-1].lower()
    if kind is SourceKind.ARTICLE and not name.endswith(ARTICLE_SUFFIXES):
        raise RejectedSource(
            N_("unsupported article type: upload Markdown (.md), HTML (.html) or Word (.docx)")
        )
    if kind is SourceKind.MEDIA and not name.endswith(MEDIA_SUFFIXES):
        allowed = " ".join(MEDIA_SUFFIXES)
        raise RejectedSource(N_("unsupported media type: allowed are {allowed}"), allowed=allowed)
    return SourceKey(key=key, kind=kind)


LOOK_AGAIN_MESSAGE = "look-again"
"""The ``newsroom`` field of a message asking to read a key again (a picture its page shows changed)."""


def look_again_message(source_key: str) -> dict[str, str]:
    """The publish-queue message that makes the publish path ingest ``source_key`` as if it had changed."""
    return {"newsroom": LOOK_AGAIN_MESSAGE, "key": source_key}
