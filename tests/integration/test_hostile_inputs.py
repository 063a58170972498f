"""Every broken or hostile file gets its own specific ``publish-error``, and nothing else moves.

All the files go through the real handler in one batch, beside a good article
published before them and one in the same batch. Each case is then checked
on its own: the tag on the source object (what the editor sees), the reason
in the table, and that no page exists for it. Then: the good articles are
live, the site counts exactly them, no message was retried, and a broken
re-upload of a live article keeps its page.
"""

from __future__ import annotations

import codecs
import unicodedata
from collections.abc import Iterator
from typing import Any

import pytest
from aws_lambda_powertools import Metrics
from newsroom.configuration.settings import Settings
from newsroom.domain.feedback_tags import tag_value
from newsroom.usecases.batch import handle_batch
from newsroom.usecases.publish import Publisher
from newsroom.wiring.assembly import Clients, build_publisher

from tests.support.encodings import cp1258
from tests.support.in_process import in_process_site, site_objects
from tests.support.oracle import Message

CATEGORY = "articles/tin-tuc"
DATE = "2024-04-01T08:00:00+07:00"
VIETNAMESE = "---\ntitle: Hội nghị tổng kết năm\ndate: 2024-04-02T08:00:00+07:00\n---\nNội dung bài viết.\n"
LIMIT = 1_048_576  # MAX_SOURCE_BYTES in template.yaml
# The same name as a Mac saves it (NFD) and as Windows does (NFC): S3 keeps them as two keys.
MAC_NAME = unicodedata.normalize("NFD", f"{CATEGORY}/Hội nghị Mac.md")
WINDOWS_NAME = unicodedata.normalize("NFC", MAC_NAME)


def md(front: str, body: str = "Nội dung bài viết.") -> bytes:
    return f"---\n{front}\n---\n{body}\n".encode()


