"""Where moto's cost grows with the data it holds, made constant, behaviour unchanged.

Left running, ``make run`` grew from 0.3 GB to 13.5 GB over about 500
publishes, and a batch of ten small articles took 131 s. Two causes, both
in moto 5.2.5, both measured with tracemalloc:

- ``TransactWriteItems`` deep-copies every table a transaction names before
  it starts, so that a failed condition can roll back: O(table) time and
  garbage per transaction. DynamoDB's own transactions cost nothing of the
  sort. The replacement keeps moto's loop (conditions, one action per item,
  the same exceptions and cancellation reasons) but remembers only the items
  the transaction touches, and puts them back on a failure; ``tests/local``
  checks it against moto's own on the same transactions.
- a ``Query`` without an index reads every item of the table, sorts them all
  by (hash, range) with Python-level comparisons, then keeps the partition:
  O(table log table) per query, where DynamoDB reads the partition. The
  query now starts from the partition, sorted once by its range key's value.
- the server looks for the request's service by listing moto's package folder
  (about 200 ``stat`` calls a request): the listing is read once.
- ``ListObjectVersions`` deep-copies every version of the bucket, bodies and
  all, whatever the prefix; the local delete watcher asks every second. The
  listing now shares the version objects, as a snapshot of the list.
- ``ListInvalidations`` returns the oldest first, where CloudFront returns
  the most recent first; the local CDN, which asks twice a second, read every
  invalidation ever made. It now gets CloudFront's order and stops at the
  first it has seen.
- moto sends no event for a delete on a versioned bucket, so the local delete
  watcher listed every version of the source bucket each second to find new
  delete markers. moto now tells listeners (``on_delete``) that a bucket had
  a delete, and the watcher scans when told (and rarely otherwise).
- every moto model object ever created is kept in a class-level list, for
  the dashboard's benefit: each ``Query`` result (deep-copied items), each
  ``ListObjectVersions`` (deep-copied object versions, bodies included) and
  each ``GetItem`` adds objects that are never freed until a reset. The local
  stack serves no dashboard, so new objects are no longer tracked.

Answers made right: moto's EventBridge Scheduler validates nothing and
forgets what UpdateSchedule sets (``local/moto_scheduler.py``). And a
transaction that fails restores the items it touched as it found them, so
a write by another thread in between (the moto server is threaded) was lost
with it; two deliveries of one log file counting at once lost both counts.
DynamoDB's writes are serialized with transactions (``_WRITES``), as
DynamoDB's own isolation makes them.
"""

from __future__ import annotations

import copy
import functools
import logging
import threading
from collections.abc import Iterable
from typing import Any

import moto
import moto.backends
import moto.s3.models
from moto.cloudfront.models import CloudFrontBackend
from moto.core.common_models import BaseModel
from moto.dynamodb.comparisons import get_filter_expression
from moto.dynamodb.exceptions import (
    ConditionalCheckFailed,
    MockValidationException,
    MultipleTransactionsException,
    TooManyTransactionsException,
    TransactionCanceledException,
    TransactWriteSingleOpException,
)
from moto.dynamodb.models import DynamoDBBackend
from moto.dynamodb.models.dynamo_type import DynamoType, Item
from moto.dynamodb.models.table import Table
from moto.s3.models import S3Backend
from moto.utilities.paginator import paginate

from local import moto_scheduler

log = logging.getLogger("local.moto")

PATCHED_MOTO = "5.2.5"
_original = DynamoDBBackend.transact_write_items
_original_query = Table.query
_original_all_items = Table.all_items
_original_modules = moto.backends.list_of_moto_modules
_partition = threading.local()  # moto's server answers requests on several threads
_original_delete_object = S3Backend.delete_object
_original_delete_objects = S3Backend.delete_objects
_delete_listeners: list[Any] = []
_OPERATIONS = {"ConditionCheck", "Put", "Delete", "Update"}


class _Undo:
    """The items a transaction changed, as they were, to put back if it is cancelled."""

    def __init__(self, backend: DynamoDBBackend) -> None:
        self.backend = backend
        self.saved: list[tuple[Any, DynamoType, DynamoType | None, Any]] = []

    def remember(self, table_name: str, key: dict[str, Any]) -> None:
        table = self.backend.get_table(table_name)
        hash_value = DynamoType(key[table.hash_key_attr])
        range_value = DynamoType(key[table.range_key_attr]) if table.range_key_attr else None
        previous = table.get_item(hash_value, range_value)
        self.saved.append((table, hash_value, range_value, copy.deepcopy(previous)))

    def roll_back(self) -> None:
        for table, hash_value, range_value, previous in reversed(self.saved):
            if previous is None:
                table.delete_item(hash_value, range_value)
            elif range_value is not None:
                table.items[hash_value][range_value] = previous
            else:
                table.items[hash_value] = previous


