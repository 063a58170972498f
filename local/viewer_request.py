"""Python port of ``cloudfront/viewer-request.js``, the site's viewer-request CloudFront Function.

Why it exists: the local CDN (``local/cdn.py``) stands in for CloudFront, and
moto neither stores nor runs CloudFront Functions, so the local CDN cannot
execute the JavaScript. This port gives it the same moved-page redirects
(looked up in the key value store), directory-index rewrite and
trailing-slash redirect, so links behave locally exactly as they will behind
the real distribution. ``tests/template/test_viewer_request.py`` runs a
table of URIs through both this module and the JavaScript under ``node`` and
requires identical answers: change the two together.

The JavaScript rebuilds the query string from CloudFront's parsed
``request.querystring`` object, so :func:`normalize_query` reproduces that
object from a raw query string (parameters grouped by name, a bare ``name``
becoming ``name=``, JavaScript's own-property order) instead of copying the
raw string.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from typing import Final

__all__ = ["Lookup", "is_local_path", "normalize_query", "rewrite"]

# The key value store as the function sees it (``kvs.get(uri)``): a Mapping,
# or a callable answering the value or None for a miss. An exception is a
# failed lookup, which the function treats like a miss.
type Lookup = Mapping[str, str] | Callable[[str], str | None]

INDEX_DOCUMENT: Final = "index.html"
_LEADING_SLASHES: Final = re.compile(r"^[/\\]+")
_MAX_ARRAY_INDEX: Final = 2**32 - 2


def _is_array_index(name: str) -> bool:
    """True for keys JavaScript objects enumerate first, in ascending numeric order."""
    return (
        name.isascii()
        and name.isdigit()
        and (name == "0" or not name.startswith("0"))
        and (int(name) <= _MAX_ARRAY_INDEX)
    )


def normalize_query(query: str) -> str:
    """The query string as the CloudFront Function rebuilds it from ``request.querystring``.

    CloudFront hands the function one entry per parameter name, repeated
    names collected in ``multiValue``; values stay as they were sent
    (percent-encoding untouched). Empty ``&&`` segments carry no parameter.
    """
    grouped: dict[str, list[str]] = {}
    for part in query.split("&"):
        if not part:
            continue
        name, _, value = part.partition("=")
        grouped.setdefault(name, []).append(value)
    indices = sorted((name for name in grouped if _is_array_index(name)), key=int)
    names = indices + [name for name in grouped if not _is_array_index(name)]
    return "&".join(f"{name}={value}" for name in names for value in grouped[name])


def is_local_path(path: object) -> bool:
    r"""True for ``/x``; never ``//host`` or ``/\host``, which browsers read as another site."""
    return isinstance(path, str) and path.startswith("/") and not path.startswith(("//", "/\\"))


def _moved(uri: str, lookup: Lookup | None) -> str | None:
    """``await kvs.get(uri)`` in the function's try/catch: the target, or None on a miss or an error."""
    if lookup is None:
        return None
    try:
        if callable(lookup):
            return lookup(uri)
        return lookup.get(uri)
    except Exception:  # the function's catch: a failed lookup serves the request as usual
        return None


def _with_query(location: str, query: str) -> str:
    normalized = normalize_query(query)
    return f"{location}?{normalized}" if normalized else location


def rewrite(uri: str, query: str = "", lookup: Lookup | None = None) -> tuple[str, str | None]:
    """Apply the viewer-request function to one request.

    ``uri`` is the request path as received (still percent-encoded) and
    ``query`` the raw query string without ``?``; ``lookup`` is the
    function's key value store (moved pages: old URI -> new URI), None for
    an empty one. Returns ``(new_uri, None)`` when the request goes on to
    the origin, or ``(uri, location)`` when the viewer gets a 301 to
    ``location``:

    - a URI that is a key in the store redirects to the key's value (when
      that is a site-local path), keeping the query string;
    - ``/tin-tuc/`` becomes ``/tin-tuc/index.html``;
    - ``/tin-tuc`` (last segment without a dot) redirects to ``/tin-tuc/``,
      keeping the query string;
    - anything else (``/media/anh.jpg``) passes through unchanged.
    """
    moved = _moved(uri, lookup)
    if moved is not None and is_local_path(moved):
        return uri, _with_query(moved, query)
    if uri == "" or uri.endswith("/"):
        return (uri or "/") + INDEX_DOCUMENT, None
    last = uri[uri.rfind("/") + 1 :]
    if "." in last:
        return uri, None
    # Browsers read "//host" and "/\host" as another site: never redirect there.
    path = _LEADING_SLASHES.sub("", uri)
    return uri, _with_query(f"/{path}/" if path else "/", query)