# (case, key, body, status, reason): reason is the exact text in the table; the tag is its tag-safe form.
CASES: list[tuple[str, str, bytes, str, str | None]] = [
    (
        "invalid-yaml",
        f"{CATEGORY}/yaml.md",
        md("title: [oops"),
        "error",
        "invalid YAML front matter at line 2: expected ',' or ']', but got '<stream end>'",
    ),
    (
        "missing-title",
        f"{CATEGORY}/khong-tieu-de.md",
        md(f"date: {DATE}", "Chỉ có nội dung."),
        "error",
        "missing title: add 'title:' to the front matter or start with '# Title'",
    ),
    (
        "unknown-status",
        f"{CATEGORY}/trang-thai.md",
        md(f"title: Bài\ndate: {DATE}\nstatus: live"),
        "error",
        "unknown status 'live' (use published or draft)",
    ),
    (
        "unparseable-date",
        f"{CATEGORY}/ngay.md",
        md("title: Bài\ndate: 31/12/2024"),
        "error",
        "date '31/12/2024' is not ISO 8601 (e.g. 2024-04-28T08:30:00+07:00)",
    ),
    ("empty", f"{CATEGORY}/rong.md", b"", "error", "the file is empty"),
    ("only-whitespace", f"{CATEGORY}/trang.md", b" \n\t\n", "error", "the file is empty"),
    (
        "binary",
        f"{CATEGORY}/anh.md",
        b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256)),
        "error",
        "binary file, not Markdown text",
    ),
    (
        "over-the-size-limit",
        f"{CATEGORY}/qua-lon.md",
        md(f"title: Bài lớn\ndate: {DATE}", "x" * (LIMIT + 10)),
        "error",
        f"file is {len(md(f'title: Bài lớn\ndate: {DATE}', 'x' * (LIMIT + 10))):,} bytes,"
        " over the limit of 1,048,576 bytes (1.0 MB)",
    ),
    (
        "utf16-without-bom",
        f"{CATEGORY}/utf16-khong-bom.md",
        VIETNAMESE.encode("utf-16-le"),
        "error",
        "looks like UTF-16 without a byte-order mark: save as UTF-8 or UTF-16 with BOM",
    ),
    (
        "tcvn3-not-windows-1258",
        f"{CATEGORY}/tcvn3.md",
        b"---\ntitle: H\xa9i ngh\xfb\ndate: 2024-04-02\n---\n\xb5\x80\x81\x82\n",
        "error",
        "not UTF-8 text (byte 0xa9 at offset 12); it does not read as Windows-1258 Vietnamese either:"
        " save the file as UTF-8",
    ),
    (
        "utf16-truncated",
        f"{CATEGORY}/utf16-cut.md",
        codecs.BOM_UTF16_LE + VIETNAMESE.encode("utf-16-le")[:-1],
        "error",
        "broken UTF-16 text: 177 bytes is not a whole number of 2-byte units (the file is cut short);"
        " save it again as UTF-8",
    ),
    (
        "key-escapes-its-prefix",
        f"{CATEGORY}/../../site/x.md",
        md(f"title: Trốn\ndate: {DATE}"),
        "error",
        "key has an empty, '.' or '..' path segment",
    ),
    (
        "key-with-backslash",
        f"{CATEGORY}/..\\..\\site\\x.md",
        md(f"title: Trốn\ndate: {DATE}"),
        "error",
        "key contains a backslash",
    ),
    (
        "hidden-file",
        f"{CATEGORY}/.an.md",
        md(f"title: Ẩn\ndate: {DATE}"),
        "error",
        "key has a hidden (dot) file or folder",
    ),
    (
        "url-collision",
        f"{CATEGORY}/trung.md",
        md(f"title: Trùng\ndate: {DATE}\nslug: bai-cu"),
        "error",
        "the URL /tin-tuc/bai-cu.html is already used by articles/tin-tuc/bai-cu.md",
    ),
    (
        "unsupported-type",
        f"{CATEGORY}/bai.exe",
        b"MZ\x90\x00",
        "error",
        "unsupported article type: upload Markdown (.md), HTML (.html) or Word (.docx)",
    ),
    (
        "front-matter-not-a-mapping",
        f"{CATEGORY}/danh-sach.md",
        md("- a\n- b"),
        "error",
        "front matter must be a mapping of fields (name: value)",
    ),
    # Decoded when it can be done safely, and published.
    (
        "windows-1258-vietnamese",
        f"{CATEGORY}/cp1258.md",
        cp1258(VIETNAMESE.replace("Hội nghị", "Hội nghị Đổi mới")),
        "published",
        None,
    ),
    (
        "utf16-with-bom",
        f"{CATEGORY}/utf16-bom.md",
        codecs.BOM_UTF16_LE + VIETNAMESE.encode("utf-16-le"),
        "published",
        None,
    ),
    (
        "utf8-with-bom",
        f"{CATEGORY}/utf8-bom.md",
        codecs.BOM_UTF8 + VIETNAMESE.replace("Hội", "Hội thảo").encode(),
        "published",
        None,
    ),
    (
        "date-out-of-range",
        f"{CATEGORY}/nam-9999.md",
        md("title: Bài\ndate: 9999-12-31T23:59:59+07:00"),
        "error",
        "date 9999-12-31 is out of range: use a year from 1900 to 2100",
    ),
    (
        "front-matter-never-closed",
        f"{CATEGORY}/khong-dong.md",
        f"---\ntitle: Bài\ndate: {DATE}\nNội dung.\n".encode(),
        "error",
        "front matter is never closed: end it with a line of three dashes (---)",
    ),
    (
        "html-nested-too-deep",  # unclosed <div>s cost the sanitizer depth x tags: 50,000 took 15 s
        f"{CATEGORY}/long-sau.md",
        md(f"title: Bài\ndate: {DATE}", "<div>" * 150 + "Nội dung."),
        "error",
        "the HTML nests more than 100 elements deep (at a <div>): close the tags you open",
    ),
    (
        "too-many-html-tags",
        f"{CATEGORY}/nhieu-the.md",
        md(f"title: Bài\ndate: {DATE}", "Nội <b>dung</b> " * 6000),
        "error",
        "the file has 12,000 HTML tags, over the limit of 10,000: write the article in Markdown,"
        " or paste less HTML",
    ),
    # A Mac's file name must be read back exactly as stored, or the article is lost in silence.
    ("mac-file-name", MAC_NAME, VIETNAMESE.encode(), "published", None),
    (
        "windows-twin-of-a-mac-name",
        WINDOWS_NAME,
        VIETNAMESE.encode(),
        "error",
        f"the URL /tin-tuc/hoi-nghi-mac.html is already used by {MAC_NAME}",
    ),
]
GOOD_BEFORE = f"{CATEGORY}/bai-cu.md"
GOOD_IN_BATCH = f"{CATEGORY}/bai-tot.md"


