"""The static files served under ``/assets/``, with content-hashed names.

A name carries the first 10 hex digits of the file's SHA-256
(``assets/site.3f2a9c1b04.css``), so the files can be cached for a year and a
changed stylesheet simply gets a new URL: no invalidation, and pages rendered
before and after a deploy never mix old markup with new styles.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from functools import cache
from importlib import resources
from pathlib import PurePosixPath

ASSET_PREFIX = "assets/"
IMMUTABLE = "public, max-age=31536000, immutable"
HASH_LENGTH = 10

# name in newsroom/static/ -> Content-Type
_SOURCES: dict[str, str] = {
    "favicon.svg": "image/svg+xml",
    "site.css": "text/css; charset=utf-8",
    "site.js": "text/javascript; charset=utf-8",
}


@dataclass(frozen=True)
class StaticAsset:
    """One file to put in the site bucket: ``key`` is the S3 key."""

    name: str
    key: str
    body: bytes
    content_type: str
    cache_control: str = IMMUTABLE

    @property
    def url(self) -> str:
        """The root-relative URL the pages link to."""
        return "/" + self.key


def hashed_name(name: str, body: bytes) -> str:
    """``site.css`` + body -> ``site.<first 10 hex of sha256>.css``."""
    path = PurePosixPath(name)
    digest = hashlib.sha256(body).hexdigest()[:HASH_LENGTH]
    return f"{path.stem}.{digest}{path.suffix}"


@cache
def static_assets() -> tuple[StaticAsset, ...]:
    """All static assets, read once per process from the package."""
    folder = resources.files("newsroom.web") / "static"
    assets = []
    for name, content_type in sorted(_SOURCES.items()):
        body = (folder / name).read_bytes()
        assets.append(
            StaticAsset(
                name=name,
                key=ASSET_PREFIX + hashed_name(name, body),
                body=body,
                content_type=content_type,
            )
        )
    return tuple(assets)


def asset_url(name: str) -> str:
    """``asset_url("site.css")`` -> ``/assets/site.<hash>.css``.

    Raises ``KeyError`` for a name that is not a static asset.
    """
    for asset in static_assets():
        if asset.name == name:
            return asset.url
    raise KeyError(f"no static asset named {name!r}")
