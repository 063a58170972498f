"""Moved pages' redirects, sent in order to the redirects function, which writes the KeyValueStore.

The viewer-request CloudFront Function (``cloudfront/viewer-request.js``) looks
every request URI up in a CloudFront KeyValueStore and answers
``301 Location: <value>`` when the URI is a key. So a redirect is one key:
the old URL path (``/tin-tuc/cu.html``) mapped to the new one
(``/tin-tuc/moi.html``), both as the viewer sends them on the wire.

The store's API is signed with SigV4A only, which botocore implements with
awscrt (6 MB, beside a client model): the publish function does not write
the store itself. It checks and encodes each change here, where a bad path
fails its batch before anything is sent, and sends it to the redirects
function's FIFO queue (``functions/redirects``, ``layers/redirects``), all
in one message group: the changes are applied in the order they were sent,
and a retried or duplicated message applies the same state again. Two
invocations publishing the same article at once may send in the other order
than they read it (as they could write the store before); the article's next
publish, or a rebuild (``usecases.redirect_changes``), sets it right.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterable, Mapping
from typing import Any, Final
from urllib.parse import quote

MAX_KEY_BYTES: Final = 512  # CloudFront KeyValueStore quota: key size
MAX_VALUE_BYTES: Final = 1024  # CloudFront KeyValueStore quota: value size (1 KB)
# Keys per message: 50 of at most 512 + 1024 bytes stay far below SQS's 256 KB, and the redirects
# function refuses more (newsroom_redirects.changes.MAX_MESSAGE_KEYS).
MAX_MESSAGE_KEYS: Final = 50
MESSAGE_GROUP: Final = "redirects"  # one group: the whole store's changes in one order

# Everything printable in ASCII stays as it is (``%`` too, so an already
# encoded path is not encoded twice); anything else is UTF-8 percent-encoded,
# which is how browsers send it and so how the function sees ``request.uri``.
_WIRE_SAFE: Final = "".join(chr(c) for c in range(0x21, 0x7F) if chr(c) not in "?#")


class RedirectError(ValueError):
    """A redirect the store cannot hold, or must not serve (the message says which and why)."""


def wire_path(path: str, what: str = "source", limit: int = MAX_KEY_BYTES) -> str:
    """``path`` as the viewer sends it (non-ASCII UTF-8 percent-encoded), checked against KVS limits.

    Raises :class:`RedirectError` for a path that is not a site-local absolute
    path (``/...``, never ``//host`` or ``/\\host``, which browsers read as
    another site), carries a query or fragment, or is over the store's size
    limit once encoded.
    """
    if not isinstance(path, str) or not path:
        raise RedirectError(f"redirect {what} must be a non-empty string, not {path!r}")
    if not path.startswith("/") or path.startswith(("//", "/\\")):
        raise RedirectError(f"redirect {what} {path!r} must be a path on this site, starting with one '/'")
    if any(ord(ch) < 0x20 or ord(ch) == 0x7F for ch in path):
        raise RedirectError(f"redirect {what} {path!r} contains a control character")
    if "?" in path or "#" in path:
        raise RedirectError(f"redirect {what} {path!r} must be a bare path, without '?' or '#'")
    encoded = quote(path, safe=_WIRE_SAFE)
    size = len(encoded.encode("utf-8"))
    if size > limit:
        raise RedirectError(
            f"redirect {what} {path[:60]!r}... is {size} bytes once encoded; "
            f"the CloudFront KeyValueStore allows at most {limit}"
        )
    return encoded


def validated(puts: Mapping[str, str], deletes: Iterable[str]) -> tuple[dict[str, str], list[str]]:
    """Puts and deletes in wire form, or :class:`RedirectError` before anything is written."""
    wire_puts: dict[str, str] = {}
    for source, target in puts.items():
        key, value = wire_path(source), wire_path(target, "target", MAX_VALUE_BYTES)
        if key == value:
            raise RedirectError(f"redirect {source!r} points at itself")
        wire_puts[key] = value
    wire_deletes: list[str] = []
    for source in deletes:
        key = wire_path(source)
        if key in wire_puts:
            raise RedirectError(f"redirect {source!r} is both put and deleted")
        if key not in wire_deletes:
            wire_deletes.append(key)
    return wire_puts, wire_deletes


def messages(puts: Mapping[str, str], deletes: Iterable[str]) -> list[str]:
    """The change as message bodies of at most ``MAX_MESSAGE_KEYS`` keys, puts first; checked first."""
    wire_puts, wire_deletes = validated(puts, deletes)
    items: list[tuple[str, str | None]] = [*wire_puts.items(), *((key, None) for key in wire_deletes)]
    bodies = []
    for start in range(0, len(items), MAX_MESSAGE_KEYS):
        part = items[start : start + MAX_MESSAGE_KEYS]
        change = {
            "puts": {key: target for key, target in part if target is not None},
            "deletes": [key for key, target in part if target is None],
        }
        bodies.append(json.dumps(change, separators=(",", ":"), sort_keys=True))
    return bodies


class QueuedRedirects:
    """Sends redirect changes to the redirects function's FIFO queue, one message after another."""

    def __init__(self, client: Any, queue_url: str) -> None:
        self._sqs = client
        self.queue_url = queue_url

    def apply(self, puts: Mapping[str, str], deletes: Iterable[str]) -> None:
        """Send the change, or raise (:class:`RedirectError` for a bad path, before anything is sent).

        Sent one by one, so that a message is never overtaken by the one
        after it, each with its own deduplication id: the same change sent
        twice (a retried batch) is applied twice, which leaves the same
        store, whereas content-based deduplication would drop a change that
        repeats one made minutes before with another in between.
        """
        for body in messages(puts, deletes):
            self._sqs.send_message(
                QueueUrl=self.queue_url,
                MessageBody=body,
                MessageGroupId=MESSAGE_GROUP,
                MessageDeduplicationId=uuid.uuid4().hex,
            )
