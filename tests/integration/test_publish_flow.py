"""Publishing end to end on the local stack: real S3 → SQS notifications, the unchanged handler."""

from __future__ import annotations

import re
import urllib.request
from collections.abc import Iterator

import pytest
from newsroom.adapters.invalidations import Invalidator

from local.stack import LocalStack
from tests.support.photos import tiny_image
from tests.support.site import (
    article_md,
    fetch,
    invalidations,
    local_site,
    parse_page,
    publisher_for,
    site_objects,
    stats,
    tags,
)

CATEGORY = "articles/tin-tuc/tin-vifotec"


@pytest.fixture
def stack() -> Iterator[LocalStack]:
    with local_site() as s:
        yield s


def publish(stack: LocalStack, key: str, text: str | bytes) -> None:
    stack.upload(key, text)
    stack.process_queue()


def test_uploaded_article_becomes_a_page_with_every_part(stack: LocalStack) -> None:
    stack.upload("media/hoi-nghi.jpg", tiny_image(640, 480, "JPEG"))
    body = 'Đoạn mở đầu.\n\n![Toàn cảnh](/media/hoi-nghi.jpg "Quang cảnh hội nghị")\n\nĐoạn cuối.'
    publish(
        stack,
        f"{CATEGORY}/Hội nghị tổng kết.md",
        article_md(
            "Hội nghị tổng kết năm 2023", "2024-04-28T08:30:00+07:00", body, category="Tin tức/Tin VIFOTEC"
        ),
    )
    status, html = fetch(stack.site_url + "/tin-tuc/tin-vifotec/hoi-nghi-tong-ket.html")
    assert status == 200
    page = parse_page(html)
    assert page.lang == "vi"
    assert page.h1 == "Hội nghị tổng kết năm 2023"
    # Without site/categories.yaml, category names are a readable form of the folder.
    assert page.breadcrumb == ["Trang chủ", "Tin tuc", "Tin vifotec", "Hội nghị tổng kết năm 2023"]
    assert page.date_line == "Chủ nhật, 28 Tháng 4 2024"
    assert "Chủ nhật, 28 Tháng 4 2024 08:30" in page.times  # type: ignore[operator]
    assert page.figures == 1
    assert page.figcaptions == ["Quang cảnh hội nghị"]
    # Live figures are not in the page (its bytes depend on stored state only): the browser fills them.
    assert page.stats is not None and page.stats["articles"] == "–"
    assert "data-print" in html and "mailto:?subject=" in html
    assert fetch(stack.site_url + "/media/hoi-nghi.jpg")[0] == 200
    assert tags(stack, f"{CATEGORY}/Hội nghị tổng kết.md") == {
        "publish-status": "published",
        "publish-url": "/tin-tuc/tin-vifotec/hoi-nghi-tong-ket.html",
    }


def test_reuploading_the_same_file_five_times_counts_once(stack: LocalStack) -> None:
    text = article_md("Một bài", "2024-04-01T08:00:00+07:00")
    for _ in range(5):
        stack.upload(f"{CATEGORY}/mot-bai.md", text)
    stack.process_queue()
    for _ in range(2):
        publish(stack, f"{CATEGORY}/mot-bai.md", text)
    assert stats(stack)["articles"] == 1


def test_newer_and_older_lists_hold_five_neighbours_in_the_same_category(stack: LocalStack) -> None:
    for n in range(1, 13):
        stack.upload(
            f"{CATEGORY}/bai-{n:02d}.md", article_md(f"Bài {n:02d}", f"2024-04-{n:02d}T08:00:00+07:00")
        )
    stack.upload("articles/khac/bai-khac.md", article_md("Bài khác", "2024-04-06T09:00:00+07:00"))
    stack.process_queue()
    page = parse_page(fetch(stack.site_url + "/tin-tuc/tin-vifotec/bai-06.html")[1])
    assert page.newer == ["Bài 07", "Bài 08", "Bài 09", "Bài 10", "Bài 11"]
    assert page.older == ["Bài 05", "Bài 04", "Bài 03", "Bài 02", "Bài 01"]
    newest = parse_page(fetch(stack.site_url + "/tin-tuc/tin-vifotec/bai-12.html")[1])
    assert newest.newer == []
    assert newest.older == ["Bài 11", "Bài 10", "Bài 09", "Bài 08", "Bài 07"]


