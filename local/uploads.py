"""Which source files a directory upload sends, in which order, with which Content-Type."""

from __future__ import annotations

import logging
import mimetypes
from collections.abc import Collection, Iterator
from pathlib import Path

log = logging.getLogger("local.stack")  # the stack's log: it does the uploading

# Configuration first, then what articles embed, then the articles.
UPLOAD_ORDER = ("site/", "media/", "articles/")
_CONTENT_TYPES = {
    ".md": "text/markdown; charset=utf-8",
    ".markdown": "text/markdown; charset=utf-8",
    ".yaml": "application/yaml; charset=utf-8",
    ".yml": "application/yaml; charset=utf-8",
    ".html": "text/html; charset=utf-8",
}


def content_type(path: Path) -> str:
    """Content-Type for an uploaded source file (text types carry their charset)."""
    suffix = path.suffix.lower()
    if suffix in _CONTENT_TYPES:
        return _CONTENT_TYPES[suffix]
    guessed, _ = mimetypes.guess_type(path.name)
    return guessed or "application/octet-stream"


def notified_files(base: Path, notified: Collection[str]) -> Iterator[tuple[str, Path]]:
    """(key, path) of the files under ``base`` whose keys start with a ``notified`` prefix, in UPLOAD_ORDER.

    Hidden files and ``__pycache__`` are skipped, and so are files outside the
    notified prefixes (tools, READMEs), each with a debug line as it comes.
    """

    def order(path: Path) -> tuple[int, str]:
        key = path.relative_to(base).as_posix()
        rank = next((i for i, prefix in enumerate(UPLOAD_ORDER) if key.startswith(prefix)), len(UPLOAD_ORDER))
        return rank, key

    files = [p for p in base.rglob("*") if p.is_file() and not any(part.startswith(".") for part in p.parts)]
    for path in sorted(files, key=order):
        key = path.relative_to(base).as_posix()
        if "__pycache__" in key or not any(key.startswith(prefix) for prefix in notified):
            log.debug("not uploading %s: the source bucket does not notify on it", key)
            continue
        yield key, path
