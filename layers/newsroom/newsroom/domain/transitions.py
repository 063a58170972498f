"""What a source change does to the index: pure decisions, plain data in and out.

The publish use case reads the current state, calls these, and stores the
result in one transaction; nothing here reads S3 or DynamoDB, so every rule
(an upload, a delete, a move, a rejected file, which counts move) is tested
with plain records, like the planner.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime

from newsroom.domain.article import Article
from newsroom.domain.feedback_tags import ERROR_TAG, STATUS_TAG, URL_TAG
from newsroom.domain.records import (
    DELETED,
    DRAFT,
    PUBLISHED,
    REJECTED,
    SCHEDULED,
    IndexedArticle,
    Placement,
    month_of,
    scopes,
    sort_key,
)
from newsroom.domain.schedule import has_preview, live_state, timers
from newsroom.domain.site_paths import preview_url

# Old URLs an article keeps redirecting (a KeyValueStore holds 5 MB in all).
MAX_ALIASES = 20
SEQUENCER_WIDTH = 64

type CountKey = tuple[tuple[str, ...], str | None]
"""A counter: ``(category, month)`` counts a month's articles (home: empty category);
``(category, None)`` counts a category's articles, subcategories included."""


def listed(record: IndexedArticle | None) -> Placement | None:
    """Where a record is listed: its placement while it is published, else nowhere."""
    return record.placement if record is not None and record.state == PUBLISHED else None


def count_moves(before: IndexedArticle | None, after: IndexedArticle, timezone: str) -> dict[CountKey, int]:
    """How each counter moves when ``before`` becomes ``after``, netted; counters that stay are left out.

    A month is the site's calendar month (``timezone``), as the archives are.
    """
    moves: dict[CountKey, int] = {}
    for placement, delta in ((listed(before), -1), (listed(after), 1)):
        if placement is None:
            continue
        month = month_of(placement.key, timezone)
        for scope in scopes(placement.category):
            moves[(scope, month)] = moves.get((scope, month), 0) + delta
            if scope:
                moves[(scope, None)] = moves.get((scope, None), 0) + delta
    return {key: delta for key, delta in moves.items() if delta}


def articles_delta(before: IndexedArticle | None, after: IndexedArticle) -> int:
    """How the site's article count moves: +1 appears, -1 disappears, 0 otherwise."""
    was = before is not None and before.state == PUBLISHED
    now = after.state == PUBLISHED
    return 1 if now and not was else -1 if was and not now else 0


# -- what a record becomes ------------------------------------------------------------------
def uploaded(
    before: IndexedArticle | None,
    source_key: str,
    article: Article,
    first_seen: str,
    *,
    now: datetime | None = None,
    new_token: str | None = None,
) -> IndexedArticle:
    """A file that parsed: listed where its category and date put it while live, else unlisted.

    ``now`` decides a scheduled or expired article (``None``: live whatever
    its times). A draft or scheduled article keeps its preview token across
    re-uploads, so the link an editor shared stays valid; ``new_token`` is
    its first one.
    """
    state = live_state(article, now)
    placement = (
        Placement(article.category, sort_key(article.published_at, article.url))
        if state == PUBLISHED
        else None
    )
    record = next_record(before, source_key, first_seen, state, article, placement, None)
    token = (before.preview if before else None) or new_token if has_preview(state) else None
    return _with_preview(before, replace(record, timed=record.timed or bool(timers(article, state))), token)


def deleted(before: IndexedArticle | None, source_key: str, first_seen: str) -> IndexedArticle:
    """A file that is gone: unlisted, its page removed, its old URL remembered for the neighbours."""
    return _with_preview(before, next_record(before, source_key, first_seen, DELETED, None, None, None), None)


def _with_preview(before: IndexedArticle | None, record: IndexedArticle, token: str | None) -> IndexedArticle:
    """``record`` with its preview token; a token it loses becomes the revoked one."""
    held = before.preview if before else None
    revoked = held if held and held != token else record.revoked_preview
    return replace(record, preview=token, revoked_preview=revoked)