def _key_of(backend: DynamoDBBackend, op_type: str, op: dict[str, Any]) -> dict[str, Any]:
    if op_type != "Put":
        return dict(op["Key"])
    table = backend.get_table(op["TableName"])
    attrs = op["Item"]
    key = {table.hash_key_attr: attrs[table.hash_key_attr]}
    if table.range_key_attr is not None:
        key[table.range_key_attr] = attrs[table.range_key_attr]
    return key


def _apply(backend: DynamoDBBackend, op_type: str, op: dict[str, Any], key: dict[str, Any]) -> None:
    conditions: dict[str, Any] = {
        "condition_expression": op.get("ConditionExpression"),
        "expression_attribute_names": op.get("ExpressionAttributeNames"),
        "expression_attribute_values": op.get("ExpressionAttributeValues"),
    }
    if op_type == "Put":
        backend.put_item(op["TableName"], op["Item"], **conditions)
    elif op_type == "Delete":
        backend.delete_item(op["TableName"], key, **conditions)
    elif op_type == "Update":
        backend.update_item(op["TableName"], key, update_expression=op["UpdateExpression"], **conditions)


class _Checked(Exception):
    """A condition failed: moto's exception, and the item it reports (``ALL_OLD``)."""

    def __init__(self, failure: ConditionalCheckFailed, item: Any) -> None:
        super().__init__(str(failure.message))
        self.failure, self.item = failure, item


def _transact_one(
    backend: DynamoDBBackend, item: dict[str, Any], targets: set[tuple[str, str]], undo: _Undo
) -> None:
    """One action of a transaction, as moto's loop does it (``_Checked`` when its condition fails)."""
    op_type, op = next(iter(item.items()))
    if op_type not in _OPERATIONS:
        raise ValueError("Unsupported transaction operation")
    table_name = op["TableName"]
    key = _key_of(backend, op_type, op)
    target = (str(table_name), str(dict(sorted(key.items()))))
    if target in targets:
        raise MultipleTransactionsException()
    targets.add(target)
    current = backend.get_item(table_name, key)
    if op.get("ConditionExpression") is not None:
        condition = get_filter_expression(
            op["ConditionExpression"], op.get("ExpressionAttributeNames"), op.get("ExpressionAttributeValues")
        )
        if not condition.expr(current):
            old = None
            if op.get("ReturnValuesOnConditionCheckFailure") == "ALL_OLD" and current:
                old = current.to_json()["Attributes"]
            raise _Checked(ConditionalCheckFailed(item=old), old)
    if op_type != "ConditionCheck":
        undo.remember(table_name, key)
        _apply(backend, op_type, op, key)


_WRITES = threading.RLock()
"""Held by every item write and by a whole transaction: a transaction is isolated from other writes."""


def _serialized(method: Any) -> Any:
    @functools.wraps(method)
    def write(*args: Any, **kwargs: Any) -> Any:
        with _WRITES:
            return method(*args, **kwargs)

    return write


def transact_write_items(self: DynamoDBBackend, transact_items: list[dict[str, Any]]) -> None:
    """moto's ``transact_write_items``, rolling back only the items it touched, isolated from other writes."""
    with _WRITES:
        return _transact_write_items(self, transact_items)


def _transact_write_items(self: DynamoDBBackend, transact_items: list[dict[str, Any]]) -> None:
    if len(transact_items) > 100:
        raise TooManyTransactionsException()
    tables = {next(iter(item.values())).get("TableName") for item in transact_items}
    if any(name in self.tables and self.tables[name].stream_shard is not None for name in tables):
        return _original(self, transact_items)  # streams: moto's own way
    undo = _Undo(self)
    targets: set[tuple[str, str]] = set()
    errors: list[tuple[str | None, str | None, Any]] = []
    for item in transact_items:
        if len(item) > 1:
            raise TransactWriteSingleOpException
        try:
            _transact_one(self, item, targets, undo)
            errors.append((None, None, None))
        except (MultipleTransactionsException, MockValidationException):
            undo.roll_back()
            raise
        except _Checked as checked:
            errors.append(("ConditionalCheckFailed", str(checked.failure.message), checked.item))
        except Exception as exc:  # moto reports any other failure as a cancellation reason too
            errors.append((type(exc).__name__, str(exc), None))
    if any(code is not None for code, _, _ in errors):
        undo.roll_back()
        raise TransactionCanceledException(errors)
    return None


