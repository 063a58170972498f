"""The CloudFront KeyValueStore that the viewer-request function reads redirects from.

The viewer-request CloudFront Function (``cloudfront/viewer-request.js``)
looks every request URI up in the store and answers ``301 Location: <value>``
when the URI is a key: a redirect is one key, the old URL path mapped to the
new one, both as the viewer sends them on the wire (``changes.py`` checks
that form).

Writes go through the KeyValueStore data-plane API, which is optimistic:
every write names the store's current ETag (``IfMatch``) and fails with
``ConflictException`` if anyone else wrote first. ``KeyValueStoreRedirects``
reads the ETag, writes at most ``MAX_KEYS_PER_CALL`` keys per ``UpdateKeys``
(AWS allows 50 keys or a 3 MB payload per call; 50 keys of at most
512 + 1024 bytes stay far below 3 MB), and starts a chunk again from a fresh
ETag on a conflict, a bounded number of times.

``DeleteKey`` answers ``ResourceNotFoundException`` for a key that is not in
the store, and AWS does not document what ``UpdateKeys`` does with such a
delete. Deletes are therefore filtered with ``GetKey`` against the same
ETag the update names: if the store changes in between, the update conflicts
and the whole chunk is read again, so a filtered-out key can never be missed.

The data-plane API is signed with SigV4A only (its endpoint rules name no
other scheme, even when the endpoint URL is overridden), which botocore
implements with ``awscrt``: this layer ships it.
"""

from __future__ import annotations

import logging
import random
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Final

from botocore.config import Config
from botocore.exceptions import ClientError

log = logging.getLogger(__name__)

RETRIES: Final = Config(retries={"max_attempts": 8, "mode": "adaptive"}, connect_timeout=5, read_timeout=20)

MAX_KEYS_PER_CALL: Final = 50  # UpdateKeys quota: 50 keys (or 3 MB) per request
DEFAULT_ATTEMPTS: Final = 5


class RedirectStoreBusy(RuntimeError):
    """The store kept changing under us: every attempt met a newer ETag."""


@dataclass(frozen=True)
class _Chunk:
    puts: tuple[tuple[str, str], ...]
    deletes: tuple[str, ...]


def _chunks(puts: Mapping[str, str], deletes: Sequence[str], size: int) -> list[_Chunk]:
    """At most ``size`` keys (puts and deletes together) per chunk; puts first."""
    items: list[tuple[str, str | None]] = [*puts.items(), *((key, None) for key in deletes)]
    chunks = []
    for start in range(0, len(items), size):
        part = items[start : start + size]
        chunks.append(
            _Chunk(
                puts=tuple((k, v) for k, v in part if v is not None),
                deletes=tuple(k for k, v in part if v is None),
            )
        )
    return chunks


def _code(error: ClientError) -> str:
    return str(error.response.get("Error", {}).get("Code", ""))


class KeyValueStoreRedirects:
    """Redirects in a CloudFront KeyValueStore, written through the ``cloudfront-keyvaluestore`` client."""

    def __init__(
        self,
        client: Any,
        kvs_arn: str,
        *,
        attempts: int = DEFAULT_ATTEMPTS,
        chunk_size: int = MAX_KEYS_PER_CALL,
        backoff: float = 0.05,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        if attempts < 1:
            raise ValueError("attempts must be at least 1")
        if not 1 <= chunk_size <= MAX_KEYS_PER_CALL:
            raise ValueError(f"chunk_size must be between 1 and {MAX_KEYS_PER_CALL}")
        self._kvs = client
        self.kvs_arn = kvs_arn
        self._attempts = attempts
        self._chunk_size = chunk_size
        self._backoff = backoff
        self._sleep = sleep

    def apply(self, puts: Mapping[str, str], deletes: Sequence[str]) -> None:
        """Write ``puts`` and remove ``deletes`` (keys in wire form), chunk by chunk, each all-or-nothing.

        Raises :class:`RedirectStoreBusy` when a chunk met a conflict on every
        attempt; any other service error propagates. A chunk written before
        the failure stays written: the caller retries the whole change, which
        converges, since putting a key again or deleting an absent one does
        nothing.
        """
        etag: str | None = None
        for chunk in _chunks(puts, deletes, self._chunk_size):
            etag = self._apply_chunk(chunk, etag)

    def get(self, key: str) -> str | None:
        """The target ``key`` (in wire form) redirects to, or None (``GetKey``)."""
        try:
            response = self._kvs.get_key(KvsARN=self.kvs_arn, Key=key)
        except ClientError as error:
            if _code(error) == "ResourceNotFoundException":
                return None
            raise
        return str(response["Value"])

    # ----------------------------------------------------------------- internals

    def _etag(self) -> str:
        return str(self._kvs.describe_key_value_store(KvsARN=self.kvs_arn)["ETag"])

    def _existing(self, keys: Sequence[str]) -> list[str]:
        """The keys that are in the store now (a missing key answers ResourceNotFoundException)."""
        return [key for key in keys if self._has(key)]

    def _has(self, key: str) -> bool:
        try:
            self._kvs.get_key(KvsARN=self.kvs_arn, Key=key)
        except ClientError as error:
            if _code(error) == "ResourceNotFoundException":
                return False
            raise
        return True

    def _apply_chunk(self, chunk: _Chunk, etag: str | None) -> str | None:
        """Apply one chunk; returns the store's ETag after it (None when nothing was written)."""
        for attempt in range(1, self._attempts + 1):
            current = etag if etag is not None else self._etag()
            deletes = self._existing(chunk.deletes)
            if not chunk.puts and not deletes:
                return current
            kwargs: dict[str, Any] = {"KvsARN": self.kvs_arn, "IfMatch": current}
            if chunk.puts:
                kwargs["Puts"] = [{"Key": key, "Value": value} for key, value in chunk.puts]
            if deletes:
                kwargs["Deletes"] = [{"Key": key} for key in deletes]
            try:
                response = self._kvs.update_keys(**kwargs)
            except ClientError as error:
                if _code(error) != "ConflictException":
                    raise
                log.info(
                    "redirect store %s changed under us (attempt %d of %d)",
                    self.kvs_arn,
                    attempt,
                    self._attempts,
                )
                etag = None
                if attempt < self._attempts and self._backoff > 0:
                    self._sleep(self._backoff * attempt * (1 + random.random()))  # noqa: S311 - jitter
                continue
            return str(response["ETag"])
        raise RedirectStoreBusy(
            f"redirect store {self.kvs_arn} changed on each of {self._attempts} attempts; try again later"
        )
