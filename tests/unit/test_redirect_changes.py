"""Redirect changes from the publish side to the store: the messages, their sum, the redirects handler.

The publish function checks and encodes a change (``newsroom.adapters.redirect_queue``)
and sends it to a FIFO queue; the redirects function (``functions/redirects``,
``newsroom_redirects``) reads each message again, sums a batch in order and
writes it once. Held here: every message the publish side makes is read back
to the same change, summing gives what applying the changes one by one gives,
a hostile message is refused with its reason, and the handler on the sample
event (``events/sqs-redirect-changes.json``) writes exactly its sum.
"""

from __future__ import annotations

import json
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest
from hypothesis import assume, given
from hypothesis import strategies as st
from newsroom.adapters import redirect_queue
from newsroom.adapters.redirect_queue import messages, validated
from newsroom_redirects import changes
from newsroom_redirects.changes import BadChange, Changes, parse, summed

from tests.support.handlers import function_app

ROOT = Path(__file__).resolve().parents[2]

segment = st.text(alphabet="abcdêếườơđ-ảệ0%", min_size=1, max_size=12)
path = st.lists(segment, min_size=1, max_size=3).map(lambda parts: "/" + "/".join(parts) + ".html")


def applied_one_by_one(items: list[Changes]) -> dict[str, str]:
    store: dict[str, str] = {}
    for change in items:
        store.update(change.puts)
        for key in change.deletes:
            store.pop(key, None)
    return store


def test_the_limits_are_the_same_on_both_sides() -> None:
    assert redirect_queue.MAX_KEY_BYTES == changes.MAX_KEY_BYTES == 512
    assert redirect_queue.MAX_VALUE_BYTES == changes.MAX_VALUE_BYTES == 1024
    assert redirect_queue.MAX_MESSAGE_KEYS == changes.MAX_MESSAGE_KEYS


@given(st.dictionaries(path, path, max_size=80), st.lists(path, max_size=80))
def test_every_message_the_publish_side_sends_reads_back_to_its_change(
    puts: dict[str, str], deletes: list[str]
) -> None:
    puts = {source: target for source, target in puts.items() if source != target}
    deletes = [key for key in deletes if key not in puts]
    try:
        wire_puts, wire_deletes = validated(puts, deletes)
    except redirect_queue.RedirectError:
        assume(False)  # two spellings of one path (encoded and not): refused before sending
        raise
    bodies = messages(puts, deletes)
    assert all(len(json.loads(body)["puts"]) + len(json.loads(body)["deletes"]) <= 50 for body in bodies)
    read = [parse(body) for body in bodies]
    assert {k: v for change in read for k, v in change.puts.items()} == wire_puts
    assert [k for change in read for k in change.deletes] == wire_deletes
    assert summed(read) == Changes(puts=wire_puts, deletes=wire_deletes)


keys = st.sampled_from(["/a.html", "/b.html", "/c.html", "/d.html"])
change = st.builds(
    lambda puts, deletes: Changes(puts=puts, deletes=[k for k in dict.fromkeys(deletes) if k not in puts]),
    st.dictionaries(keys, st.sampled_from(["/x.html", "/y.html"]), max_size=3),
    st.lists(keys, max_size=3),
)


@given(st.dictionaries(keys, st.sampled_from(["/old.html"])), st.lists(change, max_size=8))
def test_summing_a_batch_leaves_the_store_as_applying_it_message_by_message(
    before: dict[str, str], batch: list[Changes]
) -> None:
    one_by_one = applied_one_by_one([Changes(puts=dict(before)), *batch])
    total = summed(batch)
    at_once = dict(before)
    at_once.update(total.puts)
    for key in total.deletes:
        at_once.pop(key, None)
    assert at_once == one_by_one
    assert not set(total.puts) & set(total.deletes)


@pytest.mark.parametrize(
    ("body", "reason"),
    [
        ("not json", "not JSON"),
        ("[]", "an object with 'puts' and 'deletes' only"),
        ('{"puts": {}, "deletes": [], "extra": 1}', "'puts' and 'deletes' only"),
        ('{"puts": [], "deletes": []}', "'puts' must be an object"),
        ('{"puts": {"/a.html": "//evil.example/"}}', "not a path on this site"),
        ('{"puts": {"/a.html": "https://evil.example/"}}', "not a path on this site"),
        ('{"puts": {"/a.html": "/\\\\evil.example/"}}', "not a path on this site"),
        ('{"puts": {"/a b.html": "/b.html"}}', "not in wire form"),
        ('{"puts": {"/tin tức.html": "/b.html"}}', "not in wire form"),
        ('{"puts": {"/a.html": "/b.html?x=1"}}', "not in wire form"),
        ('{"puts": {"/a.html": "/b.html\\n"}}', "not in wire form"),
        ('{"puts": {"/a.html": 7}}', "non-empty string"),
        ('{"deletes": [null]}', "non-empty string"),
        ('{"puts": {"/a.html": "/a.html"}}', "points at itself"),
        ('{"puts": {"/a.html": "/b.html"}, "deletes": ["/a.html"]}', "both put and deleted"),
        (json.dumps({"puts": {"/" + "k" * 512: "/b.html"}}), "at most 512"),
        (json.dumps({"puts": {"/a.html": "/" + "v" * 1024}}), "at most 1024"),
        (json.dumps({"deletes": [f"/{i}.html" for i in range(51)]}), "at most 50"),
    ],
)
def test_a_hostile_message_is_refused_with_its_reason(body: str, reason: str) -> None:
    with pytest.raises(BadChange, match=reason.replace("?", "\\?")):
        parse(body)


