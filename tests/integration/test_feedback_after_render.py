"""The editor's tags tell the truth: ``published`` only once the page is live.

At the moment ``publish-status: published`` is written on a source object,
its page, every page the batch touched (``stats.json`` with the new count
among them) are in the site bucket and the invalidation is requested. A
batch whose render fails tags nothing, ``error`` and ``draft`` included.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import boto3
import pytest
from aws_lambda_powertools import Metrics
from newsroom.configuration.settings import Settings
from newsroom.usecases.batch import handle_batch
from newsroom.usecases.publish import Publisher
from newsroom.wiring.assembly import Clients, build_publisher

from tests.support.in_process import in_process_site
from tests.support.oracle import Message

GOOD = "articles/tin-tuc/bai-moi.md"
DRAFT = "articles/tin-tuc/ban-nhap.md"
BROKEN = "articles/tin-tuc/hong.md"
MEDIA = "media/anh.jpg"


def md(front: str) -> bytes:
    return f"---\n{front}\n---\nNội dung bài viết.\n".encode()


@pytest.fixture
def site(monkeypatch: pytest.MonkeyPatch) -> Iterator[tuple[Settings, Clients, Publisher]]:
    with in_process_site(monkeypatch, "feedback") as (settings, clients):
        yield settings, clients, build_publisher(settings, clients)


def upload_batch(settings: Settings, clients: Clients) -> dict[str, Any]:
    bucket = settings.source_bucket
    clients.s3.put_object(Bucket=bucket, Key=GOOD, Body=md("title: Bài mới\ndate: 2024-04-01T08:00:00+07:00"))
    clients.s3.put_object(Bucket=bucket, Key=DRAFT, Body=md("title: Nháp\nstatus: draft"))
    clients.s3.put_object(Bucket=bucket, Key=BROKEN, Body=md("title: [oops"))
    clients.s3.put_object(Bucket=bucket, Key=MEDIA, Body=b"\xff\xd8\xff\xe0 jpeg")
    keys = (GOOD, DRAFT, BROKEN, MEDIA)
    return {"Records": [Message(f"m{n}", key, "01").record(bucket) for n, key in enumerate(keys)]}


def tag_set(clients: Clients, bucket: str, key: str) -> dict[str, str]:
    return {t["Key"]: t["Value"] for t in clients.s3.get_object_tagging(Bucket=bucket, Key=key)["TagSet"]}


def test_published_is_tagged_only_once_the_page_is_written_and_invalidated(
    site: tuple[Settings, Clients, Publisher],
) -> None:
    settings, clients, publisher = site
    # A client of its own, so that looking does not go through the hook.
    s3 = boto3.client("s3", region_name="us-east-1")
    cloudfront = boto3.client("cloudfront", region_name="us-east-1")
    seen: list[tuple[str, dict[str, str], bool, int | None, list[str]]] = []

    def at_tagging(params: dict[str, Any], **_: Any) -> None:
        ours = {t["Key"]: t["Value"] for t in params["Tagging"]["TagSet"]}
        url = ours.get("publish-url", "")
        page = url.lstrip("/")
        exists = bool(page) and "Contents" in s3.list_objects_v2(Bucket=settings.site_bucket, Prefix=page)
        try:
            count = json.loads(s3.get_object(Bucket=settings.site_bucket, Key="stats.json")["Body"].read())[
                "articles"
            ]
        except s3.exceptions.NoSuchKey:
            count = None
        summaries = cloudfront.list_invalidations(DistributionId=settings.distribution_id)
        paths = [
            path
            for item in summaries["InvalidationList"].get("Items", [])
            for path in cloudfront.get_invalidation(DistributionId=settings.distribution_id, Id=item["Id"])[
                "Invalidation"
            ]["InvalidationBatch"]["Paths"].get("Items", [])
        ]
        seen.append((params["Key"], ours, exists, count, paths))

    clients.s3.meta.events.register("before-parameter-build.s3.PutObjectTagging", at_tagging)
    response = handle_batch(upload_batch(settings, clients), publisher, Metrics(namespace="T", service="t"))
    assert response == {"batchItemFailures": []}
    by_key = {key: (ours, exists, count, paths) for key, ours, exists, count, paths in seen}
    assert set(by_key) == {GOOD, DRAFT, BROKEN, MEDIA}
    ours, exists, count, paths = by_key[GOOD]
    assert ours["publish-status"] == "published"
    assert exists, "the tag said published before the page was in the site bucket"
    assert count == 1, "stats.json did not count the article yet"
    assert "#a:tin-tuc:2024-04" in paths, "the tag said published before the invalidation"
    ours, exists, _, paths = by_key[MEDIA]
    assert ours["publish-status"] == "published" and exists and "/media/anh.jpg" in paths
    # Draft and error come after the render too: no tag is written before the batch's pages.
    assert by_key[DRAFT][0]["publish-status"] == "draft" and by_key[DRAFT][2] == 1
    assert by_key[BROKEN][0]["publish-status"] == "error" and by_key[BROKEN][2] == 1


def test_a_batch_whose_render_fails_tags_nothing_and_the_retry_tags_everything(
    site: tuple[Settings, Clients, Publisher], monkeypatch: pytest.MonkeyPatch
) -> None:
    settings, clients, publisher = site
    event = upload_batch(settings, clients)

    def broken_put(*_: Any, **__: Any) -> None:
        raise RuntimeError("the site bucket is unreachable")

    with monkeypatch.context() as patch:
        patch.setattr(publisher.site, "put", broken_put)
        response = handle_batch(event, publisher, Metrics(namespace="T", service="t"))
    assert len(response["batchItemFailures"]) == 4
    for key in (GOOD, DRAFT, BROKEN, MEDIA):
        assert tag_set(clients, settings.source_bucket, key) == {}, key

    assert handle_batch(event, publisher, Metrics(namespace="T", service="t")) == {"batchItemFailures": []}
    assert tag_set(clients, settings.source_bucket, GOOD) == {
        "publish-status": "published",
        "publish-url": "/tin-tuc/bai-moi.html",
    }
    assert tag_set(clients, settings.source_bucket, DRAFT)["publish-status"] == "draft"
    assert tag_set(clients, settings.source_bucket, BROKEN)["publish-status"] == "error"
    assert tag_set(clients, settings.source_bucket, MEDIA)["publish-status"] == "published"


def status_file(clients: Clients, settings: Settings, key: str) -> dict[str, Any] | None:
    try:
        body = clients.s3.get_object(Bucket=settings.source_bucket, Key=f"status/{key}.json")["Body"].read()
    except clients.s3.exceptions.NoSuchKey:
        return None
    return dict(json.loads(body))


def test_an_object_with_ten_tags_of_its_own_is_answered_in_its_status_file(
    site: tuple[Settings, Clients, Publisher], capsys: pytest.CaptureFixture[str]
) -> None:
    settings, clients, publisher = site
    editors = "&".join(f"editor-{n}=v{n}" for n in range(10))
    body = md("title: Đủ mười thẻ\ndate: 2024-04-01T08:00:00+07:00")
    clients.s3.put_object(Bucket=settings.source_bucket, Key=GOOD, Body=body, Tagging=editors)
    metrics = Metrics(namespace="T", service="t")
    event = {"Records": [Message("m", GOOD, "01").record(settings.source_bucket)]}
    assert handle_batch(event, publisher, metrics) == {"batchItemFailures": []}
    on_object = tag_set(clients, settings.source_bucket, GOOD)
    assert on_object == {f"editor-{n}": f"v{n}" for n in range(10)}  # the editor's own tags are never dropped
    status = status_file(clients, settings, GOOD)
    assert status is not None
    assert status["status"] == "published" and status["url"] == "/tin-tuc/bai-moi.html"
    assert status["tagged"] is False and "10 thẻ (tag) riêng" in status["note"]  # in the site's language
    metrics.flush_metrics()
    assert '"FeedbackNotTagged"' in capsys.readouterr().out


def test_the_status_file_holds_the_full_reason_and_goes_with_its_source(
    site: tuple[Settings, Clients, Publisher],
) -> None:
    settings, clients, publisher = site
    metrics = Metrics(namespace="T", service="t")
    handle_batch(upload_batch(settings, clients), publisher, metrics)
    good = status_file(clients, settings, GOOD)
    assert good == {
        "source": GOOD,
        "version": good and good["version"],
        "status": "published",
        "summary": "Đã xuất bản tại /tin-tuc/bai-moi.html",
        "url": "/tin-tuc/bai-moi.html",
        "locale": "vi",
        "tagged": True,
    }
    broken = status_file(clients, settings, BROKEN)
    assert broken is not None and broken["status"] == "error" and broken["summary"] == "Bị từ chối"
    assert (
        broken["error_en"]
        == "invalid YAML front matter at line 2: expected ',' or ']', but got '<stream end>'"
    )
    # The site's language around the parser's own words, which stay as PyYAML wrote them.
    assert broken["error"] == (
        "phần front matter có YAML không hợp lệ ở dòng 2: expected ',' or ']', but got '<stream end>'"
    )
    assert tag_set(clients, settings.source_bucket, BROKEN)["publish-error"] == (
        "invalid YAML front matter at line 2: expected or but got stream end"
    )
    assert status_file(clients, settings, MEDIA)["url"] == "/media/anh.jpg"  # type: ignore[index]
    clients.s3.delete_object(Bucket=settings.source_bucket, Key=GOOD)
    event = {"Records": [Message("gone", GOOD, "02").record(settings.source_bucket)]}
    assert handle_batch(event, publisher, metrics) == {"batchItemFailures": []}
    assert status_file(clients, settings, GOOD) is None
