"""View counters from the CDN's logs, each log file counted once.

Items (this module alone spells them):
- ``VIEWS`` / ``SITE``: the site's total views.
- ``VIEWSHARD#<shard>`` / ``<url>``: an article's views, in the partition of its shard file
  (``site_paths.views_shard``), so that one query rewrites one ``views/<shard>.json``.
- ``VIEWDAY#<yyyy-mm-dd>`` / ``<url>``: an article's views that day (the site's calendar),
  expiring after ``view_commit.DAY_COUNTS_KEPT``: most read today and this week.
- ``LOGFILE#<log key>`` / ``<etag>#claims#<n>``, ``<etag>#counts#<n>``: a part of a log file
  already counted (``view_commit``).
- ``SEEN#<reader>`` / ``<url>``: every request time of a reader for an article that day, and a
  version (repeats within 30 minutes, judged on all of them).
- ``ONLINE#<5-minute slot>`` / ``<reader>#<hh:mm:ss>``: a reader's newest request to an article
  in one file, in that slot (readers online: the few slots before the newest line, never the
  whole day's readers).
- ``SALT`` / ``<yyyy-mm-dd>``: the site day's salt for reader hashes, deleted 48 hours after the
  day (``#made``: a tombstone saying it existed).
- ``VIEWS`` / ``NEWEST``: the newest log line counted ("as of").
- ``VIEWS`` / ``FIGURES``: the figures last published (``ViewFigures``), for ``/stats.json``.
- ``VIEWS`` / ``SHARDS``: the set of shard files written (a string set: ``ADD`` is atomic).

A file is committed once by ``view_commit.ViewCommit`` (claims, then
counts, each part with its marker). Who is online is written after it with
plain puts: a retry writes the same items again.
"""

from __future__ import annotations

import json
import os
from collections.abc import Callable, Iterable, Mapping, Sequence
from contextlib import suppress
from dataclasses import asdict
from datetime import UTC, date, datetime, timedelta

from boto3.dynamodb.types import Binary

from newsroom.adapters.content_table.table import Table, dump, epoch
from newsroom.adapters.content_table.view_commit import ViewCommit
from newsroom.domain.records import NO_FIGURES, MostRead, ViewFigures
from newsroom.domain.site_paths import views_shard
from newsroom.domain.view_counting import Reader, Tally, Url, readers_online

STATE_KEPT = timedelta(hours=1)
SALT_KEPT_AFTER_DAY = timedelta(hours=48)
TOMBSTONE_KEPT = timedelta(days=30)
ONLINE_SLOT = timedelta(minutes=5)


def _slot(moment: datetime) -> str:
    """The 5-minute slot of a moment, as its partition names it (``ONLINE#2026-12-02T07:05``)."""
    utc = moment.astimezone(UTC)
    return f"ONLINE#{utc.replace(minute=utc.minute - utc.minute % 5, second=0, microsecond=0):%Y-%m-%dT%H:%M}"