def rejected(
    before: IndexedArticle | None,
    source_key: str,
    reason: str,
    first_seen: str,
    waiting_for: str | None = None,
) -> IndexedArticle:
    """Keep a published page (or a draft's preview) up when a broken re-upload arrives; record why.

    ``waiting_for`` is the URL another file holds, when that is the reason.
    """
    if before is not None and before.state in (PUBLISHED, DRAFT, SCHEDULED):
        return replace(before, version=before.version + 1, error=reason, waiting_for=waiting_for)
    record = next_record(before, source_key, first_seen, REJECTED, None, None, reason)
    return replace(record, waiting_for=waiting_for)


def next_record(
    before: IndexedArticle | None,
    source_key: str,
    first_seen: str,
    state: str,
    article: Article | None,
    placement: Placement | None,
    error: str | None,
) -> IndexedArticle:
    """The next record for a key, remembering where it was listed before it moved.

    The previous placement survives changes that keep the placement, so a
    retry after a failed render still re-renders the old neighbourhood.
    """
    previous = before.previous if before else None
    if before is not None and before.placement is not None and before.placement != placement:
        previous = before.placement
    # Every URL the article was published at before answers 301 to the new one.
    aliases = before.aliases if before else ()
    if before is not None and placement is not None:
        earlier = (p.url for p in (before.previous, before.placement) if p is not None)
        aliases = tuple(a for a in dict.fromkeys((*aliases, *earlier)) if a != placement.url)
        aliases = aliases[-MAX_ALIASES:]
    return IndexedArticle(
        source_key=before.source_key if before else source_key,
        state=state,
        version=(before.version + 1) if before else 1,
        first_seen=first_seen,
        article=article,
        placement=placement,
        previous=previous,
        error=error,
        aliases=aliases,
        revoked_preview=before.revoked_preview if before else None,
        timed=before.timed if before else False,
    )


# -- what the editor is told ---------------------------------------------------------------
def feedback_tags(record: IndexedArticle) -> dict[str, str]:
    """The tags that answer a record's source file."""
    tags: dict[str, str] = {STATUS_TAG: "error" if record.error else record.state}
    if record.preview is not None:  # a draft's or scheduled article's only page is its preview
        tags[URL_TAG] = preview_url(record.preview)
    elif record.article is not None:
        tags[URL_TAG] = record.article.url
    if record.error:
        tags[ERROR_TAG] = record.error
    return tags


def error_tags(reason: str) -> dict[str, str]:
    """The tags of a file refused before it became a record."""
    return {STATUS_TAG: "error", ERROR_TAG: reason}


# -- URLs a change releases ---------------------------------------------------------------
def released_url(before: IndexedArticle | None, after: IndexedArticle) -> str | None:
    """The page URL ``before`` held and ``after`` no longer holds (deleted, moved, made a draft)."""
    old = before.placement.url if before and before.state == PUBLISHED and before.placement else None
    new = after.placement.url if after.state == PUBLISHED and after.placement else None
    return old if old and old != new else None


def left_url(record: IndexedArticle) -> str | None:
    """The URL a record's last move or removal left (``previous``), if it no longer holds it."""
    if record.previous is None:
        return None
    current = record.placement.url if record.state == PUBLISHED and record.placement else None
    return record.previous.url if record.previous.url != current else None


# -- event order ------------------------------------------------------------------------------
def sequencer_order(sequencer: str) -> str:
    """A sequencer made comparable: S3 says pad the shorter with zeros on the right, then compare."""
    return sequencer.upper().ljust(SEQUENCER_WIDTH, "0")


def is_older(sequencer: str | None, applied: str | None) -> bool:
    """True when an event's sequencer is older than the last one applied to the same key."""
    return (
        sequencer is not None
        and applied is not None
        and sequencer_order(sequencer) < sequencer_order(applied)
    )


def latest(sequencer: str | None, before: IndexedArticle | None) -> str | None:
    """The newer of an event's sequencer and the one the record already holds."""
    applied = before.sequencer if before else None
    if sequencer is None or (applied is not None and not is_older(applied, sequencer)):
        return applied
    return sequencer