def _all_items(self: Table) -> list[Item]:
    """The items ``query`` looks through: only the queried partition while a table query runs."""
    override = getattr(_partition, "items", None)
    if override is not None and override[0] is self:
        return override[1]  # type: ignore[no-any-return]
    return _original_all_items(self)


def _query(self: Table, hash_key: DynamoType | None, *args: Any, **kwargs: Any) -> Any:
    """moto's ``Table.query``, looking only at the partition of ``hash_key`` when no index is named."""
    index_name = kwargs.get("index_name", args[6] if len(args) > 6 else None)
    if index_name or hash_key is None or not self.range_key_attr:
        return _original_query(self, hash_key, *args, **kwargs)
    items = [item for item in self.items.get(hash_key, {}).values() if isinstance(item, Item)]
    # Sorted once by the range key's value: moto's own sort then only confirms the order.
    items.sort(key=lambda item: item.range_key.cast_value)  # type: ignore[union-attr]
    _partition.items = (self, items)
    try:
        return _original_query(self, hash_key, *args, **kwargs)
    finally:
        _partition.items = None


@functools.cache
def _moto_modules() -> tuple[str, ...]:
    return tuple(_original_modules())


def _list_of_moto_modules() -> Iterable[str]:
    return _moto_modules()


class _ShallowVersionLists:
    """What ``moto.s3.models`` sees as ``copy``: its one deep copy, a version list, becomes a shallow one."""

    copy = staticmethod(copy.copy)

    @staticmethod
    def deepcopy(value: Any, memo: Any = None) -> Any:
        if isinstance(value, list):
            return list(value)
        return copy.deepcopy(value, memo)


@paginate(pagination_model=CloudFrontBackend.PAGINATION_MODEL)
def list_invalidations(self: CloudFrontBackend, dist_id: str) -> list[Any]:
    """Newest first, as CloudFront lists them (``paginate`` finds its settings by this name)."""
    return list(reversed(self.invalidations.get(dist_id) or []))


def on_delete(listener: Any) -> None:
    """Call ``listener(bucket_name)`` after every DeleteObject(s) moto answers (see ``apply``)."""
    _delete_listeners.append(listener)


def off_delete(listener: Any) -> None:
    """Stop calling ``listener``."""
    if listener in _delete_listeners:
        _delete_listeners.remove(listener)


def _tell_delete(bucket_name: str) -> None:
    for listener in list(_delete_listeners):
        try:
            listener(bucket_name)
        except Exception:  # a listener's failure must not fail the S3 call
            log.exception("delete listener failed for %s", bucket_name)


def _delete_object(self: S3Backend, bucket_name: str, *args: Any, **kwargs: Any) -> Any:
    try:
        return _original_delete_object(self, bucket_name, *args, **kwargs)
    finally:
        _tell_delete(bucket_name)


def _delete_objects(self: S3Backend, bucket_name: str, *args: Any, **kwargs: Any) -> Any:
    try:
        return _original_delete_objects(self, bucket_name, *args, **kwargs)
    finally:
        _tell_delete(bucket_name)


def _new_untracked(cls: type[BaseModel], *args: Any, **kwargs: Any) -> BaseModel:
    """``BaseModel.__new__`` without appending the instance to ``cls.instances_tracked``."""
    return super(BaseModel, cls).__new__(cls)


def apply() -> bool:
    """Install the patches (once); ``False`` on another moto version, which is then left as it is."""
    if DynamoDBBackend.transact_write_items is transact_write_items:
        return True
    if moto.__version__ != PATCHED_MOTO:
        log.warning(
            "moto %s is not %s: TransactWriteItems keeps its table copies (slow on big tables)",
            moto.__version__,
            PATCHED_MOTO,
        )
        return False
    DynamoDBBackend.transact_write_items = transact_write_items  # type: ignore[method-assign]
    for name in ("put_item", "update_item", "delete_item"):
        setattr(DynamoDBBackend, name, _serialized(getattr(DynamoDBBackend, name)))
    Table.query = _query  # type: ignore[method-assign]
    Table.all_items = _all_items  # type: ignore[method-assign]
    moto.backends.list_of_moto_modules = _list_of_moto_modules
    setattr(moto.s3.models, "copy", _ShallowVersionLists)  # noqa: B010 - a module attribute
    CloudFrontBackend.list_invalidations = list_invalidations  # type: ignore[method-assign]
    S3Backend.delete_object = _delete_object  # type: ignore[method-assign]
    S3Backend.delete_objects = _delete_objects  # type: ignore[method-assign]
    BaseModel.__new__ = staticmethod(_new_untracked)  # type: ignore[method-assign]
    moto_scheduler.apply()
    return True
