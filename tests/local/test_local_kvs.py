"""The KeyValueStore data-plane emulator (local/kvs.py) and the redirects written against it.

Every call goes through botocore's real ``cloudfront-keyvaluestore`` client:
SigV4A-signed (awscrt), account-prefixed endpoint, REST-JSON. Redirects go the
way they go deployed: checked and encoded by the publish side
(``newsroom.adapters.redirect_queue``), as message bodies, read back and
summed by the redirects function's package (``newsroom_redirects``), written
by its store adapter.
"""

from __future__ import annotations

import threading
import urllib.error
import urllib.request
import uuid
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from botocore.exceptions import ClientError
from newsroom.adapters.redirect_queue import RedirectError, messages, wire_path
from newsroom.configuration.settings import Settings
from newsroom.usecases.ports import NoRedirects
from newsroom.wiring.assembly import Clients, build_redirects
from newsroom_redirects.changes import parse, summed
from newsroom_redirects.store import MAX_KEYS_PER_CALL, KeyValueStoreRedirects, RedirectStoreBusy

from local.aws import client
from local.kvs import KvsServer
from tests.support.environment import SETTINGS_ENVIRONMENT


@pytest.fixture(scope="module")
def server() -> Iterator[KvsServer]:
    kvs = KvsServer().start()
    yield kvs
    kvs.stop()


@pytest.fixture
def arn(server: KvsServer) -> str:
    store = f"arn:aws:cloudfront::123456789012:key-value-store/{uuid.uuid4()}"
    server.state.create_store(store)
    return store


@pytest.fixture
def kvs(server: KvsServer) -> Any:
    return client("cloudfront-keyvaluestore", server.endpoint_url)


def code(error: ClientError) -> str:
    return str(error.response["Error"]["Code"])


class Recording:
    """The client, counting UpdateKeys calls and letting a 'concurrent writer' act before some of them."""

    def __init__(self, inner: Any, interfere: Callable[[], None] | None = None, times: int = 0) -> None:
        self._inner = inner
        self._interfere = interfere
        self._times = times
        self.updates: list[dict[str, Any]] = []

    def __getattr__(self, name: str) -> Any:
        return getattr(self._inner, name)

    def update_keys(self, **kwargs: Any) -> Any:
        self.updates.append(kwargs)
        if self._interfere is not None and self._times > 0:
            self._times -= 1
            self._interfere()
        return self._inner.update_keys(**kwargs)


def put_elsewhere(kvs: Any, arn: str) -> Callable[[], None]:
    """Another writer: puts a fresh key, so the store's ETag moves on."""

    def write() -> None:
        etag = kvs.describe_key_value_store(KvsARN=arn)["ETag"]
        kvs.put_key(KvsARN=arn, Key=f"/other-{uuid.uuid4().hex[:6]}.html", Value="/x.html", IfMatch=etag)

    return write


# ------------------------------------------------------------------ emulator


def test_the_etag_moves_with_every_write_and_guards_it(kvs: Any, arn: str) -> None:
    first = kvs.describe_key_value_store(KvsARN=arn)
    assert (first["ItemCount"], first["TotalSizeInBytes"], first["KvsARN"]) == (0, 0, arn)
    put = kvs.put_key(KvsARN=arn, Key="/a.html", Value="/b.html", IfMatch=first["ETag"])
    assert put["ETag"] != first["ETag"]
    assert (put["ItemCount"], put["TotalSizeInBytes"]) == (1, len("/a.html/b.html"))
    with pytest.raises(ClientError) as stale:
        kvs.put_key(KvsARN=arn, Key="/c.html", Value="/d.html", IfMatch=first["ETag"])
    assert code(stale.value) == "ConflictException"
    assert stale.value.response["ResponseMetadata"]["HTTPStatusCode"] == 409
    got = kvs.get_key(KvsARN=arn, Key="/a.html")
    assert (got["Key"], got["Value"]) == ("/a.html", "/b.html")
    deleted = kvs.delete_key(KvsARN=arn, Key="/a.html", IfMatch=put["ETag"])
    assert deleted["ItemCount"] == 0
    with pytest.raises(ClientError) as missing:
        kvs.get_key(KvsARN=arn, Key="/a.html")
    assert code(missing.value) == "ResourceNotFoundException"
    with pytest.raises(ClientError) as absent:
        kvs.delete_key(KvsARN=arn, Key="/a.html", IfMatch=deleted["ETag"])
    assert code(absent.value) == "ResourceNotFoundException"


