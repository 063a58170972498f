"""One log file's views committed exactly once, whatever runs beside it and however often it comes.

Two phases, each in parts whose marker is written in the same transaction:

1. **Claims.** The file's (reader, article) pairs, ``CLAIMS_PER_PART`` at a
   time: each pair's request times join its ``SEEN#<reader>`` / ``<url>``
   item (conditioned on the item's version), and the part's marker
   ``LOGFILE#<key>`` / ``<etag>#claims#<n>`` stores what those requests
   added (``view_counting.judge``). A concurrent file that moved one of the
   items makes the part judge again on what is stored now; a twin that
   wrote the marker first makes it skip. Since the repeat rule depends only
   on the set of requests, any order of files gives the same counts.
2. **Counts.** Once every claim part is in, the additions stored in the
   markers are summed and added: the site's total once, each article once,
   each article and day once, in parts of at most ``ACTIONS_PER_PART``
   with markers ``<etag>#counts#<n>``.

A retry after a failure anywhere redoes only the parts without a marker,
and with the same figures: the claims' additions are read back, never
judged twice.
"""

from __future__ import annotations

import json
import random
import time
from collections.abc import Callable, Mapping, Sequence
from datetime import UTC, date, datetime, timedelta
from typing import Any

from newsroom.adapters.content_table.table import Table, dump, epoch
from newsroom.domain.errors import ConcurrentChange
from newsroom.domain.site_paths import views_shard
from newsroom.domain.view_counting import Reader, Tally, Url, judge

CLAIMS_PER_PART = 90  # a transaction holds 100 actions: these and the part's marker
ACTIONS_PER_PART = 99
JUDGE_TRIES = 8
DAY_COUNTS_KEPT = timedelta(days=9)
SEEN_KEPT = timedelta(days=2)  # a reader is a hash salted per day: after it, no repeat can match
LOG_MARKERS_KEPT = timedelta(days=30)

type Pair = tuple[Reader, Url]


def _codes(exc: Any) -> list[str | None]:
    """Why each action of a cancelled transaction failed, in action order (the marker is last)."""
    return [reason.get("Code") for reason in exc.response.get("CancellationReasons", [])]


def _pause(attempt: int) -> None:
    """Jittered backoff between tries, short: the other transaction takes milliseconds."""
    time.sleep(random.uniform(0, 0.05 * 2**attempt))  # noqa: S311 (jitter, not secrecy)