def test_a_new_article_appears_in_its_neighbours_lists(stack: LocalStack) -> None:
    for n in (1, 3, 5, 7):
        stack.upload(f"{CATEGORY}/bai-{n}.md", article_md(f"Bài {n}", f"2024-04-0{n}T08:00:00+07:00"))
    stack.process_queue()
    publish(stack, f"{CATEGORY}/bai-4.md", article_md("Bài 4", "2024-04-04T08:00:00+07:00"))
    assert parse_page(fetch(stack.site_url + "/tin-tuc/tin-vifotec/bai-3.html")[1]).newer == [
        "Bài 4",
        "Bài 5",
        "Bài 7",
    ]
    assert parse_page(fetch(stack.site_url + "/tin-tuc/tin-vifotec/bai-7.html")[1]).older == [
        "Bài 5",
        "Bài 4",
        "Bài 3",
        "Bài 1",
    ]


def test_reupload_updates_the_page_and_the_neighbours(stack: LocalStack) -> None:
    publish(stack, f"{CATEGORY}/a.md", article_md("Bài A", "2024-04-01T08:00:00+07:00"))
    publish(stack, f"{CATEGORY}/b.md", article_md("Bài B", "2024-04-02T08:00:00+07:00"))
    publish(stack, f"{CATEGORY}/a.md", article_md("Bài A đã sửa", "2024-04-01T08:00:00+07:00"))
    assert parse_page(fetch(stack.site_url + "/tin-tuc/tin-vifotec/a.html")[1]).h1 == "Bài A đã sửa"
    assert parse_page(fetch(stack.site_url + "/tin-tuc/tin-vifotec/b.html")[1]).older == ["Bài A đã sửa"]
    assert stats(stack)["articles"] == 2


def test_delete_on_the_versioned_bucket_unpublishes_the_article(stack: LocalStack) -> None:
    for n in (1, 2, 3):
        stack.upload(f"{CATEGORY}/bai-{n}.md", article_md(f"Bài {n}", f"2024-04-0{n}T08:00:00+07:00"))
    stack.process_queue()
    assert fetch(stack.site_url + "/tin-tuc/tin-vifotec/bai-2.html")[0] == 200
    stack.client("s3").delete_object(
        Bucket=stack.source_bucket, Key=f"{CATEGORY}/bai-2.md"
    )  # a delete marker
    stack.process_queue()
    assert fetch(stack.site_url + "/tin-tuc/tin-vifotec/bai-2.html")[0] == 404
    assert parse_page(fetch(stack.site_url + "/tin-tuc/tin-vifotec/bai-1.html")[1]).newer == ["Bài 3"]
    assert parse_page(fetch(stack.site_url + "/tin-tuc/tin-vifotec/bai-3.html")[1]).older == ["Bài 1"]
    assert stats(stack)["articles"] == 2
    listing = fetch(stack.site_url + "/tin-tuc/tin-vifotec/")[1]
    assert "Bài 2" not in listing and "Bài 3" in listing


def test_draft_is_not_published_and_a_draft_again_unpublishes(stack: LocalStack) -> None:
    key = f"{CATEGORY}/nhap.md"
    publish(stack, key, article_md("Bản nháp", "2024-04-01T08:00:00+07:00", status="draft"))
    assert fetch(stack.site_url + "/tin-tuc/tin-vifotec/nhap.html")[0] == 404
    assert tags(stack, key)["publish-status"] == "draft"
    publish(stack, key, article_md("Bản nháp", "2024-04-01T08:00:00+07:00"))
    assert fetch(stack.site_url + "/tin-tuc/tin-vifotec/nhap.html")[0] == 200
    publish(stack, key, article_md("Bản nháp", "2024-04-01T08:00:00+07:00", status="draft"))
    assert fetch(stack.site_url + "/tin-tuc/tin-vifotec/nhap.html")[0] == 404
    assert stats(stack)["articles"] == 0


def test_a_bad_file_gets_a_specific_error_and_the_rest_of_the_batch_publishes(stack: LocalStack) -> None:
    s3 = stack.client("s3")
    s3.put_object(
        Bucket=stack.source_bucket,
        Key=f"{CATEGORY}/hong.md",
        Body=b"---\ntitle: [oops\n---\nx",
        Tagging="owner=lan&desk=thoi-su",
    )
    stack.upload(f"{CATEGORY}/tot.md", article_md("Bài tốt", "2024-04-01T08:00:00+07:00"))
    stack.upload(f"{CATEGORY}/trong.md", b"")
    stack.process_queue()
    broken = tags(stack, f"{CATEGORY}/hong.md")
    assert broken["publish-status"] == "error"
    assert broken["publish-error"].startswith("invalid YAML front matter at line")
    assert broken["owner"] == "lan"
    assert broken["desk"] == "thoi-su"
    assert tags(stack, f"{CATEGORY}/trong.md")["publish-error"] == "the file is empty"
    assert fetch(stack.site_url + "/tin-tuc/tin-vifotec/tot.html")[0] == 200
    dlq = stack.client("sqs").get_queue_attributes(
        QueueUrl=stack.outputs["PublishDeadLetterQueueUrl"], AttributeNames=["ApproximateNumberOfMessages"]
    )
    assert dlq["Attributes"]["ApproximateNumberOfMessages"] == "0"


