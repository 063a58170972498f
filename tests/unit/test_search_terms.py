"""Search terms: diacritics and case folded away, bounded, ranked title first."""

from __future__ import annotations

from newsroom.domain.search_terms import (
    MAX_QUERY_TERMS,
    SearchHit,
    document_terms,
    fold,
    intersect,
    query_terms,
    rank,
    tokenize,
)


def test_vietnamese_folds_to_plain_words() -> None:
    assert fold("Hội nghị") == "hoi nghi"
    assert fold("Đổi mới SÁNG TẠO") == "doi moi sang tao"
    assert fold("Hội nghị") == fold("Ho\u0302\u0323i nghi\u0323")  # NFD typed on a Mac: same words
    assert tokenize("KH&CN: 2024, đổi-mới!") == ["kh", "cn", "2024", "doi", "moi"]


def test_document_terms_mark_title_words_and_stay_bounded() -> None:
    terms = document_terms("Hội nghị tổng kết", "Hội nghị diễn ra tại Hòa Bình.")
    assert terms["hoi"] is True and terms["tong"] is True
    assert terms["dien"] is False and terms["binh"] is False
    long_text = " ".join(f"tu{n}" for n in range(5000))
    assert len(document_terms("Tiêu đề", long_text, limit=400)) == 400


def test_query_terms_are_distinct_and_bounded() -> None:
    assert query_terms("  Hội   nghị hoi NGHI ") == ["hoi", "nghi"]
    assert len(query_terms(" ".join(f"w{n}" for n in range(50)))) == MAX_QUERY_TERMS
    assert query_terms("!!! ...") == []


def hit(key: str, title_matches: int, published: str) -> SearchHit:
    return SearchHit(key, key, f"/{key}.html", published, "", None, title_matches)


def test_title_matches_first_then_newest() -> None:
    ranked = rank([hit("a", 0, "2024-06-03"), hit("b", 2, "2024-01-01"), hit("c", 2, "2024-05-01")])
    assert [h.source_key for h in ranked] == ["c", "b", "a"]


def test_every_term_must_match() -> None:
    hoi = {"a": hit("a", 1, "2024-01-01"), "b": hit("b", 0, "2024-01-02")}
    nghi = {"a": hit("a", 1, "2024-01-01")}
    (only,) = intersect([hoi, nghi])
    assert only.source_key == "a" and only.title_matches == 2
