"""A local CloudFront: serves SiteBucket, caches, honours invalidations, writes access logs.

Readers only ever hit the CDN, and the publish function's correctness depends
on invalidating exactly what changed. So the local CDN really caches (a page
stays stale until it is invalidated or its TTL runs out, as on CloudFront),
applies the same viewer-request rewrite (a Python port of the CloudFront
Function), maps a missing key to the 404 page like the distribution's
CustomErrorResponses, and writes standard access logs (gzip TSV, 33 fields)
into the logs bucket so that view counting can be exercised end to end.

Local simplifications: one edge location, plain HTTP, no Range support, no
compression and no managed security-headers policy; query strings are not part
of the cache key (like the CachingOptimized policy); GET/HEAD only; and
``/api/*`` answers 404 until the API exists. Log files are written every few
seconds instead of CloudFront's minutes-to-hours delay.
"""

from __future__ import annotations

import base64
import gzip
import json
import logging
import re
import secrets
import threading
import time
import uuid
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import quote, unquote, urlsplit

from botocore.exceptions import ClientError

from local.provision import DistributionInfo, ErrorResponse

log = logging.getLogger("local.cdn")

Rewrite = Callable[[str, str], tuple[str, str | None]]
# (method, path, query, request headers) -> (status, headers, body)
FunctionCall = Callable[[str, str, str, Any], tuple[int, dict[str, str], bytes]]

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

# CachingOptimized: min 1 s, default 1 day, max 1 year.
MIN_TTL, DEFAULT_TTL, MAX_TTL = 1, 86_400, 31_536_000
DEFAULT_ERROR_RESPONSE = ErrorResponse(
    error_code=404, response_code=404, page_path="/404.html", caching_min_ttl=10
)
_FORWARDED_HEADERS = (
    "Content-Type",
    "Cache-Control",
    "ETag",
    "Last-Modified",
    "Content-Encoding",
    "Content-Language",
    "Content-Disposition",
    "Expires",
)
_MAX_AGE = re.compile(r"(?:^|,)\s*(s-maxage|max-age)\s*=\s*(\d+)", re.IGNORECASE)


def default_rewrite() -> Rewrite:
    """The Python port of the template's viewer-request CloudFront Function."""
    from local.viewer_request import rewrite  # noqa: PLC0415 - written by another module owner

    return rewrite


def ttl_for(cache_control: str | None) -> int:
    """Seconds to cache a response under CachingOptimized (``s-maxage`` wins over ``max-age``)."""
    found = {name.lower(): int(value) for name, value in _MAX_AGE.findall(cache_control or "")}
    ttl = found.get("s-maxage", found.get("max-age", DEFAULT_TTL))
    return max(MIN_TTL, min(ttl, MAX_TTL))


def path_matches(pattern: str, path: str) -> bool:
    """CloudFront invalidation matching: exact path, or a prefix when it ends with ``*``."""
    pattern, path = unquote(pattern), unquote(path)
    if not pattern.startswith("/"):
        pattern = "/" + pattern
    if pattern.endswith("*"):
        return path.startswith(pattern[:-1])
    return path == pattern


@dataclass
class CachedResponse:
    """One cache entry, keyed by the URI sent to the origin (after the rewrite)."""

    status: int
    headers: dict[str, str]
    body: bytes
    stored_at: float
    expires_at: float
    viewer_uris: set[str] = field(default_factory=set)


@dataclass
class Response:
    """What a request produced, for the wire and for the access log."""

    status: int
    headers: dict[str, str]
    body: bytes
    result_type: str


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


def _log_value(value: str) -> str:
    """A log field: ``-`` when empty; whitespace percent-encoded so the TSV stays parseable."""
    if value in {"", None}:
        return "-"
    return str(value).replace(" ", "%20").replace("\t", "%09").replace("\n", "%0A")


class _EdgeServer(ThreadingHTTPServer):
    """A thread per connection, and a listen backlog for a crowd.

    socketserver listens with a backlog of 5: with 200 readers connecting at
    once, the kernel dropped the rest of the SYNs and half of them timed out.
    """

    request_queue_size = 1024
    daemon_threads = True


