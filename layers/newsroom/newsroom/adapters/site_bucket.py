"""The site bucket: pages, feeds and media as readers get them.

Every object carries the SHA-256 of its body in its metadata, so a write
whose bytes did not change is skipped, and only really changed paths are
invalidated: a duplicate delivery writes and invalidates nothing.
"""

from __future__ import annotations

from typing import Any

from botocore.exceptions import ClientError

from newsroom.web.outputs import Output


class SiteStore:
    """Writes and removes site objects, reporting whether anything changed."""

    def __init__(self, client: Any, bucket: str) -> None:
        self._s3 = client
        self.bucket = bucket

    def head(self, key: str) -> dict[str, Any] | None:
        """The object's metadata, or ``None`` when it does not exist."""
        try:
            response: dict[str, Any] = self._s3.head_object(Bucket=self.bucket, Key=key)
        except ClientError as exc:
            if exc.response.get("Error", {}).get("Code") in ("404", "NoSuchKey", "NotFound"):
                return None
            raise
        return response

    def differs(self, output: Output) -> bool:
        """True unless the bucket already holds exactly these bytes at this key."""
        current = self.head(output.key)
        return current is None or current.get("Metadata", {}).get("sha256") != output.digest

    def put(self, output: Output) -> None:
        """Write ``output`` with its digest in the metadata."""
        self._s3.put_object(
            Bucket=self.bucket,
            Key=output.key,
            Body=output.body,
            ContentType=output.content_type,
            CacheControl=output.cache_control,
            Metadata={**output.metadata, "sha256": output.digest},
        )

    def remove(self, key: str) -> None:
        """Remove an object (removing a missing one is not an error in S3)."""
        self._s3.delete_object(Bucket=self.bucket, Key=key)

    def copy_from(
        self, source_bucket: str, source_key: str, version_id: str | None, key: str, etag: str
    ) -> bool:
        """Publish a media file by server-side copy, unless this version is already there."""
        current = self.head(key)
        if current is not None and current.get("Metadata", {}).get("source-etag") == etag:
            return False
        copy_source: dict[str, str] = {"Bucket": source_bucket, "Key": source_key}
        if version_id:
            copy_source["VersionId"] = version_id
        self._s3.copy_object(
            Bucket=self.bucket,
            Key=key,
            CopySource=copy_source,
            MetadataDirective="REPLACE",
            TaggingDirective="REPLACE",
            ContentType=_media_type(key),
            CacheControl="public, max-age=86400, s-maxage=31536000",
            Metadata={"source-etag": etag},
        )
        return True

    def read(self, key: str, limit: int) -> bytes | None:
        """An object's bytes (``None``: absent or over ``limit`` bytes, which a reader skips)."""
        try:
            response = self._s3.get_object(Bucket=self.bucket, Key=key)
        except ClientError as exc:
            if exc.response.get("Error", {}).get("Code") in ("404", "NoSuchKey", "NotFound"):
                return None
            raise
        with response["Body"] as body:
            return bytes(body.read()) if int(response["ContentLength"]) <= limit else None

    def delete(self, key: str) -> bool:
        """Remove an object if present. True if it existed."""
        if self.head(key) is None:
            return False
        self.remove(key)
        return True


_MEDIA_TYPES = {
    "jpg": "image/jpeg",
    "jpeg": "image/jpeg",
    "png": "image/png",
    "gif": "image/gif",
    "webp": "image/webp",
    "avif": "image/avif",
    "pdf": "application/pdf",
    "mp3": "audio/mpeg",
    "mp4": "video/mp4",
}


def _media_type(key: str) -> str:
    return _MEDIA_TYPES.get(key.rsplit(".", 1)[-1].lower(), "application/octet-stream")
