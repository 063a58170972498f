"""The search use case on in-memory fakes: what publishing indexes, and the page a query gets.

Articles reach the search index only through the publish use case here, so
these tests also check that a publish, an edit and a delete keep it in line.
"""

from __future__ import annotations

from dataclasses import replace

from newsroom.domain.search_terms import query_terms

from tests.support.fake_site import FakeSite
from tests.usecases.pages import md, result_urls

A = "articles/tin-tuc/a.md"
B = "articles/tin-tuc/b.md"


def publish_two(site: FakeSite) -> None:
    """``a``: both words in its body only, newer; ``b``: both in its title, older."""
    site.source.upload(A, md("Bài về giống lúa", "2024-04-28T08:30:00+07:00", body="Tại hội nghị tỉnh."))
    site.source.upload(B, md("Hội nghị tổng kết", "2024-04-20T08:30:00+07:00"))
    site.publish(A, B)


def test_published_articles_are_found_without_diacritics_title_matches_first(site: FakeSite) -> None:
    publish_two(site)
    page = site.search.page("hoi nghi")
    assert result_urls(page) == ["/tin-tuc/b.html", "/tin-tuc/a.html"]
    assert "Số bài tìm thấy: 2" in page
    assert 'name="robots" content="noindex"' in page and 'lang="vi"' in page
    assert result_urls(site.search.page("HỘI   NGHỊ")) == result_urls(page)
    assert result_urls(site.search.page("giong lua")) == ["/tin-tuc/a.html"]
    assert result_urls(site.search.page("hoi nghi lua khong")) == []  # every word must match


def test_an_empty_query_invites_a_search_and_a_hostile_one_is_escaped(site: FakeSite) -> None:
    publish_two(site)
    for query in ("", "   ", " !!! "):
        page = site.search.page(query)
        assert "có thể gõ không dấu" in page and result_urls(page) == [], query
    hostile = site.search.page("<script>alert(1)</script>")
    assert "<script>alert" not in hostile and "&lt;script&gt;alert(1)" in hostile


def test_an_edit_replaces_the_stale_terms_and_a_delete_or_draft_removes_them(site: FakeSite) -> None:
    publish_two(site)
    site.upload_and_publish(A, md("Bài về giống lúa", "2024-04-28T08:30:00+07:00", body="Cây cam sành."))
    assert result_urls(site.search.page("hoi nghi")) == ["/tin-tuc/b.html"]
    assert result_urls(site.search.page("cam sanh")) == ["/tin-tuc/a.html"]

    site.delete_and_publish(A)
    assert result_urls(site.search.page("lua")) == []
    site.upload_and_publish(B, md("Hội nghị tổng kết", "2024-04-20T08:30:00+07:00", status="draft"))
    assert result_urls(site.search.page("hoi nghi")) == []
    assert all(not entry.hits for entry in site.search_terms.indexed.values())


def test_the_results_page_is_rendered_with_the_configuration_in_force(site: FakeSite) -> None:
    publish_two(site)
    site.upload_and_publish("site/site.yaml", "name: Cổng tin thử nghiệm\n")
    page = site.search.page("tong ket")
    assert "Cổng tin thử nghiệm" in page and 'data-config-version="1"' in page
    assert result_urls(page) == ["/tin-tuc/b.html"]


def test_an_older_version_never_overwrites_a_newer_one_and_a_resync_writes_nothing(site: FakeSite) -> None:
    publish_two(site)
    record = site.index.articles.get(B)
    assert record is not None and record.article is not None
    assert site.search_terms.sync(record) == 0  # a duplicate delivery
    older = replace(record, version=record.version - 1, article=replace(record.article, title="Tiêu đề cũ"))
    assert site.search_terms.sync(older) == 0
    (hit,) = site.search_terms.search(query_terms("tong ket"))
    assert (hit.title, hit.url, hit.title_matches) == ("Hội nghị tổng kết", "/tin-tuc/b.html", 2)
    assert site.search_terms.search(query_terms("tieu de cu")) == []
