"""A local CloudFront KeyValueStore data plane: the API botocore's ``cloudfront-keyvaluestore`` speaks.

moto (5.2.5) holds key value stores in its CloudFront control plane
(``create_key_value_store``, ``describe_key_value_store``) but has no data
plane, so nothing could write or read keys locally. This module is that data
plane, in memory and thread-safe: ``DescribeKeyValueStore``, ``GetKey``,
``ListKeys``, ``PutKey``, ``DeleteKey`` and ``UpdateKeys`` over REST-JSON,
with the store's ETag changing on every write and every write refused with
``ConflictException`` (409) unless its ``If-Match`` names the current ETag.
The local CDN reads the same :class:`KvsState` in-process, as the CloudFront
Function reads the store at the edge.

How a client reaches it. botocore's endpoint rules for this service put the
store's account id in front of the host, **even for an overridden endpoint**
(``http://127.0.0.1:9000`` becomes ``http://123456789012.127.0.0.1:9000``,
which does not resolve), and sign with SigV4A only. So the endpoint to give a
client (``AWS_ENDPOINT_URL_CLOUDFRONT_KEYVALUESTORE``, or ``endpoint_url=``)
is :attr:`KvsServer.endpoint_url`, ``http://kvs@127.0.0.1:<port>``: the
account id lands in the URL's user-info part (``123456789012.kvs@``), which
HTTP clients do not send, and the host stays 127.0.0.1. Signing needs
``awscrt`` installed, as on AWS.

Limits enforced as AWS documents them: key at most 512 bytes, value at most
1 KB, store at most 5 MB, at most 50 keys per ``UpdateKeys``, ``ListKeys``
pages of 10 by default and 50 at most. Where AWS does not document the
behaviour the emulator is strict on purpose: ``UpdateKeys`` deleting a key
that is not in the store fails like ``DeleteKey`` does
(``ResourceNotFoundException``), so code that works here works either way.
Signatures are not verified, but a request that is not SigV4A-signed is
refused (``InvalidSignatureException``), as the real endpoint refuses SigV4.
"""

from __future__ import annotations

import base64
import json
import logging
import secrets
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, Final
from urllib.parse import parse_qs, unquote, urlsplit

log = logging.getLogger("local.kvs")

MAX_KEY_BYTES: Final = 512
MAX_VALUE_BYTES: Final = 1024
MAX_STORE_BYTES: Final = 5 * 1024 * 1024
MAX_KEYS_PER_UPDATE: Final = 50
LIST_DEFAULT: Final = 10
LIST_MAX: Final = 50
SIGV4A: Final = "AWS4-ECDSA-P256-SHA256"


class KvsError(Exception):
    """An API error: its code (``__type``), message and HTTP status."""

    def __init__(self, code: str, message: str, status: int) -> None:
        super().__init__(message)
        self.code = code
        self.message = message
        self.status = status


def _not_found(message: str) -> KvsError:
    return KvsError("ResourceNotFoundException", message, 404)


def _invalid(message: str) -> KvsError:
    return KvsError("ValidationException", message, 400)


def _new_etag() -> str:
    return "KV" + secrets.token_hex(12).upper()


@dataclass
class _Store:
    arn: str
    etag: str = field(default_factory=_new_etag)
    items: dict[str, str] = field(default_factory=dict)
    created: float = field(default_factory=time.time)
    last_modified: float = field(default_factory=time.time)

    @property
    def size(self) -> int:
        return sum(len(k.encode()) + len(v.encode()) for k, v in self.items.items())

    def summary(self) -> dict[str, Any]:
        return {"ItemCount": len(self.items), "TotalSizeInBytes": self.size}