# -------------------------------------------------------------------- the handler


class Store:
    """The store adapter's ``apply``: each call is one ``UpdateKeys`` when it holds at most 50 keys."""

    def __init__(self, fail_on_call: int | None = None) -> None:
        self.calls: list[tuple[dict[str, str], list[str]]] = []
        self.fail_on_call = fail_on_call

    def apply(self, puts: dict[str, str], deletes: list[str]) -> None:
        if self.fail_on_call is not None and len(self.calls) + 1 >= self.fail_on_call:
            raise RuntimeError("the store is down")
        assert len(puts) + len(deletes) <= 50, "one call, all or nothing"
        self.calls.append((dict(puts), list(deletes)))


class Refused:
    def __init__(self) -> None:
        self.sent: list[tuple[str, str]] = []

    def send(self, record: dict[str, Any], reason: str) -> None:
        self.sent.append((record["messageId"], reason))


def handler() -> ModuleType:
    return function_app("redirects")


def sample() -> dict[str, Any]:
    return dict(json.loads((ROOT / "events/sqs-redirect-changes.json").read_text(encoding="utf-8")))


def record(
    message_id: str, puts: dict[str, str] | None = None, deletes: list[str] | None = None
) -> dict[str, Any]:
    return {"messageId": message_id, "body": json.dumps({"puts": puts or {}, "deletes": deletes or []})}


def test_the_sample_fifo_batch_is_written_in_one_go() -> None:
    event, store = sample(), Store()
    assert {r["attributes"]["MessageGroupId"] for r in event["Records"]} == {"redirects"}
    assert handler().handle(event, store) == {"batchItemFailures": []}
    assert store.calls == [
        (
            {"/tin-tuc/hoi-nghi.html": "/tin-tuc/hoi-nghi-moi.html"},
            ["/tin-tuc/hoi-nghi-moi.html", "/tin-tuc/h%E1%BB%99i-th%E1%BA%A3o.html"],
        )
    ]


def test_a_bad_message_goes_to_the_dead_letter_queue_with_its_reason_and_the_rest_is_written() -> None:
    event, store, refused = sample(), Store(), Refused()
    first, second = event["Records"]
    bad = {**second, "messageId": "bad", "body": '{"puts": {"/a.html": "//evil.example/"}}'}
    event["Records"] = [first, bad, second]
    assert handler().handle(event, store, lambda: refused) == {"batchItemFailures": []}
    assert refused.sent == [
        ("bad", "target of /a.html '//evil.example/' is not a path on this site (one leading '/')")
    ]
    # The change before it is written before it is refused; the one after it, after.
    assert store.calls == [
        ({"/tin-tuc/hoi-nghi.html": "/tin-tuc/hoi-nghi-moi.html"}, ["/tin-tuc/hoi-nghi-moi.html"]),
        ({}, ["/tin-tuc/h%E1%BB%99i-th%E1%BA%A3o.html"]),
    ]


def loops(state: dict[str, str], key: str) -> bool:
    seen, at = {key}, state.get(key)
    while at is not None:
        if at in seen:
            return True
        seen.add(at)
        at = state.get(at)
    return False


def test_messages_are_summed_while_they_fit_one_call_and_the_store_sees_only_prefix_states() -> None:
    loop = [
        record("m1", {f"/a{i}.html": "/s2.html" for i in range(30)}),
        record("m2", {"/s1.html": "/s2.html"}, ["/s2.html"]),
        record("m3", {f"/b{i}.html": "/s1.html" for i in range(30)} | {"/s2.html": "/s1.html"}, ["/s1.html"]),
        record("m4", deletes=["/a0.html"]),
    ]
    store = Store()
    assert handler().handle({"Records": loop}, store) == {"batchItemFailures": []}
    assert [len(p) + len(d) for p, d in store.calls] == [32, 33]  # m1+m2, then m3+m4
    state: dict[str, str] = {}
    for puts, deletes in store.calls:
        state.update(puts)
        for key in deletes:
            state.pop(key, None)
        assert not any(loops(state, key) for key in state), "never a 301 loop"
    assert state == applied_one_by_one([parse(r["body"]) for r in loop])


def test_a_failed_write_fails_its_messages_and_every_later_one_and_keeps_what_was_written() -> None:
    batch = [
        record("m1", {f"/a{i}.html": "/x.html" for i in range(40)}),
        record("m2", {f"/b{i}.html": "/x.html" for i in range(40)}),
        record("m3", deletes=["/a1.html"]),
        record("m4", {"/bad.html": "//evil/"}),
    ]
    store, refused = Store(fail_on_call=2), Refused()
    assert handler().handle({"Records": batch}, store, lambda: refused) == {
        "batchItemFailures": [{"itemIdentifier": m} for m in ("m2", "m3", "m4")]
    }
    assert len(store.calls) == 1 and len(store.calls[0][0]) == 40
    assert refused.sent == []  # behind the failure: it comes back, in order, and is refused then


def test_an_empty_batch_writes_nothing() -> None:
    store = Store()
    assert handler().handle({"Records": []}, store) == {"batchItemFailures": []}
    assert store.calls == []
