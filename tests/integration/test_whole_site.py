"""The whole site on the local stack: home, categories, monthly archives, feeds,
sitemaps, site configuration fanned out in chunks, and the rebuild oracle."""

from __future__ import annotations

import http.client
import json
import re
import urllib.parse
from collections.abc import Iterator
from pathlib import Path

import pytest

from local.stack import LocalStack
from tests.support.site import article_md, fetch, invalidations, local_site, publisher_for, site_objects, tags

ROOT = Path(__file__).resolve().parents[2]
CATEGORY = "articles/tin-tuc/tin-vifotec"
CATEGORIES_YAML = """\
- slug: tin-tuc
  name: Tin tức
  description: Tin tức khoa học và công nghệ
  children:
    - slug: tin-vifotec
      name: Tin VIFOTEC
    - slug: hoat-dong-khcn
      name: Hoạt động KH&CN
- slug: chuyen-giao-cong-nghe
  name: Chuyển giao công nghệ
"""


@pytest.fixture
def stack() -> Iterator[LocalStack]:
    with local_site() as s:
        yield s


def publish(stack: LocalStack, key: str, text: str | bytes) -> None:
    stack.upload(key, text)
    stack.process_queue()


def rebuild(stack: LocalStack, job: str) -> None:
    """What `make rebuild` does: one plan message on the render queue."""
    stack.client("sqs").send_message(
        QueueUrl=stack.outputs["RenderQueueUrl"],
        MessageBody=json.dumps({"type": "plan", "job": job, "media": True}),
    )
    stack.process_queue()


def month_archive(stack: LocalStack, url: str) -> str:
    """Every page of a month's archive, from the month's address (its newest page) through the older ones."""
    status, page = fetch(stack.site_url + url)
    assert status == 200, url
    pages = [page]
    while (older := re.search(r'<a rel="next" href="([^"]+)"', pages[-1])) is not None:
        status, page = fetch(stack.site_url + older.group(1))
        assert status == 200 and len(pages) < 50, older.group(1)
        pages.append(page)
    return "\n".join(pages)


def config_stamps(stack: LocalStack) -> dict[str, str]:
    """The configuration version every HTML page was rendered with."""
    stamps = {}
    for key, body in site_objects(stack).items():
        if key.endswith(".html"):
            found = re.search(rb'data-config-version="(\d+)"', body)
            stamps[key] = found.group(1).decode() if found else "missing"
    return stamps


def test_category_front_page_archive_and_feeds(stack: LocalStack) -> None:
    publish(stack, "site/categories.yaml", CATEGORIES_YAML)
    for n, day in enumerate(("2024-05-30", "2024-06-02", "2024-06-20")):
        stack.upload(f"{CATEGORY}/bai-{n}.md", article_md(f"Bài số {n}", f"{day}T08:00:00+07:00"))
    stack.upload(
        "articles/chuyen-giao-cong-nghe/cg.md", article_md("Chuyển giao", "2024-06-03T09:00:00+07:00")
    )
    stack.process_queue()

    status, home = fetch(stack.site_url + "/")
    assert status == 200
    assert "Bài số 2" in home and "Chuyển giao công nghệ" in home
    status, page = fetch(stack.site_url + "/tin-tuc/")
    assert status == 200
    assert all(f"Bài số {n}" in page for n in range(3))  # a parent lists its subcategories' articles
    assert "/tin-tuc/2024/06/" in page and "/tin-tuc/2024/05/" in page
    june = month_archive(stack, "/tin-tuc/tin-vifotec/2024/06/")
    assert "Bài số 1" in june and "Bài số 2" in june and "Bài số 0" not in june
    assert fetch(stack.site_url + "/2024/06/")[0] == 200  # the whole site's month
    for feed in ("/rss.xml", "/tin-tuc/rss.xml", "/tin-tuc/tin-vifotec/rss.xml"):
        status, body = fetch(stack.site_url + feed)
        assert status == 200 and "<rss" in body, feed
    for path in ("/sitemap.xml", "/sitemap-news.xml", "/robots.txt"):
        assert fetch(stack.site_url + path)[0] == 200, path
    shards = re.findall(
        r"<loc>https?://[^/]+(/sitemaps/[^<]+)</loc>", fetch(stack.site_url + "/sitemap.xml")[1]
    )
    assert "/sitemaps/sections.xml" in shards and len(shards) >= 2
    for path in shards:  # the index lists only shards that are there
        assert fetch(stack.site_url + path)[0] == 200, path


