"""The local CDN's compression: what ``Compress: true`` makes CloudFront do to a response.

CloudFront compresses when the reader's ``Accept-Encoding`` allows it, with
Brotli when the reader takes both (the behaviours' cache policies enable
both), else gzip; only CloudFront's compressible types, bodies of 1,000 to
10,000,000 bytes, answers 200, 403 or 404, never an origin body that is
already encoded (any ``Content-Encoding``), never for a ``Range`` request or
an HTTP/1.0 one. A compressed answer's strong ETag becomes weak (``W/"…"``),
a weak one is kept and one that is neither is dropped; a compressible type
always says ``Vary: Accept-Encoding``. A conditional request matches by the
weak comparison, so a reader revalidating its compressed copy gets a 304.
"""

from __future__ import annotations

import gzip
from functools import lru_cache

import brotli

from local.edge_cache import Response

__all__ = [
    "COMPRESSIBLE_TYPES",
    "accepted_codings",
    "compressed",
    "encoding_for",
    "not_modified",
    "same_etag",
    "weak_etag",
]

# CloudFront's list of the Content-Types it compresses.
COMPRESSIBLE_TYPES = frozenset(
    {
        "application/dash+xml",
        "application/eot",
        "application/font",
        "application/font-sfnt",
        "application/javascript",
        "application/json",
        "application/opentype",
        "application/otf",
        "application/pkcs7-mime",
        "application/protobuf",
        "application/rss+xml",
        "application/truetype",
        "application/ttf",
        "application/vnd.apple.mpegurl",
        "application/vnd.ms-fontobject",
        "application/xhtml+xml",
        "application/xml",
        "application/x-font-opentype",
        "application/x-font-truetype",
        "application/x-font-ttf",
        "application/x-httpd-cgi",
        "application/x-javascript",
        "application/x-mpegurl",
        "application/x-opentype",
        "application/x-otf",
        "application/x-perl",
        "application/x-ttf",
        "font/eot",
        "font/opentype",
        "font/otf",
        "font/ttf",
        "image/svg+xml",
        "text/css",
        "text/csv",
        "text/html",
        "text/javascript",
        "text/js",
        "text/plain",
        "text/richtext",
        "text/tab-separated-values",
        "text/xml",
        "text/x-component",
        "text/x-java-source",
        "text/x-script",
        "vnd.apple.mpegurl",
    }
)
MIN_COMPRESSED, MAX_COMPRESSED = 1_000, 10_000_000  # CloudFront's bounds, in bytes
_COMPRESSED_STATUSES = frozenset({200, 403, 404})
_MEMOISED = 128 * 1024  # bodies up to this size keep their compressed forms (pages, CSS, JS, feeds)
_KEPT_ON_304 = ("ETag", "Cache-Control", "Last-Modified", "Vary", "X-Cache")


def accepted_codings(accept_encoding: str | None) -> frozenset[str]:
    """The content codings an ``Accept-Encoding`` allows (``q=0`` refuses; ``*`` stands for the rest)."""
    qualities: dict[str, bool] = {}
    for part in (accept_encoding or "").split(","):
        name, _, params = part.partition(";")
        name = name.strip().lower()
        if not name:
            continue
        accepted = True
        for param in params.split(";"):
            key, _, value = param.partition("=")
            if key.strip().lower() == "q":
                try:
                    accepted = float(value.strip()) > 0
                except ValueError:
                    accepted = False
        qualities["gzip" if name == "x-gzip" else name] = accepted
    known = {name for name, ok in qualities.items() if ok and name != "*"}
    if qualities.get("*"):
        known |= {name for name in ("br", "gzip") if name not in qualities}
    return frozenset(known)


def encoding_for(accept_encoding: str | None) -> str | None:
    """What CloudFront sends a reader with this ``Accept-Encoding``: ``br`` before ``gzip``, else nothing."""
    codings = accepted_codings(accept_encoding)
    return next((name for name in ("br", "gzip") if name in codings), None)


def _encode(body: bytes, encoding: str) -> bytes:
    if encoding == "br":
        return bytes(brotli.compress(body, quality=5))
    return gzip.compress(body, compresslevel=6, mtime=0)  # mtime=0: the same bytes every time


@lru_cache(maxsize=256)
def _encode_memoised(body: bytes, encoding: str) -> bytes:
    return _encode(body, encoding)


def weak_etag(etag: str) -> str | None:
    """A compressed copy's ETag: ``"x"`` as ``W/"x"``, a weak one as it is, an invalid one dropped."""
    if etag.startswith("W/"):
        return etag
    return f"W/{etag}" if etag.startswith('"') else None


def _with_vary(headers: dict[str, str]) -> dict[str, str]:
    """A copy of ``headers`` (never the cached entry's own) that varies on Accept-Encoding."""
    vary = headers.get("Vary", "")
    if "accept-encoding" in vary.lower():
        return dict(headers)
    return {**headers, "Vary": f"{vary}, Accept-Encoding" if vary else "Accept-Encoding"}


def compressed(
    response: Response,
    accept_encoding: str | None,
    *,
    ranged: bool = False,
    http_version: str = "HTTP/1.1",
) -> Response:
    """``response`` as a ``Compress: true`` behaviour sends it to this reader (the cached one untouched)."""
    media_type = response.headers.get("Content-Type", "").split(";", 1)[0].strip().lower()
    if media_type not in COMPRESSIBLE_TYPES:
        return response
    headers = _with_vary(response.headers)
    encoding = None if ranged or http_version == "HTTP/1.0" else encoding_for(accept_encoding)
    if (
        encoding is None
        or response.status not in _COMPRESSED_STATUSES
        or "Content-Encoding" in headers
        or not MIN_COMPRESSED <= len(response.body) <= MAX_COMPRESSED
    ):
        return Response(response.status, headers, response.body, response.result_type)
    body = (
        _encode_memoised(response.body, encoding)
        if len(response.body) <= _MEMOISED
        else _encode(response.body, encoding)
    )
    headers["Content-Encoding"] = encoding
    if "ETag" in headers:
        etag = weak_etag(headers.pop("ETag"))
        if etag is not None:
            headers["ETag"] = etag
    return Response(response.status, headers, body, response.result_type)


def same_etag(if_none_match: str | None, etag: str) -> bool:
    """If-None-Match's weak comparison: ``W/"x"`` and ``"x"`` match each other; ``*`` matches any."""
    if not if_none_match:
        return False
    tags = {tag.strip().removeprefix("W/") for tag in if_none_match.split(",")}
    return etag.removeprefix("W/") in tags or "*" in tags


def not_modified(response: Response, if_none_match: str | None) -> Response | None:
    """The 304 for a 200 the reader already holds (by its validators), else None."""
    etag = response.headers.get("ETag")
    if response.status != 200 or not etag or not same_etag(if_none_match, etag):
        return None
    kept = {name: response.headers[name] for name in _KEPT_ON_304 if name in response.headers}
    return Response(304, kept, b"", response.result_type)
