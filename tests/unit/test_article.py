"""Parsing editors' Markdown files."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from newsroom.domain.article import parse_article
from newsroom.domain.errors import RejectedSource
from newsroom.domain.source_keys import classify

SEEN = datetime(2024, 5, 1, 3, 0, tzinfo=UTC)
TZ = "Asia/Ho_Chi_Minh"


def parse(text: str | bytes, key: str = "articles/tin-tuc/tin-vifotec/Hội nghị tổng kết.md"):
    data = text.encode("utf-8") if isinstance(text, str) else text
    return parse_article(classify(key), data, first_seen=SEEN, timezone=TZ)


def test_front_matter_fields() -> None:
    a = parse(
        "---\ntitle: Hội nghị khoa học\ndate: 2024-04-28T08:30:00+07:00\nsummary: Tóm tắt\n"
        "author: Lan\ntags: [a, b, a]\nstatus: published\n---\nNội dung.\n"
    )
    assert a.title == "Hội nghị khoa học"
    assert a.published_at == datetime(2024, 4, 28, 1, 30, tzinfo=UTC)
    assert a.slug == "hoi-nghi-tong-ket"
    assert a.category == ("tin-tuc", "tin-vifotec")
    assert a.url == "/tin-tuc/tin-vifotec/hoi-nghi-tong-ket.html"
    assert a.tags == ("a", "b")
    assert a.summary == "Tóm tắt"


def test_defaults_title_from_heading_date_from_first_seen_summary_from_first_paragraph() -> None:
    a = parse("# Đổi mới sáng tạo\n\nĐoạn đầu tiên.\n\nĐoạn hai.\n")
    assert a.title == "Đổi mới sáng tạo"
    assert a.published_at == SEEN
    assert a.summary == "Đoạn đầu tiên."
    assert "<h1>" not in a.body_html
    assert "Đổi mới" not in a.body_html


def test_category_from_front_matter_keeps_display_names() -> None:
    a = parse("---\ntitle: T\ncategory: Tin tức/Tin VIFOTEC\n---\nx\n", key="articles/x.md")
    assert a.category == ("tin-tuc", "tin-vifotec")
    assert a.category_names == ("Tin tức", "Tin VIFOTEC")


def test_images_become_figures_with_captions() -> None:
    a = parse('---\ntitle: T\n---\n![Ảnh](/media/x.jpg "Chú thích ảnh")\n')
    assert '<figure><img src="/media/x.jpg" alt="Ảnh"' in a.body_html
    assert "<figcaption>Chú thích ảnh</figcaption></figure>" in a.body_html
    assert a.image == "/media/x.jpg"


def test_scripts_are_removed() -> None:
    a = parse(
        "---\ntitle: T\n---\n<script>alert(1)</script>\n\n<img src=x onerror=alert(1)>\n\n"
        "[x](javascript:alert(1)) <a href='javascript:alert(2)'>y</a>\n"
    )
    assert "<script" not in a.body_html
    assert "onerror" not in a.body_html
    assert 'href="javascript' not in a.body_html
    assert "alert(2)" not in a.body_html


def test_utf16_with_bom_is_decoded() -> None:
    a = parse("---\ntitle: Hội nghị\n---\nx\n".encode("utf-16"))
    assert a.title == "Hội nghị"


@pytest.mark.parametrize(
    ("data", "reason"),
    [
        (b"", "empty"),
        (b"   \n", "empty"),
        (b"\x89PNG\r\n\x1a\n\x00\x00", "binary"),
        (b"---\ntitle: H\xf4\xf2i ngh\xec\xf2\n---\n", "not UTF-8"),  # Windows-1258
        ("---\ntitle: [a\n---\nx", "invalid YAML front matter at line"),
        ("---\n- a\n- b\n---\nx", "mapping"),
        ("no title here", "missing title"),
        ("---\ntitle: T\nstatus: live\n---\nx", "unknown status 'live'"),
        ("---\ntitle: T\ndate: 28/04/2024\n---\nx", "not ISO 8601"),
        ("---\ntitle: [a, b]\n---\nx", "must be text"),
    ],
)
def test_broken_files_are_refused_with_a_specific_reason(data: str | bytes, reason: str) -> None:
    with pytest.raises(RejectedSource, match=reason):
        parse(data)


@pytest.mark.parametrize("key", ["articles/tin-tuc/index.md", "articles/404.md"])
def test_slugs_of_site_pages_are_reserved(key: str) -> None:
    with pytest.raises(RejectedSource, match="reserved"):
        parse("---\ntitle: T\n---\nx", key=key)


def test_an_article_outside_any_category_lives_at_the_root() -> None:
    a = parse("---\ntitle: T\n---\nx", key="articles/gioi-thieu.md")
    assert a.url == "/gioi-thieu.html"
    assert a.category == ()


def test_categories_nest_at_most_six_levels() -> None:
    with pytest.raises(RejectedSource, match="at most 6 levels"):
        parse("---\ntitle: T\n---\nx", key="articles/a/b/c/d/e/f/g/x.md")


def test_empty_front_matter_is_no_fields() -> None:
    article = parse("---\n---\n# Tiêu đề\n\nNội dung.\n")
    assert article.title == "Tiêu đề"
    assert article.published_at == SEEN


@pytest.mark.parametrize(
    ("value", "refused"),
    [
        ("1900-01-01T00:00:00+07:00", False),
        ("2100-12-31T23:59:59+07:00", False),
        ("1899-12-31", True),
        ("2101-01-01", True),
        ("0001-01-01T00:00:00+00:00", True),  # overflowed converting to the site's zone
        ("9999-12-31T23:59:59+07:00", True),  # overflowed in the month archives
    ],
)
def test_dates_outside_what_an_archive_holds_are_refused_by_name(value: str, refused: bool) -> None:
    text = f"---\ntitle: Bài\ndate: {value}\n---\nNội dung.\n"
    if not refused:  # first uploaded in the date's own year: not a year ahead
        seen = datetime(int(value[:4]), 1, 1, tzinfo=UTC)
        found = parse_article(classify("articles/tin-tuc/a.md"), text.encode(), first_seen=seen, timezone=TZ)
        assert found.published_at.year in (1900, 2100)
        return
    with pytest.raises(
        RejectedSource, match=rf"^date {value[:10]} is out of range: use a year from 1900 to 2100$"
    ):
        parse(text)


def test_an_opened_front_matter_that_never_closes_is_named() -> None:
    with pytest.raises(RejectedSource, match="front matter is never closed"):
        parse("---\ntitle: Bài\ndate: 2024-05-01\n\nNội dung.\n")
    # A body that merely starts with a rule is Markdown, not front matter: its own reason.
    with pytest.raises(RejectedSource, match=r"^missing title"):
        parse("---\n\nNội dung.\n")


def test_an_old_hit_count_in_front_matter_is_the_articles_base_figure() -> None:
    def views(front: str) -> int:
        return parse(f"---\ntitle: A\n{front}---\nx\n").views_base

    assert (views(""), views("views: 1520\n")) == (0, 1520)
    for bad in ("views: many\n", "views: -1\n", "views: 1.5\n", "views: true\n"):
        with pytest.raises(RejectedSource, match="'views'"):
            views(bad)
