"""A month's archive in pages whose edges the articles themselves set, so that a publish touches one page.

A daily paper puts thousands of articles in a month; one page per month makes
each publish re-render a page that grows with the month. Numbered pages
(1, 2, 3 …) would shift every later page whenever an article arrives, leaves
or is back-dated. Here, as content-defined chunking does for files, an entry
*starts a page* when a hash of its sort key says so (about one in
``ARCHIVE_PAGE_SPAN``): a page is the run of entries from one such entry up to
the next, named by the entry that starts it (``first`` for the entries before
the month's first starter). A change at one sort key alters the run around
it only; its neighbours only when the entry starts a page (a split or a
merge: their links change) or sits before the month's first starter.

The month's address (``/tin-tuc/2024/06/``) shows its newest page, with a
canonical link to that page's own address, so links to it never break.

The size of a page does not depend on the month: it is geometric with mean
``ARCHIVE_PAGE_SPAN`` (a page over 10 × the span has odds of e^-10).
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from functools import lru_cache

from newsroom.domain.records import Entry

ARCHIVE_PAGE_SPAN = 20
"""Entries per archive page, on average (Joomla's archive showed 20)."""

FIRST_PAGE = "first"
"""The page of the entries before the month's first page starter (never a hex name)."""

BOUNDARIES_AROUND = 2
"""Page starters a window reaches on each side of a key: enough for the key's page and both neighbours'."""


@lru_cache(maxsize=65_536)
def _digest(key: str) -> bytes:
    return hashlib.sha256(key.encode("utf-8")).digest()


def starts_page(key: str, span: int = ARCHIVE_PAGE_SPAN) -> bool:
    """Whether the entry with sort key ``key`` starts an archive page (one in ``span``, by its hash)."""
    return int.from_bytes(_digest(key)[:4], "big") % span == 0


def page_name(key: str) -> str:
    """The name of the page an entry starts: 8 hex digits of its sort key's hash (not the bits tested)."""
    return _digest(key)[4:8].hex()


@dataclass(frozen=True)
class Run:
    """The entries of one page, oldest first, and its name."""

    name: str
    entries: tuple[Entry, ...]


@dataclass(frozen=True)
class ArchivePage:
    """One page as shown: newest first, with the names of the pages either side (None: none)."""

    name: str
    entries: tuple[Entry, ...]
    older: str | None
    newer: str | None
    newest: bool
    """The month's newest page: its address also shows it."""


@dataclass(frozen=True)
class MonthWindow:
    """Entries of one month around a sort key, as read for one change.

    ``older``: entries before the key, newest first, up to and including the
    ``BOUNDARIES_AROUND``-th page starter (or the month's start: ``at_start``);
    ``newer``: entries from the key on, oldest first, up to and including the
    ``BOUNDARIES_AROUND``-th page starter after the key (or the month's end:
    ``at_end``).
    """

    older: tuple[Entry, ...]
    newer: tuple[Entry, ...]
    at_start: bool
    at_end: bool


@dataclass(frozen=True)
class PagesToWrite:
    """What a change at one key means for its month: pages to write, names to remove."""

    pages: tuple[ArchivePage, ...]
    landing: ArchivePage | None
    """The newest page again, for the month's address; None when the month's address is untouched."""
    removed: tuple[str, ...]
    month_empty: bool


def window_around(
    older: Iterable[Entry],
    newer: Iterable[Entry],
    key: str,
    starts: Callable[[str], bool] = starts_page,
    boundaries: int = BOUNDARIES_AROUND,
) -> MonthWindow:
    """Take from the month's entries before ``key`` (newest first) and from ``key`` on (oldest first)
    just what ``pages_for_change`` needs (``boundaries`` starters each side); the iterables may be
    lazy reads, consumed no further."""
    back: list[Entry] = []
    at_start = True
    seen = 0
    for entry in older:
        back.append(entry)
        seen += starts(entry.key)
        if seen == boundaries:
            at_start = False
            break
    ahead: list[Entry] = []
    at_end = True
    seen = 0
    for entry in newer:
        ahead.append(entry)
        seen += entry.key != key and starts(entry.key)
        if seen == boundaries:
            at_end = False
            break
    return MonthWindow(tuple(back), tuple(ahead), at_start, at_end)


def runs(entries: Sequence[Entry], starts: Callable[[str], bool] = starts_page) -> list[Run]:
    """Cut entries (oldest first) into pages: a new one at each page starter."""
    found: list[Run] = []
    current: list[Entry] = []
    name = FIRST_PAGE
    for entry in entries:
        if starts(entry.key):
            if current:
                found.append(Run(name, tuple(current)))
            current, name = [], page_name(entry.key)
        current.append(entry)
    if current:
        found.append(Run(name, tuple(current)))
    return found


def month_pages(entries: Sequence[Entry], starts: Callable[[str], bool] = starts_page) -> list[ArchivePage]:
    """Every page of a month from all its entries (oldest first): what a rebuild writes."""
    cut = runs(entries, starts)
    return [_page(cut, i, older_known=True, newest_known=True) for i in range(len(cut))]


def pages_for_change(
    window: MonthWindow, key: str, starts: Callable[[str], bool] = starts_page
) -> PagesToWrite:
    """The pages a change at ``key`` (added, removed or edited) alters, read from the state after it."""
    entries = [*reversed(window.older), *window.newer]
    starter = starts(key)
    if not entries:
        return PagesToWrite((), None, (page_name(key) if starter else FIRST_PAGE,), month_empty=True)
    cut = runs(entries, starts)
    present = any(entry.key == key for entry in window.newer[:1])
    # The run holding the key's place: the last whose first entry sorts at or before it.
    here: int | None = None
    for index, run in enumerate(cut):
        if run.name == FIRST_PAGE or run.entries[0].key <= key:
            here = index
    wanted: set[int] = set() if here is None else {here}
    if starter or here is None or cut[here].name == FIRST_PAGE:
        wanted.add(0 if here is None else here + 1)  # its older link may have moved
    if starter and present and here:
        wanted.add(here - 1)  # its newer link moved to the key's new page
    # The window's last run is cut short unless the month ended in it.
    last_whole = len(cut) - 1 if window.at_end else len(cut) - 2
    pages = tuple(
        _page(cut, i, older_known=i > 0 or window.at_start, newest_known=window.at_end)
        for i in sorted(wanted)
        if i <= last_whole
    )
    removed: list[str] = []
    if starter and not present:
        removed.append(page_name(key))  # its page merged into the one before
    if window.at_start and cut[0].name != FIRST_PAGE:
        # No "first" now, and this change is near the month's start: it may have emptied "first" or
        # put a starter before what it held. (A removal of a page that is not there costs one HEAD.)
        removed.append(FIRST_PAGE)
    landing = next((page for page in pages if page.newest), None)
    return PagesToWrite(pages, landing, tuple(removed), month_empty=False)


def _page(cut: Sequence[Run], index: int, *, older_known: bool, newest_known: bool) -> ArchivePage:
    run = cut[index]
    if not older_known:
        raise ValueError(f"page {run.name}: the page before it was not read")
    return ArchivePage(
        name=run.name,
        entries=tuple(reversed(run.entries)),
        older=cut[index - 1].name if index > 0 else None,
        newer=cut[index + 1].name if index + 1 < len(cut) else None,
        newest=newest_known and index == len(cut) - 1,
    )