def test_archives_are_keyed_by_month_so_a_publish_rewrites_only_its_own_month(stack: LocalStack) -> None:
    for n, day in enumerate(("2024-01-10", "2024-02-10", "2024-03-10", "2024-04-10")):
        stack.upload(f"{CATEGORY}/bai-{n}.md", article_md(f"Bài {n}", f"{day}T08:00:00+07:00"))
    stack.process_queue()
    publisher = publisher_for(stack)
    stack.upload(f"{CATEGORY}/cu.md", article_md("Bài lùi ngày", "2024-02-20T08:00:00+07:00"))
    report = publisher.render([publisher.ingest(f"{CATEGORY}/cu.md")])
    archives = sorted(k for k in report.written if re.search(r"\d{4}/\d{2}/index\.html$", k))
    assert archives == [
        "2024/02/index.html",
        "tin-tuc/2024/02/index.html",
        "tin-tuc/tin-vifotec/2024/02/index.html",
    ]
    shards = [k for k in report.written if k.startswith("sitemaps/")]
    assert len(shards) == 1 and b"/tin-tuc/tin-vifotec/cu.html" in site_objects(stack)[shards[0]]
    assert not any("2024-01" in k or "2024/01" in k or "2024/03" in k for k in report.written)


def test_a_month_emptied_by_a_delete_loses_its_page(stack: LocalStack) -> None:
    publish(stack, f"{CATEGORY}/le.md", article_md("Bài lẻ", "2023-11-05T08:00:00+07:00"))
    publish(stack, f"{CATEGORY}/khac.md", article_md("Bài khác", "2024-06-05T08:00:00+07:00"))
    assert fetch(stack.site_url + "/tin-tuc/tin-vifotec/2023/11/")[0] == 200
    stack.client("s3").delete_object(Bucket=stack.source_bucket, Key=f"{CATEGORY}/le.md")
    stack.process_queue()
    assert fetch(stack.site_url + "/tin-tuc/tin-vifotec/2023/11/")[0] == 404
    stored = site_objects(stack)
    assert not [k for k, body in stored.items() if k.startswith("sitemaps/") and b"/le.html" in body]


def test_configuration_change_fans_out_and_invalidates_once_when_every_chunk_is_done(
    stack: LocalStack,
) -> None:
    for n in range(7):
        stack.upload(f"{CATEGORY}/bai-{n}.md", article_md(f"Bài {n}", f"2024-06-{n + 1:02d}T08:00:00+07:00"))
    stack.process_queue()
    assert set(config_stamps(stack).values()) == {"0"}
    before = len(invalidations(stack))

    publish(stack, "site/categories.yaml", CATEGORIES_YAML)

    assert tags(stack, "site/categories.yaml")["publish-status"] == "published"
    assert tags(stack, "site/categories.yaml")["publish-config-version"] == "1"
    assert set(config_stamps(stack).values()) == {"1"}
    _, page = fetch(stack.site_url + "/tin-tuc/tin-vifotec/bai-3.html")
    assert "Tin VIFOTEC" in page
    new = invalidations(stack)[: len(invalidations(stack)) - before]
    wildcards = [i for i in invalidations(stack) if i["Paths"].get("Items") == ["/*"]]
    assert len(wildcards) == 1 and wildcards[0]["CallerReference"] == "config-1", new
    job = stack.client("dynamodb").get_item(
        TableName=stack.outputs["ContentTableName"], Key={"pk": {"S": "JOB#config-1"}, "sk": {"S": "JOB"}}
    )["Item"]
    assert len(job["done_chunks"]["NS"]) == int(job["total"]["N"]) > 1


def test_a_bad_configuration_is_rejected_on_its_tags_and_the_previous_one_stays(stack: LocalStack) -> None:
    publish(stack, "site/categories.yaml", CATEGORIES_YAML)
    publish(stack, f"{CATEGORY}/bai.md", article_md("Bài", "2024-06-01T08:00:00+07:00"))
    publish(stack, "site/site.yaml", "name: [Cổng thông tin\n")
    found = tags(stack, "site/site.yaml")
    assert found["publish-status"] == "error"
    assert "site.yaml" in found["publish-error"] and "line" in found["publish-error"]
    assert set(config_stamps(stack).values()) == {"1"}
    _, page = fetch(stack.site_url + "/tin-tuc/tin-vifotec/bai.html")
    assert "Tin VIFOTEC" in page


