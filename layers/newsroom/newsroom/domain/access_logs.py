"""CloudFront standard access logs, read as the CDN writes them: gzip, tab-separated, a ``#Fields`` header.

Both standard logging (legacy), delivered straight to an S3 bucket, and
standard logging v2 in its W3C output (CloudWatch Logs delivery to S3) write
``#Version`` and ``#Fields`` lines first and then one tab-separated line per
request, the field names being the same; the order is the header's, so the
reader follows the header and falls back to the documented legacy order
only when a file has none. Values are URL-encoded by CloudFront (a space in
a user agent is ``%20``); ``-`` means empty.

A log is untrusted input of any size: it is read as a stream, one bounded
line at a time; a line that does not parse is skipped and counted by reason,
never fatal; a truncated gzip stream yields what it held and says so.
"""

from __future__ import annotations

import functools
import gzip
import zlib
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import BinaryIO, cast
from urllib.parse import unquote

# The documented order of standard logging (legacy), for files without a #Fields line.
LEGACY_FIELDS = (
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
# What counting a view needs; a header without one of them makes the file unreadable.
REQUIRED = ("date", "time", "c-ip", "cs-method", "cs-uri-stem", "sc-status", "cs(User-Agent)")
MAX_LINE_BYTES = 64 * 1024
"""CloudFront truncates long URLs and headers; a longer line is not CloudFront's and is skipped."""


@dataclass(frozen=True, slots=True)
class Request:
    """One logged request, the fields view counting reads, decoded."""

    at: datetime
    client: str
    method: str
    path: str
    """``cs-uri-stem`` as CloudFront logged it (still percent-encoded)."""
    status: int
    user_agent: str
    """Decoded: ``Mozilla/5.0 (Windows NT 10.0; …)``; empty when the client sent none."""
    query: str = ""


@dataclass
class LogReport:
    """What reading one file found: how many lines, how many requests, what was skipped and why."""

    lines: int = 0
    requests: int = 0
    skipped: Counter[str] = field(default_factory=Counter)
    truncated: bool = False
    """The gzip stream ended early: the requests read before the break were counted."""
    no_header: bool = False

    @property
    def skipped_lines(self) -> int:
        """Lines that were neither a header nor a request."""
        return sum(self.skipped.values())


def read_log(stream: BinaryIO, report: LogReport, *, compressed: bool = True) -> Iterator[Request]:
    """The requests of one log file, streamed; ``report`` is filled in as the file is read."""
    source = cast(BinaryIO, gzip.GzipFile(fileobj=stream, mode="rb")) if compressed else stream
    fields: tuple[str, ...] | None = None
    positions: dict[str, int] = {}
    try:
        while raw := source.readline(MAX_LINE_BYTES + 1):
            if len(raw) > MAX_LINE_BYTES and not raw.endswith(b"\n"):
                report.lines += 1
                report.skipped["line too long"] += 1
                _skip_rest(source)
                continue
            line = raw.rstrip(b"\r\n")
            if not line:
                continue
            if line.startswith(b"#"):
                found = _header_fields(line)
                if found is not None:
                    fields, positions = found, {name: i for i, name in enumerate(found)}
                continue
            report.lines += 1
            if fields is None:
                fields, positions = LEGACY_FIELDS, {name: i for i, name in enumerate(LEGACY_FIELDS)}
                report.no_header = True
            missing = [name for name in REQUIRED if name not in positions]
            if missing:
                report.skipped[f"the #Fields header lacks {', '.join(missing)}"] += 1
                continue
            request = _request(line, fields, positions, report)
            if request is not None:
                report.requests += 1
                yield request
    except (EOFError, gzip.BadGzipFile, zlib.error):
        report.truncated = True


def _skip_rest(source: BinaryIO) -> None:
    """Read past the rest of an overlong line without holding it."""
    while chunk := source.readline(MAX_LINE_BYTES):
        if chunk.endswith(b"\n"):
            return


def _header_fields(line: bytes) -> tuple[str, ...] | None:
    text = line.decode("utf-8", "replace")
    if not text.lower().startswith("#fields:"):
        return None  # #Version and any other comment
    return tuple(text.split(":", 1)[1].split())


def _request(
    line: bytes, fields: tuple[str, ...], positions: dict[str, int], report: LogReport
) -> Request | None:
    values = line.decode("utf-8", "replace").split("\t")
    if len(values) > len(fields) and not any(v.strip() for v in values[len(fields) :]):
        values = values[: len(fields)]  # a stray tab at the end of the line (AWS's own sample has one)
    if len(values) < max(positions[name] for name in REQUIRED) + 1:
        report.skipped["too few fields"] += 1
        return None
    if len(values) > len(fields):
        report.skipped["more fields than the header names"] += 1
        return None
    query = positions.get("cs-uri-query")
    try:
        at = _moment(values[positions["date"]], values[positions["time"]])
        status = int(values[positions["sc-status"]])
    except ValueError:
        report.skipped["no valid date, time or status"] += 1
        return None
    return Request(
        at=at,
        client=_text(values[positions["c-ip"]]),
        method=_text(values[positions["cs-method"]]),
        path=_text(values[positions["cs-uri-stem"]]),
        status=status,
        user_agent=_agent(values[positions["cs(User-Agent)"]]),
        query=_text(values[query]) if query is not None and query < len(values) else "",
    )


def _text(value: str) -> str:
    return "" if value == "-" else value


@functools.lru_cache(maxsize=8192)
def _agent(value: str) -> str:
    """A user agent decoded (agents repeat: each distinct one is decoded once)."""
    return unquote(_text(value))


@functools.lru_cache(maxsize=4096)
def _moment(day: str, clock: str) -> datetime:
    """``2019-12-04`` and ``21:02:31`` as a UTC time (a file's lines share their seconds)."""
    if len(day) != 10 or len(clock) != 8:
        raise ValueError(f"not a date and time: {day!r} {clock!r}")
    return datetime.fromisoformat(f"{day}T{clock}").replace(tzinfo=UTC)