class KvsState:
    """Every store's keys and ETag, behind one lock; the API's semantics live here."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._stores: dict[str, _Store] = {}

    # ------------------------------------------------------------ management

    def create_store(self, arn: str) -> None:
        """Make ``arn`` known (empty); an existing store keeps its keys."""
        with self._lock:
            self._stores.setdefault(arn, _Store(arn))

    def lookup(self, arn: str, key: str) -> str | None:
        """The value of ``key``, or None: what the CloudFront Function's ``kvs.get`` resolves to."""
        with self._lock:
            store = self._stores.get(arn)
            return None if store is None else store.items.get(key)

    def items(self, arn: str) -> dict[str, str]:
        """A copy of a store's keys and values."""
        with self._lock:
            return dict(self._store(arn).items)

    # ------------------------------------------------------------------- API

    def _store(self, arn: str) -> _Store:
        store = self._stores.get(arn)
        if store is None:
            raise _not_found(f"Key value store {arn} was not found.")
        return store

    def _check_etag(self, store: _Store, if_match: str | None) -> None:
        if not if_match:
            raise _invalid("If-Match is required.")
        if if_match != store.etag:
            raise KvsError(
                "ConflictException",
                f"The If-Match ETag {if_match} is not the key value store's current ETag.",
                409,
            )

    @staticmethod
    def _check_key(key: Any, where: str = "Key") -> str:
        if not isinstance(key, str) or not key:
            raise _invalid(f"{where} must be a non-empty string.")
        if len(key.encode()) > MAX_KEY_BYTES:
            raise _invalid(f"{where} is longer than {MAX_KEY_BYTES} bytes.")
        return key

    @staticmethod
    def _check_value(value: Any, where: str = "Value") -> str:
        if not isinstance(value, str):
            raise _invalid(f"{where} must be a string.")
        if len(value.encode()) > MAX_VALUE_BYTES:
            raise _invalid(f"{where} is longer than {MAX_VALUE_BYTES} bytes.")
        return value

    def _commit(self, store: _Store, items: dict[str, str]) -> dict[str, Any]:
        size = sum(len(k.encode()) + len(v.encode()) for k, v in items.items())
        if size > MAX_STORE_BYTES:
            message = f"The key value store would exceed {MAX_STORE_BYTES} bytes."
            raise KvsError("ServiceQuotaExceededException", message, 402)
        store.items = items
        store.etag = _new_etag()
        store.last_modified = time.time()
        return store.summary()

    def describe(self, arn: str) -> tuple[dict[str, Any], str]:
        """DescribeKeyValueStore: (body, ETag)."""
        with self._lock:
            store = self._store(arn)
            body = {
                **store.summary(),
                "KvsARN": arn,
                "Created": store.created,
                "LastModified": store.last_modified,
                "Status": "READY",
            }
            return body, store.etag

    def get(self, arn: str, key: str) -> dict[str, Any]:
        """GetKey."""
        with self._lock:
            store = self._store(arn)
            if key not in store.items:
                raise _not_found(f"Key {key} was not found.")
            return {"Key": key, "Value": store.items[key], **store.summary()}

    def list(self, arn: str, next_token: str | None, max_results: int | None) -> dict[str, Any]:
        """ListKeys: keys in order, pages of ``MaxResults`` (10 by default, 50 at most)."""
        limit = LIST_DEFAULT if max_results is None else max_results
        if not 1 <= limit <= LIST_MAX:
            raise _invalid(f"MaxResults must be between 1 and {LIST_MAX}.")
        after = ""
        if next_token:
            try:
                after = base64.urlsafe_b64decode(next_token.encode()).decode()
            except (ValueError, UnicodeDecodeError):
                raise _invalid("NextToken is not valid.") from None
        with self._lock:
            store = self._store(arn)
            keys = sorted(k for k in store.items if k > after)
            page = keys[:limit]
            body: dict[str, Any] = {"Items": [{"Key": k, "Value": store.items[k]} for k in page]}
            if len(keys) > limit:
                body["NextToken"] = base64.urlsafe_b64encode(page[-1].encode()).decode()
            return body

    def put(self, arn: str, key: str, value: Any, if_match: str | None) -> tuple[dict[str, Any], str]:
        """PutKey: (body, new ETag)."""
        key, value = self._check_key(key), self._check_value(value)
        with self._lock:
            store = self._store(arn)
            self._check_etag(store, if_match)
            body = self._commit(store, {**store.items, key: value})
            return body, store.etag

    def delete(self, arn: str, key: str, if_match: str | None) -> tuple[dict[str, Any], str]:
        """DeleteKey: (body, new ETag); a missing key is ResourceNotFoundException."""
        with self._lock:
            store = self._store(arn)
            self._check_etag(store, if_match)
            if key not in store.items:
                raise _not_found(f"Key {key} was not found.")
            body = self._commit(store, {k: v for k, v in store.items.items() if k != key})
            return body, store.etag

    def update(self, arn: str, request: Any, if_match: str | None) -> tuple[dict[str, Any], str]:
        """UpdateKeys: all or nothing, validated before anything changes; (body, new ETag)."""
        if not isinstance(request, dict):
            raise _invalid("The request body must be a JSON object.")
        puts, deletes = request.get("Puts") or [], request.get("Deletes") or []
        if not isinstance(puts, list) or not isinstance(deletes, list):
            raise _invalid("Puts and Deletes must be lists.")
        if len(puts) + len(deletes) > MAX_KEYS_PER_UPDATE:
            raise _invalid(f"UpdateKeys takes at most {MAX_KEYS_PER_UPDATE} keys.")
        new: dict[str, str] = {}
        for index, item in enumerate(puts):
            entry = item if isinstance(item, dict) else {}
            key = self._check_key(entry.get("Key"), f"Puts[{index}].Key")
            if key in new:
                raise _invalid(f"Key {key} is put twice.")
            new[key] = self._check_value(entry.get("Value"), f"Puts[{index}].Value")
        gone: list[str] = []
        for index, item in enumerate(deletes):
            entry = item if isinstance(item, dict) else {}
            key = self._check_key(entry.get("Key"), f"Deletes[{index}].Key")
            if key in new or key in gone:
                raise _invalid(f"Key {key} appears more than once.")
            gone.append(key)
        with self._lock:
            store = self._store(arn)
            self._check_etag(store, if_match)
            missing = [key for key in gone if key not in store.items]
            if missing:
                raise _not_found(f"Key {missing[0]} was not found.")
            items = {k: v for k, v in store.items.items() if k not in gone}
            items.update(new)
            body = self._commit(store, items)
            return body, store.etag


