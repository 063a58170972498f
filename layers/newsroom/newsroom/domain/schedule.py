"""When an article is live: drafts, scheduled publishing and expiry, as pure decisions.

An article with a ``publish_at`` (or a ``date``) ahead is *scheduled*: not
listed, no page, no feed or sitemap entry, until that moment; one with an
``unpublish_at`` behind is *expired*: its page comes down, its file stays. The
use case asks for a one-time schedule for each moment ahead, and every fired
schedule, like every S3 event, only means "look at this key again": what is
live is always decided here, from the file and the clock, so a late, repeated
or stale schedule can never publish what the file no longer says.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from datetime import UTC, datetime

from newsroom.domain.article import Article
from newsroom.domain.records import DRAFT, EXPIRED, PUBLISHED, SCHEDULED

PUBLISH = "publish"
UNPUBLISH = "unpublish"
ACTIONS = (PUBLISH, UNPUBLISH)
MAX_SCHEDULE_NAME = 64
DAILY_TICK_MESSAGE = "daily-tick"
"""The daily tick's message (template.yaml, DailyTickSchedule), with its ``scheduled_time``."""
SCHEDULE_MESSAGE = "schedule"
"""The ``newsroom`` field of a fired schedule's message on the publish queue."""


@dataclass(frozen=True)
class Timer:
    """One moment ahead at which the key must be looked at again."""

    action: str
    at: datetime


def live_state(article: Article, now: datetime | None) -> str:
    """What readers see of ``article`` at ``now`` (``None``: no clock, as a rebuild of old files)."""
    if article.status == DRAFT:
        return DRAFT
    if now is None:
        return PUBLISHED
    if now < article.live_from:
        return SCHEDULED
    if article.unpublish_at is not None and now >= article.unpublish_at:
        return EXPIRED
    return PUBLISHED


def timers(article: Article | None, state: str) -> tuple[Timer, ...]:
    """The schedules a record in ``state`` needs: going live, coming down (``()``: none)."""
    if article is None or state not in (SCHEDULED, PUBLISHED):
        return ()
    wanted = [Timer(PUBLISH, article.live_from)] if state == SCHEDULED else []
    if article.unpublish_at is not None:
        wanted.append(Timer(UNPUBLISH, article.unpublish_at))
    return tuple(wanted)


def has_preview(state: str) -> bool:
    """Drafts and scheduled articles have a private preview; a live, expired or deleted one has none."""
    return state in (DRAFT, SCHEDULED)


def schedule_name(source_key: str, action: str) -> str:
    """A schedule name EventBridge accepts (≤ 64 of ``[0-9a-zA-Z-_.]``) and one key cannot share.

    Source keys are Vietnamese, long and full of ``/``: the name is a hash of
    the key, with the action, so editing the times updates the same schedule.
    """
    digest = hashlib.sha256(source_key.encode("utf-8")).hexdigest()[:48]
    name = f"{action}-{digest}"
    assert len(name) <= MAX_SCHEDULE_NAME
    return name


def schedule_message(source_key: str, action: str, at: datetime, version: str | None) -> str:
    """What a schedule delivers to the publish queue: the key, and the version it was made for."""
    body = {"newsroom": SCHEDULE_MESSAGE, "key": source_key, "action": action, "at": _utc(at)}
    if version is not None:
        body["version"] = version
    return json.dumps(body, ensure_ascii=False, sort_keys=True)


def _utc(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def at_expression(moment: datetime) -> str:
    """EventBridge Scheduler's one-time expression, in UTC to the second (``at(2026-12-03T06:00:00)``)."""
    return f"at({moment.astimezone(UTC).strftime('%Y-%m-%dT%H:%M:%S')})"
