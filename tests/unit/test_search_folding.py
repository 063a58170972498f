"""Search folding, tokenizing and ranking: the cases readers and legacy text actually produce.

The basics (``Hội nghị`` → ``hoi nghi``, bounds, AND) are also in
``test_search_terms.py``; these add what a Vietnamese portal meets in practice.
"""

from __future__ import annotations

import unicodedata

import pytest
from newsroom.adapters.search_table import plain_text
from newsroom.domain.search_terms import (
    MAX_QUERY_LENGTH,
    MAX_TERM_LENGTH,
    SearchHit,
    document_terms,
    fold,
    query_terms,
    rank,
    tokenize,
)


@pytest.mark.parametrize(
    ("text", "folded"),
    [
        ("Hội nghị", "hoi nghi"),
        ("Đổi mới", "doi moi"),
        ("ĐỔI MỚI", "doi moi"),
        ("đường Điện Biên Phủ", "duong dien bien phu"),
        ("Ứng dụng KH&CN ở Hòa Bình", "ung dung kh&cn o hoa binh"),
        ("Thủy lợi / Thuỷ lợi", "thuy loi / thuy loi"),  # both tone placements fold alike
        ("Ðổi mới", "doi moi"),  # U+00D0 for Đ, as legacy Vietnamese encodings converted it
        ("Ｈội　nghị２０２４", "hoi nghi2024"),  # full-width letters and digits (NFKD compatibility)
    ],
)
def test_fold(text: str, folded: str) -> None:
    assert fold(text) == folded


def test_composed_and_decomposed_input_fold_alike() -> None:
    for text in ("Hội nghị tổng kết", "Đổi mới sáng tạo", "Ứng dụng"):
        assert fold(unicodedata.normalize("NFC", text)) == fold(unicodedata.normalize("NFD", text))


def test_tokenize_splits_on_everything_but_letters_and_digits() -> None:
    assert tokenize("Hội-nghị, “tổng kết” năm 2024!") == ["hoi", "nghi", "tong", "ket", "nam", "2024"]
    assert tokenize("COVID-19: 3,5%") == ["covid", "19", "3", "5"]
    assert tokenize("  \t\n ") == []
    assert tokenize("a" * 100) == ["a" * MAX_TERM_LENGTH]  # long words cut the same for documents and queries


def test_query_terms_bound_the_reads_of_a_long_query() -> None:
    assert query_terms("HỘI NGHỊ hội nghị") == ["hoi", "nghi"]
    assert query_terms("x " * MAX_QUERY_LENGTH + "tail") == ["x"]  # the text past the limit is never read


def test_document_terms_keep_title_words_when_cut() -> None:
    body = " ".join(f"tu{n}" for n in range(1000))
    terms = document_terms("Hội nghị tổng kết", body, limit=10)
    assert list(terms)[:4] == ["hoi", "nghi", "tong", "ket"] and len(terms) == 10
    assert document_terms("Hội nghị", "hội nghị hội nghị") == {"hoi": True, "nghi": True}


def test_plain_text_drops_markup_and_decodes_entities() -> None:
    text = plain_text(
        '<p>Cây&nbsp;cam &amp; <a href="/doi-moi.html" title="mẹo">bưởi</a></p><script>x()</script>'
    )
    assert tokenize(text) == ["cay", "cam", "buoi"]


def hit(url: str, title_matches: int, published: str) -> SearchHit:
    return SearchHit(url, url, url, published, "", None, title_matches)


def test_ranking_title_matches_then_newest_then_url() -> None:
    hits = [
        hit("/b.html", 1, "2024-06-01T08:00:00+07:00"),
        hit("/a.html", 1, "2024-06-01T08:00:00+07:00"),
        hit("/c.html", 2, "2023-01-01T08:00:00+07:00"),
        hit("/d.html", 0, "2025-01-01T08:00:00+07:00"),
        hit("/e.html", 1, "2024-07-01T08:00:00+07:00"),
    ]
    assert [h.url for h in rank(hits)] == ["/c.html", "/e.html", "/a.html", "/b.html", "/d.html"]
    assert rank(reversed(hits)) == rank(hits)


def test_newest_first_compares_instants_not_the_text_of_their_offsets() -> None:
    hanoi = hit("/hanoi.html", 0, "2024-06-01T08:00:00+07:00")  # 01:00 UTC
    utc = hit("/utc.html", 0, "2024-06-01T02:00:00+00:00")  # 02:00 UTC: newer
    assert [h.url for h in rank([hanoi, utc])] == ["/utc.html", "/hanoi.html"]
