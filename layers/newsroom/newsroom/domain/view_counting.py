"""Which logged requests are views, whose, and how many: each human view of an article counted once.

A view is a ``GET`` answered ``200`` or ``304`` for an article page (not a
listing, feed, asset, ``/api/``, ``/media/``, the 404 page or a redirect),
from a client that is not a bot by the crawler-user-agents patterns (the
maintained list that catches ``curl``, ``python-requests`` and HeadlessChrome),
matched once per distinct agent. The same reader opening the same article
again within ``REPEAT_WINDOW`` counts once: of one reader's requests for one
article, the earliest is a view, and each next one 30 minutes or more after
the last view is one again (``views_among``). That depends only on the set
of requests, never on the order log files arrive in, and a request arriving
late never takes a view away (adding a request adds at most views), so the
totals only ever grow and every delivery order ends in the same counts (a
day's count may dip by one while a view moves to the day before; and past
``MAX_TIMES_KEPT`` requests a day, which requests are kept follows arrival).

A reader is only ever a hash of (client address, user agent) with a salt
that rotates daily: raw addresses are never kept. Everything here is pure;
the salts and what earlier files saw come in as data.
"""

from __future__ import annotations

import functools
import hashlib
from collections import Counter
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from urllib.parse import unquote

from newsroom.domain.access_logs import Request
from newsroom.domain.article import RESERVED_FOLDERS

REPEAT_WINDOW = timedelta(minutes=30)
MAX_TIMES_KEPT = 400
"""Requests kept per reader, article and day to judge repeats; more in a day is no human reading."""
ONLINE_WINDOW = timedelta(minutes=15)
VIEW_STATUSES = frozenset({200, 304})
NOT_ARTICLES = frozenset({"index.html", "404.html"})
MAX_URL_BYTES = 512
"""Longer is no article URL of ours (a sort key holds 1,024 bytes: one such line must not block a file)."""

type Reader = str
type Url = str


@functools.lru_cache(maxsize=4096)
def is_bot(user_agent: str) -> bool:
    """True for crawlers, scripts and headless browsers; a request without a user agent is no reader."""
    if not user_agent.strip():
        return True
    import crawleruseragents  # noqa: PLC0415 (1,500 patterns, loaded only where views are counted)

    return bool(crawleruseragents.is_crawler(user_agent))


@functools.lru_cache(maxsize=8192)
def article_url(path: str) -> Url | None:
    """The article page a logged path names (decoded: ``/tin-tuc/hội-nghị.html``), or ``None``."""
    decoded = unquote(path)
    if len(decoded.encode("utf-8", "replace")) > MAX_URL_BYTES or not decoded.isprintable():
        return None
    if "\ufffd" in decoded or not decoded.startswith("/") or not decoded.endswith(".html") or "//" in decoded:
        return None
    parts = decoded[1:].split("/")
    if parts[-1] in NOT_ARTICLES or parts[0] in RESERVED_FOLDERS or len(parts) < 2:
        return None
    if any(part in ("", ".", "..") for part in parts):
        return None
    return decoded


def reader_of(request: Request, salt: bytes) -> Reader:
    """The reader, as a salted hash of the address and the agent (the salt is the day's)."""
    digest = hashlib.sha256(salt + b"\0" + request.client.encode() + b"\0" + request.user_agent.encode())
    return digest.hexdigest()[:24]


@dataclass(frozen=True, slots=True)
class View:
    """One counted view."""

    url: Url
    reader: Reader
    at: datetime


@dataclass
class Tally:
    """What one log file adds: views per article, per article and day, readers seen, and the newest time."""

    views: Counter[Url] = field(default_factory=Counter)
    by_day: Counter[tuple[date, Url]] = field(default_factory=Counter)
    """Views added per day and article; a late request may move a view to another day (-1 and +1)."""
    seen: dict[tuple[Reader, Url], tuple[datetime, ...]] = field(default_factory=dict)
    """Every request time of each (reader, article) so far: the next file's repeats are judged by it."""
    last_seen: dict[Reader, datetime] = field(default_factory=dict)
    """Each reader's newest request to an article: who is online."""
    newest: datetime | None = None
    skipped: Counter[str] = field(default_factory=Counter)


@dataclass
class Candidates:
    """One file's requests that are views before repeats are judged, in time order, and what was not."""

    views: list[View] = field(default_factory=list)
    skipped: Counter[str] = field(default_factory=Counter)

    def by_pair(self) -> dict[tuple[Reader, Url], list[datetime]]:
        """The request times of each (reader, article), in time order."""
        grouped: dict[tuple[Reader, Url], list[datetime]] = {}
        for view in self.views:
            grouped.setdefault((view.reader, view.url), []).append(view.at)
        return grouped


