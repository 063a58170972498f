"""The content index in DynamoDB (single table, ``pk``/``sk``).

Items:
- ``ARTICLE#<source key>`` / ``ARTICLE``: one per source key (``IndexedArticle``).
- ``CAT#<category>`` / ``<sort key>``: the article in its own category's
  timeline (newer/older neighbours).
- ``TREE#<prefix>`` / ``<sort key>``: the article in the listing of home
  (empty prefix) and of each ancestor category.
- ``URL#<url>`` / ``URL``: which source key owns a URL (no two articles share a page).
- ``WAITING#<url>`` / ``<source key>``: a file refused because another holds the URL;
  written only while that URL is still held (a condition in the same transaction),
  so whoever releases the URL finds every file waiting for it.
- ``STATS`` / ``SITE``: the site's counters, and its ``revision``: a number
  every change of stored state adds one to, in the same transaction, so a
  render pass can tell whether the state it read moved while it wrote.
- ``SCOPES`` / ``<category>``: how many published articles a category holds,
  subcategories included (which categories exist, for menus and blocks).
- ``MONTHS#<category>`` / ``<yyyy-mm>``: how many articles a month of a
  category (or of the whole site, empty category) holds: the archive pages.
- ``CONFIG`` / ``SITE``: the accepted site configuration files and their version.
- ``JOB#<id>`` / ``JOB``: a fanned-out re-render and the chunks it has finished.
- ``INVALIDATION`` / ``<reference>``: invalidations written but not yet sent.

A change is one transaction with a condition on the article's version, so
that the count moves only when an article really appears or disappears, even
when deliveries are duplicated or retried (``ADD`` alone is not idempotent).
"""

from __future__ import annotations

import time
import zlib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from boto3.dynamodb.types import Binary, TypeDeserializer, TypeSerializer

from newsroom.article import Article
from newsroom.errors import ConcurrentChange, RejectedSource
from newsroom.model import PUBLISHED, Entry, IndexedArticle, Placement, month_bounds, month_of, scopes

MAX_BODY_BYTES = 300_000
FAILURE_TTL_SECONDS = 14 * 24 * 3600
_serializer = TypeSerializer()
_deserializer = TypeDeserializer()


def _dump(item: dict[str, Any]) -> dict[str, Any]:
    return {k: _serializer.serialize(v) for k, v in item.items() if v is not None}


def _load(item: dict[str, Any]) -> dict[str, Any]:
    return {k: _deserializer.deserialize(v) for k, v in item.items()}


def _cat(category: Sequence[str]) -> str:
    return "/".join(category)


def _split(category: str) -> tuple[str, ...]:
    return tuple(category.split("/")) if category else ()


@dataclass(frozen=True)
class Stats:
    """Site counters."""

    articles: int


@dataclass(frozen=True)
class StoredConfig:
    """The configuration files in force, as accepted, and their version (1, 2, …)."""

    version: int
    site_yaml: bytes | None
    categories_yaml: bytes | None
    retired: tuple[tuple[str, ...], ...] = ()
    """Categories once configured and no longer: their pages go if they hold no articles."""


@dataclass(frozen=True)
class JobProgress:
    """How far a fanned-out re-render got."""

    total: int
    done: int
    invalidated: bool
    dispatched: bool = False

    @property
    def complete(self) -> bool:
        """Every chunk has reported."""
        return self.done >= self.total


