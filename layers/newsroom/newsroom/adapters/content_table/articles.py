"""Articles (``ARTICLE#``), the page URLs they own (``URL#``), the files waiting for one (``WAITING#``)
and the drafts and scheduled articles that have a preview page (``PREVIEWS``)."""

from __future__ import annotations

import zlib
from collections.abc import Iterable
from datetime import datetime
from typing import Any

from boto3.dynamodb.types import Binary

from newsroom.adapters.content_table.counts import Counts
from newsroom.adapters.content_table.listings import Listings
from newsroom.adapters.content_table.table import Table, dump, joined, split, version_condition
from newsroom.domain.article import Article
from newsroom.domain.errors import RejectedSource
from newsroom.domain.reasons import N_
from newsroom.domain.records import PUBLISHED, IndexedArticle, Placement

MAX_BODY_BYTES = 300_000
PREVIEWS = "PREVIEWS"


class Articles:
    """One record per source key; an article's change commits, in one transaction, what it moves.

    ``listings`` and ``counts`` own the other items an article's change
    touches; each adds its actions to the same transaction.
    """

    def __init__(self, table: Table, listings: Listings, counts: Counts) -> None:
        self._table = table
        self._listings = listings
        self._counts = counts

    def get(self, source_key: str) -> IndexedArticle | None:
        """The index record of ``source_key``, if it was ever seen."""
        item = self._table.get(f"ARTICLE#{source_key}", "ARTICLE")
        return _article_from_item(item) if item else None

    def get_many(self, source_keys: Iterable[str]) -> dict[str, IndexedArticle]:
        """Several records at once (neighbours to re-render)."""
        keys = [(f"ARTICLE#{k}", "ARTICLE") for k in sorted(set(source_keys))]
        records = (_article_from_item(item) for item in self._table.batch_get(keys))
        return {record.source_key: record for record in records}

    def url_owner(self, url: str) -> str | None:
        """The source key that owns ``url``, if any."""
        item = self._table.get(f"URL#{url}", "URL")
        return str(item["source_key"]) if item else None

    def url_owners(self, urls: Iterable[str]) -> dict[str, str]:
        """The source key owning each of ``urls`` that has one (one batch read)."""
        items = self._table.batch_get([(f"URL#{url}", "URL") for url in sorted(set(urls))])
        return {str(item["pk"]).removeprefix("URL#"): str(item["source_key"]) for item in items}

    def waiting_for(self, url: str) -> list[str]:
        """The source keys refused because another file held ``url``, in key order."""
        items = self._table.query_all(
            KeyConditionExpression="pk = :pk", ExpressionAttributeValues=dump({":pk": f"WAITING#{url}"})
        )
        return [str(item["sk"]) for item in items]

    def previewed(self) -> list[str]:
        """The source keys whose preview page exists, in key order: what a rebuild re-renders."""
        items = self._table.query_all(
            KeyConditionExpression="pk = :pk", ExpressionAttributeValues=dump({":pk": PREVIEWS})
        )
        return [str(item["sk"]) for item in items]

    def apply(self, before: IndexedArticle | None, after: IndexedArticle) -> None:
        """Replace ``before`` by ``after`` atomically, or raise ``ConcurrentChange``."""
        self._table.transact(self.transaction(before, after))

    def transaction(self, before: IndexedArticle | None, after: IndexedArticle) -> list[dict[str, Any]]:
        """The TransactWriteItems actions that replace ``before`` by ``after``."""
        condition = version_condition(before.version if before is not None else None)
        return [
            self._table.put_action(_item_from_article(after), **condition),
            *self._listings.change_actions(before, after),
            *self._url_actions(before, after),
            *self._waiting_actions(before, after),
            *self._preview_actions(before, after),
            *self._counts.change_actions(before, after),
        ]

    def _url_actions(self, before: IndexedArticle | None, after: IndexedArticle) -> list[dict[str, Any]]:
        """Release the URL ``before`` held and claim ``after``'s, each only if it is this file's."""
        actions: list[dict[str, Any]] = []
        mine = {"ExpressionAttributeValues": dump({":me": after.source_key})}
        old_url = before.placement.url if before and before.state == PUBLISHED and before.placement else None
        new_url = after.placement.url if after.state == PUBLISHED and after.placement else None
        if old_url and old_url != new_url:
            actions.append(
                self._table.delete_action(
                    f"URL#{old_url}", "URL", ConditionExpression="source_key = :me", **mine
                )
            )
        if new_url and new_url != old_url:
            claim = {"pk": f"URL#{new_url}", "sk": "URL", "source_key": after.source_key}
            condition = "attribute_not_exists(pk) OR source_key = :me"
            actions.append(self._table.put_action(claim, ConditionExpression=condition, **mine))
        return actions

    def _waiting_actions(self, before: IndexedArticle | None, after: IndexedArticle) -> list[dict[str, Any]]:
        """Register (or withdraw) a file waiting for a URL another file holds."""
        actions: list[dict[str, Any]] = []
        waited = before.waiting_for if before else None
        if waited and waited != after.waiting_for:
            actions.append(self._table.delete_action(f"WAITING#{waited}", after.source_key))
        if after.waiting_for:
            # Only while someone else holds it: a release committed first makes this fail, and
            # the retry finds the URL free.
            actions.append(
                self._table.check_action(
                    f"URL#{after.waiting_for}",
                    "URL",
                    ConditionExpression="attribute_exists(pk) AND source_key <> :me",
                    ExpressionAttributeValues=dump({":me": after.source_key}),
                )
            )
            actions.append(
                self._table.put_action({"pk": f"WAITING#{after.waiting_for}", "sk": after.source_key})
            )
        return actions

    def _preview_actions(self, before: IndexedArticle | None, after: IndexedArticle) -> list[dict[str, Any]]:
        """Register a preview page when one appears, withdraw it when it goes."""
        had, has = before is not None and before.shows_preview, after.shows_preview
        if has and not had:
            return [self._table.put_action({"pk": PREVIEWS, "sk": after.source_key})]
        if had and not has:
            return [self._table.delete_action(PREVIEWS, after.source_key)]
        return []


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
        "preview": record.preview,
        "revoked_preview": record.revoked_preview,
        "timed": record.timed or None,
    }
    if record.placement:
        item["placement_category"] = joined(record.placement.category)
        item["placement_key"] = record.placement.key
    if record.previous:
        item["previous_category"] = joined(record.previous.category)
        item["previous_key"] = record.previous.key
    a = record.article
    if a is not None:
        body = zlib.compress(a.body_html.encode("utf-8"), 9)
        if len(body) > MAX_BODY_BYTES:
            raise RejectedSource(N_("the article is too large to publish (over 300 KB compressed)"))
        item.update(
            title=a.title,
            slug=a.slug,
            category=joined(a.category),
            category_names=list(a.category_names),
            published_at=a.published_at.isoformat(),
            summary=a.summary,
            author=a.author,
            image=a.image,
            tags=list(a.tags),
            status=a.status,
            body=Binary(body),
        )
        if a.views_base:
            item["views_base"] = a.views_base
        for name, moment in (("publish_at", a.publish_at), ("unpublish_at", a.unpublish_at)):
            if moment is not None:
                item[name] = moment.isoformat()
    return item


