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
        """Record a picture's variants (the picture function, once they are on the site).

        Its ``GALLERY`` entry is keyed by its digest: the first entries of the
        partition are a sample of the library that no upload order biases.
        """
        previous = self.get_many([info.source_key]).get(info.source_key)
        if previous is not None and previous.digest != info.digest:
            self._table.delete("GALLERY", f"{previous.digest}#{previous.source_key}")
        self._table.put(
            {"pk": "GALLERY", "sk": f"{info.digest}#{info.source_key}", "source_key": info.source_key}
        )
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
        """Forget a deleted picture, in the gallery too."""
        previous = self.get_many([key]).get(key)
        if previous is not None:
            self._table.delete("GALLERY", f"{previous.digest}#{key}")
        self._table.delete(f"PICTURE#{key}", "PICTURE")

    def gallery(self, limit: int) -> list[PictureInfo]:
        """Up to ``limit`` pictures of the library, the same sample every time (by digest)."""
        items = self._table.query(
            KeyConditionExpression="pk = :pk", ExpressionAttributeValues=dump({":pk": "GALLERY"}), Limit=limit
        )
        found = self.get_many(str(item["source_key"]) for item in items)
        return [found[key] for key in sorted(found, key=lambda k: (found[k].digest, k))]

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