class LocalCdn:
    """The distribution, locally: an HTTP server in front of the site bucket."""

    def __init__(
        self,
        s3: Any,
        cloudfront: Any,
        distribution: DistributionInfo,
        *,
        host: str = "127.0.0.1",
        port: int = 3000,
        rewrite: Rewrite | None = None,
        invalidation_interval: float = 0.5,
        log_flush_interval: float = 5.0,
        function_routes: Sequence[tuple[str, FunctionCall]] = (),
    ) -> None:
        self.s3 = s3
        # Cache behaviors whose origin is a function URL (search), called in process, not cached here.
        self.function_routes = list(function_routes)
        self.cloudfront = cloudfront
        self.distribution = distribution
        self.rewrite = rewrite or default_rewrite()
        self.invalidation_interval = invalidation_interval
        self.log_flush_interval = log_flush_interval
        self.access_log = AccessLog(s3, distribution.log_bucket, distribution.log_prefix, distribution.id)
        self.cache: dict[str, CachedResponse] = {}
        self._cache_lock = threading.Lock()
        self._generation = 0
        self._seen_invalidations: set[str] = set()
        self._invalidation_lock = threading.Lock()
        self._errors = {e.error_code: e for e in distribution.error_responses}
        self._stop = threading.Event()
        self._threads: list[threading.Thread] = []
        self.server = _EdgeServer((host, port), _handler_class(self))

    @property
    def port(self) -> int:
        """The bound port (useful when constructed with port 0)."""
        return int(self.server.server_address[1])

    @property
    def url(self) -> str:
        """Base URL readers use, e.g. ``http://127.0.0.1:3000``."""
        host = self.server.server_address[0]
        return f"http://{host if isinstance(host, str) else host.decode()}:{self.port}"

    # ----------------------------------------------------------- lifecycle

    def start(self) -> None:
        """Serve in background threads; existing invalidations are taken as already applied."""
        self._seen_invalidations.update(self._invalidation_ids())
        self._stop.clear()
        for name, target in (
            ("serve", lambda: self.server.serve_forever(poll_interval=0.1)),
            ("invalidations", self._poll_invalidations),
            ("access-log", self._flush_logs_periodically),
        ):
            thread = threading.Thread(target=target, name=f"cdn-{name}", daemon=True)
            thread.start()
            self._threads.append(thread)
        log.info("local CDN on %s for distribution %s", self.url, self.distribution.id)

    def stop(self) -> None:
        """Stop serving and write the remaining access log lines."""
        self._stop.set()
        self.server.shutdown()
        self.server.server_close()
        for thread in self._threads:
            thread.join(5)
        self._threads.clear()
        self.access_log.flush()

    def _poll_invalidations(self) -> None:
        while not self._stop.wait(self.invalidation_interval):
            try:
                self.sync_invalidations()
            except ClientError:
                log.exception("cannot read invalidations")

    def _flush_logs_periodically(self) -> None:
        while not self._stop.wait(self.log_flush_interval):
            self.access_log.flush()

    # -------------------------------------------------------- invalidation

    def _invalidation_ids(self) -> list[str]:
        """Invalidations not seen yet. CloudFront lists the most recent first: stop at a seen one."""
        ids: list[str] = []
        marker = ""
        while True:
            kwargs = {"DistributionId": self.distribution.id, "MaxItems": "100"}
            if marker:
                kwargs["Marker"] = marker
            listing = self.cloudfront.list_invalidations(**kwargs)["InvalidationList"]
            for item in listing.get("Items") or []:
                if item["Id"] in self._seen_invalidations:
                    return ids
                ids.append(item["Id"])
            if not listing.get("IsTruncated"):
                return ids
            marker = listing.get("NextMarker", "")

    def sync_invalidations(self) -> int:
        """Apply invalidations created since the last look; returns how many entries were purged."""
        with self._invalidation_lock:
            purged = 0
            for invalidation_id in reversed(self._invalidation_ids()):  # oldest first
                batch = self.cloudfront.get_invalidation(
                    DistributionId=self.distribution.id, Id=invalidation_id
                )
                paths = batch["Invalidation"]["InvalidationBatch"]["Paths"].get("Items") or []
                purged += self.purge(paths)
                self._seen_invalidations.add(invalidation_id)
                log.info(
                    "invalidation %s: %d path(s), %d cached object(s) purged",
                    invalidation_id,
                    len(paths),
                    purged,
                )
            return purged

    def purge(self, paths: Iterable[str]) -> int:
        """Drop cached entries matching any path, by origin URI or by any viewer URI that hit them."""
        patterns = list(paths)
        with self._cache_lock:
            self._generation += 1
            doomed = [
                uri
                for uri, entry in self.cache.items()
                if any(
                    path_matches(p, uri) or any(path_matches(p, v) for v in entry.viewer_uris)
                    for p in patterns
                )
            ]
            for uri in doomed:
                del self.cache[uri]
        return len(doomed)

    # ------------------------------------------------------------ requests

    def respond(self, method: str, raw_path: str, request_headers: Any) -> Response:
        """The whole edge logic for one GET/HEAD, independent of the HTTP plumbing."""
        try:
            self.sync_invalidations()
        except ClientError:
            log.exception("cannot read invalidations")
        parts = urlsplit(raw_path)
        uri, query = parts.path or "/", parts.query
        for pattern, function in self.function_routes:
            if path_matches(pattern, uri):
                status, headers, body = function(method, uri, query, request_headers)
                return Response(status, {**headers, "X-Cache": "Miss from localcdn"}, body, "Miss")
        if uri == "/api" or uri.startswith("/api/"):
            body = json.dumps({"message": "Not Found"}).encode()
            return Response(404, {"Content-Type": "application/json"}, body, "Error")
        new_uri, location = self.rewrite(uri, query)
        if location is not None:
            headers = {"Location": location, "Content-Type": "text/plain; charset=utf-8"}
            return Response(301, headers, b"", "FunctionGeneratedResponse")
        if new_uri == "/" and self.distribution.default_root_object:
            new_uri = "/" + self.distribution.default_root_object
        response = self._cached_or_fetched(new_uri, uri)
        etag = response.headers.get("ETag")
        if response.status == 200 and etag and request_headers.get("If-None-Match") == etag:
            kept = {
                k: v for k, v in response.headers.items() if k in {"ETag", "Cache-Control", "Last-Modified"}
            }
            return Response(304, {**kept, "X-Cache": response.headers["X-Cache"]}, b"", response.result_type)
        return response

    def _cached_or_fetched(self, origin_uri: str, viewer_uri: str) -> Response:
        now = time.time()
        with self._cache_lock:
            entry = self.cache.get(origin_uri)
            if entry is not None and entry.expires_at > now:
                entry.viewer_uris.add(viewer_uri)
                headers = {
                    **entry.headers,
                    "Age": str(int(now - entry.stored_at)),
                    "X-Cache": "Hit from localcdn",
                }
                result = "Hit" if entry.status < 400 else "Error"
                return Response(entry.status, headers, entry.body, result)
            generation = self._generation
        status, headers, body, ttl = self._fetch(origin_uri)
        with self._cache_lock:
            if ttl > 0 and generation == self._generation:
                self.cache[origin_uri] = CachedResponse(status, headers, body, now, now + ttl, {viewer_uri})
        return Response(
            status, {**headers, "X-Cache": "Miss from localcdn"}, body, "Miss" if status < 400 else "Error"
        )

    def _get_object(self, uri: str) -> dict[str, Any] | None:
        key = unquote(uri).lstrip("/")
        if not key:
            return None
        try:
            return dict(self.s3.get_object(Bucket=self.distribution.origin_bucket, Key=key))
        except ClientError as error:
            if error.response.get("Error", {}).get("Code") in {"NoSuchKey", "404", "AccessDenied", "403"}:
                return None
            raise

    def _fetch(self, uri: str) -> tuple[int, dict[str, str], bytes, int]:
        """Origin fetch: the object, or the mapped error page; returns status, headers, body, TTL."""
        found = self._get_object(uri)
        if found is not None:
            body = found["Body"].read()
            headers = {}
            for name in _FORWARDED_HEADERS:
                value = found.get(name.replace("-", ""))
                if value is None:
                    continue
                if isinstance(value, datetime):
                    value = value.strftime("%a, %d %b %Y %H:%M:%S GMT")
                headers[name] = str(value)
            headers.setdefault("Content-Type", "binary/octet-stream")
            return 200, headers, body, ttl_for(headers.get("Cache-Control"))
        mapping = self._errors.get(404) or self._errors.get(403) or DEFAULT_ERROR_RESPONSE
        page = self._get_object(mapping.page_path) if mapping.page_path else None
        status = mapping.response_code or mapping.error_code
        if page is not None:
            headers = {"Content-Type": str(page.get("ContentType") or "text/html; charset=utf-8")}
            return status, headers, page["Body"].read(), mapping.caching_min_ttl
        body = b"<!doctype html><title>404 Not Found</title><h1>404 Not Found</h1>\n"
        return status, {"Content-Type": "text/html; charset=utf-8"}, body, mapping.caching_min_ttl

    # ------------------------------------------------------------- logging

    def log_request(
        self,
        handler: BaseHTTPRequestHandler,
        response: Response,
        *,
        started: float,
        sent_bytes: int,
        first_byte: float,
    ) -> None:
        """Record one request as a CloudFront standard log line."""
        now = datetime.now(UTC)
        parts = urlsplit(handler.path)
        headers = handler.headers
        request_bytes = len(handler.requestline) + 2 + len(str(headers)) + 2
        request_id = base64.urlsafe_b64encode(secrets.token_bytes(40)).decode()[:54] + "=="
        self.access_log.add(
            now,
            [
                now.strftime("%Y-%m-%d"),
                now.strftime("%H:%M:%S"),
                EDGE_LOCATION,
                str(sent_bytes),
                handler.client_address[0],
                handler.command,
                self.distribution.domain_name,
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


def _handler_class(cdn: LocalCdn) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def version_string(self) -> str:
            return "CloudFront"

        def _serve(self, include_body: bool) -> None:
            started = time.monotonic()
            try:
                response = cdn.respond(self.command, self.path, self.headers)
            except Exception:  # an origin failure is a 502 at the edge, not a dead server thread
                log.exception("request %s failed", self.path)
                response = Response(502, {"Content-Type": "text/plain"}, b"Bad Gateway\n", "Error")
            first_byte = time.monotonic()
            headers = {
                **response.headers,
                **dict(cdn.distribution.response_headers),
                "Content-Length": str(len(response.body)),
                "Via": "1.1 localcdn (CloudFront)",
                "X-Amz-Cf-Pop": EDGE_LOCATION,
                "X-Amz-Cf-Id": uuid.uuid4().hex,
            }
            self.send_response(response.status)
            for name, value in headers.items():
                self.send_header(name, value)
            self.end_headers()
            # status line, Server and Date lines, our headers, blank line
            sent = len(self.requestline) + 80 + sum(len(k) + len(v) + 4 for k, v in headers.items()) + 2
            body = response.body if include_body and response.status != 304 else b""
            # Logged before the body goes out, so a client that has read the response
            # can rely on its log line being buffered.
            cdn.log_request(
                self, response, started=started, sent_bytes=sent + len(body), first_byte=first_byte
            )
            if body:
                self.wfile.write(body)

        def do_GET(self) -> None:
            self._serve(include_body=True)

        def do_HEAD(self) -> None:
            self._serve(include_body=False)

        def _forbidden(self) -> None:
            body = b"This distribution is not configured to allow the HTTP request method.\n"
            self.send_response(403)
            self.send_header("Content-Type", "text/plain")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        do_POST = do_PUT = do_DELETE = do_PATCH = do_OPTIONS = _forbidden

        def log_message(self, format: str, *args: Any) -> None:
            log.debug("%s %s", self.address_string(), format % args)

    return Handler
