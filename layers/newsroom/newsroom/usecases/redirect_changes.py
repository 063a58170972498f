"""What the redirect store should say about some articles, from their records as they are now.

One rule, for the publish path and for a rebuild: the old URLs (aliases) of
a live article answer 301 to its URL, unless another article has taken that
URL since; the old URLs of an article that is not live answer nothing; and a
live article's own URL never redirects (it may be another article's old URL:
the live page wins). Derived from current state only, so applying it again,
late or twice converges; a rebuild applies it to every live article, which
repairs a store that missed or reordered a change.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable

from newsroom.domain.records import PUBLISHED, IndexedArticle
from newsroom.usecases.ports import Redirects


def redirect_changes(
    records: Iterable[IndexedArticle], url_owners: Callable[[Iterable[str]], dict[str, str]]
) -> tuple[dict[str, str], list[str]]:
    """Paths to redirect (old URL to current URL) and paths to clear; ``url_owners``: one batch read."""
    current_urls = [(record, _current_url(record)) for record in records]
    aliases = sorted({alias for record, url in current_urls if url is not None for alias in record.aliases})
    owners = url_owners(aliases) if aliases else {}
    puts: dict[str, str] = {}
    deletes: set[str] = set()
    for record, current in current_urls:
        for alias in record.aliases:
            if current is not None and owners.get(alias) in (None, record.source_key):
                puts[alias] = current
            else:
                deletes.add(alias)
        if current is not None:
            deletes.add(current)
    return puts, sorted(deletes - set(puts))


def sync_redirects(
    records: Iterable[IndexedArticle],
    url_owners: Callable[[Iterable[str]], dict[str, str]],
    redirects: Redirects,
) -> None:
    """Tell ``redirects`` what ``records`` say now; nothing when they say nothing."""
    puts, deletes = redirect_changes(records, url_owners)
    if puts or deletes:
        redirects.apply(puts, deletes)


def _current_url(record: IndexedArticle) -> str | None:
    """The URL readers find the article at, or None when it is not live."""
    return record.placement.url if record.state == PUBLISHED and record.placement else None