def _placement(item: dict[str, Any], prefix: str) -> Placement | None:
    if f"{prefix}_key" not in item:
        return None
    return Placement(split(str(item.get(f"{prefix}_category", ""))), str(item[f"{prefix}_key"]))


def _article_from_item(item: dict[str, Any]) -> IndexedArticle:
    article = None
    if "title" in item:
        body = item["body"]
        raw = body.value if isinstance(body, Binary) else bytes(body)
        article = Article(
            source_key=str(item["source_key"]),
            title=str(item["title"]),
            slug=str(item["slug"]),
            category=split(str(item.get("category", ""))),
            category_names=tuple(str(n) for n in item.get("category_names", [])),
            published_at=datetime.fromisoformat(str(item["published_at"])),
            summary=str(item.get("summary", "")),
            author=str(item.get("author", "")),
            image=str(item["image"]) if item.get("image") else None,
            tags=tuple(str(t) for t in item.get("tags", [])),
            status=str(item["status"]),
            body_html=zlib.decompress(raw).decode("utf-8"),
            views_base=int(item.get("views_base", 0)),
            publish_at=_moment(item.get("publish_at")),
            unpublish_at=_moment(item.get("unpublish_at")),
        )
    return IndexedArticle(
        source_key=str(item["source_key"]),
        state=str(item["state"]),
        version=int(item["version"]),
        first_seen=str(item["first_seen"]),
        article=article,
        placement=_placement(item, "placement"),
        previous=_placement(item, "previous"),
        error=str(item["error"]) if item.get("error") else None,
        source_version=str(item["source_version"]) if item.get("source_version") else None,
        aliases=tuple(str(a) for a in item.get("aliases", [])),
        sequencer=str(item["sequencer"]) if item.get("sequencer") else None,
        waiting_for=str(item["waiting_for"]) if item.get("waiting_for") else None,
        preview=str(item["preview"]) if item.get("preview") else None,
        revoked_preview=str(item["revoked_preview"]) if item.get("revoked_preview") else None,
        timed=bool(item.get("timed")),
    )


def _moment(value: Any) -> datetime | None:
    return datetime.fromisoformat(str(value)) if value else None
