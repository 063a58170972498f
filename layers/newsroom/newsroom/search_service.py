"""The search function's use case: a query string in, a results page out.

The page is rendered in the site's layout with the stored configuration (one
GetItem per request, parsed once per version per container), and cached by
the CDN for a minute, keyed on ``q``.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime

from newsroom.adapters.index import ContentIndex
from newsroom.adapters.search_index import SearchIndex
from newsroom.errors import SettingsError
from newsroom.render import render_search_page
from newsroom.renderer import ContextLoader
from newsroom.search import MAX_QUERY_LENGTH, query_terms
from newsroom.settings import SUPPORTED_LOCALES
from newsroom.views import SearchView, Teaser

RESULTS = 50
CACHE_CONTROL = "public, max-age=60"


@dataclass(frozen=True)
class SearchSettings:
    """The variables the search function reads (it needs no bucket, queue or CDN)."""

    content_table: str
    search_table: str
    base_url: str
    locale: str
    timezone: str

    @classmethod
    def from_environment(cls, environ: Mapping[str, str] | None = None) -> SearchSettings:
        """Read and check the environment, failing loudly like ``Settings``."""
        env = os.environ if environ is None else environ
        names = ("CONTENT_TABLE_NAME", "SEARCH_TABLE_NAME", "SITE_BASE_URL", "SITE_LOCALE", "SITE_TIMEZONE")
        missing = [name for name in names if not env.get(name)]
        if missing:
            raise SettingsError(f"missing environment variables: {', '.join(missing)}")
        if env["SITE_LOCALE"] not in SUPPORTED_LOCALES:
            raise SettingsError(f"SITE_LOCALE must be one of {SUPPORTED_LOCALES}")
        return cls(
            content_table=env["CONTENT_TABLE_NAME"],
            search_table=env["SEARCH_TABLE_NAME"],
            base_url=env["SITE_BASE_URL"].rstrip("/"),
            locale=env["SITE_LOCALE"],
            timezone=env["SITE_TIMEZONE"],
        )


class SearchService:
    """Answers one query with an HTML page."""

    def __init__(self, settings: SearchSettings, dynamodb: object) -> None:
        index = ContentIndex(dynamodb, settings.content_table, settings.timezone)
        self.search = SearchIndex(dynamodb, settings.search_table)
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
        return render_search_page(
            ctx.site_view(), SearchView(query=query, results=results, searched=bool(terms))
        )


__all__ = ["CACHE_CONTROL", "SearchService", "SearchSettings", "Teaser"]