def _split(path: str) -> list[str]:
    """Path segments, each percent-decoded after splitting (the ARN's ``/`` arrives as ``%2F``)."""
    return [unquote(part) for part in path.strip("/").split("/")] if path.strip("/") else []


def dispatch(  # noqa: PLR0912 - one branch per operation, as the API lists them
    state: KvsState, method: str, raw_path: str, headers: Any, body: bytes
) -> tuple[int, dict[str, str], bytes]:
    """One API request to (status, headers, body); errors become the REST-JSON error shape."""
    parts = urlsplit(raw_path)
    segments = _split(parts.path)
    query = parse_qs(parts.query)
    if_match = headers.get("If-Match")
    try:
        authorization = str(headers.get("Authorization") or "")
        if not authorization.startswith(SIGV4A):
            raise KvsError(
                "InvalidSignatureException", "Requests to this API must be signed with SigV4A.", 403
            )
        if len(segments) < 2 or segments[0] != "key-value-stores":
            raise KvsError("UnknownOperationException", f"No operation for {method} {parts.path}", 404)
        arn = segments[1]
        rest = segments[2:]
        etag: str | None = None
        if not rest and method == "GET":
            result, etag = state.describe(arn)
        elif rest == ["keys"] and method == "GET":
            max_results = query.get("MaxResults", [None])[0]
            try:
                limit = int(max_results) if max_results is not None else None
            except ValueError:
                raise _invalid("MaxResults must be an integer.") from None
            result = state.list(arn, query.get("NextToken", [None])[0], limit)
        elif rest == ["keys"] and method == "POST":
            try:
                request = json.loads(body or b"{}")
            except ValueError:
                raise _invalid("The request body is not JSON.") from None
            result, etag = state.update(arn, request, if_match)
        elif len(rest) == 2 and rest[0] == "keys" and method == "GET":
            result = state.get(arn, rest[1])
        elif len(rest) == 2 and rest[0] == "keys" and method == "PUT":
            try:
                request = json.loads(body or b"{}")
            except ValueError:
                raise _invalid("The request body is not JSON.") from None
            value = request.get("Value") if isinstance(request, dict) else None
            result, etag = state.put(arn, rest[1], value, if_match)
        elif len(rest) == 2 and rest[0] == "keys" and method == "DELETE":
            result, etag = state.delete(arn, rest[1], if_match)
        else:
            raise KvsError("UnknownOperationException", f"No operation for {method} {parts.path}", 404)
    except KvsError as error:
        payload = json.dumps({"__type": error.code, "Message": error.message}).encode()
        return (
            error.status,
            {"Content-Type": "application/json", "x-amzn-ErrorType": error.code},
            payload,
        )
    response_headers = {"Content-Type": "application/json"}
    if etag is not None:
        response_headers["ETag"] = etag
    return 200, response_headers, json.dumps(result).encode()


class KvsServer:
    """The data-plane API on a local port, over a :class:`KvsState` (a new one unless given)."""

    def __init__(self, host: str = "127.0.0.1", port: int = 0, state: KvsState | None = None) -> None:
        self.state = state or KvsState()
        self.server = ThreadingHTTPServer((host, port), _handler_class(self.state))
        self.server.daemon_threads = True
        self._thread: threading.Thread | None = None

    @property
    def port(self) -> int:
        """The bound port."""
        return int(self.server.server_address[1])

    @property
    def host(self) -> str:
        """The bound address."""
        host = self.server.server_address[0]
        return host if isinstance(host, str) else host.decode()

    @property
    def url(self) -> str:
        """Where the server listens, e.g. ``http://127.0.0.1:40123``."""
        return f"http://{self.host}:{self.port}"

    @property
    def endpoint_url(self) -> str:
        """The endpoint to configure in a client (see the module docstring for the ``kvs@``)."""
        return f"http://kvs@{self.host}:{self.port}"

    def start(self) -> KvsServer:
        """Serve in a background thread."""
        self._thread = threading.Thread(
            target=lambda: self.server.serve_forever(poll_interval=0.1), name="kvs", daemon=True
        )
        self._thread.start()
        log.info("CloudFront KeyValueStore data plane on %s", self.url)
        return self

    def stop(self) -> None:
        """Stop serving and release the port."""
        self.server.shutdown()
        self.server.server_close()
        if self._thread is not None:
            self._thread.join(5)
            self._thread = None


def _handler_class(state: KvsState) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def _serve(self) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            body = self.rfile.read(length) if length else b""
            status, headers, payload = dispatch(state, self.command, self.path, self.headers, body)
            self.send_response(status)
            for name, value in {**headers, "Content-Length": str(len(payload))}.items():
                self.send_header(name, value)
            self.end_headers()
            self.wfile.write(payload)

        do_GET = do_PUT = do_POST = do_DELETE = _serve

        def log_message(self, format: str, *args: Any) -> None:
            log.debug("%s %s", self.address_string(), format % args)

    return Handler
