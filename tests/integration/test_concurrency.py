"""Two invocations touching the same category at once never leave a stale page behind.

Each race is staged call by call (``tests/support/scheduler.py``): one worker
is stopped just before it writes, the other runs a whole publish, then the
first goes on. How it is prevented: every change of stored state adds one to
the site's *revision* inside its DynamoDB transaction; a render pass reads the
revision before it reads anything and again after its last write, and runs
again when it moved. Each race is also run with that check switched off, to
show that it really happens.
"""

from __future__ import annotations

import json
from collections.abc import Iterator

import pytest
from aws_lambda_powertools import Metrics
from newsroom.adapters import search_table
from newsroom.adapters.content_table.counts import Counts
from newsroom.adapters.search_table import SearchIndex
from newsroom.configuration.settings import Settings
from newsroom.domain.errors import ConcurrentChange
from newsroom.domain.records import IndexedArticle
from newsroom.usecases.batch import handle_batch
from newsroom.usecases.publish import BatchReport, Publisher
from newsroom.wiring.assembly import Clients, build_fanout, build_publisher

from tests.support.in_process import (
    in_process_site,
    new_clients,
    rebuilt_from_scratch,
    search_items,
    site_objects,
)
from tests.support.oracle import Message
from tests.support.scheduler import Gate, gated
from tests.support.site import invalidation_ids

CATEGORY = "articles/tin-tuc"


def article(title: str, date: str, slug: str | None = None) -> bytes:
    fields = f"title: {title}\ndate: {date}\n" + (f"slug: {slug}\n" if slug else "")
    return f"---\n{fields}---\nNội dung bài viết.\n".encode()


@pytest.fixture
def site(monkeypatch: pytest.MonkeyPatch) -> Iterator[tuple[Settings, Clients]]:
    with in_process_site(monkeypatch, "concurrency") as (settings, clients):
        yield settings, clients


def worker(settings: Settings) -> Publisher:
    """A publisher in its own container, with its own clients, stopping at its gate."""
    clients = new_clients()
    gated([clients.s3, clients.dynamodb, clients.cloudfront, clients.sqs])
    return build_publisher(settings, clients)


def publish(publisher: Publisher, *keys: str) -> BatchReport:
    return publisher.render([publisher.ingest(key) for key in keys])


def upload(clients: Clients, settings: Settings, key: str, body: bytes) -> None:
    clients.s3.put_object(Bucket=settings.source_bucket, Key=key, Body=body)


def page(clients: Clients, settings: Settings, key: str) -> str | None:
    return site_objects(clients, settings).get(key, b"").decode() or None


def without_revision_check(monkeypatch: pytest.MonkeyPatch) -> None:
    """The bug this file guards against: a render pass that never notices the state moved."""
    monkeypatch.setattr(Counts, "revision", lambda self: 0)


@pytest.mark.parametrize("checked", [True, False], ids=["revision-checked", "check-switched-off"])
def test_a_listing_rendered_before_another_publish_is_not_left_over_it(
    site: tuple[Settings, Clients], monkeypatch: pytest.MonkeyPatch, checked: bool
) -> None:
    settings, clients = site
    upload(clients, settings, f"{CATEGORY}/mot.md", article("Bài một", "2024-04-01T08:00:00+07:00"))
    publish(build_publisher(settings, clients), f"{CATEGORY}/mot.md")
    upload(clients, settings, f"{CATEGORY}/hai.md", article("Bài hai", "2024-04-02T08:00:00+07:00"))
    upload(clients, settings, f"{CATEGORY}/ba.md", article("Bài ba", "2024-04-03T08:00:00+07:00"))
    if not checked:
        without_revision_check(monkeypatch)

    first = Gate("A", lambda: publish(worker(settings), f"{CATEGORY}/hai.md")).start()
    first.run_until(lambda call: call == "s3:PutObject")  # A has read the index and rendered
    Gate("B", lambda: publish(worker(settings), f"{CATEGORY}/ba.md")).start().finish()
    report: BatchReport = first.finish()  # A writes what it rendered before B's publish

    listing = page(clients, settings, "tin-tuc/index.html") or ""
    neighbour = page(clients, settings, "tin-tuc/hai.html") or ""
    if not checked:  # the race is real: A's older listing and neighbour lists win
        assert "Bài ba" not in listing
        assert "Bài ba" not in neighbour
        return
    assert report.passes == 2
    assert all(title in listing for title in ("Bài một", "Bài hai", "Bài ba"))
    assert "Bài ba" in neighbour  # the neighbour lists of A's article are fresh too
    incremental = site_objects(clients, settings)
    assert rebuilt_from_scratch(clients, settings) == incremental


