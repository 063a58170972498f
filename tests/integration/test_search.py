"""The term index on in-process moto (the template's SearchTable): sync, resync, crash, query.

Faster and more pointed than the local-stack test: records are built by hand,
so edits, moves, unpublishing, a crash half-way and throttled batch writes can
be played exactly.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import boto3
import pytest
from moto import mock_aws
from newsroom.adapters import search_table
from newsroom.adapters.search_table import PER_TERM, SearchIndex
from newsroom.domain.article import Article
from newsroom.domain.records import DELETED, DRAFT, PUBLISHED, IndexedArticle, Placement, sort_key
from newsroom.domain.search_terms import MAX_QUERY_LENGTH, MAX_TERMS, query_terms

from local.function_url import function_url_event
from local.provision import create_table
from local.template import Template
from tests.support.handlers import function_app

ROOT = Path(__file__).resolve().parents[2]
WHEN = datetime(2024, 6, 1, 1, 0, tzinfo=UTC)


@pytest.fixture
def db() -> Iterator[Any]:
    with mock_aws():
        client = boto3.client("dynamodb", region_name="us-east-1")
        table = create_table(
            client, Template.load(ROOT / "template.yaml", stack_name="searchtest"), "SearchTable"
        )
        client.search_table = table  # where the tests find it
        yield client


@pytest.fixture
def index(db: Any) -> SearchIndex:
    return SearchIndex(db, db.search_table)


def record(
    name: str,
    title: str,
    body: str = "<p>Nội dung.</p>",
    *,
    when: datetime = WHEN,
    state: str = PUBLISHED,
    summary: str = "",
    slug: str | None = None,
) -> IndexedArticle:
    article = Article(
        source_key=f"articles/tin-tuc/{name}.md",
        title=title,
        slug=slug or name,
        category=("tin-tuc",),
        category_names=("Tin tức",),
        published_at=when,
        summary=summary,
        author="",
        image=None,
        tags=(),
        status="published",
        body_html=body,
    )
    placement = Placement(("tin-tuc",), sort_key(when, article.url))
    return IndexedArticle(
        source_key=article.source_key,
        state=state,
        version=1,
        first_seen=when.isoformat(),
        article=article,
        placement=placement if state == PUBLISHED else None,
        previous=None,
    )


def edit(indexed: IndexedArticle, **changes: Any) -> IndexedArticle:
    """The same record with its accepted content changed."""
    assert indexed.article is not None
    return replace(indexed, article=replace(indexed.article, **changes))


def items(db: Any) -> list[tuple[str, str]]:
    """Every (pk, sk) of the table, the bookkeeping ``TERMS#`` items included."""
    found = db.scan(TableName=db.search_table)["Items"]
    return sorted((i["pk"]["S"], i["sk"]["S"]) for i in found)


def term_items(db: Any) -> list[tuple[str, str]]:
    return [(pk, sk) for pk, sk in items(db) if pk.startswith("TERM#")]


def urls(index: SearchIndex, query: str, limit: int = 50) -> list[str]:
    return [hit.url for hit in index.search(query_terms(query), limit)]


def test_a_published_article_is_found_without_diacritics_title_matches_first(index: SearchIndex) -> None:
    index.sync(
        record("a", "Bài về giống lúa", "<p>Tại <b>hội nghị</b> tỉnh…</p>", when=WHEN + timedelta(days=3))
    )
    index.sync(record("b", "Hội nghị tổng kết", when=WHEN))
    index.sync(record("c", "Hội thảo", when=WHEN + timedelta(days=5)))
    index.sync(record("d", "Nghị quyết", summary="Hội đồng họp.", when=WHEN + timedelta(days=1)))
    # b: both words in the title; d: one (and "hội" in its summary); a: both in the body only.
    assert urls(index, "hoi nghi") == ["/tin-tuc/b.html", "/tin-tuc/d.html", "/tin-tuc/a.html"]
    assert urls(index, "HỘI NGHỊ") == urls(index, "Hội nghị") == urls(index, "hoi nghi")
    assert urls(index, "hoi") == ["/tin-tuc/c.html", "/tin-tuc/b.html", "/tin-tuc/a.html", "/tin-tuc/d.html"]
    assert urls(index, "hoi dong") == ["/tin-tuc/d.html"]  # the summary is searched too
    assert urls(index, "hoi", limit=2) == ["/tin-tuc/c.html", "/tin-tuc/b.html"]
    assert urls(index, "hoi nghi lua khong") == []  # every word must match
    assert index.search([]) == []
    (hit,) = index.search(query_terms("tong ket"))
    assert (hit.title, hit.published_at, hit.title_matches) == ("Hội nghị tổng kết", WHEN.isoformat(), 2)


