"""Search on the local stack: the term index follows every publish, the CDN routes /api/search."""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
from newsroom.adapters.search_table import SearchIndex

from local.stack import LocalStack
from tests.support.site import article_md, fetch, local_site

CATEGORY = "articles/tin-tuc"


@pytest.fixture
def stack() -> Iterator[LocalStack]:
    with local_site() as s:
        yield s


def results(stack: LocalStack, query: str) -> list[str]:
    status, body = fetch(stack.site_url + "/api/search?q=" + query)
    assert status == 200
    return re.findall(r'<li>\s*<a href="([^"]+\.html)">', body)


def term_items(stack: LocalStack) -> int:
    db = stack.client("dynamodb")
    items = db.scan(TableName=stack.environment()["SEARCH_TABLE_NAME"])["Items"]
    return sum(1 for i in items if i["pk"]["S"].startswith("TERM#"))


def test_diacritic_and_case_insensitive_with_title_matches_first(stack: LocalStack) -> None:
    stack.upload(
        f"{CATEGORY}/a.md", article_md("Bài về giống lúa", "2024-06-05T08:00:00+07:00", "Tại hội nghị…")
    )
    stack.upload(
        f"{CATEGORY}/b.md", article_md("Hội nghị tổng kết", "2024-06-01T08:00:00+07:00", "Nội dung.")
    )
    stack.upload(f"{CATEGORY}/c.md", article_md("Hội thảo", "2024-06-06T08:00:00+07:00", "Không liên quan."))
    stack.process_queue()
    assert results(stack, "hoi+nghi") == ["/tin-tuc/b.html", "/tin-tuc/a.html"]
    assert results(stack, "H%E1%BB%98I+NGH%E1%BB%8A") == ["/tin-tuc/b.html", "/tin-tuc/a.html"]
    assert results(stack, "hoi+thao") == ["/tin-tuc/c.html"]
    assert results(stack, "khong+co+tu+nay") == []
    _, body = fetch(stack.site_url + "/api/search?q=hoi+nghi")
    assert 'data-config-version="' in body and 'name="robots" content="noindex"' in body


def test_the_index_follows_edits_and_deletes_and_ignores_duplicates(stack: LocalStack) -> None:
    key = f"{CATEGORY}/a.md"
    stack.upload(key, article_md("Hội nghị", "2024-06-01T08:00:00+07:00", "Giống lúa mới."))
    stack.process_queue()
    assert results(stack, "giong+lua") == ["/tin-tuc/a.html"]
    stack.upload(key, article_md("Hội nghị", "2024-06-01T08:00:00+07:00", "Cây cam sành."))
    stack.process_queue()
    assert results(stack, "giong+lua") == []
    assert results(stack, "cam+sanh") == ["/tin-tuc/a.html"]
    before = term_items(stack)
    index = SearchIndex(stack.client("dynamodb"), stack.environment()["SEARCH_TABLE_NAME"])
    from newsroom.wiring.assembly import content_index  # noqa: PLC0415

    record = content_index(stack.client("dynamodb"), stack.outputs["ContentTableName"]).articles.get(key)
    assert record is not None
    assert index.sync(record) == 0  # a duplicate delivery writes nothing
    assert term_items(stack) == before
    stack.client("s3").delete_object(Bucket=stack.source_bucket, Key=key)
    stack.process_queue()
    assert results(stack, "cam+sanh") == []
    assert term_items(stack) == 0


def test_an_empty_query_invites_a_search(stack: LocalStack) -> None:
    status, body = fetch(stack.site_url + "/api/search?q=")
    assert status == 200 and "không dấu" in body