@pytest.mark.parametrize("checked", [True, False], ids=["revision-checked", "check-switched-off"])
def test_a_url_handed_over_during_a_render_keeps_its_new_page(
    site: tuple[Settings, Clients], monkeypatch: pytest.MonkeyPatch, checked: bool
) -> None:
    settings, clients = site
    upload(
        clients, settings, f"{CATEGORY}/x.md", article("Bài cũ", "2024-04-01T08:00:00+07:00", slug="chung")
    )
    publish(build_publisher(settings, clients), f"{CATEGORY}/x.md")
    # x moves to another URL, and y takes the one x leaves.
    upload(clients, settings, f"{CATEGORY}/x.md", article("Bài cũ", "2024-04-01T08:00:00+07:00", slug="khac"))
    upload(
        clients, settings, f"{CATEGORY}/y.md", article("Bài mới", "2024-04-02T08:00:00+07:00", slug="chung")
    )
    if not checked:
        without_revision_check(monkeypatch)

    first = Gate("A", lambda: publish(worker(settings), f"{CATEGORY}/x.md")).start()
    first.run_until(lambda call: call == "s3:DeleteObject")  # A found /tin-tuc/chung.html ownerless
    Gate("B", lambda: publish(worker(settings), f"{CATEGORY}/y.md")).start().finish()
    first.finish()  # A removes the page it decided to remove

    handed_over = page(clients, settings, "tin-tuc/chung.html")
    if not checked:  # the race is real: y's new page is gone
        assert handed_over is None
        return
    assert handed_over is not None and "Bài mới" in handed_over
    assert "Bài cũ" in (page(clients, settings, "tin-tuc/khac.html") or "")
    incremental = site_objects(clients, settings)
    assert rebuilt_from_scratch(clients, settings) == incremental


@pytest.mark.parametrize("change", ["moved", "deleted"])
def test_a_page_rendered_from_an_older_version_does_not_outlive_the_article_leaving_its_url(
    site: tuple[Settings, Clients], monkeypatch: pytest.MonkeyPatch, change: str
) -> None:
    """A renders x at /tin-tuc/cu.html; before A writes it, x moves (or goes) and B removes the page.

    A's rerun (the revision moved) must take down the page A itself wrote
    from the older state: nothing else will, as B found it gone already.
    """
    settings, clients = site
    key = f"{CATEGORY}/x.md"
    upload(clients, settings, key, article("Bài cũ", "2024-04-01T08:00:00+07:00", slug="cu"))
    publish(build_publisher(settings, clients), key)
    upload(clients, settings, key, article("Bài cũ, sửa", "2024-04-01T08:00:00+07:00", slug="cu"))

    first = Gate("A", lambda: publish(worker(settings), key)).start()
    first.run_until(lambda call: call == "s3:PutObject")  # A has read the index and rendered cu.html
    if change == "moved":
        upload(clients, settings, key, article("Bài cũ, sửa", "2024-04-01T08:00:00+07:00", slug="moi"))
    else:
        clients.s3.delete_object(Bucket=settings.source_bucket, Key=key)
    Gate("B", lambda: publish(worker(settings), key)).start().finish()
    assert page(clients, settings, "tin-tuc/cu.html") is None  # B took the old URL down
    report: BatchReport = first.finish()  # A writes cu.html from the state it read, then reruns

    assert report.passes == 2
    assert page(clients, settings, "tin-tuc/cu.html") is None
    assert "tin-tuc/cu.html" in report.removed
    incremental = site_objects(clients, settings)
    assert rebuilt_from_scratch(clients, settings) == incremental