def views_among(times: Iterable[datetime]) -> list[datetime]:
    """The requests of one reader for one article that are views: the earliest, then each 30 minutes on."""
    views: list[datetime] = []
    for moment in sorted(set(times)):
        if not views or moment - views[-1] >= REPEAT_WINDOW:
            views.append(moment)
    return views


def judge(
    new: Mapping[tuple[Reader, Url], Sequence[datetime]],
    stored: Mapping[tuple[Reader, Url], Sequence[datetime]],
    day_of: Callable[[datetime], date],
) -> Tally:
    """What ``new`` requests add to the views ``stored`` requests made (pairs judged on their own).

    ``day_of`` is the site's calendar day of a moment (most read today
    follows the readers' day, not UTC's).
    """
    tally = Tally()
    for pair, times in sorted(new.items()):
        url = pair[1]
        earlier = stored.get(pair)
        if not earlier:  # the common case, a pair's first file: nothing to merge, no view to move
            merged = tuple(sorted(set(times))[:MAX_TIMES_KEPT])
            now = views_among(merged)
            tally.views[url] += len(now)
            for moment in now:
                tally.by_day[(day_of(moment), url)] += 1
            tally.skipped["repeat within 30 minutes"] += len(times) - len(now)
            tally.seen[pair] = merged
            continue
        before = tuple(sorted(set(earlier)))
        room = max(0, MAX_TIMES_KEPT - len(before))
        fresh = sorted(set(times) - set(before))[:room]
        merged = tuple(sorted((*before, *fresh)))
        old, now = views_among(before), views_among(merged)
        added = len(now) - len(old)  # never negative: a request more never takes a view away
        if added:
            tally.views[url] += added
        days = Counter(day_of(moment) for moment in now)
        days.subtract(day_of(moment) for moment in old)
        for day, moved in days.items():
            if moved:
                tally.by_day[(day, url)] += moved
        tally.skipped["repeat within 30 minutes"] += len(times) - added
        tally.seen[pair] = merged
    tally.skipped = +tally.skipped
    return tally


def candidate_views(
    requests: Iterable[Request],
    salt_for: Callable[[date], bytes | None],
    day_of: Callable[[datetime], date] = lambda moment: moment.date(),
) -> Candidates:
    """The human GETs of article pages in one file's requests, each with its reader, in time order.

    A reader's salt is that of the site's day (``day_of``): the 30-minute
    rule then never breaks at UTC midnight, 07:00 in Hà Nội. ``salt_for``
    gives no salt for a day whose salt is gone: its lines are skipped.
    """
    found = Candidates()
    for request in requests:
        reason = _not_a_view(request)
        if reason is not None:
            found.skipped[reason] += 1
            continue
        url = article_url(request.path)
        assert url is not None  # _not_a_view checked it
        salt = salt_for(day_of(request.at))
        if salt is None:
            found.skipped["older than its readers' salt (48 hours)"] += 1
            continue
        found.views.append(View(url, reader_of(request, salt), request.at))
    found.views.sort(key=lambda view: view.at)  # a file mixes edge locations: put its lines in time order
    return found


def tally_views(
    candidates: Candidates,
    earlier: Mapping[tuple[Reader, Url], Sequence[datetime]],
    day_of: Callable[[datetime], date],
) -> Tally:
    """The file's views (``judge`` against ``earlier``, earlier files' request times), and who is online."""
    tally = judge(candidates.by_pair(), earlier, day_of)
    tally.skipped.update(candidates.skipped)
    tally.last_seen, tally.newest = readers_seen(candidates)
    return tally


def readers_seen(candidates: Candidates) -> tuple[dict[Reader, datetime], datetime | None]:
    """Each reader's newest request to an article, and the newest of all: who is online, as of when."""
    last_seen: dict[Reader, datetime] = {}
    for view in candidates.views:
        last_seen[view.reader] = max(view.at, last_seen.get(view.reader, view.at))
    return last_seen, max(last_seen.values(), default=None)


def count_views(
    requests: Iterable[Request],
    salt_for: Callable[[date], bytes],
    earlier: Mapping[tuple[Reader, Url], Sequence[datetime]],
    day_of: Callable[[datetime], date],
) -> Tally:
    """``candidate_views`` then ``tally_views``, when the earlier requests are known up front."""
    return tally_views(candidate_views(requests, salt_for), earlier, day_of)


def _not_a_view(request: Request) -> str | None:
    if request.method != "GET":
        return "not a GET"
    if request.status not in VIEW_STATUSES:
        return "not answered 200 or 304"
    if article_url(request.path) is None:
        return "not an article page"
    if is_bot(request.user_agent):
        return "a bot"
    return None


def readers_online(
    last_seen: Mapping[Reader, datetime], newest: datetime, window: timedelta = ONLINE_WINDOW
) -> int:
    """Distinct readers in the ``window`` before ``newest``, the newest line processed."""
    since = newest - window
    return sum(1 for moment in last_seen.values() if since < moment <= newest)