def test_update_keys_is_all_or_nothing_and_strict_about_absent_deletes(kvs: Any, arn: str) -> None:
    etag = kvs.describe_key_value_store(KvsARN=arn)["ETag"]
    etag = kvs.update_keys(KvsARN=arn, IfMatch=etag, Puts=[{"Key": "/a", "Value": "/b"}])["ETag"]
    with pytest.raises(ClientError) as absent:
        kvs.update_keys(
            KvsARN=arn, IfMatch=etag, Puts=[{"Key": "/c", "Value": "/d"}], Deletes=[{"Key": "/nope"}]
        )
    assert code(absent.value) == "ResourceNotFoundException"
    assert kvs.describe_key_value_store(KvsARN=arn)["ETag"] == etag  # nothing was written
    too_many = [{"Key": f"/{i}", "Value": "/x"} for i in range(MAX_KEYS_PER_CALL + 1)]
    with pytest.raises(ClientError) as limit:
        kvs.update_keys(KvsARN=arn, IfMatch=etag, Puts=too_many)
    assert code(limit.value) == "ValidationException"
    with pytest.raises(ClientError) as long_key:
        kvs.update_keys(KvsARN=arn, IfMatch=etag, Puts=[{"Key": "/" + "k" * 512, "Value": "/x"}])
    assert code(long_key.value) == "ValidationException"
    with pytest.raises(ClientError) as long_value:
        kvs.update_keys(KvsARN=arn, IfMatch=etag, Puts=[{"Key": "/k", "Value": "/" + "v" * 1024}])
    assert code(long_value.value) == "ValidationException"


def test_list_keys_pages_in_key_order(kvs: Any, arn: str) -> None:
    etag = kvs.describe_key_value_store(KvsARN=arn)["ETag"]
    puts = [{"Key": f"/k{i:02}", "Value": f"/v{i}"} for i in range(23)]
    kvs.update_keys(KvsARN=arn, IfMatch=etag, Puts=puts)
    first = kvs.list_keys(KvsARN=arn)
    assert [item["Key"] for item in first["Items"]] == [f"/k{i:02}" for i in range(10)]
    every = [
        item["Key"] for page in kvs.get_paginator("list_keys").paginate(KvsARN=arn) for item in page["Items"]
    ]
    assert every == [f"/k{i:02}" for i in range(23)]


def test_unknown_stores_and_unsigned_requests_are_refused(server: KvsServer, kvs: Any) -> None:
    with pytest.raises(ClientError) as unknown:
        kvs.describe_key_value_store(KvsARN="arn:aws:cloudfront::123456789012:key-value-store/missing")
    assert code(unknown.value) == "ResourceNotFoundException"
    with pytest.raises(urllib.error.HTTPError) as unsigned:
        urllib.request.urlopen(f"{server.url}/key-value-stores/anything", timeout=5)
    assert unsigned.value.code == 403
    assert unsigned.value.headers["x-amzn-ErrorType"] == "InvalidSignatureException"


# ------------------------------------------------------------------- adapter


class Redirects:
    """Publish side to store: the change as the publish function sends it, as the redirects function writes it."""

    def __init__(self, kvs: Any, arn: str, **options: Any) -> None:
        self.store = KeyValueStoreRedirects(kvs, arn, **options)

    def apply(self, puts: dict[str, str], deletes: list[str]) -> None:
        change = summed(parse(body) for body in messages(puts, deletes))
        self.store.apply(change.puts, change.deletes)

    def get(self, path: str) -> str | None:
        return self.store.get(wire_path(path))


