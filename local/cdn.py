"""A local CloudFront: serves SiteBucket, caches, honours invalidations, writes access logs.

Readers only ever hit the CDN, and the publish function's correctness depends
on invalidating exactly what changed. So the local CDN really caches (a page
stays stale until it is invalidated or its TTL runs out, as on CloudFront),
applies the same viewer-request rewrite (a Python port of the CloudFront
Function), maps a missing key to the 404 page like the distribution's
CustomErrorResponses, and writes standard access logs (gzip TSV, 33 fields)
into the logs bucket so that view counting can be exercised end to end.

Text is compressed as the behaviours' ``Compress: true`` makes CloudFront do
it (``local/edge_compression.py``): Brotli or gzip as the reader's
``Accept-Encoding`` allows, CloudFront's compressible types and sizes only,
weak ETags, ``Vary: Accept-Encoding``. The template's ``CacheBehaviors`` on the
site bucket apply by PathPattern (``/preview/*``: Managed-CachingDisabled, never
cached here either, and its own response headers policy: no referrer,
``X-Robots-Tag``, ``private, no-store``).

Local simplifications: one edge location, plain HTTP, no Range support and no
managed security-headers policy; query strings are not part
of the cache key (like the CachingOptimized policy); GET/HEAD only; and
``/api/*`` answers 404 until the API exists. Log files are written every few
seconds instead of CloudFront's minutes-to-hours delay.

This module is the HTTP edge and its request logic; the cache and the
invalidations are ``local/edge_cache.py``, the access log ``local/access_log.py``
(their names are importable from here too).
"""

from __future__ import annotations

import json
import logging
import threading
import time
import uuid
from collections.abc import Callable, Iterable, Sequence
from datetime import datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import unquote, urlsplit

from botocore.exceptions import ClientError

from local.access_log import EDGE_LOCATION, LOG_FIELDS, AccessLog
from local.edge_cache import (
    DEFAULT_TTL,
    MAX_TTL,
    MIN_TTL,
    CachedResponse,
    EdgeCache,
    Invalidations,
    Response,
    path_matches,
    ttl_for,
)
from local.edge_compression import compressed, not_modified
from local.provision_cloudfront import Behavior, DistributionInfo, ErrorResponse

__all__ = [
    "DEFAULT_ERROR_RESPONSE",
    "DEFAULT_TTL",
    "EDGE_LOCATION",
    "LOG_FIELDS",
    "MAX_TTL",
    "MIN_TTL",
    "AccessLog",
    "CachedResponse",
    "FunctionCall",
    "LocalCdn",
    "Response",
    "Rewrite",
    "default_rewrite",
    "path_matches",
    "ttl_for",
]

log = logging.getLogger("local.cdn")

Rewrite = Callable[[str, str], tuple[str, str | None]]
# (method, path, query, request headers) -> (status, headers, body)
FunctionCall = Callable[[str, str, str, Any], tuple[int, dict[str, str], bytes]]

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


def default_rewrite() -> Rewrite:
    """The Python port of the template's viewer-request CloudFront Function."""
    from local.viewer_request import rewrite  # noqa: PLC0415 - written by another module owner

    return rewrite


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
        self.cache = EdgeCache(distribution.cache_tag_header)
        self.invalidations = Invalidations(cloudfront, distribution.id, self.cache)
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
        self.invalidations.skip_existing()
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

    def sync_invalidations(self) -> int:
        """Apply invalidations created since the last look; returns how many entries were purged."""
        return self.invalidations.sync()

    def purge(self, paths: Iterable[str]) -> int:
        """Drop cached entries matching any path, by origin URI or by any viewer URI that hit them."""
        return self.cache.purge(paths)

    # ------------------------------------------------------------ requests

    def respond(
        self, method: str, raw_path: str, request_headers: Any, http_version: str = "HTTP/1.1"
    ) -> Response:
        """The whole edge logic for one GET/HEAD, independent of the HTTP plumbing."""
        response = compressed(
            self._respond(method, raw_path, request_headers),
            request_headers.get("Accept-Encoding"),
            ranged="Range" in request_headers,
            http_version=http_version,
        )
        return not_modified(response, request_headers.get("If-None-Match")) or response

    def _respond(self, method: str, raw_path: str, request_headers: Any) -> Response:
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
        behavior = self.behavior_for(uri)
        if behavior is not None and not behavior.cached:  # Managed-CachingDisabled: the origin, every time
            status, headers, body, _ = self._fetch(new_uri)
            result = "Miss" if status < 400 else "Error"
            return Response(status, {**headers, "X-Cache": "Miss from localcdn"}, body, result)
        return self.cache.get_or_fetch(new_uri, uri, self._fetch)

    def behavior_for(self, uri: str) -> Behavior | None:
        """The first site-bucket ``CacheBehaviors`` entry whose PathPattern matches, if any."""
        return next((b for b in self.distribution.behaviors if path_matches(b.path_pattern, uri)), None)

    def response_headers(self, raw_path: str) -> dict[str, str]:
        """What the matching behavior's response headers policy adds (the default behavior's otherwise)."""
        behavior = self.behavior_for(urlsplit(raw_path).path or "/")
        return dict(self.distribution.response_headers if behavior is None else behavior.response_headers)

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
            tag_header = (self.distribution.cache_tag_header or "").lower()
            for name, value in (found.get("Metadata") or {}).items():  # S3 answers x-amz-meta-<name>
                if f"x-amz-meta-{name}".lower() == tag_header:
                    headers[f"x-amz-meta-{name}"] = str(value)
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
        self.access_log.record(
            handler,
            response,
            domain_name=self.distribution.domain_name,
            started=started,
            sent_bytes=sent_bytes,
            first_byte=first_byte,
        )


def _handler_class(cdn: LocalCdn) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def version_string(self) -> str:
            return "CloudFront"

        def _serve(self, include_body: bool) -> None:
            started = time.monotonic()
            try:
                response = cdn.respond(self.command, self.path, self.headers, self.request_version)
            except Exception:  # an origin failure is a 502 at the edge, not a dead server thread
                log.exception("request %s failed", self.path)
                response = Response(502, {"Content-Type": "text/plain"}, b"Bad Gateway\n", "Error")
            first_byte = time.monotonic()
            headers = {
                **response.headers,
                **cdn.response_headers(self.path),
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
