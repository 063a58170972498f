"""What the picture function made of each picture (``PICTURE#<key>``), and which articles use it.

``USES#<picture key>`` / ``<article key>`` items let the picture function
send back to the publish path exactly the articles whose pages show a
picture that arrived, changed or went, however large the site.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from newsroom.adapters.content_table.table import Table, dump
from newsroom.domain.pictures import PictureInfo


class Pictures:
    """The ``PictureRecords`` port on the content table."""

    def __init__(self, table: Table) -> None:
        self._table = table

    def get_many(self, keys: Iterable[str]) -> dict[str, PictureInfo]:
        """The known pictures among ``keys`` (one batch read, whatever the site's size)."""
        wanted = sorted(set(keys))
        if not wanted:
            return {}
        items = self._table.batch_get([(f"PICTURE#{key}", "PICTURE") for key in wanted])
        return {info.source_key: info for info in map(_info, items)}

    def put(self, info: PictureInfo) -> None:
        """Record a picture's variants (the picture function, once they are on the site)."""
        self._table.put(
            {
                "pk": f"PICTURE#{info.source_key}",
                "sk": "PICTURE",
                "source_key": info.source_key,
                "digest": info.digest,
                "width": info.width,
                "height": info.height,
                "fallback": info.fallback,
                "widths": list(info.widths),
                "lead_problem": info.lead_problem,
            }
        )

    def delete(self, key: str) -> None:
        """Forget a deleted picture."""
        self._table.delete(f"PICTURE#{key}", "PICTURE")

    def use(self, article_key: str, added: Iterable[str], dropped: Iterable[str]) -> None:
        """Note which pictures an article's page shows now (idempotent: retries repeat it)."""
        requests: list[dict[str, Any]] = [
            {"PutRequest": {"Item": dump({"pk": f"USES#{key}", "sk": article_key})}}
            for key in sorted(set(added))
        ]
        requests += [
            {"DeleteRequest": {"Key": dump({"pk": f"USES#{key}", "sk": article_key})}}
            for key in sorted(set(dropped) - set(added))
        ]
        if requests:
            self._table.batch_write(requests, "picture uses")

    def users(self, picture_key: str, limit: int = 200) -> list[str]:
        """The articles whose pages show ``picture_key`` (at most ``limit``)."""
        items = self._table.query(
            KeyConditionExpression="pk = :pk",
            ExpressionAttributeValues=dump({":pk": f"USES#{picture_key}"}),
            Limit=limit,
        )
        return [str(item["sk"]) for item in items]


def _info(item: dict[str, Any]) -> PictureInfo:
    return PictureInfo(
        source_key=str(item["source_key"]),
        digest=str(item["digest"]),
        width=int(item["width"]),
        height=int(item["height"]),
        fallback=str(item["fallback"]),
        widths=tuple(int(w) for w in item["widths"]),
        lead_problem=str(item["lead_problem"]) if item.get("lead_problem") else None,
    )
