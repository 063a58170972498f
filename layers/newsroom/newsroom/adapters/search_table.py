"""The search index (its own table, ``SearchTable``): one partition per term.

Items:
- ``TERM#<term>`` / ``<T|B>#<sort key>``: an article containing the term, in
  its title (``T``) or only in its body (``B``). ``T`` sorts after ``B``, so a
  descending query returns title matches first, each group newest first.
  The item carries what a result shows (title, URL, date, summary, image).
- ``TERMS#<source key>`` / ``TERMS``: the term items currently written for an
  article and a digest of what they carry, so that a sync deletes exactly
  the stale ones and rewrites nothing when nothing changed; it also holds
  the article ``version`` they were written for, so an older version's sync
  (a slow or redelivered batch) never overwrites a newer one's.
- ``LEASE#<source key>`` / ``LEASE``: held while one invocation syncs an
  article. Two syncs of one article must not overlap: one's writes could land
  after the other's clean-up and leave items nobody lists. A lease outlives
  every function's timeout, so a holder can never outlive its lease.

Publishing an article costs at most ``MAX_TERMS`` item writes (none for a
duplicate delivery); it never re-indexes the site.
"""

from __future__ import annotations

import hashlib
import html
import json
import time
import uuid
from collections.abc import Iterator, Sequence
from contextlib import contextmanager, suppress
from typing import Any

import nh3

from newsroom.adapters.content_table.table import Table
from newsroom.adapters.content_table.table import dump as _dump
from newsroom.adapters.content_table.table import load as _load
from newsroom.domain.errors import ConcurrentChange
from newsroom.domain.records import PUBLISHED, IndexedArticle
from newsroom.domain.search_terms import SearchHit, document_terms, intersect

LEASE_SECONDS = 180
"""Longer than any function's timeout (PublishFunction 60 s, RenderFunction 150 s)."""
LEASE_ATTEMPTS = 12
_sleep = time.sleep  # tests replace it
PER_TERM = 500
"""Matches read per term: enough for a news site's query, bounded whatever the site's size."""
TERMS_SCHEME = 1
"""How terms are derived (``document_terms``) and what an item carries: raise it when either
changes, so the next rebuild re-derives every article's items instead of trusting the stored ones."""


def plain_text(body_html: str) -> str:
    """The words of a sanitised article body, tags dropped and entities decoded."""
    return html.unescape(nh3.clean(body_html, tags=set()))