class ContentIndex:
    """Reads and writes the index; knows the item layout, nothing about pages.

    ``timezone`` is the site's: monthly archives follow the readers' calendar.
    """

    def __init__(self, client: Any, table: str, timezone: str = "UTC") -> None:
        self._db = client
        self._table = table
        self.timezone = timezone

    # -- articles ---------------------------------------------------------
    def get(self, source_key: str) -> IndexedArticle | None:
        """The index record of ``source_key``, if it was ever seen."""
        response = self._db.get_item(
            TableName=self._table,
            Key=_dump({"pk": f"ARTICLE#{source_key}", "sk": "ARTICLE"}),
            ConsistentRead=True,
        )
        item = response.get("Item")
        return self._article_from_item(_load(item)) if item else None

    def get_many(self, source_keys: Iterable[str]) -> dict[str, IndexedArticle]:
        """Several records at once (neighbours to re-render)."""
        wanted = sorted(set(source_keys))
        found: dict[str, IndexedArticle] = {}
        for start in range(0, len(wanted), 100):
            keys = [_dump({"pk": f"ARTICLE#{k}", "sk": "ARTICLE"}) for k in wanted[start : start + 100]]
            request: dict[str, Any] = {self._table: {"Keys": keys, "ConsistentRead": True}}
            while request:
                response = self._db.batch_get_item(RequestItems=request)
                for item in response["Responses"].get(self._table, []):
                    record = self._article_from_item(_load(item))
                    found[record.source_key] = record
                request = response.get("UnprocessedKeys") or {}
        return found

    def url_owner(self, url: str) -> str | None:
        """The source key that owns ``url``, if any."""
        response = self._db.get_item(
            TableName=self._table, Key=_dump({"pk": f"URL#{url}", "sk": "URL"}), ConsistentRead=True
        )
        item = response.get("Item")
        return str(_load(item)["source_key"]) if item else None

    def apply(self, before: IndexedArticle | None, after: IndexedArticle) -> None:
        """Replace ``before`` by ``after`` atomically, or raise ``ConcurrentChange``."""
        try:
            self._db.transact_write_items(TransactItems=self.transaction(before, after))
        except self._db.exceptions.TransactionCanceledException as exc:
            raise ConcurrentChange(str(exc)) from exc

    def transaction(self, before: IndexedArticle | None, after: IndexedArticle) -> list[dict[str, Any]]:
        """The TransactWriteItems actions that replace ``before`` by ``after``."""
        actions: list[dict[str, Any]] = []
        article_put: dict[str, Any] = {
            "TableName": self._table,
            "Item": _dump(self._item_from_article(after)),
        }
        if before is None:
            article_put["ConditionExpression"] = "attribute_not_exists(pk)"
        else:
            article_put["ConditionExpression"] = "version = :v"
            article_put["ExpressionAttributeValues"] = _dump({":v": before.version})
        actions.append({"Put": article_put})

        old_entries = self._entry_keys(before.placement) if before and before.state == PUBLISHED else set()
        new_entries = self._entry_keys(after.placement) if after.state == PUBLISHED else set()
        for pk, sk in sorted(old_entries - new_entries):
            actions.append({"Delete": {"TableName": self._table, "Key": _dump({"pk": pk, "sk": sk})}})
        if after.state == PUBLISHED:
            entry = after.entry()
            for pk, sk in sorted(new_entries):
                actions.append(
                    {"Put": {"TableName": self._table, "Item": _dump(self._item_from_entry(pk, sk, entry))}}
                )

        old_url = before.placement.url if before and before.state == PUBLISHED and before.placement else None
        new_url = after.placement.url if after.state == PUBLISHED and after.placement else None
        if old_url and old_url != new_url:
            actions.append(
                {
                    "Delete": {
                        "TableName": self._table,
                        "Key": _dump({"pk": f"URL#{old_url}", "sk": "URL"}),
                        "ConditionExpression": "source_key = :me",
                        "ExpressionAttributeValues": _dump({":me": after.source_key}),
                    }
                }
            )
        if new_url and new_url != old_url:
            actions.append(
                {
                    "Put": {
                        "TableName": self._table,
                        "Item": _dump({"pk": f"URL#{new_url}", "sk": "URL", "source_key": after.source_key}),
                        "ConditionExpression": "attribute_not_exists(pk) OR source_key = :me",
                        "ExpressionAttributeValues": _dump({":me": after.source_key}),
                    }
                }
            )

        actions += self._waiting_actions(before, after)
        actions += self._counter_actions(before, after)

        was = before is not None and before.state == PUBLISHED
        now = after.state == PUBLISHED
        actions.append(self._revision_action(1 if now and not was else -1 if was and not now else 0))
        return actions

    def _waiting_actions(self, before: IndexedArticle | None, after: IndexedArticle) -> list[dict[str, Any]]:
        """Register (or withdraw) a file waiting for a URL another file holds."""
        actions: list[dict[str, Any]] = []
        waited = before.waiting_for if before else None
        if waited and waited != after.waiting_for:
            key = {"pk": f"WAITING#{waited}", "sk": after.source_key}
            actions.append({"Delete": {"TableName": self._table, "Key": _dump(key)}})
        if after.waiting_for:
            # Only while someone else holds it: a release committed first makes this fail, and
            # the retry finds the URL free.
            actions.append(
                {
                    "ConditionCheck": {
                        "TableName": self._table,
                        "Key": _dump({"pk": f"URL#{after.waiting_for}", "sk": "URL"}),
                        "ConditionExpression": "attribute_exists(pk) AND source_key <> :me",
                        "ExpressionAttributeValues": _dump({":me": after.source_key}),
                    }
                }
            )
            item = {"pk": f"WAITING#{after.waiting_for}", "sk": after.source_key}
            actions.append({"Put": {"TableName": self._table, "Item": _dump(item)}})
        return actions

    def waiting_for(self, url: str) -> list[str]:
        """The source keys refused because another file held ``url``, in key order."""
        items = self._all(
            KeyConditionExpression="pk = :pk",
            ExpressionAttributeValues=_dump({":pk": f"WAITING#{url}"}),
            raw=True,
        )
        return [str(item["sk"]) for item in items]

    def _revision_action(self, articles: int = 0) -> dict[str, Any]:
        """The ``STATS`` update of a change: one more revision, and the article count moved."""
        expression, values = "ADD revision :one", {":one": 1}
        if articles:
            expression, values = expression + ", articles :d", {**values, ":d": articles}
        return {
            "Update": {
                "TableName": self._table,
                "Key": _dump({"pk": "STATS", "sk": "SITE"}),
                "UpdateExpression": expression,
                "ExpressionAttributeValues": _dump(values),
            }
        }

    def revision(self) -> int:
        """The site's revision: it moves with every change of articles or configuration."""
        response = self._db.get_item(
            TableName=self._table,
            Key=_dump({"pk": "STATS", "sk": "SITE"}),
            ConsistentRead=True,
            ProjectionExpression="revision",
        )
        return int(_load(response["Item"]).get("revision", 0)) if "Item" in response else 0

    def _counter_actions(self, before: IndexedArticle | None, after: IndexedArticle) -> list[dict[str, Any]]:
        """ADDs to the category and month counters, netted per item (one action per item)."""
        actions: list[dict[str, Any]] = []
        counters: dict[tuple[str, str], int] = {}
        for placement, delta in ((self._listed(before), -1), (self._listed(after), 1)):
            if placement is None:
                continue
            for scope in scopes(placement.category):
                month = month_of(placement.key, self.timezone)
                counters[(f"MONTHS#{_cat(scope)}", month)] = (
                    counters.get((f"MONTHS#{_cat(scope)}", month), 0) + delta
                )
                if scope:
                    counters[("SCOPES", _cat(scope))] = counters.get(("SCOPES", _cat(scope)), 0) + delta
        for (pk, sk), delta in sorted(counters.items()):
            if delta:
                actions.append(
                    {
                        "Update": {
                            "TableName": self._table,
                            "Key": _dump({"pk": pk, "sk": sk}),
                            "UpdateExpression": "ADD articles :d",
                            "ExpressionAttributeValues": _dump({":d": delta}),
                        }
                    }
                )

        return actions

    @staticmethod
    def _listed(record: IndexedArticle | None) -> Placement | None:
        return record.placement if record is not None and record.state == PUBLISHED else None

    # -- listings -------------------------------------------------------------
    def window(self, category: tuple[str, ...], key: str, size: int) -> list[Entry]:
        """Up to ``size`` entries older than ``key``, the one at ``key``, and ``size`` newer, oldest first."""
        pk = f"CAT#{_cat(category)}"
        older = self._query(pk, "sk < :k", key, forward=False, limit=size)
        newer = self._query(pk, "sk >= :k", key, forward=True, limit=size + 1)
        return list(reversed(older)) + newer

    def latest(self, prefix: tuple[str, ...], limit: int) -> list[Entry]:
        """The newest ``limit`` entries of home (empty prefix) or a category and its subcategories."""
        response = self._db.query(
            TableName=self._table,
            KeyConditionExpression="pk = :pk",
            ExpressionAttributeValues=_dump({":pk": f"TREE#{_cat(prefix)}"}),
            ScanIndexForward=False,
            Limit=limit,
            ConsistentRead=True,
        )
        return [self._entry_from_item(_load(i)) for i in response["Items"]]

    def _query(self, pk: str, condition: str, key: str, *, forward: bool, limit: int) -> list[Entry]:
        response = self._db.query(
            TableName=self._table,
            KeyConditionExpression=f"pk = :pk AND {condition}",
            ExpressionAttributeValues=_dump({":pk": pk, ":k": key}),
            ScanIndexForward=forward,
            Limit=limit,
            ConsistentRead=True,
        )
        return [self._entry_from_item(_load(i)) for i in response["Items"]]

    def month_entries(self, prefix: tuple[str, ...], month: str) -> list[Entry]:
        """Every entry of one month of home (empty prefix) or a category, newest first."""
        start, end = month_bounds(month, self.timezone)
        return self._all(
            KeyConditionExpression="pk = :pk AND sk BETWEEN :a AND :b",
            ExpressionAttributeValues=_dump({":pk": f"TREE#{_cat(prefix)}", ":a": start, ":b": end}),
            ScanIndexForward=False,
        )

    def since(self, key: str, limit: int) -> list[Entry]:
        """Site-wide entries at or after sort key ``key``, newest first (the News sitemap)."""
        return self._query("TREE#", "sk >= :k", key, forward=False, limit=limit)

    def entries_between(self, first: str, last: str) -> list[Entry]:
        """Site-wide entries with sort keys from ``first`` to ``last`` (a re-render chunk)."""
        return self._all(
            KeyConditionExpression="pk = :pk AND sk BETWEEN :a AND :b",
            ExpressionAttributeValues=_dump({":pk": "TREE#", ":a": first, ":b": last}),
        )

    def timeline_chunks(self, size: int) -> list[tuple[str, str]]:
        """The site's timeline cut into ``(first, last)`` sort-key ranges of ``size`` articles.

        Reads keys only, about 12,000 per 1 MB page: the one step of a full
        re-render that sees every article, done once to count the chunks.
        """
        keys = [
            str(item["sk"])
            for item in self._all(
                KeyConditionExpression="pk = :pk",
                ExpressionAttributeValues=_dump({":pk": "TREE#"}),
                ProjectionExpression="sk",
                raw=True,
            )
        ]
        return [(keys[i], keys[min(i + size, len(keys)) - 1]) for i in range(0, len(keys), size)]

    def scope_counts(self) -> dict[tuple[str, ...], int]:
        """Every category that holds published articles, with how many."""
        return {scope: count for scope, count in self._scopes().items() if count > 0}

    def emptied_scopes(self) -> list[tuple[str, ...]]:
        """Categories that held articles once and hold none now (their pages may have to go)."""
        return [scope for scope, count in self._scopes().items() if count <= 0]

    def _scopes(self) -> dict[tuple[str, ...], int]:
        """The ``SCOPES`` partition: every category ever counted, with its count (zero included)."""
        items = self._all(
            KeyConditionExpression="pk = :pk",
            ExpressionAttributeValues=_dump({":pk": "SCOPES"}),
            raw=True,
        )
        return {_split(str(i["sk"])): int(i.get("articles", 0)) for i in items}

    def months(self, prefix: tuple[str, ...]) -> list[tuple[str, int]]:
        """The months of home (empty prefix) or a category that hold articles, newest first."""
        items = self._all(
            KeyConditionExpression="pk = :pk",
            ExpressionAttributeValues=_dump({":pk": f"MONTHS#{_cat(prefix)}"}),
            ScanIndexForward=False,
            raw=True,
        )
        return [(str(i["sk"]), int(i["articles"])) for i in items if int(i.get("articles", 0)) > 0]

    def _all(self, *, raw: bool = False, **query: Any) -> list[Any]:
        """Every item a query matches, following pages."""
        request: dict[str, Any] = {"TableName": self._table, "ConsistentRead": True, **query}
        items: list[Any] = []
        while True:
            response = self._db.query(**request)
            loaded = [_load(i) for i in response["Items"]]
            items.extend(loaded if raw else [self._entry_from_item(i) for i in loaded])
            if "LastEvaluatedKey" not in response:
                return items
            request["ExclusiveStartKey"] = response["LastEvaluatedKey"]

    # -- configuration -----------------------------------------------------------
    def config(self) -> StoredConfig | None:
        """The configuration in force, or ``None`` before the first accepted file."""
        response = self._db.get_item(
            TableName=self._table, Key=_dump({"pk": "CONFIG", "sk": "SITE"}), ConsistentRead=True
        )
        if "Item" not in response:
            return None
        item = _load(response["Item"])

        def raw(name: str) -> bytes | None:
            value = item.get(name)
            if value is None:
                return None
            return value.value if isinstance(value, Binary) else bytes(value)

        retired = tuple(_split(str(path)) for path in item.get("retired", []))
        return StoredConfig(int(item["version"]), raw("site_yaml"), raw("categories_yaml"), retired)

    def put_config(self, before: StoredConfig | None, after: StoredConfig) -> None:
        """Store ``after`` unless another change got there first (``ConcurrentChange``)."""
        item: dict[str, Any] = {
            "pk": "CONFIG",
            "sk": "SITE",
            "version": after.version,
            "retired": [_cat(path) for path in after.retired],
        }
        if after.site_yaml is not None:
            item["site_yaml"] = Binary(after.site_yaml)
        if after.categories_yaml is not None:
            item["categories_yaml"] = Binary(after.categories_yaml)
        condition: dict[str, Any] = (
            {"ConditionExpression": "attribute_not_exists(pk)"}
            if before is None
            else {
                "ConditionExpression": "version = :v",
                "ExpressionAttributeValues": _dump({":v": before.version}),
            }
        )
        put = {"Put": {"TableName": self._table, "Item": _dump(item), **condition}}
        try:
            self._db.transact_write_items(TransactItems=[put, self._revision_action()])
        except self._db.exceptions.TransactionCanceledException as exc:
            raise ConcurrentChange("the site configuration changed meanwhile") from exc

    # -- fanned-out jobs -----------------------------------------------------------
    def start_job(self, job: str, total: int, created: str) -> None:
        """Record a job of ``total`` chunks (again, if a crash stopped it before its chunks were sent)."""
        self._db.update_item(
            TableName=self._table,
            Key=_dump({"pk": f"JOB#{job}", "sk": "JOB"}),
            UpdateExpression="SET #t = :t, created = if_not_exists(created, :c)",
            ConditionExpression="attribute_not_exists(dispatched)",
            ExpressionAttributeNames={"#t": "total"},
            ExpressionAttributeValues=_dump({":t": total, ":c": created}),
        )

    def finish_chunk(self, job: str, chunk: int, written: int = 0) -> JobProgress:
        """Mark one chunk done (a set: a retried chunk counts once) and return the progress.

        ``written`` (objects whose bytes changed) is kept per chunk, overwritten
        on a retry, so the job's total stays true.
        """
        response = self._db.update_item(
            TableName=self._table,
            Key=_dump({"pk": f"JOB#{job}", "sk": "JOB"}),
            UpdateExpression="ADD done_chunks :c SET #w = :w",
            ConditionExpression="attribute_exists(pk)",
            ExpressionAttributeNames={"#w": f"written_{chunk}"},
            ExpressionAttributeValues={":c": {"NS": [str(chunk)]}, ":w": {"N": str(written)}},
            ReturnValues="ALL_NEW",
        )
        return self._progress(_load(response["Attributes"]))

    def job(self, job: str) -> JobProgress | None:
        """The progress of ``job``, if it exists."""
        response = self._db.get_item(
            TableName=self._table, Key=_dump({"pk": f"JOB#{job}", "sk": "JOB"}), ConsistentRead=True
        )
        return self._progress(_load(response["Item"])) if "Item" in response else None

    def mark_job_dispatched(self, job: str) -> None:
        """Remember that every chunk message was sent (a redelivered plan sends none)."""
        self._db.update_item(
            TableName=self._table,
            Key=_dump({"pk": f"JOB#{job}", "sk": "JOB"}),
            UpdateExpression="SET dispatched = :t",
            ExpressionAttributeValues=_dump({":t": True}),
        )

    def mark_job_invalidated(self, job: str) -> None:
        """Remember that the job's one wildcard invalidation was accepted."""
        self._db.update_item(
            TableName=self._table,
            Key=_dump({"pk": f"JOB#{job}", "sk": "JOB"}),
            UpdateExpression="SET invalidated = :t",
            ExpressionAttributeValues=_dump({":t": True}),
        )

    @staticmethod
    def _progress(item: dict[str, Any]) -> JobProgress:
        return JobProgress(
            total=int(item["total"]),
            done=len(item.get("done_chunks", ())),
            invalidated=bool(item.get("invalidated", False)),
            dispatched=bool(item.get("dispatched", False)),
        )

    # -- failures -------------------------------------------------------------------
    def record_failure(self, message_id: str, keys: Sequence[str], reason: str, receive_count: int) -> None:
        """Why a queue message failed (the latest attempt), kept 14 days like the DLQ's messages."""
        now = int(time.time())
        self._db.put_item(
            TableName=self._table,
            Item=_dump(
                {
                    "pk": "FAILURE",
                    "sk": message_id,
                    "keys": list(keys) or None,
                    "reason": reason[:2000],
                    "receive_count": receive_count,
                    "failed_at": datetime.fromtimestamp(now, UTC).isoformat(),
                    "expires_at": now + FAILURE_TTL_SECONDS,
                }
            ),
        )

    def failure(self, message_id: str) -> dict[str, Any] | None:
        """The recorded failure of a message, if any."""
        response = self._db.get_item(
            TableName=self._table, Key=_dump({"pk": "FAILURE", "sk": message_id}), ConsistentRead=True
        )
        return _load(response["Item"]) if "Item" in response else None

    def clear_failure(self, message_id: str) -> None:
        """Forget a failure once its message went through."""
        self._db.delete_item(TableName=self._table, Key=_dump({"pk": "FAILURE", "sk": message_id}))

    # -- counters ---------------------------------------------------------------
    def stats(self) -> Stats:
        """The site counters (zero before the first article)."""
        response = self._db.get_item(
            TableName=self._table, Key=_dump({"pk": "STATS", "sk": "SITE"}), ConsistentRead=True
        )
        item = _load(response["Item"]) if "Item" in response else {}
        return Stats(articles=int(item.get("articles", 0)))

    # -- pending invalidations ---------------------------------------------------
    def put_pending_invalidation(self, reference: str, paths: Sequence[str]) -> None:
        """Record paths to invalidate before the pages change, so a crash cannot lose them."""
        self._db.put_item(
            TableName=self._table,
            Item=_dump({"pk": "INVALIDATION", "sk": reference, "paths": list(paths)}),
        )

    def pending_invalidations(self) -> list[tuple[str, list[str]]]:
        """Invalidations recorded but not yet confirmed sent, oldest reference first."""
        response = self._db.query(
            TableName=self._table,
            KeyConditionExpression="pk = :pk",
            ExpressionAttributeValues=_dump({":pk": "INVALIDATION"}),
            ConsistentRead=True,
        )
        return [(str(i["sk"]), [str(p) for p in i["paths"]]) for i in map(_load, response["Items"])]

    def clear_pending_invalidation(self, reference: str) -> None:
        """Forget an invalidation that CloudFront accepted."""
        self._db.delete_item(TableName=self._table, Key=_dump({"pk": "INVALIDATION", "sk": reference}))

    # -- item mapping -------------------------------------------------------------
    @staticmethod
    def _entry_keys(placement: Placement | None) -> set[tuple[str, str]]:
        if placement is None:
            return set()
        keys = {(f"CAT#{_cat(placement.category)}", placement.key)}
        keys |= {(f"TREE#{_cat(scope)}", placement.key) for scope in scopes(placement.category)}
        return keys

    @staticmethod
    def _item_from_entry(pk: str, sk: str, entry: Entry) -> dict[str, Any]:
        return {
            "pk": pk,
            "sk": sk,
            "source_key": entry.source_key,
            "title": entry.title,
            "url": entry.url,
            "published_at": entry.published_at,
            "summary": entry.summary,
            "image": entry.image,
            "category": _cat(entry.category),
            "category_names": list(entry.category_names),
        }

    @staticmethod
    def _entry_from_item(item: dict[str, Any]) -> Entry:
        return Entry(
            source_key=str(item["source_key"]),
            key=str(item["sk"]),
            title=str(item["title"]),
            url=str(item["url"]),
            published_at=str(item["published_at"]),
            summary=str(item.get("summary", "")),
            image=str(item["image"]) if item.get("image") else None,
            category=_split(str(item.get("category", ""))),
            category_names=tuple(str(n) for n in item.get("category_names", [])),
        )

    @staticmethod
    def _item_from_article(record: IndexedArticle) -> dict[str, Any]:
        item: dict[str, Any] = {
            "pk": f"ARTICLE#{record.source_key}",
            "sk": "ARTICLE",
            "source_key": record.source_key,
            "state": record.state,
            "version": record.version,
            "first_seen": record.first_seen,
            "error": record.error,
            "source_version": record.source_version,
            "aliases": list(record.aliases) or None,
            "sequencer": record.sequencer,
            "waiting_for": record.waiting_for,
        }
        if record.placement:
            item["placement_category"] = _cat(record.placement.category)
            item["placement_key"] = record.placement.key
        if record.previous:
            item["previous_category"] = _cat(record.previous.category)
            item["previous_key"] = record.previous.key
        a = record.article
        if a is not None:
            body = zlib.compress(a.body_html.encode("utf-8"), 9)
            if len(body) > MAX_BODY_BYTES:
                raise RejectedSource("the article is too large to publish (over 300 KB compressed)")
            item.update(
                title=a.title,
                slug=a.slug,
                category=_cat(a.category),
                category_names=list(a.category_names),
                published_at=a.published_at.isoformat(),
                summary=a.summary,
                author=a.author,
                image=a.image,
                tags=list(a.tags),
                status=a.status,
                body=Binary(body),
            )
        return item

    @staticmethod
    def _article_from_item(item: dict[str, Any]) -> IndexedArticle:
        article = None
        if "title" in item:
            body = item["body"]
            raw = body.value if isinstance(body, Binary) else bytes(body)
            article = Article(
                source_key=str(item["source_key"]),
                title=str(item["title"]),
                slug=str(item["slug"]),
                category=_split(str(item.get("category", ""))),
                category_names=tuple(str(n) for n in item.get("category_names", [])),
                published_at=datetime.fromisoformat(str(item["published_at"])),
                summary=str(item.get("summary", "")),
                author=str(item.get("author", "")),
                image=str(item["image"]) if item.get("image") else None,
                tags=tuple(str(t) for t in item.get("tags", [])),
                status=str(item["status"]),
                body_html=zlib.decompress(raw).decode("utf-8"),
            )
        placement = (
            Placement(_split(str(item.get("placement_category", ""))), str(item["placement_key"]))
            if "placement_key" in item
            else None
        )
        previous = (
            Placement(_split(str(item.get("previous_category", ""))), str(item["previous_key"]))
            if "previous_key" in item
            else None
        )
        return IndexedArticle(
            source_key=str(item["source_key"]),
            state=str(item["state"]),
            version=int(item["version"]),
            first_seen=str(item["first_seen"]),
            article=article,
            placement=placement,
            previous=previous,
            error=str(item["error"]) if item.get("error") else None,
            source_version=str(item["source_version"]) if item.get("source_version") else None,
            aliases=tuple(str(a) for a in item.get("aliases", [])),
            sequencer=str(item["sequencer"]) if item.get("sequencer") else None,
            waiting_for=str(item["waiting_for"]) if item.get("waiting_for") else None,
        )