def test_a_broken_reupload_keeps_the_live_page_and_records_the_full_error(stack: LocalStack) -> None:
    key = f"{CATEGORY}/song.md"
    publish(stack, key, article_md("Bài đang chạy", "2024-04-01T08:00:00+07:00"))
    publish(stack, key, "---\ntitle: Bài đang chạy\nstatus: live\n---\nx")
    assert fetch(stack.site_url + "/tin-tuc/tin-vifotec/song.html")[0] == 200
    assert tags(stack, key)["publish-error"] == "unknown status live use published or draft"
    item = stack.client("dynamodb").get_item(
        TableName=stack.outputs["ContentTableName"],
        Key={"pk": {"S": f"ARTICLE#{key}"}, "sk": {"S": "ARTICLE"}},
    )["Item"]
    assert item["error"]["S"] == "unknown status 'live' (use published or draft)"


def test_a_key_that_escapes_its_prefix_is_refused(stack: LocalStack) -> None:
    key = "articles/tin-tuc/../../site/x.md"
    publish(stack, key, article_md("Trốn", "2024-04-01T08:00:00+07:00"))
    assert tags(stack, key)["publish-error"] == "key has an empty . or .. path segment"
    assert not any(k.split("/")[-1] == "x.html" for k in site_objects(stack))


def test_two_articles_cannot_share_a_url(stack: LocalStack) -> None:
    publish(stack, f"{CATEGORY}/mot.md", article_md("Một", "2024-04-01T08:00:00+07:00"))
    publish(stack, f"{CATEGORY}/hai.md", article_md("Hai", "2024-04-02T08:00:00+07:00", slug="mot"))
    assert tags(stack, f"{CATEGORY}/hai.md")["publish-error"] == (
        "the URL /tin-tuc/tin-vifotec/mot.html is already used by articles/tin-tuc/tin-vifotec/mot.md"
    )
    assert parse_page(fetch(stack.site_url + "/tin-tuc/tin-vifotec/mot.html")[1]).h1 == "Một"


def test_one_invalidation_per_batch_naming_exactly_the_changed_paths(stack: LocalStack) -> None:
    publish(stack, f"{CATEGORY}/a.md", article_md("Bài A", "2024-04-01T08:00:00+07:00"))
    before = len(invalidations(stack))
    stack.upload(f"{CATEGORY}/b.md", article_md("Bài B", "2024-04-02T08:00:00+07:00"))
    stack.upload(f"{CATEGORY}/c.md", article_md("Bài C", "2024-04-03T08:00:00+07:00"))
    stack.process_queue()
    after = invalidations(stack)
    assert len(after) == before + 1
    # Two billed items (``domain/cache_tags``): every listing, feed, archive page, sitemap and
    # stats.json carries "lists"; the three article pages their category's April tag.
    assert after[-1]["Paths"]["Items"] == ["#a:tin-tuc/tin-vifotec:2024-04", "#lists"]
    stored = {
        k: stack.client("s3").head_object(Bucket=stack.site_bucket, Key=k)["Metadata"]
        for k in (
            "index.html",
            "tin-tuc/rss.xml",
            "2024/04/index.html",
            "sitemap-news.xml",
            "stats.json",
            "tin-tuc/tin-vifotec/b.html",
        )
    }
    assert {k: m.get("cache-tag") for k, m in stored.items()} == {
        **dict.fromkeys(list(stored)[:-1], "lists"),
        "tin-tuc/tin-vifotec/b.html": "a:tin-tuc/tin-vifotec:2024-04,pages",
    }


def test_a_duplicate_delivery_writes_and_invalidates_nothing(stack: LocalStack) -> None:
    key = f"{CATEGORY}/a.md"
    publish(stack, key, article_md("Bài A", "2024-04-01T08:00:00+07:00"))
    site_before, invalidations_before = site_objects(stack), len(invalidations(stack))
    publisher = publisher_for(stack)
    report = publisher.render([publisher.ingest(key), publisher.ingest(key)])
    assert report.written == []
    assert report.invalidated == []
    assert site_objects(stack) == site_before
    assert len(invalidations(stack)) == invalidations_before


