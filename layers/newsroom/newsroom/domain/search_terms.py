"""Search terms: Vietnamese folded to plain ASCII words, so ``hoi nghi`` finds ``Hội nghị``.

Readers type without diacritics (phones, foreign keyboards) as often as with
them, so both the index and the query are folded the same way: decomposed,
combining marks dropped, ``đ`` → ``d``, case folded. Pure functions; the
DynamoDB side is ``newsroom.adapters.search_table``.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime

# Bounds that keep one article's index work, and one query's reads, constant.
MAX_TERMS = 400
MAX_QUERY_TERMS = 6
MAX_QUERY_LENGTH = 200
MAX_TERM_LENGTH = 40
_WORD = re.compile(r"[a-z0-9]+")
_D = str.maketrans({"đ": "d", "Đ": "D", "ð": "d", "Ð": "D"})


def fold(text: str) -> str:
    """``Hội nghị Đổi mới`` → ``hoi nghi doi moi``."""
    # ``Ð`` (U+00D0) stands for ``Đ`` in text converted from legacy Vietnamese encodings.
    decomposed = unicodedata.normalize("NFKD", text.translate(_D))
    stripped = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return stripped.casefold()


def tokenize(text: str) -> list[str]:
    """The folded words of ``text``, in order (repeats kept)."""
    return [word[:MAX_TERM_LENGTH] for word in _WORD.findall(fold(text))]


def document_terms(title: str, text: str, limit: int = MAX_TERMS) -> dict[str, bool]:
    """Each distinct term of an article and whether it is in the title; title terms first.

    Bounded by ``limit`` so that publishing one article costs a bounded
    number of index writes, whatever its length.
    """
    terms: dict[str, bool] = {}
    for word in tokenize(title):
        terms.setdefault(word, True)
    for word in tokenize(text):
        if len(terms) >= limit:
            break
        terms.setdefault(word, False)
    return dict(list(terms.items())[:limit])


def query_terms(query: str) -> list[str]:
    """The distinct terms of a reader's query, bounded in number and length."""
    return list(dict.fromkeys(tokenize(query[:MAX_QUERY_LENGTH])))[:MAX_QUERY_TERMS]


@dataclass(frozen=True)
class SearchHit:
    """One article matching every query term."""

    source_key: str
    title: str
    url: str
    published_at: str
    summary: str
    image: str | None
    title_matches: int


def rank(hits: Iterable[SearchHit]) -> list[SearchHit]:
    """More query terms in the title first, then newest first, then by URL (stable)."""
    ordered = sorted(hits, key=lambda h: h.url)
    ordered.sort(key=lambda h: _instant(h.published_at), reverse=True)
    ordered.sort(key=lambda h: h.title_matches, reverse=True)
    return ordered


def _instant(published_at: str) -> datetime:
    """An ISO time as an instant: offsets differ between articles (``+07:00``, ``Z``)."""
    moment = datetime.fromisoformat(published_at)
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)


def intersect(per_term: Sequence[dict[str, SearchHit]]) -> list[SearchHit]:
    """Articles found under every term, with their title matches summed."""
    if not per_term:
        return []
    common = set(per_term[0])
    for found in per_term[1:]:
        common &= set(found)
    hits = []
    for key in common:
        first = per_term[0][key]
        matches = sum(found[key].title_matches for found in per_term)
        hits.append(
            SearchHit(
                first.source_key,
                first.title,
                first.url,
                first.published_at,
                first.summary,
                first.image,
                matches,
            )
        )
    return rank(hits)
