"""The search function's use case: a query string in, a results page out.

The page is rendered in the site's layout with the stored configuration (one
GetItem per request, parsed once per version per container), and cached by
the CDN for a minute, keyed on ``q``.
"""

from __future__ import annotations

from datetime import datetime

from newsroom.configuration.settings import SearchSettings
from newsroom.domain.search_terms import MAX_QUERY_LENGTH, query_terms
from newsroom.usecases.ports import ContentIndex, SearchTerms
from newsroom.usecases.site_render import ContextLoader
from newsroom.web.page_outputs import search_page
from newsroom.web.view_models import Teaser

RESULTS = 50
CACHE_CONTROL = "public, max-age=60"


class SearchService:
    """Answers one query with an HTML page."""

    def __init__(self, settings: SearchSettings, index: ContentIndex, search: SearchTerms) -> None:
        self.search = search
        self.context = ContextLoader(index, settings)

    def page(self, query: str) -> str:
        """The results page for ``query`` (an inviting page when it holds no word)."""
        query = " ".join(query.split())[:MAX_QUERY_LENGTH]
        terms = query_terms(query)
        ctx = self.context()
        hits = self.search.search(terms, RESULTS) if terms else []
        results = tuple(
            ctx.teaser_of(h.title, h.url, datetime.fromisoformat(h.published_at), h.summary, h.image)
            for h in hits
        )
        return search_page(ctx, query, results, searched=bool(terms))


__all__ = ["CACHE_CONTROL", "SearchService", "Teaser"]