def test_a_rebuild_chunk_rendered_before_its_article_moves_leaves_no_page_behind(
    site: tuple[Settings, Clients],
) -> None:
    """The same race in a rebuild: a chunk renders x's lost page; x moves before the chunk writes it."""
    settings, clients = site
    key = f"{CATEGORY}/x.md"
    upload(clients, settings, key, article("Bài cũ", "2024-04-01T08:00:00+07:00", slug="cu"))
    publish(build_publisher(settings, clients), key)
    clients.s3.delete_object(
        Bucket=settings.site_bucket, Key="tin-tuc/cu.html"
    )  # lost: the rebuild repairs it
    build_fanout(settings, clients).plan("rebuild-race")
    messages = clients.sqs.receive_message(QueueUrl=settings.render_queue_url, MaxNumberOfMessages=10)
    chunks = [json.loads(m["Body"]) for m in messages.get("Messages", [])]
    chunk = next(c for c in chunks if "articles" in c["work"])
    own = new_clients()
    gated([own.s3, own.dynamodb, own.cloudfront, own.sqs])
    fanout = build_fanout(settings, own)

    first = Gate("A", lambda: fanout.run(chunk["job"], chunk["chunk"], chunk["work"])).start()
    first.run_until(lambda call: call == "s3:PutObject")  # the chunk rendered cu.html from x's entry
    upload(clients, settings, key, article("Bài cũ", "2024-04-01T08:00:00+07:00", slug="moi"))
    Gate("B", lambda: publish(worker(settings), key)).start().finish()  # cu.html is gone already
    first.finish()

    assert page(clients, settings, "tin-tuc/cu.html") is None
    assert "Bài cũ" in (page(clients, settings, "tin-tuc/moi.html") or "")


def test_a_media_file_deleted_while_it_is_copied_does_not_come_back(site: tuple[Settings, Clients]) -> None:
    settings, clients = site
    key = "media/2024/anh.png"
    upload(clients, settings, key, b"\x89PNG\r\n\x1a\n" + bytes(64))
    copying = Gate("A", lambda: publish(worker(settings), key)).start()
    copying.run_until(lambda call: call == "s3:CopyObject")  # A saw the file and is about to copy it
    clients.s3.delete_object(Bucket=settings.source_bucket, Key=key)
    Gate("B", lambda: publish(worker(settings), key)).start().finish()  # the delete's event
    copying.finish()
    assert key not in site_objects(clients, settings)


def test_two_publishers_at_every_interleaving_point_agree_with_a_rebuild(
    site: tuple[Settings, Clients],
) -> None:
    """B's whole publish is slotted in before each call of A's in turn (the first 40 calls)."""
    settings, clients = site
    publisher = build_publisher(settings, clients)
    upload(clients, settings, f"{CATEGORY}/mot.md", article("Bài một", "2024-04-01T08:00:00+07:00"))
    publish(publisher, f"{CATEGORY}/mot.md")
    calls = 0
    for point in range(0, 40, 3):
        day = 2 + point // 3
        a, b = f"{CATEGORY}/a{point}.md", f"{CATEGORY}/b{point}.md"
        upload(clients, settings, a, article(f"Bài A{point}", f"2024-04-{day:02d}T08:00:00+07:00"))
        upload(clients, settings, b, article(f"Bài B{point}", f"2024-04-{day:02d}T09:00:00+07:00"))
        first = Gate("A", lambda a=a: publish(worker(settings), a)).start()
        for _ in range(point):
            if first.done:
                break
            first.advance()
        calls = max(calls, point)
        Gate("B", lambda b=b: publish(worker(settings), b)).start().finish()
        first.finish()
        listing = page(clients, settings, "tin-tuc/index.html") or ""
        assert f"Bài A{point}" in listing and f"Bài B{point}" in listing, point
    incremental = site_objects(clients, settings)
    assert rebuilt_from_scratch(clients, settings) == incremental