def test_puts_land_as_the_viewer_sends_the_path(kvs: Any, arn: str, server: KvsServer) -> None:
    redirects = Redirects(kvs, arn)
    redirects.apply({"/tin-tuc/cu.html": "/tin-tuc/moi.html", "/tin tức/cũ.html": "/tin-tuc/moi.html"}, [])
    assert server.state.items(arn) == {
        "/tin-tuc/cu.html": "/tin-tuc/moi.html",
        "/tin%20t%E1%BB%A9c/c%C5%A9.html": "/tin-tuc/moi.html",
    }
    assert redirects.get("/tin tức/cũ.html") == "/tin-tuc/moi.html"
    assert redirects.get("/tin-tuc/khac.html") is None
    # Already-encoded paths are not encoded twice.
    redirects.apply({"/tin%20t%E1%BB%A9c/c%C5%A9.html": "/tin-tuc/moi-hon.html"}, [])
    assert server.state.lookup(arn, "/tin%20t%E1%BB%A9c/c%C5%A9.html") == "/tin-tuc/moi-hon.html"


def test_deleting_absent_keys_is_not_an_error_and_writes_nothing(
    kvs: Any, arn: str, server: KvsServer
) -> None:
    recording = Recording(kvs)
    redirects = Redirects(recording, arn)
    redirects.apply({"/a.html": "/b.html", "/c.html": "/d.html"}, [])
    etag = kvs.describe_key_value_store(KvsARN=arn)["ETag"]
    redirects.apply({}, ["/never.html", "/also-never.html"])
    assert kvs.describe_key_value_store(KvsARN=arn)["ETag"] == etag
    assert len(recording.updates) == 1  # the first apply only
    redirects.apply({"/e.html": "/f.html"}, ["/a.html", "/never.html"])
    assert server.state.items(arn) == {"/c.html": "/d.html", "/e.html": "/f.html"}
    assert recording.updates[-1]["Deletes"] == [{"Key": "/a.html"}]


def test_a_conflict_is_retried_from_a_fresh_etag(kvs: Any, arn: str, server: KvsServer) -> None:
    recording = Recording(kvs, put_elsewhere(kvs, arn), times=2)
    redirects = Redirects(recording, arn, backoff=0)
    redirects.apply({"/cu.html": "/moi.html"}, [])
    assert len(recording.updates) == 3  # two conflicts, then success
    assert len({call["IfMatch"] for call in recording.updates}) == 3
    items = server.state.items(arn)
    assert items["/cu.html"] == "/moi.html"
    assert len(items) == 3  # the two concurrent writes survived too


def test_conflicts_are_bounded(kvs: Any, arn: str, server: KvsServer) -> None:
    recording = Recording(kvs, put_elsewhere(kvs, arn), times=100)
    waits: list[float] = []
    redirects = Redirects(recording, arn, attempts=3, backoff=0.01, sleep=waits.append)
    with pytest.raises(RedirectStoreBusy, match="3 attempts"):
        redirects.apply({"/cu.html": "/moi.html"}, [])
    assert len(recording.updates) == 3
    assert len(waits) == 2 and all(wait > 0 for wait in waits)
    assert server.state.lookup(arn, "/cu.html") is None


def test_many_redirects_are_chunked_within_the_per_call_limit(kvs: Any, arn: str, server: KvsServer) -> None:
    recording = Recording(kvs)
    redirects = Redirects(recording, arn)
    puts = {f"/cu/{i:03}.html": f"/moi/{i:03}.html" for i in range(120)}
    redirects.apply(puts, [])
    sizes = [len(call.get("Puts", [])) + len(call.get("Deletes", [])) for call in recording.updates]
    assert sizes == [50, 50, 20]
    # Each chunk names the ETag the previous one returned: no Describe in between, no conflict.
    assert server.state.items(arn) == puts
    redirects.apply({"/x.html": "/y.html"}, list(puts)[:60])
    sizes = [len(call.get("Puts", [])) + len(call.get("Deletes", [])) for call in recording.updates[3:]]
    assert sizes == [50, 11]
    assert len(server.state.items(arn)) == 61