class ViewCommit:
    """The exactly-once commit of ``ViewCounts``; knows the claim and counter items, nothing of logs."""

    def __init__(self, table: Table) -> None:
        self._table = table

    def commit(
        self,
        log_key: str,
        etag: str,
        requests: Mapping[Pair, Sequence[datetime]],
        day_of: Callable[[datetime], date],
    ) -> tuple[int, Tally]:
        """Count one file's requests once: the counter parts committed now, and what the file added."""
        pairs = sorted(requests)
        chunks = [pairs[i : i + CLAIMS_PER_PART] for i in range(0, len(pairs), CLAIMS_PER_PART)]
        keys = [f"{etag}#claims#{n}" for n in range(len(chunks))]
        claimed = self._markers(log_key, keys)
        for key, chunk in zip(keys, chunks, strict=True):
            if key not in claimed:
                claimed[key] = self._claim(log_key, key, {pair: requests[pair] for pair in chunk}, day_of)
        added = Tally()
        for key in keys:
            data = json.loads(str(claimed[key]["added"]))
            added.views.update(data["views"])
            for day, url, n in data["days"]:
                added.by_day[(date.fromisoformat(day), url)] += n
            added.skipped["repeat within 30 minutes"] += data["repeats"]
        added.skipped = +added.skipped
        return self._count(log_key, etag, added), added

    def _markers(self, log_key: str, keys: Sequence[str]) -> dict[str, dict[str, Any]]:
        items = self._table.batch_get([(f"LOGFILE#{log_key}", key) for key in keys])
        return {str(item["sk"]): item for item in items}

    def _claim(
        self,
        log_key: str,
        key: str,
        requests: Mapping[Pair, Sequence[datetime]],
        day_of: Callable[[datetime], date],
    ) -> dict[str, Any]:
        """Join one part's requests to what is stored, with the marker; judged again if a twin moved."""
        for _try in range(JUDGE_TRIES):
            stored = self._seen(requests)
            tally = judge(requests, {pair: times for pair, (times, _v) in stored.items()}, day_of)
            actions = [
                self._seen_action(pair, tally.seen[pair], stored.get(pair)) for pair in sorted(requests)
            ]
            marker = {
                "pk": f"LOGFILE#{log_key}",
                "sk": key,
                "added": json.dumps(
                    {
                        "views": dict(sorted(tally.views.items())),
                        "days": [[day.isoformat(), url, n] for (day, url), n in sorted(tally.by_day.items())],
                        "repeats": tally.skipped["repeat within 30 minutes"],
                    },
                    ensure_ascii=False,
                ),
                "expires_at": epoch(datetime.now(UTC) + LOG_MARKERS_KEPT),
            }
            actions.append(self._table.put_action(marker, ConditionExpression="attribute_not_exists(pk)"))
            try:
                self._table.client.transact_write_items(TransactItems=actions)
                return marker
            except self._table.client.exceptions.TransactionCanceledException as exc:
                codes = _codes(exc)
                if codes and codes[-1] == "ConditionalCheckFailed":  # a twin claimed this part first
                    return self._markers(log_key, [key])[key]
                if not {"ConditionalCheckFailed", "TransactionConflict"} & set(codes):
                    raise ConcurrentChange(f"{log_key}: {key} met a concurrent change") from exc
                _pause(_try)  # a twin moved a reader's item, or is writing one now: judge again
        raise ConcurrentChange(f"{log_key}: {key}: readers' requests kept moving; retried by the queue")

    def _seen(self, pairs: Mapping[Pair, Any]) -> dict[Pair, tuple[tuple[datetime, ...], int]]:
        items = self._table.batch_get([(f"SEEN#{reader}", url) for reader, url in sorted(pairs)])
        return {
            (str(i["pk"]).removeprefix("SEEN#"), str(i["sk"])): (
                tuple(datetime.fromtimestamp(int(t), UTC) for t in sorted(i.get("times", ()))),
                int(i["v"]),
            )
            for i in items
        }

    def _seen_action(
        self, pair: Pair, times: Sequence[datetime], stored: tuple[Any, int] | None
    ) -> dict[str, Any]:
        reader, url = pair
        item = {
            "pk": f"SEEN#{reader}",
            "sk": url,
            "times": {epoch(moment) for moment in times},
            "v": (stored[1] if stored else 0) + 1,
            "expires_at": epoch(max(times) + SEEN_KEPT),
        }
        if stored is None:
            return self._table.put_action(item, ConditionExpression="attribute_not_exists(pk)")
        return self._table.put_action(
            item, ConditionExpression="v = :v", ExpressionAttributeValues=dump({":v": stored[1]})
        )

    def _count(self, log_key: str, etag: str, added: Tally) -> int:
        """Add the file's sums, in parts each with its marker; returns the parts committed now."""
        actions = self._counter_actions(added)
        parts = [actions[i : i + ACTIONS_PER_PART] for i in range(0, len(actions), ACTIONS_PER_PART)]
        committed = 0
        for number, part in enumerate(parts):
            marker = {
                "pk": f"LOGFILE#{log_key}",
                "sk": f"{etag}#counts#{number}",
                "expires_at": epoch(datetime.now(UTC) + LOG_MARKERS_KEPT),
            }
            put = self._table.put_action(marker, ConditionExpression="attribute_not_exists(pk)")
            for attempt in range(JUDGE_TRIES):
                try:
                    self._table.client.transact_write_items(TransactItems=[*part, put])
                    committed += 1
                    break
                except self._table.client.exceptions.TransactionCanceledException as exc:
                    codes = _codes(exc)
                    if codes and codes[-1] == "ConditionalCheckFailed":
                        break  # this part was counted by an earlier delivery
                    if "TransactionConflict" not in codes or attempt == JUDGE_TRIES - 1:
                        raise ConcurrentChange(f"{log_key}: part {number} met a concurrent change") from exc
                    _pause(attempt)  # another file is adding to the same counter right now
        return committed

    def _counter_actions(self, added: Tally) -> list[dict[str, Any]]:
        """The ADDs of a file, in an order that depends only on what it added."""
        actions: list[dict[str, Any]] = []
        total = sum(added.views.values())
        if total:
            actions.append(self._add("VIEWS", "SITE", total))
        actions += [
            self._add(f"VIEWSHARD#{views_shard(url)}", url, n) for url, n in sorted(added.views.items()) if n
        ]
        for (day, url), n in sorted(added.by_day.items()):
            if n:
                expires = datetime(day.year, day.month, day.day, tzinfo=UTC) + DAY_COUNTS_KEPT
                actions.append(self._add(f"VIEWDAY#{day.isoformat()}", url, n, expires))
        return actions

    def _add(self, pk: str, sk: str, n: int, expires: datetime | None = None) -> dict[str, Any]:
        expression, values = "ADD #v :n", {":n": n}
        if expires is not None:
            expression, values = expression + " SET expires_at = :e", {**values, ":e": epoch(expires)}
        return self._table.update_action(
            pk,
            sk,
            UpdateExpression=expression,
            ExpressionAttributeNames={"#v": "views"},
            ExpressionAttributeValues=dump(values),
        )
