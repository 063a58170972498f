"""The source bucket: what editors uploaded, and the tags that answer them."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from botocore.exceptions import ClientError

from newsroom.domain.errors import RejectedSource
from newsroom.domain.feedback_tags import fits, merge_tags, status_document, status_key
from newsroom.domain.reasons import N_
from newsroom.domain.source_objects import SourceHead, SourceObject

_MISSING = {"NoSuchKey", "404", "NotFound", "NoSuchVersion"}


class SourceStore:
    """Reads source files and tags them; writes only the pictures a Word article holds (``media/word/``)."""

    def __init__(self, client: Any, bucket: str) -> None:
        self._s3 = client
        self.bucket = bucket

    def current(self, key: str, limit: int) -> SourceObject | None:
        """The key's current version, or ``None`` if it is deleted.

        Objects over ``limit`` bytes are refused before their body is read.
        """
        try:
            response = self._s3.get_object(Bucket=self.bucket, Key=key)
        except ClientError as exc:
            if exc.response.get("Error", {}).get("Code") in _MISSING:
                return None
            raise
        size = int(response["ContentLength"])
        stream = response["Body"]
        try:
            if size > limit:
                raise RejectedSource(
                    N_("file is {size:,} bytes, over the limit of {limit:,} bytes ({megabytes:.1f} MB)"),
                    size=size,
                    limit=limit,
                    megabytes=limit / 1048576,
                )
            body = stream.read()
        finally:
            stream.close()
        version = response.get("VersionId")
        return SourceObject(
            key=key,
            body=body,
            version_id=version if version and version != "null" else None,
            last_modified=response["LastModified"],
            size=size,
        )

    def head(self, key: str) -> SourceHead | None:
        """The key's current version without its body, or ``None`` if deleted."""
        try:
            response = self._s3.head_object(Bucket=self.bucket, Key=key)
        except ClientError as exc:
            if exc.response.get("Error", {}).get("Code") in _MISSING:
                return None
            raise
        version = response.get("VersionId")
        return SourceHead(
            key=key,
            version_id=version if version and version != "null" else None,
            etag=str(response["ETag"]).strip('"'),
            size=int(response["ContentLength"]),
        )

    def add(self, key: str, data: bytes, content_type: str) -> bool:
        """Upload a picture taken out of a Word file, unless it is there already (its name is its hash).

        The upload is an ordinary media event: the picture function makes its variants.
        """
        if self.head(key) is not None:
            return False
        self._s3.put_object(Bucket=self.bucket, Key=key, Body=data, ContentType=content_type)
        return True

    def discard(self, key: str) -> None:
        """Delete a picture taken out of a Word file that no article shows any more.

        An ordinary media event too: the picture function removes its variants.
        """
        self._s3.delete_object(Bucket=self.bucket, Key=key)

    def keys(self, prefix: str) -> list[str]:
        """Every current key under ``prefix`` (a rebuild re-copies media from these)."""
        keys: list[str] = []
        for page in self._s3.get_paginator("list_objects_v2").paginate(Bucket=self.bucket, Prefix=prefix):
            keys.extend(str(item["Key"]) for item in page.get("Contents", []))
        return keys

    def tag(self, key: str, version_id: str | None, ours: Mapping[str, str]) -> bool:
        """Set our publish-* tags on one version, keeping the editor's own tags.

        Returns whether all of ours fit (S3 allows ten tags an object). A
        version deleted meanwhile has nothing left to tag: that is not an error.
        """
        target: dict[str, Any] = {"Bucket": self.bucket, "Key": key}
        if version_id:
            target["VersionId"] = version_id
        try:
            existing = self._s3.get_object_tagging(**target)["TagSet"]
            self._s3.put_object_tagging(**target, Tagging={"TagSet": merge_tags(existing, ours)})
        except ClientError as exc:
            if exc.response.get("Error", {}).get("Code") in _MISSING | {"MethodNotAllowed"}:
                return True
            raise
        return fits(existing, ours)

    def write_status(self, key: str, version_id: str | None, ours: Mapping[str, str], tagged: bool) -> None:
        """Write the status file of ``key`` (see ``tags.status_document``) if it is about the live version.

        Tags belong to one version and cannot go stale; the status file is one
        per key, so an invocation telling about an older version (a newer one
        arrived meanwhile) leaves it to the invocation that handles the newer.
        """
        target = status_key(key)
        if target is None:
            return
        if version_id is not None:
            head = self.head(key)
            if head is None or head.version_id != version_id:
                return
        self._s3.put_object(
            Bucket=self.bucket,
            Key=target,
            Body=status_document(key, version_id, ours, tagged),
            ContentType="application/json; charset=utf-8",
        )

    def remove_status(self, key: str) -> None:
        """Remove the status file of a source that is gone (unless it came back meanwhile)."""
        target = status_key(key)
        if target is not None and self.head(key) is None:
            self._s3.delete_object(Bucket=self.bucket, Key=target)