def test_markup_is_not_searchable_but_entities_are_words(index: SearchIndex) -> None:
    index.sync(
        record("a", "Tin", '<p class="lead">Cây&nbsp;cam &amp; <a href="/x/doi-moi.html">bưởi</a></p>')
    )
    assert urls(index, "cam buoi") == ["/tin-tuc/a.html"]
    assert urls(index, "lead") == [] and urls(index, "href") == [] and urls(index, "doi") == []


def test_sync_is_idempotent_and_an_edit_replaces_exactly_the_stale_terms(db: Any, index: SearchIndex) -> None:
    first = record("a", "Hội nghị", "<p>Giống lúa mới.</p>")
    assert index.sync(first) > 0
    before = items(db)
    assert index.sync(first) == 0  # duplicate delivery: no write at all
    assert items(db) == before

    edited = edit(first, body_html="<p>Cây cam sành.</p>")
    index.sync(edited)
    assert urls(index, "giong lua") == []
    assert urls(index, "cam sanh") == urls(index, "hoi nghi") == ["/tin-tuc/a.html"]
    assert not any(pk in {"TERM#giong", "TERM#lua", "TERM#moi"} for pk, _ in term_items(db))

    retitled = edit(edited, title="Hội thảo")
    index.sync(retitled)
    (hit,) = index.search(["hoi"])
    assert hit.title == "Hội thảo" and hit.title_matches == 1
    assert urls(index, "nghi") == []


def test_a_move_or_back_date_moves_every_term_item(db: Any, index: SearchIndex) -> None:
    index.sync(record("a", "Hội nghị", when=WHEN))
    index.sync(record("a", "Hội nghị", when=WHEN - timedelta(days=400), slug="hoi-nghi-cu"))
    assert urls(index, "hoi nghi") == ["/tin-tuc/hoi-nghi-cu.html"]
    assert all("2023-" in sk and sk.endswith("/tin-tuc/hoi-nghi-cu.html") for _, sk in term_items(db))


@pytest.mark.parametrize("state", [DRAFT, DELETED])
def test_unpublishing_removes_every_term_item(db: Any, index: SearchIndex, state: str) -> None:
    published = record("a", "Hội nghị", "<p>Giống lúa.</p>")
    index.sync(published)
    index.sync(record("b", "Hội nghị khác"))
    index.sync(replace(published, state=state, placement=None, previous=published.placement))
    assert urls(index, "hoi nghi") == ["/tin-tuc/b.html"]
    assert urls(index, "giong lua") == []
    assert all(sk.endswith("/tin-tuc/b.html") for _, sk in term_items(db))
    assert index.sync(replace(published, state=state, placement=None)) == 0  # again: nothing to do
    gone = replace(published, state=DELETED, article=None, placement=None)  # no content kept at all
    index.sync(gone)
    assert all(sk.endswith("/tin-tuc/b.html") for _, sk in term_items(db))


class Crash(Exception):
    """The function died (timeout, out of memory) in the middle of a sync."""


class CrashingClient:
    """A DynamoDB client that dies after ``calls`` BatchWriteItem calls."""

    def __init__(self, db: Any, calls: int) -> None:
        self._db = db
        self.calls = calls

    def __getattr__(self, name: str) -> Any:
        return getattr(self._db, name)

    def batch_write_item(self, **kwargs: Any) -> Any:
        if self.calls <= 0:
            raise Crash
        self.calls -= 1
        return self._db.batch_write_item(**kwargs)