class SearchIndex:
    """Keeps each article's term items in line with its record, and answers queries."""

    def __init__(self, client: Any, table: str) -> None:
        self._db = client
        self._table = table

    def sync(self, record: IndexedArticle, *, trust_current: bool = False) -> int:
        """Make the term items of ``record`` what its state requires, under the article's lease.

        ``trust_current`` (a rebuild, which meets almost only unchanged
        articles): one whose items were completely written for this very
        version costs one read, as deriving its terms again was most of a
        rebuild's own CPU. A newer sync racing that check only moves the items
        further on, never back. A publish always brings a new version, so it
        does not ask: the read would be wasted.
        """
        if trust_current and self._complete_for(record):
            return 0
        with self._lease(record.source_key):
            return self._sync(record)

    def _complete_for(self, record: IndexedArticle) -> bool:
        """Whether the ``TERMS`` item says this version's items are all written, by this scheme."""
        stored = self._db.get_item(
            TableName=self._table,
            Key=_dump({"pk": f"TERMS#{record.source_key}", "sk": "TERMS"}),
            ConsistentRead=True,
        ).get("Item")
        if stored is None:
            return False
        loaded = _load(stored)
        return (
            int(loaded.get("version", -1)) >= record.version
            and loaded.get("digest") is not None
            and int(loaded.get("scheme", 0)) == TERMS_SCHEME
        )

    @contextmanager
    def _lease(self, source_key: str) -> Iterator[None]:
        """Hold ``LEASE#<source key>`` (waiting a little for another holder), then release it."""
        key = _dump({"pk": f"LEASE#{source_key}", "sk": "LEASE"})
        token = uuid.uuid4().hex
        for attempt in range(LEASE_ATTEMPTS):
            now = int(time.time())
            try:
                self._db.put_item(
                    TableName=self._table,
                    Item={**key, **_dump({"token": token, "expires_at": now + LEASE_SECONDS})},
                    ConditionExpression="attribute_not_exists(pk) OR expires_at < :now",
                    ExpressionAttributeValues=_dump({":now": now}),
                )
                break
            except self._db.exceptions.ConditionalCheckFailedException:
                _sleep(min(0.05 * 2**attempt, 2.0))
        else:
            raise ConcurrentChange(f"{source_key}: another invocation kept syncing its search items")
        try:
            yield
        finally:
            # If it expired meanwhile, another invocation holds it now: leave that one alone.
            with suppress(self._db.exceptions.ConditionalCheckFailedException):
                self._db.delete_item(
                    TableName=self._table,
                    Key=key,
                    ConditionExpression="#t = :t",
                    ExpressionAttributeNames={"#t": "token"},
                    ExpressionAttributeValues=_dump({":t": token}),
                )

    def _sync(self, record: IndexedArticle) -> int:
        """Make the term items of ``record`` what its current state requires; returns writes made.

        Idempotent and safe to retry: before any term item is written, the
        ``TERMS`` item lists the old and the new items (without a digest), so
        a crash half-way is repaired by the next sync, whatever state it
        brings: it deletes every stale item and rewrites every kept one.
        """
        desired: dict[tuple[str, str], dict[str, Any]] = {}
        if record.state == PUBLISHED and record.article is not None and record.placement is not None:
            a = record.article
            shown = {
                "source_key": record.source_key,
                "title": a.title,
                "url": a.url,
                "published_at": a.published_at.isoformat(),
                "summary": a.summary,
                "image": a.image,
            }
            terms = document_terms(a.title, f"{a.summary}\n{plain_text(a.body_html)}")
            for term, in_title in terms.items():
                key = (f"TERM#{term}", f"{'T' if in_title else 'B'}#{record.placement.key}")
                desired[key] = {"pk": key[0], "sk": key[1], **shown}
        digest = hashlib.sha256(
            json.dumps(sorted(desired.values(), key=lambda i: (i["pk"], i["sk"])), sort_keys=True).encode()
        ).hexdigest()
        stored = self._db.get_item(
            TableName=self._table,
            Key=_dump({"pk": f"TERMS#{record.source_key}", "sk": "TERMS"}),
            ConsistentRead=True,
        ).get("Item")
        current: set[tuple[str, str]] = set()
        same_content = False
        if stored is not None:
            loaded = _load(stored)
            if int(loaded.get("version", 0)) > record.version:
                return 0  # a newer version of the article is indexed already
            current = {(k.split("\n", 1)[0], k.split("\n", 1)[1]) for k in loaded.get("keys", [])}
            same_content = loaded.get("digest") == digest
            if same_content and current == set(desired) and int(loaded.get("version", 0)) < record.version:
                self._record(record.source_key, current, digest, record.version)  # move the version on
                return 1
        puts = [item for key, item in desired.items() if not same_content or key not in current]
        deletes = sorted(current - set(desired))
        if not puts and not deletes:
            return 0
        if puts:
            # Before writing anything, list every item that may exist after a
            # crash (old and new) with no digest: a later sync, whatever state it
            # brings, then deletes all that is stale and rewrites all it keeps.
            self._record(record.source_key, current | set(desired), None, record.version)
        self._batch_write(
            [{"PutRequest": {"Item": _dump(item)}} for item in puts]
            + [{"DeleteRequest": {"Key": _dump({"pk": pk, "sk": sk})}} for pk, sk in deletes]
        )
        self._record(record.source_key, set(desired), digest, record.version)
        return len(puts) + len(deletes)

    def _record(self, source_key: str, keys: set[tuple[str, str]], digest: str | None, version: int) -> None:
        """The ``TERMS`` item: which term items may exist, what they carry, for which version."""
        self._db.put_item(
            TableName=self._table,
            Item=_dump(
                {
                    "pk": f"TERMS#{source_key}",
                    "sk": "TERMS",
                    "keys": sorted(f"{pk}\n{sk}" for pk, sk in keys) or None,
                    "digest": digest,
                    "version": version,
                    "scheme": TERMS_SCHEME,
                }
            ),
        )

    def _batch_write(self, requests: Sequence[dict[str, Any]]) -> None:
        Table(self._db, self._table).batch_write(requests, "search index")

    def search(self, terms: Sequence[str], limit: int = 50) -> list[SearchHit]:
        """Articles containing every term: title matches first, then newest first."""
        per_term: list[dict[str, SearchHit]] = []
        for term in terms:
            response = self._db.query(
                TableName=self._table,
                KeyConditionExpression="pk = :pk",
                ExpressionAttributeValues=_dump({":pk": f"TERM#{term}"}),
                ScanIndexForward=False,
                Limit=PER_TERM,
            )
            found: dict[str, SearchHit] = {}
            for item in map(_load, response["Items"]):
                key = str(item["source_key"])
                found.setdefault(
                    key,
                    SearchHit(
                        source_key=key,
                        title=str(item["title"]),
                        url=str(item["url"]),
                        published_at=str(item["published_at"]),
                        summary=str(item.get("summary", "")),
                        image=str(item["image"]) if item.get("image") else None,
                        title_matches=1 if str(item["sk"]).startswith("T#") else 0,
                    ),
                )
            per_term.append(found)
            if not found:
                return []
        return intersect(per_term)[:limit]