def sent_invalidations(clients: Clients, settings: Settings) -> list[list[str]]:
    cloudfront, distribution = clients.cloudfront, settings.distribution_id
    return [
        cloudfront.get_invalidation(DistributionId=distribution, Id=found)["Invalidation"][
            "InvalidationBatch"
        ]["Paths"].get("Items", [])
        for found in invalidation_ids(cloudfront, distribution)
    ]


def test_another_invocations_invalidation_waits_for_its_pages(site: tuple[Settings, Clients]) -> None:
    """Sent before its pages are written, it would let the CDN cache the old page again."""
    settings, clients = site
    upload(clients, settings, f"{CATEGORY}/mot.md", article("Bài một", "2024-04-01T08:00:00+07:00"))
    upload(clients, settings, "articles/chuyen-giao/hai.md", article("Bài hai", "2024-04-02T08:00:00+07:00"))
    first = Gate("A", lambda: publish(worker(settings), f"{CATEGORY}/mot.md")).start()
    first.run_until(lambda call: call == "s3:PutObject")  # A recorded its paths, wrote nothing yet
    Gate("B", lambda: publish(worker(settings), "articles/chuyen-giao/hai.md")).start().finish()
    mine = "#a:tin-tuc:2024-04"  # the tag of A's page (``domain/cache_tags``)
    assert not any(mine in paths for paths in sent_invalidations(clients, settings))
    first.finish()
    assert any(mine in paths for paths in sent_invalidations(clients, settings))


def test_an_invalidation_left_by_a_crashed_invocation_is_sent_by_the_next_one(
    site: tuple[Settings, Clients],
) -> None:
    settings, clients = site
    publisher = build_publisher(settings, clients)
    publisher.index.invalidations.record("2024-04-01T00:00:00+00:00#crashed", ["/tin-tuc/cu.html"])
    upload(clients, settings, f"{CATEGORY}/mot.md", article("Bài một", "2024-04-01T08:00:00+07:00"))
    publish(publisher, f"{CATEGORY}/mot.md")
    assert ["/tin-tuc/cu.html"] in sent_invalidations(clients, settings)
    assert publisher.index.invalidations.pending() == []


def search_state(clients: Clients, settings: Settings) -> list[tuple[str, str, str]]:
    return [(i["pk"]["S"], i["sk"]["S"], i["title"]["S"]) for i in search_items(clients, settings)]


def two_versions(settings: Settings, clients: Clients) -> tuple[IndexedArticle, IndexedArticle]:
    """Two successive records of one article whose titles share no word."""
    publisher = build_publisher(settings, clients)
    key = f"{CATEGORY}/tin.md"
    upload(clients, settings, key, article("Hội nghị tổng kết", "2024-04-01T08:00:00+07:00"))
    older = publisher.ingest(key).record
    upload(clients, settings, key, article("Lễ khai trương", "2024-04-01T08:00:00+07:00"))
    newer = publisher.ingest(key).record
    assert older is not None and newer is not None and older.version < newer.version
    return older, newer


