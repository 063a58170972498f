"""The accepted site configuration files (``CONFIG`` / ``SITE``) and their version."""

from __future__ import annotations

from typing import Any

from boto3.dynamodb.types import Binary

from newsroom.adapters.content_table.counts import Counts
from newsroom.adapters.content_table.table import Table, joined, split, version_condition
from newsroom.domain.records import StoredConfig


class ConfigItem:
    """The configuration in force; a change of it moves the site's revision, like an article's."""

    def __init__(self, table: Table, counts: Counts) -> None:
        self._table = table
        self._counts = counts

    def current(self) -> StoredConfig | None:
        """The configuration in force, or ``None`` before the first accepted file."""
        item = self._table.get("CONFIG", "SITE")
        if item is None:
            return None

        def raw(name: str) -> bytes | None:
            value = item.get(name)
            if value is None:
                return None
            return value.value if isinstance(value, Binary) else bytes(value)

        retired = tuple(split(str(path)) for path in item.get("retired", []))
        return StoredConfig(int(item["version"]), raw("site_yaml"), raw("categories_yaml"), retired)

    def put(self, before: StoredConfig | None, after: StoredConfig) -> None:
        """Store ``after`` unless another change got there first (``ConcurrentChange``)."""
        item: dict[str, Any] = {
            "pk": "CONFIG",
            "sk": "SITE",
            "version": after.version,
            "retired": [joined(path) for path in after.retired],
        }
        if after.site_yaml is not None:
            item["site_yaml"] = Binary(after.site_yaml)
        if after.categories_yaml is not None:
            item["categories_yaml"] = Binary(after.categories_yaml)
        condition = version_condition(before.version if before is not None else None)
        actions = [self._table.put_action(item, **condition), self._counts.revision_action()]
        self._table.transact(actions, "the site configuration changed meanwhile")