class ViewCounts:
    """Reads and commits the view counters; knows their items, nothing about logs or pages."""

    def __init__(self, table: Table) -> None:
        self._table = table
        self._commit = ViewCommit(table)

    # -- salts ------------------------------------------------------------------------
    def salt(self, day: date) -> bytes | None:
        """The day's salt, made by the first file of the day that needs it; ``None`` once it was deleted.

        It lives 48 hours past the site's day (or past its making, for a day
        first seen late); a tombstone, kept as long as the log markers,
        tells a deleted salt from one never made, so that a file redelivered
        after it is skipped instead of judged with a new salt (new readers).
        """
        item = self._table.get("SALT", day.isoformat())
        now = datetime.now(UTC)
        if item is None and self._table.get("SALT", f"{day.isoformat()}#made") is not None:
            # Salt and tombstone are made together: either a twin made both since the first read
            # (the salt is there now) or the salt was deleted.
            item = self._table.get("SALT", day.isoformat())
            if item is None:
                return None
        if item is None:
            day_end = datetime(day.year, day.month, day.day, tzinfo=UTC) + timedelta(days=1, hours=14)
            expires = max(day_end, now) + SALT_KEPT_AFTER_DAY  # the site's day ends by UTC+14's
            fresh = {
                "pk": "SALT",
                "sk": day.isoformat(),
                "salt": Binary(os.urandom(32)),
                "expires_at": epoch(expires),
            }
            made = {"pk": "SALT", "sk": f"{day.isoformat()}#made", "expires_at": epoch(now + TOMBSTONE_KEPT)}
            # One transaction: a salt missing beside its tombstone was deleted, never "being made".
            with suppress(self._table.client.exceptions.TransactionCanceledException):  # made already
                self._table.client.transact_write_items(
                    TransactItems=[
                        self._table.put_action(fresh, ConditionExpression="attribute_not_exists(pk)"),
                        self._table.put_action(made),
                    ]
                )
            item = self._table.get("SALT", day.isoformat())
            if item is None:
                return None
        if int(item.get("expires_at", 0)) < epoch(now):
            return None  # past its time, not yet removed by TTL
        value = item["salt"]
        return bytes(value.value if isinstance(value, Binary) else value)

    # -- commit ---------------------------------------------------------------------------
    def commit(
        self,
        log_key: str,
        etag: str,
        requests: Mapping[tuple[Reader, Url], Sequence[datetime]],
        day_of: Callable[[datetime], date],
    ) -> tuple[int, Tally]:
        """Count one file's requests once (``ViewCommit``): the parts committed now, what the file added."""
        return self._commit.commit(log_key, etag, requests, day_of)

    def note_readers(self, tally: Tally) -> None:
        """Who read when, for readers online (expiring soon), and the newest line counted."""
        # One item per reader and time: a late file's older time adds an item, never replaces a newer one.
        items = [
            {
                "pk": _slot(at),
                "sk": f"{reader}#{at.astimezone(UTC):%H:%M:%S}",
                "at": at.isoformat(),
                "expires_at": epoch(at + STATE_KEPT),
            }
            for reader, at in sorted(tally.last_seen.items())
        ]
        self._table.batch_write([{"PutRequest": {"Item": dump(i)}} for i in items], "readers online")
        if tally.newest is not None:
            self._advance_newest(tally.newest)

    def _advance_newest(self, moment: datetime) -> None:
        """Move "as of" forward only: a late file of older lines leaves it where it is."""
        stamp = moment.astimezone(UTC).isoformat()
        with suppress(self._table.client.exceptions.ConditionalCheckFailedException):
            self._table.client.update_item(
                TableName=self._table.name,
                Key=dump({"pk": "VIEWS", "sk": "NEWEST"}),
                UpdateExpression="SET #at = :at",
                ConditionExpression="attribute_not_exists(#at) OR #at < :at",
                ExpressionAttributeNames={"#at": "at"},
                ExpressionAttributeValues=dump({":at": stamp}),
            )

    # -- figures ----------------------------------------------------------------------------
    def site_views(self) -> int:
        """Every counted view of the site."""
        item = self._table.get("VIEWS", "SITE")
        return int(item.get("views", 0)) if item else 0

    def article_views(self, urls: Iterable[Url]) -> dict[Url, int]:
        """The counted views of each article asked for (absent: none yet)."""
        items = self._table.batch_get([(f"VIEWSHARD#{views_shard(url)}", url) for url in sorted(set(urls))])
        return {str(i["sk"]): int(i.get("views", 0)) for i in items}

    def shard_views(self, shard: str) -> dict[Url, int]:
        """Every counted article of one shard file, with its views (one query: a shard is small)."""
        items = self._table.query_all(
            KeyConditionExpression="pk = :pk", ExpressionAttributeValues=dump({":pk": f"VIEWSHARD#{shard}"})
        )
        return {str(i["sk"]): int(i.get("views", 0)) for i in items}

    def most_read(self, days: Iterable[date], limit: int) -> list[tuple[Url, int]]:
        """The most read articles over ``days`` (the site's calendar), most views first, then by URL."""
        totals: dict[Url, int] = {}
        for day in days:
            for item in self._table.query_all(
                KeyConditionExpression="pk = :pk",
                ExpressionAttributeValues=dump({":pk": f"VIEWDAY#{day.isoformat()}"}),
            ):
                totals[str(item["sk"])] = totals.get(str(item["sk"]), 0) + int(item.get("views", 0))
        # A day's count can dip while a view moves to the day before it (a late earlier request).
        ranked = [(url, views) for url, views in totals.items() if views > 0]
        return sorted(ranked, key=lambda pair: (-pair[1], pair[0]))[:limit]

    def online(self, window: timedelta) -> tuple[int, datetime | None]:
        """Distinct readers in ``window`` before the newest line counted, and that time."""
        newest = self.newest()
        if newest is None:
            return 0, None
        last_seen: dict[Reader, datetime] = {}
        slot = newest - window
        while slot < newest + ONLINE_SLOT:
            for item in self._table.query_all(
                KeyConditionExpression="pk = :pk", ExpressionAttributeValues=dump({":pk": _slot(slot)})
            ):
                at = datetime.fromisoformat(str(item["at"]))
                reader = str(item["sk"]).split("#", 1)[0]
                last_seen[reader] = max(at, last_seen.get(reader, at))
            slot += ONLINE_SLOT
        return readers_online(last_seen, newest, window), newest

    def newest(self) -> datetime | None:
        """The newest log line counted so far."""
        item = self._table.get("VIEWS", "NEWEST")
        return datetime.fromisoformat(str(item["at"])) if item else None

    # -- published figures -------------------------------------------------------------------
    def figures(self) -> ViewFigures:
        """The figures last published (none before the first log file)."""
        item = self._table.get("VIEWS", "FIGURES")
        if item is None:
            return NO_FIGURES
        data = json.loads(str(item["figures"]))
        return ViewFigures(
            views=int(data["views"]),
            online=int(data["online"]),
            as_of=data["as_of"],
            today=tuple(MostRead(**line) for line in data["today"]),
            week=tuple(MostRead(**line) for line in data["week"]),
            shards=tuple(data.get("shards", ())),
        )

    def put_figures(self, figures: ViewFigures) -> None:
        """Keep the figures just published, for the next writer of ``/stats.json``."""
        data = {
            "views": figures.views,
            "online": figures.online,
            "as_of": figures.as_of,
            "today": [asdict(line) for line in figures.today],
            "week": [asdict(line) for line in figures.week],
            "shards": list(figures.shards),
        }
        self._table.put({"pk": "VIEWS", "sk": "FIGURES", "figures": json.dumps(data, ensure_ascii=False)})

    def add_shards(self, shards: Iterable[str]) -> None:
        """Note shard files as written (once written, always there): concurrent batches add, never erase."""
        wanted = sorted(set(shards))
        if wanted:
            self._table.client.update_item(
                TableName=self._table.name,
                Key=dump({"pk": "VIEWS", "sk": "SHARDS"}),
                UpdateExpression="ADD shards :s",
                ExpressionAttributeValues={":s": {"SS": wanted}},
            )

    def shards(self) -> tuple[str, ...]:
        """The shard files written so far."""
        item = self._table.get("VIEWS", "SHARDS")
        return tuple(sorted(str(shard) for shard in item.get("shards", ()))) if item else ()