def test_two_syncs_of_one_article_never_overlap(
    site: tuple[Settings, Clients], monkeypatch: pytest.MonkeyPatch
) -> None:
    """Overlapping, one's writes could land after the other's clean-up and be listed nowhere."""
    settings, clients = site
    older, newer = two_versions(settings, clients)
    monkeypatch.setattr(search_table, "_sleep", lambda _: None)
    gated_clients = new_clients()
    gated([gated_clients.dynamodb])
    searcher = SearchIndex(gated_clients.dynamodb, settings.search_table)
    first = Gate("A", lambda: searcher.sync(older)).start()
    first.run_until(lambda call: call == "dynamodb:BatchWriteItem")  # A holds the lease, mid-sync
    with pytest.raises(ConcurrentChange, match="kept syncing"):
        Gate("B", lambda: searcher.sync(newer)).start().finish()
    first.finish()
    searcher.sync(newer)  # B's batch, redelivered
    state = search_state(clients, settings)
    assert {title for _, _, title in state} == {"Lễ khai trương"}
    assert not any(pk == "TERM#hoi" for pk, _, _ in state)  # nothing of the older title is left
    for pk, sk, _ in state:
        clients.dynamodb.delete_item(TableName=settings.search_table, Key={"pk": {"S": pk}, "sk": {"S": sk}})
    clients.dynamodb.delete_item(
        TableName=settings.search_table, Key={"pk": {"S": f"TERMS#{newer.source_key}"}, "sk": {"S": "TERMS"}}
    )
    SearchIndex(clients.dynamodb, settings.search_table).sync(newer)
    assert search_state(clients, settings) == state  # what the newer version alone makes


def test_an_older_version_synced_late_does_not_overwrite_the_newer(site: tuple[Settings, Clients]) -> None:
    settings, clients = site
    older, newer = two_versions(settings, clients)
    searcher = SearchIndex(clients.dynamodb, settings.search_table)
    searcher.sync(newer)
    expected = search_state(clients, settings)
    assert searcher.sync(older) == 0
    assert search_state(clients, settings) == expected
    assert not any(pk == "TERM#hoi" for pk, _, _ in expected)


def test_a_batch_retried_after_a_partial_failure_changes_nothing_the_second_time(
    site: tuple[Settings, Clients],
) -> None:
    """The failed record alone is redelivered; then the whole batch, twice: nothing moves."""
    settings, clients = site
    metrics = Metrics(namespace="NewsroomTest", service="retry")
    first, second = f"{CATEGORY}/mot.md", f"{CATEGORY}/hai.md"
    upload(clients, settings, first, article("Bài một", "2024-04-01T08:00:00+07:00"))
    upload(clients, settings, second, article("Bài hai", "2024-04-02T08:00:00+07:00"))
    messages = [Message("m1", first, "01"), Message("m2", second, "01")]
    bucket = settings.source_bucket

    container = worker(settings)
    batch = Gate(
        "A", lambda: handle_batch({"Records": [m.record(bucket) for m in messages]}, container, metrics)
    )
    batch.start()
    batch.run_until(lambda call: call == "s3:GetObject")  # the first record's read
    batch.advance()
    batch.run_until(lambda call: call == "s3:GetObject")  # the second record's read: it times out
    batch.advance("timeout")
    assert batch.finish() == {"batchItemFailures": [{"itemIdentifier": "m2"}]}
    assert "tin-tuc/mot.html" in site_objects(clients, settings)

    publisher = build_publisher(settings, clients)
    assert handle_batch({"Records": [messages[1].record(bucket)]}, publisher, metrics) == {
        "batchItemFailures": []
    }
    site_before = {
        key: clients.s3.head_object(Bucket=settings.site_bucket, Key=key)["ETag"]
        for key in site_objects(clients, settings)
    }
    sent_before = sent_invalidations(clients, settings)
    articles_before = publisher.index.counts.stats().articles
    for _ in range(2):  # the whole batch again, as a duplicate delivery brings it
        report = publisher.render([publisher.ingest(m.key, m.sequencer) for m in messages])
        assert (report.written, report.removed, report.invalidated) == ([], [], [])
    assert publisher.index.counts.stats().articles == articles_before == 2
    assert sent_invalidations(clients, settings) == sent_before
    assert {
        key: clients.s3.head_object(Bucket=settings.site_bucket, Key=key)["ETag"]
        for key in site_objects(clients, settings)
    } == site_before
