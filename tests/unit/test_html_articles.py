"""Articles uploaded as HTML: fields from front matter or the page's own tags, a body cleaned like Markdown's."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from newsroom.domain.article import Article, parse_article
from newsroom.domain.errors import RejectedSource
from newsroom.domain.source_keys import classify

SEEN = datetime(2024, 5, 1, 1, 0, tzinfo=UTC)
PAGE = """<!DOCTYPE html>
<html lang="vi"><head>
<meta charset="utf-8">
<title>Hội nghị tổng kết &amp; triển khai</title>
<meta name="author" content="Đinh Thị Lan Anh">
<meta name="description" content="Tổng kết năm 2023.">
<meta name="keywords" content="VIFOTEC, hội nghị">
<meta property="article:published_time" content="2024-04-10T15:00:00+07:00">
<style>p { color: red }</style>
<script>alert("head")</script>
</head>
<body onload="steal()">
<h1>Tiêu đề trong trang</h1>
<p>Chiều ngày 10/4, <a href="https://most.gov.vn" onclick="x()">Bộ KH&amp;CN</a> và
<a href="javascript:alert(1)">một liên kết xấu</a>.</p>
<figure><img src="/media/hoi-nghi.jpg" alt="Toàn cảnh"><figcaption>Toàn cảnh hội nghị</figcaption></figure>
<table><thead><tr><th scope="col">Giải</th></tr></thead><tbody><tr><td>Nhất</td></tr></tbody></table>
<blockquote><p>Trích dẫn</p></blockquote>
<iframe src="https://evil.example/"></iframe>
<form action="/x"><input name="q"></form>
<script>document.cookie</script>
</body></html>
"""


def parse(text: str, key: str = "articles/tin-tuc/hoi-nghi.html") -> Article:
    return parse_article(classify(key), text.encode(), first_seen=SEEN, timezone="Asia/Ho_Chi_Minh")


def test_a_pasted_page_keeps_what_a_news_body_needs_and_nothing_that_runs() -> None:
    article = parse(PAGE)
    assert article.title == "Hội nghị tổng kết & triển khai"
    assert (article.author, article.summary, article.tags) == (
        "Đinh Thị Lan Anh",
        "Tổng kết năm 2023.",
        ("VIFOTEC", "hội nghị"),
    )
    assert article.published_at.isoformat() == "2024-04-10T15:00:00+07:00"
    assert article.url == "/tin-tuc/hoi-nghi.html"
    body = article.body_html
    for kept in (
        "<figure>",
        "<figcaption>Toàn cảnh hội nghị</figcaption>",
        "<table>",
        '<th scope="col">',
        "<blockquote>",
        'href="https://most.gov.vn"',
        'alt="Toàn cảnh"',
        "<h2>Tiêu đề trong trang</h2>",
    ):
        assert kept in body, kept
    for gone in (
        "<script",
        "alert",
        "<style",
        "color: red",
        "<iframe",
        "evil.example",
        "<form",
        "<input",
        "onclick",
        "onload",
        "javascript:",
        "<h1",
    ):
        assert gone not in body, gone
    assert article.image == "/media/hoi-nghi.jpg"  # the first picture, as for Markdown


def test_front_matter_wins_over_the_pages_tags_and_a_fragment_is_a_body() -> None:
    article = parse("---\ntitle: Từ front matter\nslug: ban-tin\n---\n<p>Đoạn <b>một</b>.</p>\n")
    assert (article.title, article.url, article.summary) == (
        "Từ front matter",
        "/tin-tuc/ban-tin.html",
        "Đoạn một.",
    )
    assert article.body_html == "<p>Đoạn <b>một</b>.</p>"


def test_a_page_without_a_title_takes_its_first_heading() -> None:
    article = parse("<body><h1>Tin <em>mới</em></h1><p>Nội dung.</p></body>")
    assert article.title == "Tin mới"
    assert "<h2" not in article.body_html and article.body_html == "<p>Nội dung.</p>"


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("<p>Không có tiêu đề</p>", "missing title"),
        ("<title>T</title><body><script>x()</script></body>", "the HTML body is empty once cleaned"),
        ("<title>T</title>" + "<div>" * 200 + "x", "nests more than 100 elements deep"),
        ("<title>T</title>" + "<b>x</b>" * 6000, "HTML tags, over the limit of 10,000"),
        ("<head><title>T</title><meta name='date' content='ngày mai'></head><p>x</p>", "date"),
    ],
)
def test_html_that_cannot_make_an_article_is_refused_with_the_reason(text: str, reason: str) -> None:
    with pytest.raises(RejectedSource, match=reason):
        parse(text)


def test_an_htm_file_is_an_article_and_other_types_are_refused_by_name() -> None:
    assert parse("<title>T</title><p>x</p>", "articles/tin-tuc/a.htm").url == "/tin-tuc/a.html"
    with pytest.raises(RejectedSource, match=r"upload Markdown \(.md\), HTML \(.html\) or Word \(.docx\)"):
        classify("articles/tin-tuc/a.doc")  # Word 97-2003: saved as .docx, it is accepted
