"""CloudFront standard access logs, locally: one line per request, gzip files in the logs bucket.

The 33 tab-separated fields of CloudFront's standard log, in its order, so
that view counting reads local logs exactly as it reads real ones. Lines are
buffered and written every few seconds, one file per hour they belong to.
"""

from __future__ import annotations

import base64
import gzip
import logging
import secrets
import threading
import time
import uuid
from collections.abc import Iterable
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler
from typing import TYPE_CHECKING, Any
from urllib.parse import quote, urlsplit

from botocore.exceptions import ClientError

if TYPE_CHECKING:
    from local.edge_cache import Response

log = logging.getLogger("local.cdn")  # the CDN's log: it writes these files

EDGE_LOCATION = "LCL50-P1"
LOG_FIELDS = (
    "date",
    "time",
    "x-edge-location",
    "sc-bytes",
    "c-ip",
    "cs-method",
    "cs(Host)",
    "cs-uri-stem",
    "sc-status",
    "cs(Referer)",
    "cs(User-Agent)",
    "cs-uri-query",
    "cs(Cookie)",
    "x-edge-result-type",
    "x-edge-request-id",
    "x-host-header",
    "cs-protocol",
    "cs-bytes",
    "time-taken",
    "x-forwarded-for",
    "ssl-protocol",
    "ssl-cipher",
    "x-edge-response-result-type",
    "cs-protocol-version",
    "fle-status",
    "fle-encrypted-fields",
    "c-port",
    "time-to-first-byte",
    "x-edge-detailed-result-type",
    "sc-content-type",
    "sc-content-len",
    "sc-range-start",
    "sc-range-end",
)
assert len(LOG_FIELDS) == 33  # CloudFront's standard log has exactly 33 fields


class AccessLog:
    """Buffers CloudFront standard log lines and writes them as gzip files to the logs bucket."""

    def __init__(self, s3: Any, bucket: str | None, prefix: str, distribution_id: str) -> None:
        self.s3 = s3
        self.bucket = bucket
        self.prefix = prefix
        self.distribution_id = distribution_id
        self._lines: list[tuple[datetime, str]] = []
        self._lock = threading.Lock()

    def add(self, when: datetime, values: Iterable[str]) -> None:
        """Queue one log line (values in LOG_FIELDS order)."""
        line = "\t".join(_log_value(value) for value in values)
        with self._lock:
            self._lines.append((when, line))

    def flush(self) -> list[str]:
        """Write buffered lines, one file per hour they belong to; returns the keys written."""
        with self._lock:
            lines, self._lines = self._lines, []
        if not lines or self.bucket is None:
            return []
        by_hour: dict[str, list[str]] = {}
        for when, line in lines:
            by_hour.setdefault(when.strftime("%Y-%m-%d-%H"), []).append(line)
        keys = []
        for hour, hour_lines in sorted(by_hour.items()):
            text = "#Version: 1.0\n#Fields: " + " ".join(LOG_FIELDS) + "\n" + "\n".join(hour_lines) + "\n"
            key = f"{self.prefix}{self.distribution_id}.{hour}.{uuid.uuid4().hex[:8]}.gz"
            try:
                self.s3.put_object(Bucket=self.bucket, Key=key, Body=gzip.compress(text.encode("utf-8")))
            except ClientError:
                log.exception("cannot write access log %s", key)
                continue
            keys.append(key)
        return keys

    def record(
        self,
        handler: BaseHTTPRequestHandler,
        response: Response,
        *,
        domain_name: str,
        started: float,
        sent_bytes: int,
        first_byte: float,
    ) -> None:
        """Queue one request's line: ``started`` and ``first_byte`` are ``time.monotonic()`` values."""
        now = datetime.now(UTC)
        parts = urlsplit(handler.path)
        headers = handler.headers
        request_bytes = len(handler.requestline) + 2 + len(str(headers)) + 2
        request_id = base64.urlsafe_b64encode(secrets.token_bytes(40)).decode()[:54] + "=="
        self.add(
            now,
            [
                now.strftime("%Y-%m-%d"),
                now.strftime("%H:%M:%S"),
                EDGE_LOCATION,
                str(sent_bytes),
                handler.client_address[0],
                handler.command,
                domain_name,
                parts.path or "/",
                str(response.status),
                headers.get("Referer", ""),
                quote(headers.get("User-Agent", ""), safe="()+/:;,=@!*'~?&$"),
                parts.query,
                "",
                response.result_type,
                request_id,
                headers.get("Host", ""),
                "http",
                str(request_bytes),
                f"{time.monotonic() - started:.3f}",
                headers.get("X-Forwarded-For", ""),
                "",
                "",
                response.result_type,
                handler.request_version,
                "",
                "",
                str(handler.client_address[1]),
                f"{first_byte - started:.3f}",
                response.result_type,
                response.headers.get("Content-Type", ""),
                str(len(response.body)) if response.status != 304 else "",
                "",
                "",
            ],
        )


def _log_value(value: str) -> str:
    """A log field: ``-`` when empty; whitespace percent-encoded so the TSV stays parseable."""
    if value in {"", None}:
        return "-"
    return str(value).replace(" ", "%20").replace("\t", "%09").replace("\n", "%0A")
