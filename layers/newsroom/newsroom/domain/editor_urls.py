"""The URLs editors write for links and pictures, checked against what the page can show.

The site is served over HTTPS with a Content-Security-Policy whose ``img-src``
is ``'self' data:`` plus the deployment's ``ImageHosts``: a picture anywhere
else is blocked by every reader's browser. So a picture must be a file
published under ``/media/`` or an ``https://`` URL on one of those hosts, and
a link a site path or an ``https://`` URL; anything else is refused with the
reason, rather than accepted and broken on the page.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Collection
from urllib.parse import quote, unquote, urlsplit

from newsroom.domain.reasons import N_, Reason

MEDIA_PREFIX = "/media/"
MAX_URL = 2000


def _has_bad_characters(url: str, spaces: bool = False) -> bool:
    return "\\" in url or any(
        (ch.isspace() and not (spaces and ch == " ")) or unicodedata.category(ch) == "Cc" for ch in url
    )


def is_safe_url(url: str, schemes: Collection[str] = ("https",)) -> bool:
    """A link target editors may use: a site path (``/x``, not ``//x``) or an absolute https URL.

    Refuses ``http:`` unless ``schemes`` allows it (the site is HTTPS with
    HSTS: a plain link out is open to tampering), ``javascript:``, ``data:``,
    ``mailto:``, relative and protocol-relative URLs, backslashes, whitespace
    and control characters, user names and bad ports.
    """
    if not url or _has_bad_characters(url):
        return False
    if url.startswith("/"):
        return not url.startswith("//")
    try:
        parts = urlsplit(url)
        _ = parts.port
    except ValueError:
        return False
    return parts.scheme.lower() in schemes and bool(parts.hostname) and "@" not in parts.netloc


def parse_image_hosts(value: str) -> frozenset[str]:
    """``https://img.example.vn https://cdn.example.com`` → their host names (``ValueError`` if malformed)."""
    hosts = set()
    for origin in value.split():
        parts = urlsplit(origin)
        if parts.scheme != "https" or not parts.hostname or parts.path not in ("", "/") or "@" in origin:
            raise ValueError(f"not an https origin like https://img.example.vn: {origin!r}")
        hosts.add(parts.netloc.lower())
    return frozenset(hosts)


def image_problem(url: str, allowed_hosts: Collection[str] | None) -> Reason | None:
    """Why a picture at ``url`` cannot be shown, or ``None`` when it can.

    ``allowed_hosts`` ``None`` skips the host check (pages rendered from a
    configuration that was checked when it was accepted).
    """
    if not url or len(url) > MAX_URL or _has_bad_characters(url, spaces=url.startswith("/")):
        return Reason(N_("{where}, without tabs, line breaks or backslashes"), where=_WHERE)
    if url.startswith("/") and not url.startswith("//"):
        segments = unquote(url).split("/")[1:]
        inside = url.startswith(MEDIA_PREFIX) and not any(s in ("", ".", "..") for s in segments[1:])
        return None if inside else _WHERE
    return _remote_problem(url, allowed_hosts)


_WHERE = Reason(
    N_("must be a picture under {media} like {media}anh.jpg, or an https:// URL"), media=MEDIA_PREFIX
)
_UPLOAD = Reason(N_("upload the picture under media/ and write {media}…"), media=MEDIA_PREFIX)


def _remote_problem(url: str, allowed_hosts: Collection[str] | None) -> Reason | None:
    try:
        parts = urlsplit(url)
        _ = parts.port
    except ValueError:
        return _WHERE
    if parts.scheme.lower() == "http":
        return Reason(
            N_("uses http://, which readers' browsers block on an https site: {upload}"), upload=_UPLOAD
        )
    if parts.scheme.lower() != "https" or not parts.hostname or "@" in parts.netloc:
        return _WHERE
    if allowed_hosts is not None and parts.netloc.lower() not in allowed_hosts:
        hosts = (
            Reason(N_("allowed: {hosts}"), hosts=", ".join(sorted(allowed_hosts)))
            if allowed_hosts
            else Reason(N_("none are allowed"))
        )
        return Reason(
            N_("is on {host}, a host the site does not show pictures from (ImageHosts: {hosts}): {upload}"),
            host=parts.netloc.lower()[:60],
            hosts=hosts,
            upload=_UPLOAD,
        )
    return None


def picture_url(base_url: str, url: str) -> str:
    """A checked picture as an absolute URL (feeds, ``og:image``, JSON-LD).

    A site path gets the base URL, its spaces and letters percent-encoded
    (``/media/hội nghị.jpg`` is a file an editor may name so); an https URL
    on an allowed host stays as it is.
    """
    if url.startswith("/"):
        return base_url + quote(url, safe="/%")
    return url
