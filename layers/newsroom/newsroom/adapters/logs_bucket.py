"""The logs bucket: the CDN's access log files, streamed, never read whole."""

from __future__ import annotations

from typing import Any, BinaryIO, cast


class LogsBucket:
    """Opens a log file as a stream of its current version, with the ETag that names that version."""

    def __init__(self, client: Any, bucket: str) -> None:
        self._s3 = client
        self.bucket = bucket

    def open(self, key: str) -> tuple[BinaryIO, str]:
        """The object's body (a stream) and its ETag, quotes removed."""
        response = self._s3.get_object(Bucket=self.bucket, Key=key)
        return cast(BinaryIO, response["Body"]), str(response["ETag"]).strip('"')