def tags(clients: Clients, bucket: str, key: str) -> dict[str, str]:
    return {t["Key"]: t["Value"] for t in clients.s3.get_object_tagging(Bucket=bucket, Key=key)["TagSet"]}


@pytest.fixture(scope="module")
def published() -> Iterator[tuple[Settings, Clients, Publisher, dict[str, Any]]]:
    """One site, the good article published, then every case and one good article in one batch."""
    with (
        pytest.MonkeyPatch.context() as monkeypatch,
        in_process_site(monkeypatch, "hostile") as (settings, clients),
    ):
        publisher = build_publisher(settings, clients)
        metrics = Metrics(namespace="NewsroomTest", service="hostile")
        bucket = settings.source_bucket
        clients.s3.put_object(Bucket=bucket, Key=GOOD_BEFORE, Body=md(f"title: Bài cũ\ndate: {DATE}"))
        handle_batch({"Records": [Message("m0", GOOD_BEFORE, "01").record(bucket)]}, publisher, metrics)
        messages = []
        for n, (_, key, body, _, _) in enumerate(CASES, start=1):
            clients.s3.put_object(Bucket=bucket, Key=key, Body=body)
            messages.append(Message(f"m{n}", key, "01"))
        clients.s3.put_object(Bucket=bucket, Key=GOOD_IN_BATCH, Body=md(f"title: Bài tốt\ndate: {DATE}"))
        messages.append(Message("good", GOOD_IN_BATCH, "01"))
        response = handle_batch({"Records": [m.record(bucket) for m in messages]}, publisher, metrics)
        yield settings, clients, publisher, response


@pytest.mark.parametrize(("case", "key", "body", "status", "reason"), CASES, ids=[c[0] for c in CASES])
def test_each_case_gets_its_own_status_and_reason(
    published: tuple[Settings, Clients, Publisher, dict[str, Any]],
    case: str,
    key: str,
    body: bytes,
    status: str,
    reason: str | None,
) -> None:
    settings, clients, publisher, _ = published
    got = tags(clients, settings.source_bucket, key)
    assert got["publish-status"] == status
    if status == "published":
        assert "publish-error" not in got
        page = site_objects(clients, settings)[got["publish-url"].lstrip("/")].decode()
        assert "Hội" in page and "\ufffd" not in page  # decoded, not mangled
        return
    stored = publisher.index.articles.get(key)
    error = stored.error if stored is not None else None
    assert reason is not None
    assert got["publish-error"] == tag_value(reason)
    if stored is not None:  # keys refused before they are articles have no record
        assert error == reason
    stem = key.rsplit("/", 1)[-1].rsplit(".", 1)[0].replace("\\", "/").rsplit("/", 1)[-1]
    assert not any(k.endswith(f"/{stem}.html") for k in site_objects(clients, settings))


def test_the_good_articles_publish_and_the_site_counts_only_them(
    published: tuple[Settings, Clients, Publisher, dict[str, Any]],
) -> None:
    settings, clients, publisher, response = published
    assert response == {"batchItemFailures": []}  # nothing is retried: the editor must fix the file
    site = site_objects(clients, settings)
    assert "Bài cũ" in site["tin-tuc/bai-cu.html"].decode()  # the collision did not take its URL
    assert "Bài tốt" in site["tin-tuc/bai-tot.html"].decode()
    decoded = sum(1 for case in CASES if case[3] == "published")
    assert publisher.index.counts.stats().articles == 2 + decoded
    listing = site["tin-tuc/index.html"].decode()
    assert "Bài tốt" in listing and "Bài cũ" in listing


def test_a_broken_reupload_of_a_live_article_keeps_its_page(
    published: tuple[Settings, Clients, Publisher, dict[str, Any]],
) -> None:
    settings, clients, publisher, _ = published
    bucket = settings.source_bucket
    clients.s3.put_object(Bucket=bucket, Key=GOOD_BEFORE, Body=md("title: Bài cũ\ndate: hôm qua"))
    metrics = Metrics(namespace="NewsroomTest", service="hostile")
    handle_batch({"Records": [Message("again", GOOD_BEFORE, "02").record(bucket)]}, publisher, metrics)
    got = tags(clients, bucket, GOOD_BEFORE)
    assert got["publish-status"] == "error"
    assert got["publish-error"] == tag_value(
        "date 'hôm qua' is not ISO 8601 (e.g. 2024-04-28T08:30:00+07:00)"
    )
    assert "Bài cũ" in site_objects(clients, settings)["tin-tuc/bai-cu.html"].decode()
