"""The one thing every owner of content-table items shares: typed reads and writes of one table."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from datetime import datetime
from typing import Any

from boto3.dynamodb.types import TypeDeserializer, TypeSerializer

from newsroom.domain.errors import ConcurrentChange

_serializer = TypeSerializer()
_deserializer = TypeDeserializer()


def epoch(moment: datetime) -> int:
    """A moment as DynamoDB's TTL reads it (``expires_at``): whole seconds since 1970."""
    return int(moment.timestamp())


def dump(item: dict[str, Any]) -> dict[str, Any]:
    """Python values to DynamoDB's typed form; ``None`` attributes are left out."""
    return {k: _serializer.serialize(v) for k, v in item.items() if v is not None}


def load(item: dict[str, Any]) -> dict[str, Any]:
    """DynamoDB's typed form to Python values."""
    return {k: _deserializer.deserialize(v) for k, v in item.items()}


def joined(category: Sequence[str]) -> str:
    """A category path as the table spells it (``tin-tuc/hoat-dong-khcn``; home is empty)."""
    return "/".join(category)


def split(category: str) -> tuple[str, ...]:
    """A category path back from the table's spelling."""
    return tuple(category.split("/")) if category else ()


def version_condition(version: int | None) -> dict[str, Any]:
    """The condition of an optimistic write: the item is new (``None``), or still at ``version``."""
    if version is None:
        return {"ConditionExpression": "attribute_not_exists(pk)"}
    return {"ConditionExpression": "version = :v", "ExpressionAttributeValues": dump({":v": version})}


class Table:
    """One DynamoDB table and its client: consistent reads, paged queries, transactions."""

    def __init__(self, client: Any, name: str) -> None:
        self.client = client
        self.name = name

    def get(self, pk: str, sk: str, **options: Any) -> dict[str, Any] | None:
        """The item at ``pk``/``sk``, read consistently, or ``None``."""
        response = self.client.get_item(
            TableName=self.name, Key=dump({"pk": pk, "sk": sk}), ConsistentRead=True, **options
        )
        return load(response["Item"]) if "Item" in response else None

    def put(self, item: dict[str, Any]) -> None:
        """Write one item unconditionally."""
        self.client.put_item(TableName=self.name, Item=dump(item))

    def delete(self, pk: str, sk: str) -> None:
        """Delete one item (a missing one is not an error)."""
        self.client.delete_item(TableName=self.name, Key=dump({"pk": pk, "sk": sk}))

    def update(self, pk: str, sk: str, conflict: str | None = None, **request: Any) -> dict[str, Any]:
        """An ``UpdateItem`` on ``pk``/``sk``; a failed condition raises ``ConcurrentChange(conflict)``."""
        try:
            response: dict[str, Any] = self.client.update_item(
                TableName=self.name, Key=dump({"pk": pk, "sk": sk}), **request
            )
        except self.client.exceptions.ConditionalCheckFailedException as exc:
            raise ConcurrentChange(conflict or str(exc)) from exc
        return response

    def query(self, **request: Any) -> list[dict[str, Any]]:
        """One page of a consistent query, loaded (callers that set ``Limit`` want just that)."""
        response = self.client.query(TableName=self.name, ConsistentRead=True, **request)
        return [load(i) for i in response["Items"]]

    def query_all(self, **request: Any) -> list[dict[str, Any]]:
        """Every item a consistent query matches, following pages, loaded."""
        request = {"TableName": self.name, "ConsistentRead": True, **request}
        items: list[dict[str, Any]] = []
        while True:
            response = self.client.query(**request)
            items.extend(load(i) for i in response["Items"])
            if "LastEvaluatedKey" not in response:
                return items
            request["ExclusiveStartKey"] = response["LastEvaluatedKey"]

    def query_lazily(self, **request: Any) -> Iterator[dict[str, Any]]:
        """The items a consistent query matches, loaded, one page of ``Limit`` read at a time as consumed."""
        request = {"TableName": self.name, "ConsistentRead": True, **request}
        while True:
            response = self.client.query(**request)
            yield from (load(i) for i in response["Items"])
            if "LastEvaluatedKey" not in response:
                return
            request["ExclusiveStartKey"] = response["LastEvaluatedKey"]

    def batch_get(self, keys: Sequence[tuple[str, str]]) -> list[dict[str, Any]]:
        """Many items by key, 100 per request, unprocessed keys retried, loaded."""
        found: list[dict[str, Any]] = []
        for start in range(0, len(keys), 100):
            wanted = [dump({"pk": pk, "sk": sk}) for pk, sk in keys[start : start + 100]]
            request: dict[str, Any] = {self.name: {"Keys": wanted, "ConsistentRead": True}}
            while request:
                response = self.client.batch_get_item(RequestItems=request)
                found.extend(load(i) for i in response["Responses"].get(self.name, []))
                request = response.get("UnprocessedKeys") or {}
        return found

    def batch_write(self, requests: Sequence[dict[str, Any]], what: str = "items") -> None:
        """Put and delete requests, 25 per call, unprocessed ones resent (8 tries, then an error)."""
        for start in range(0, len(requests), 25):
            pending: dict[str, Any] = {self.name: list(requests[start : start + 25])}
            for _ in range(8):
                pending = self.client.batch_write_item(RequestItems=pending).get("UnprocessedItems") or {}
                if not pending:
                    break
            else:
                raise RuntimeError(f"DynamoDB kept refusing {what} writes")

    def transact(self, actions: list[dict[str, Any]], conflict: str | None = None) -> None:
        """Apply ``actions`` all or none; a failed condition raises ``ConcurrentChange``."""
        try:
            self.client.transact_write_items(TransactItems=actions)
        except self.client.exceptions.TransactionCanceledException as exc:
            raise ConcurrentChange(conflict or str(exc)) from exc

    # Actions, for the owners to add to one transaction.
    def put_action(self, item: dict[str, Any], **condition: Any) -> dict[str, Any]:
        """A transaction's ``Put``."""
        return {"Put": {"TableName": self.name, "Item": dump(item), **condition}}

    def delete_action(self, pk: str, sk: str, **condition: Any) -> dict[str, Any]:
        """A transaction's ``Delete``."""
        return {"Delete": {"TableName": self.name, "Key": dump({"pk": pk, "sk": sk}), **condition}}

    def update_action(self, pk: str, sk: str, **request: Any) -> dict[str, Any]:
        """A transaction's ``Update``."""
        return {"Update": {"TableName": self.name, "Key": dump({"pk": pk, "sk": sk}), **request}}

    def check_action(self, pk: str, sk: str, **condition: Any) -> dict[str, Any]:
        """A transaction's ``ConditionCheck``."""
        return {"ConditionCheck": {"TableName": self.name, "Key": dump({"pk": pk, "sk": sk}), **condition}}