def test_concurrent_writers_all_land(server: KvsServer, arn: str) -> None:
    errors: list[BaseException] = []

    def writer(n: int) -> None:
        try:
            own = client("cloudfront-keyvaluestore", server.endpoint_url)
            redirects = Redirects(own, arn, attempts=50, backoff=0.005)
            for i in range(5):
                redirects.apply({f"/w{n}/{i}.html": f"/moi/{n}/{i}.html"}, [])
        except BaseException as error:  # reported below
            errors.append(error)

    threads = [threading.Thread(target=writer, args=(n,)) for n in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    assert errors == []
    assert len(server.state.items(arn)) == 20


@pytest.mark.parametrize(
    ("puts", "deletes", "message"),
    [
        ({"/" + "k" * 512: "/moi.html"}, [], "at most 512"),
        ({"/" + "ả" * 60: "/moi.html"}, [], "at most 512"),  # 60 characters, 541 bytes encoded
        ({"/cu.html": "/" + "v" * 1024}, [], "at most 1024"),
        ({}, ["/" + "k" * 600], "at most 512"),
        ({"/cu.html": "//evil.example/"}, [], "path on this site"),
        ({"/cu.html": "/\\evil.example/"}, [], "path on this site"),
        ({"/cu.html": "https://evil.example/"}, [], "path on this site"),
        ({"cu.html": "/moi.html"}, [], "path on this site"),
        ({"/cu.html": "/moi.html?a=1"}, [], "without '\\?'"),
        ({"/cu.html": "/moi.html#top"}, [], "without '\\?'"),
        ({"/cu.html": ""}, [], "non-empty"),
        ({"/cu.html\n": "/moi.html"}, [], "control character"),
        ({"/cu.html": "/cu.html"}, [], "itself"),
        ({"/cu.html": "/moi.html"}, ["/cu.html"], "both put and deleted"),
    ],
)
def test_bad_redirects_are_refused_before_anything_is_written(
    kvs: Any, arn: str, server: KvsServer, puts: dict[str, str], deletes: list[str], message: str
) -> None:
    recording = Recording(kvs)
    redirects = Redirects(recording, arn)
    with pytest.raises(RedirectError, match=message):
        redirects.apply({"/fine.html": "/also-fine.html", **puts}, deletes)
    assert recording.updates == []
    assert server.state.items(arn) == {}


def test_the_largest_key_and_value_fit(kvs: Any, arn: str, server: KvsServer) -> None:
    key, value = "/" + "k" * 511, "/" + "v" * 1023
    Redirects(kvs, arn).apply({key: value}, [])
    assert server.state.lookup(arn, key) == value


# ------------------------------------------------------------------ wiring


ENVIRONMENT = SETTINGS_ENVIRONMENT


def test_no_queue_configured_means_no_redirects() -> None:
    settings = Settings.from_environment(ENVIRONMENT)
    assert settings.redirect_queue_url == ""
    redirects = build_redirects(settings)
    assert isinstance(redirects, NoRedirects)
    redirects.apply({"/cu.html": "/moi.html"}, ["/x.html"])  # accepted, dropped


class Sqs:
    def __init__(self) -> None:
        self.sent: list[dict[str, Any]] = []

    def send_message(self, **kwargs: Any) -> dict[str, Any]:
        self.sent.append(kwargs)
        return {"MessageId": str(len(self.sent))}


def test_a_configured_queue_gets_the_changes_in_order_in_one_group(
    kvs: Any, arn: str, server: KvsServer
) -> None:
    url = "https://sqs.us-east-1.amazonaws.com/123456789012/newsroom-RedirectQueue.fifo"
    settings = Settings.from_environment({**ENVIRONMENT, "REDIRECT_QUEUE_URL": url})
    assert settings.redirect_queue_url == url
    sqs = Sqs()
    redirects = build_redirects(settings, Clients(s3=None, dynamodb=None, cloudfront=None, sqs=sqs))
    puts = {f"/cu/{i:03}.html": f"/moi/{i:03}.html" for i in range(70)}
    redirects.apply(puts, ["/moi/000.html", "/tin tức/cũ.html"])
    assert [m["QueueUrl"] for m in sqs.sent] == [url, url]  # 72 keys: 50, then 22
    assert {m["MessageGroupId"] for m in sqs.sent} == {"redirects"}
    assert len({m["MessageDeduplicationId"] for m in sqs.sent}) == 2  # never deduplicated by content
    with pytest.raises(RedirectError):  # checked before anything is sent
        redirects.apply({"/cu.html": "//evil.example/"}, [])
    assert len(sqs.sent) == 2
    # What the redirects function makes of them, in order:
    change = summed(parse(m["MessageBody"]) for m in sqs.sent)
    KeyValueStoreRedirects(kvs, arn).apply(change.puts, change.deletes)
    assert server.state.items(arn) == puts
