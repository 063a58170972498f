"""View counters from the CDN's logs, each log file counted once.

Items (this module alone spells them):
- ``VIEWS`` / ``SITE``: the site's total views.
- ``VIEWSHARD#<shard>`` / ``<url>``: an article's views, in the partition of its shard file
  (``site_paths.views_shard``), so that one query rewrites one ``views/<shard>.json``.
- ``VIEWDAY#<yyyy-mm-dd>`` / ``<url>``: an article's views that day (the site's calendar),
  expiring after ``DAY_COUNTS_KEPT``: most read today and this week.
- ``LOGFILE#<log key>`` / ``<etag>#<part>``: a part of a log file already counted.
- ``SEEN#<reader>`` / ``<url>``: a reader's last counted view of an article (repeats within 30 minutes).
- ``ONLINE#<5-minute slot>`` / ``<reader>``: a reader's newest request to an article in that
  slot (readers online: the few slots before the newest line, never the whole day's readers).
- ``SALT`` / ``<yyyy-mm-dd>``: the day's salt for reader hashes, deleted 48 hours after the day.
- ``VIEWS`` / ``NEWEST``: the newest log line counted ("as of").
- ``VIEWS`` / ``FIGURES``: the figures last published (``ViewFigures``), for ``/stats.json``.
- ``VIEWS`` / ``SHARDS``: the set of shard files written (a string set: ``ADD`` is atomic).

A file's counters are committed in parts of at most ``ACTIONS_PER_PART``
ADDs, each in one transaction with its part's marker, whose condition makes
a duplicate delivery, a retry or a concurrent twin skip the part: the counts
move once. The reader state is written after every part, with plain puts: a
retry that fails before it computes the same parts again; one that fails
after it finds every part's marker.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterable
from contextlib import suppress
from dataclasses import asdict
from datetime import UTC, date, datetime, timedelta
from typing import Any

from boto3.dynamodb.types import Binary

from newsroom.adapters.content_table.table import Table, dump
from newsroom.domain.errors import ConcurrentChange
from newsroom.domain.records import NO_FIGURES, MostRead, ViewFigures
from newsroom.domain.site_paths import views_shard
from newsroom.domain.view_counting import Reader, Tally, Url, readers_online

ACTIONS_PER_PART = 99  # a transaction holds 100 actions: these and the part's marker
DAY_COUNTS_KEPT = timedelta(days=9)
STATE_KEPT = timedelta(hours=1)
LOG_MARKERS_KEPT = timedelta(days=30)
SALT_KEPT_AFTER_DAY = timedelta(hours=48)
ONLINE_SLOT = timedelta(minutes=5)


def _epoch(moment: datetime) -> int:
    return int(moment.timestamp())


def _slot(moment: datetime) -> str:
    """The 5-minute slot of a moment, as its partition names it (``ONLINE#2026-12-02T07:05``)."""
    utc = moment.astimezone(UTC)
    return f"ONLINE#{utc.replace(minute=utc.minute - utc.minute % 5, second=0, microsecond=0):%Y-%m-%dT%H:%M}"


class ViewCounts:
    """Reads and commits the view counters; knows their items, nothing about logs or pages."""

    def __init__(self, table: Table) -> None:
        self._table = table

    # -- salts ------------------------------------------------------------------------
    def salt(self, day: date) -> bytes:
        """The day's salt: made by the first file of the day that needs it, the same for every other."""
        item = self._table.get("SALT", day.isoformat())
        if item is None:
            expires = (
                datetime(day.year, day.month, day.day, tzinfo=UTC) + timedelta(days=1) + SALT_KEPT_AFTER_DAY
            )
            fresh = {
                "pk": "SALT",
                "sk": day.isoformat(),
                "salt": Binary(os.urandom(32)),
                "expires_at": _epoch(expires),
            }
            with suppress(self._table.client.exceptions.ConditionalCheckFailedException):  # made already
                self._table.client.put_item(
                    TableName=self._table.name,
                    Item=dump(fresh),
                    ConditionExpression="attribute_not_exists(pk)",
                )
            item = self._table.get("SALT", day.isoformat())
            assert item is not None
        value = item["salt"]
        return bytes(value.value if isinstance(value, Binary) else value)

    # -- repeats --------------------------------------------------------------------------
    def earlier_views(self, keys: Iterable[tuple[Reader, Url]]) -> dict[tuple[Reader, Url], datetime]:
        """The last counted view of each (reader, article) that earlier files recorded."""
        wanted = [(f"SEEN#{reader}", url) for reader, url in sorted(set(keys))]
        found: dict[tuple[Reader, Url], datetime] = {}
        for item in self._table.batch_get(wanted):
            found[(str(item["pk"]).removeprefix("SEEN#"), str(item["sk"]))] = datetime.fromisoformat(
                str(item["at"])
            )
        return found

    # -- commit ---------------------------------------------------------------------------
    def commit(self, log_key: str, etag: str, tally: Tally) -> int:
        """Add one file's tally, once; returns the parts committed now (0: all were already counted)."""
        actions = self._counter_actions(tally)
        parts = [actions[i : i + ACTIONS_PER_PART] for i in range(0, len(actions), ACTIONS_PER_PART)]
        committed = 0
        for number, part in enumerate(parts):
            marker = {
                "pk": f"LOGFILE#{log_key}",
                "sk": f"{etag}#{number}",
                "expires_at": _epoch(datetime.now(UTC) + LOG_MARKERS_KEPT),
            }
            put = self._table.put_action(marker, ConditionExpression="attribute_not_exists(pk)")
            try:
                self._table.client.transact_write_items(TransactItems=[*part, put])
                committed += 1
            except self._table.client.exceptions.TransactionCanceledException as exc:
                reasons = exc.response.get("CancellationReasons", [])
                if reasons and reasons[-1].get("Code") == "ConditionalCheckFailed":
                    continue  # this part was counted by an earlier delivery
                raise ConcurrentChange(f"{log_key}: part {number} met a concurrent change") from exc
        self._write_state(tally)
        return committed

    def _counter_actions(self, tally: Tally) -> list[dict[str, Any]]:
        """The ADDs of a tally, in an order that depends only on the tally."""
        actions: list[dict[str, Any]] = []
        total = sum(tally.views.values())
        if total:
            actions.append(self._add("VIEWS", "SITE", total))
        actions += [
            self._add(f"VIEWSHARD#{views_shard(url)}", url, n) for url, n in sorted(tally.views.items())
        ]
        for (day, url), n in sorted(tally.by_day.items()):
            expires = datetime(day.year, day.month, day.day, tzinfo=UTC) + DAY_COUNTS_KEPT
            actions.append(self._add(f"VIEWDAY#{day.isoformat()}", url, n, expires))
        return actions

    def _add(self, pk: str, sk: str, n: int, expires: datetime | None = None) -> dict[str, Any]:
        expression, values = "ADD #v :n", {":n": n}
        if expires is not None:
            expression, values = expression + " SET expires_at = :e", {**values, ":e": _epoch(expires)}
        return self._table.update_action(
            pk,
            sk,
            UpdateExpression=expression,
            ExpressionAttributeNames={"#v": "views"},
            ExpressionAttributeValues=dump(values),
        )

    def _write_state(self, tally: Tally) -> None:
        """Who read what when, for the next file's repeats and for readers online (expiring soon)."""
        items = [
            {"pk": f"SEEN#{reader}", "sk": url, "at": at.isoformat(), "expires_at": _epoch(at + STATE_KEPT)}
            for (reader, url), at in sorted(tally.last_views.items())
        ]
        items += [
            {"pk": _slot(at), "sk": reader, "at": at.isoformat(), "expires_at": _epoch(at + STATE_KEPT)}
            for reader, at in sorted(tally.last_seen.items())
        ]
        self._table.batch_write([{"PutRequest": {"Item": dump(i)}} for i in items], "reader state")
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
        return sorted(totals.items(), key=lambda pair: (-pair[1], pair[0]))[:limit]

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
                last_seen[str(item["sk"])] = max(at, last_seen.get(str(item["sk"]), at))
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