class FlakyCloudFront:
    """A CloudFront client whose first CreateInvalidation fails, as a throttled call would."""

    def __init__(self, real: object) -> None:
        self.real = real
        self.failures_left = 1

    def create_invalidation(self, **kwargs: object) -> object:
        if self.failures_left:
            self.failures_left -= 1
            raise ConnectionError("injected: CloudFront unreachable")
        return self.real.create_invalidation(**kwargs)  # type: ignore[attr-defined]


def test_a_failed_invalidation_is_sent_by_the_retry_with_the_same_caller_reference(stack: LocalStack) -> None:
    publisher = publisher_for(stack)
    flaky = FlakyCloudFront(stack.client("cloudfront"))
    publisher.invalidator = Invalidator(flaky, stack.outputs["DistributionId"])
    key = f"{CATEGORY}/a.md"
    stack.upload(key, article_md("Bài A", "2024-04-01T08:00:00+07:00"))
    with pytest.raises(ConnectionError):
        publisher.render([publisher.ingest(key)])
    assert invalidations(stack) == []
    pending = publisher.index.invalidations.pending()
    assert len(pending) == 1
    reference, paths = pending[0]
    assert "#a:tin-tuc/tin-vifotec:2024-04" in paths  # the page, by its tag

    retry = publisher.render([publisher.ingest(key)])  # the redelivered batch: nothing left to write
    assert retry.written == []
    sent = invalidations(stack)
    assert [(i["CallerReference"], sorted(i["Paths"]["Items"])) for i in sent] == [(reference, sorted(paths))]
    assert publisher.index.invalidations.pending() == []


def test_pages_reference_only_hashed_assets_that_exist(stack: LocalStack) -> None:
    publish(stack, f"{CATEGORY}/a.md", article_md("Bài A", "2024-04-01T08:00:00+07:00"))
    html = fetch(stack.site_url + "/tin-tuc/tin-vifotec/a.html")[1]
    assets = re.findall(r'(?:href|src)="(/assets/[^"]+)"', html)
    assert len(assets) == 3  # stylesheet, script, icon
    assert all(fetch(stack.site_url + url)[0] == 200 for url in assets)


def test_two_hundred_readers_at_once_are_all_served(stack: LocalStack) -> None:
    """The local CDN listened with a backlog of 5: 200 concurrent readers timed out."""
    import http.client  # noqa: PLC0415
    import threading  # noqa: PLC0415
    from urllib.parse import urlsplit  # noqa: PLC0415

    publish(stack, f"{CATEGORY}/mot.md", article_md("Một bài", "2024-04-01T08:00:00+07:00"))
    where = urlsplit(stack.site_url)
    readers = 200
    ready = threading.Barrier(readers)
    results: list[object] = []

    def read() -> None:
        connection = http.client.HTTPConnection(where.hostname, where.port, timeout=5)
        ready.wait()  # every reader connects at the same moment
        try:
            connection.request("GET", "/tin-tuc/tin-vifotec/mot.html")
            response = connection.getresponse()
            results.append((response.status, len(response.read())))
        except OSError as error:
            results.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=read) for _ in range(readers)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    failures = [r for r in results if not (isinstance(r, tuple) and r[0] == 200)]
    assert not failures, f"{len(failures)} of {readers} readers failed, e.g. {failures[:3]}"


def test_media_uploaded_in_parts_is_served(stack: LocalStack) -> None:
    """The aws CLI switches to multipart from 8 MB: the CDN answered 502 (FlexibleChecksumError)."""
    from boto3.s3.transfer import TransferConfig  # noqa: PLC0415

    body = bytes(range(256)) * (9 * 4096)  # 9 MB, two parts of 8 MB and 1 MB
    stack.client("s3").upload_fileobj(
        __import__("io").BytesIO(body),
        stack.source_bucket,
        "media/video-hoi-nghi.mp4",
        Config=TransferConfig(multipart_threshold=8 * 1024 * 1024, multipart_chunksize=8 * 1024 * 1024),
    )
    stack.process_queue()
    assert tags(stack, "media/video-hoi-nghi.mp4")["publish-status"] == "published"
    with urllib.request.urlopen(stack.site_url + "/media/video-hoi-nghi.mp4", timeout=30) as response:
        assert response.status == 200
        assert response.headers["Content-Type"] == "video/mp4"
        assert response.read() == body