def test_rebuild_from_scratch_equals_the_incremental_site_byte_for_byte(stack: LocalStack) -> None:
    stack.upload_directory(ROOT / "examples")
    stack.process_queue()
    # Moves, a delete, a back-dated article and a draft: the incremental path at work.
    publish(stack, f"{CATEGORY}/moi.md", article_md("Bài mới", "2024-06-30T23:30:00+07:00"))
    publish(stack, f"{CATEGORY}/moi.md", article_md("Bài mới", "2023-01-01T08:00:00+07:00", slug="bai-moi-2"))
    publish(stack, "articles/so-huu-tri-tue/moved.md", article_md("Đã chuyển", "2024-02-02T08:00:00+07:00"))
    publish(
        stack,
        "articles/so-huu-tri-tue/moved.md",
        article_md("Đã chuyển", "2024-02-02T08:00:00+07:00", category="Chuyển giao công nghệ"),
    )
    stack.client("s3").delete_object(Bucket=stack.source_bucket, Key=f"{CATEGORY}/moi.md")
    stack.process_queue()
    incremental = site_objects(stack)

    rebuild(stack, "rebuild-same")
    assert site_objects(stack) == incremental

    s3 = stack.client("s3")
    for key in incremental:
        s3.delete_object(Bucket=stack.site_bucket, Key=key)
    rebuild(stack, "rebuild-scratch")
    # Drafts' previews are private, made by their upload (or a picture they show), not by a rebuild.
    rebuilt = {k: v for k, v in site_objects(stack).items() if not k.startswith("preview/")}
    incremental = {k: v for k, v in incremental.items() if not k.startswith("preview/")}
    assert sorted(rebuilt) == sorted(incremental)
    assert any(k.endswith(".pdf") for k in rebuilt) and any(".webp" in k for k in rebuilt)
    different = [key for key in incremental if rebuilt[key] != incremental[key]]
    assert different == []  # pictures' variants and articles' PDFs too, byte for byte


def head_status(url: str) -> tuple[int, str]:
    """GET without following redirects: (status, Location)."""
    parts = urllib.parse.urlsplit(url)
    connection = http.client.HTTPConnection(parts.hostname or "", parts.port, timeout=10)
    try:
        connection.request("GET", parts.path)
        response = connection.getresponse()
        response.read()
        return response.status, response.getheader("Location") or ""
    finally:
        connection.close()


def test_a_moved_article_answers_301_from_every_old_url_until_it_is_deleted(stack: LocalStack) -> None:
    key = f"{CATEGORY}/doi-ten.md"
    publish(stack, key, article_md("Bài đổi tên", "2024-06-01T08:00:00+07:00", slug="ten-cu"))
    publish(stack, key, article_md("Bài đổi tên", "2024-06-01T08:00:00+07:00", slug="ten-moi"))
    publish(
        stack, key, article_md("Bài đổi tên", "2024-06-01T08:00:00+07:00", category="Chuyển giao công nghệ")
    )
    new = "/chuyen-giao-cong-nghe/doi-ten.html"
    assert head_status(stack.site_url + new)[0] == 200
    assert head_status(stack.site_url + "/tin-tuc/tin-vifotec/ten-cu.html") == (301, new)
    assert head_status(stack.site_url + "/tin-tuc/tin-vifotec/ten-moi.html") == (301, new)

    # Another article may take an old URL: its page wins, no redirect shadows it.
    publish(stack, f"{CATEGORY}/ten-cu.md", article_md("Bài khác", "2024-06-02T08:00:00+07:00"))
    assert head_status(stack.site_url + "/tin-tuc/tin-vifotec/ten-cu.html")[0] == 200

    stack.client("s3").delete_object(Bucket=stack.source_bucket, Key=key)
    stack.process_queue()
    assert head_status(stack.site_url + "/tin-tuc/tin-vifotec/ten-moi.html")[0] == 404
    assert head_status(stack.site_url + new)[0] == 404