def test_a_rebuild_trusts_only_a_version_whose_items_are_complete(
    db: Any, index: SearchIndex, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Deriving terms again was most of a rebuild's CPU: a complete sync of the same version is kept."""
    derived: list[str] = []
    real = search_table.document_terms
    monkeypatch.setattr(search_table, "document_terms", lambda t, b: derived.append(t) or real(t, b))
    first = record("a", "Hội nghị", long_body("mot", 30))
    index.sync(first)
    before = items(db)
    assert index.sync(first, trust_current=True) == 0 and derived == ["Hội nghị"]  # nothing derived again
    assert items(db) == before
    # A crash half-way leaves the TERMS item without its digest: not trusted, synced in full.
    second = record("a", "Hội nghị", long_body("hai", 30), when=WHEN + timedelta(days=1))
    with pytest.raises(Crash):
        SearchIndex(CrashingClient(db, 2), db.search_table).sync(second)
    index.sync(second, trust_current=True)
    assert urls(index, "mot1") == [] and urls(index, "hai1") == ["/tin-tuc/a.html"]
    # Items written by an older way of deriving terms are derived again.
    monkeypatch.setattr(search_table, "TERMS_SCHEME", search_table.TERMS_SCHEME + 1)
    derived.clear()
    index.sync(second, trust_current=True)
    assert derived == ["Hội nghị"]


def long_body(words: str, count: int) -> str:
    return "<p>" + " ".join(f"{words}{n}" for n in range(count)) + "</p>"


@pytest.mark.parametrize("calls", [0, 1, 2, 3])
def test_a_crash_half_way_converges_whatever_comes_next(db: Any, index: SearchIndex, calls: int) -> None:
    """A crash mid-sync, then the article changes again (or goes): no term item is left behind."""
    first = record("a", "Hội nghị", long_body("mot", 60))
    index.sync(first)
    second = record("a", "Hội nghị", long_body("hai", 60), when=WHEN + timedelta(days=1))
    with pytest.raises(Crash):
        SearchIndex(CrashingClient(db, calls), db.search_table).sync(second)

    third = record("a", "Hội thảo", long_body("ba", 60), when=WHEN + timedelta(days=2))
    index.sync(third)
    assert urls(index, "hai1") == [] and urls(index, "mot1") == [] and urls(index, "nghi") == []
    assert urls(index, "hoi thao ba59") == ["/tin-tuc/a.html"]
    fresh = SearchIndex(db, db.search_table)
    expected = term_items(db)
    assert len(expected) == 2 + 60
    assert all(sk.startswith(("T#2024-06-03", "B#2024-06-03")) for _, sk in expected)

    index.sync(replace(third, state=DELETED, placement=None))
    assert term_items(db) == []
    assert fresh.search(["hoi"]) == []


@pytest.mark.parametrize("calls", [0, 1, 2])
def test_retrying_the_same_sync_after_a_crash_converges(db: Any, index: SearchIndex, calls: int) -> None:
    first = record("a", "Hội nghị", long_body("mot", 60))
    index.sync(first)
    second = record("a", "Hội nghị", long_body("hai", 60))
    with pytest.raises(Crash):
        SearchIndex(CrashingClient(db, calls), db.search_table).sync(second)
    index.sync(second)
    assert urls(index, "mot1") == [] and urls(index, "hai59 hoi") == ["/tin-tuc/a.html"]
    assert len(term_items(db)) == 2 + 60
    assert index.sync(second) == 0


class ThrottlingClient:
    """BatchWriteItem hands back part of each request as UnprocessedItems the first times."""

    def __init__(self, db: Any, refusals: int) -> None:
        self._db = db
        self.refusals = refusals
        self.batches: list[int] = []

    def __getattr__(self, name: str) -> Any:
        return getattr(self._db, name)

    def batch_write_item(self, RequestItems: dict[str, list[Any]]) -> Any:
        ((table, requests),) = RequestItems.items()
        self.batches.append(len(requests))
        if self.refusals > 0 and len(requests) > 1:
            self.refusals -= 1
            kept, refused = requests[: len(requests) // 2], requests[len(requests) // 2 :]
            self._db.batch_write_item(RequestItems={table: kept})
            return {"UnprocessedItems": {table: refused}}
        return self._db.batch_write_item(RequestItems=RequestItems)


def test_unprocessed_items_are_retried_in_batches_of_25(db: Any) -> None:
    client = ThrottlingClient(db, refusals=3)
    SearchIndex(client, db.search_table).sync(record("a", "Hội nghị", long_body("tu", 70)))
    assert max(client.batches) == 25
    assert len(term_items(db)) == 2 + 70
    assert urls(SearchIndex(db, db.search_table), "tu69 hoi") == ["/tin-tuc/a.html"]


def test_one_article_costs_a_bounded_number_of_items(db: Any, index: SearchIndex) -> None:
    writes = index.sync(record("a", "Hội nghị", long_body("tu", 5000)))
    assert writes == MAX_TERMS == len(term_items(db))
    assert {"TERM#hoi", "TERM#nghi"} <= {pk for pk, _ in term_items(db)}  # title words are never cut


def test_a_query_reads_a_bounded_page_per_term(db: Any, index: SearchIndex) -> None:
    index.sync(record("a", "Hội nghị"))
    calls: list[dict[str, Any]] = []
    db.meta.events.register("provide-client-params.dynamodb.Query", lambda params, **_: calls.append(params))
    index.search(["hoi", "nghi"])
    assert [c["Limit"] for c in calls] == [PER_TERM, PER_TERM]
    assert all(c["ScanIndexForward"] is False for c in calls)


# -- the function, as its function URL calls it ----------------------------------------


class Context:
    """The attributes Powertools reads from the Lambda context."""

    function_name = "newsroom-search"
    function_version = "$LATEST"
    invoked_function_arn = "arn:aws:lambda:us-east-1:123456789012:function:newsroom-search"
    memory_limit_in_mb = 512
    aws_request_id = "00000000-0000-0000-0000-000000000000"
    log_group_name = "/aws/lambda/newsroom-search"
    log_stream_name = "test"

    def get_remaining_time_in_millis(self) -> int:
        return 10_000


@pytest.fixture
def search_app(db: Any, monkeypatch: pytest.MonkeyPatch) -> Any:
    """``functions/search/app.py`` loaded fresh (a cold start) with the template's variables."""
    template = Template.load(ROOT / "template.yaml", stack_name="searchtest")
    content = create_table(db, template, "ContentTable")
    variables = template.properties("SearchFunction")["Environment"]["Variables"]
    environment = {
        "CONTENT_TABLE_NAME": content,
        "SEARCH_TABLE_NAME": db.search_table,
        "SITE_BASE_URL": "https://tin.example.vn",
        "SITE_LOCALE": "vi",
        "SITE_TIMEZONE": "Asia/Ho_Chi_Minh",
    }
    assert set(environment) == {v for v in variables if not v.startswith("POWERTOOLS_")}  # as the template
    for name, value in {
        **environment,
        "AWS_DEFAULT_REGION": "us-east-1",
        "POWERTOOLS_SERVICE_NAME": "newsroom",
        "POWERTOOLS_METRICS_NAMESPACE": "Newsroom",
        "POWERTOOLS_TRACE_DISABLED": "true",
    }.items():
        monkeypatch.setenv(name, value)
    return function_app("search")


def invoke(app: Any, query: str, method: str = "GET") -> dict[str, Any]:
    event = function_url_event(method, "/api/search", query, {"User-Agent": "pytest"})
    return dict(app.lambda_handler(event, Context()))


def found(body: str) -> list[str]:
    return re.findall(r'<li>\s*<a href="([^"]+\.html)">', body)


def test_the_function_answers_a_cacheable_page_title_matches_first(
    index: SearchIndex, search_app: Any
) -> None:
    index.sync(record("a", "Bài về giống lúa", "<p>Tại hội nghị tỉnh…</p>", when=WHEN + timedelta(days=3)))
    index.sync(record("b", "Hội nghị tổng kết", when=WHEN))
    response = invoke(search_app, "q=hoi+nghi")
    assert response["statusCode"] == 200
    assert response["headers"]["Content-Type"] == "text/html; charset=utf-8"
    assert response["headers"]["Cache-Control"] == "public, max-age=60"
    body = response["body"]
    assert found(body) == ["/tin-tuc/b.html", "/tin-tuc/a.html"]
    assert 'name="robots" content="noindex"' in body and 'lang="vi"' in body
    assert found(invoke(search_app, "q=H%E1%BB%98I%20NGH%E1%BB%8A")["body"]) == found(body)


def test_the_function_invites_a_search_refuses_writes_and_escapes_the_query(search_app: Any) -> None:
    for query in ("", "q=", "q=+!!!+", "other=1"):
        response = invoke(search_app, query)
        assert response["statusCode"] == 200 and "có thể gõ không dấu" in response["body"], query
    head = invoke(search_app, "q=hoi", method="HEAD")
    assert head["statusCode"] == 200 and head["body"] == ""
    assert head["headers"]["Cache-Control"] == "public, max-age=60"
    for method in ("POST", "PUT", "DELETE"):
        refused = invoke(search_app, "q=hoi", method=method)
        assert refused["statusCode"] == 405 and refused["headers"]["Allow"] == "GET, HEAD"
    hostile = invoke(search_app, "q=%3Cscript%3Ealert(1)%3C%2Fscript%3E")["body"]
    assert "<script>alert" not in hostile and "&lt;script&gt;alert(1)" in hostile
    huge = invoke(search_app, "q=" + "hoi+" * 5000)
    assert huge["statusCode"] == 200
    assert "hoi " * (MAX_QUERY_LENGTH // 4 + 1) not in huge["body"]  # the query shown is cut too
