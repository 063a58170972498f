"""Emulate the S3 delete notifications that moto does not send on versioned buckets.

moto 5.2.x sends ``ObjectRemoved:Delete`` for deletes on an unversioned bucket,
but nothing when a delete on a versioned bucket creates a delete marker, nor
when a specific version or marker is deleted. The source bucket is versioned,
so without this watcher a deleted article would stay published locally.

The watcher polls ``ListObjectVersions`` under the prefixes the bucket notifies
about and sends, to the configured queues, the records AWS would have sent:

* ``ObjectRemoved:DeleteMarkerCreated`` when a key's latest version becomes a
  delete marker it has not reported yet (remembered by key + marker id);
* ``ObjectRemoved:Delete`` when a version or marker it saw before is gone
  (a permanent delete of that version).

On its first scan it reports every current latest delete marker once; that is
harmless because the handler acts on the key's current state. A test pins the
gap in moto, so that if moto starts sending these events the double reporting
shows up as a failing test rather than as a silent behaviour change.
"""

from __future__ import annotations

import contextlib
import json
import logging
import threading
import time
import uuid
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any
from urllib.parse import quote_plus

from local import moto_patches

log = logging.getLogger("local.deletes")

DELETE_MARKER_CREATED = "ObjectRemoved:DeleteMarkerCreated"
DELETE = "ObjectRemoved:Delete"
PRINCIPAL_ID = "AWS:AIDALOCALSTACKEDITOR"
# How often a watcher looks anyway when moto tells it of each delete.
TOLD_DELETE_INTERVAL = 30.0


@dataclass(frozen=True)
class QueueTarget:
    """One queue configuration of the bucket's notification settings."""

    configuration_id: str
    queue_arn: str
    events: tuple[str, ...]
    prefix: str
    suffix: str

    def wants(self, event_name: str) -> bool:
        """The event is configured (``s3:ObjectRemoved:*`` covers every removal)."""
        full = f"s3:{event_name}"
        return any(full == e or (e.endswith("*") and full.startswith(e[:-1])) for e in self.events)

    def matches(self, event_name: str, key: str) -> bool:
        """The same matching S3 applies: event name and prefix/suffix filter."""
        return self.wants(event_name) and key.startswith(self.prefix) and key.endswith(self.suffix)


def queue_targets(notification: Mapping[str, Any]) -> list[QueueTarget]:
    """Read GetBucketNotificationConfiguration's QueueConfigurations."""
    targets = []
    for item in notification.get("QueueConfigurations") or []:
        rules = ((item.get("Filter") or {}).get("Key") or {}).get("FilterRules") or []
        by_name = {str(rule["Name"]).lower(): str(rule["Value"]) for rule in rules}
        targets.append(
            QueueTarget(
                configuration_id=str(item.get("Id", "")),
                queue_arn=str(item["QueueArn"]),
                events=tuple(item.get("Events") or ()),
                prefix=by_name.get("prefix", ""),
                suffix=by_name.get("suffix", ""),
            )
        )
    return targets


class Sequencer:
    """Increasing hex sequencers (AWS: compare after right-padding with zeros)."""

    def __init__(self) -> None:
        self._last = 0
        self._lock = threading.Lock()

    def next(self) -> str:
        """A new sequencer, strictly greater than every earlier one from this process."""
        with self._lock:
            self._last = max(self._last + 1, time.time_ns())
            return f"{self._last:018X}"


def delete_record(
    event_name: str,
    *,
    bucket: str,
    key: str,
    version_id: str,
    sequencer: str,
    configuration_id: str,
    region: str,
    partition: str = "aws",
) -> dict[str, Any]:
    """One S3 event record in the shape AWS sends for a delete (no size or eTag)."""
    return {
        "eventVersion": "2.1",
        "eventSource": "aws:s3",
        "awsRegion": region,
        "eventTime": datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3] + "Z",
        "eventName": event_name,
        "userIdentity": {"principalId": PRINCIPAL_ID},
        "requestParameters": {"sourceIPAddress": "127.0.0.1"},
        "responseElements": {
            "x-amz-request-id": uuid.uuid4().hex[:16].upper(),
            "x-amz-id-2": uuid.uuid4().hex + uuid.uuid4().hex,
        },
        "s3": {
            "s3SchemaVersion": "1.0",
            "configurationId": configuration_id,
            "bucket": {
                "name": bucket,
                "ownerIdentity": {"principalId": PRINCIPAL_ID.removeprefix("AWS:")},
                "arn": f"arn:{partition}:s3:::{bucket}",
            },
            # Form-style encoding as moto uses it (``/`` becomes %2F; AWS keeps ``/``):
            # consumers must decode with unquote_plus either way.
            "object": {"key": quote_plus(key), "versionId": version_id, "sequencer": sequencer},
        },
    }


class DeleteWatcher:
    """Polls a versioned bucket and queues the delete events moto leaves out.

    Every ``interval`` seconds, and at once when ``poke``d: the local stack
    pokes it from moto's own DeleteObject (``moto_patches.on_delete``), so it
    can poll rarely instead of listing every version of the bucket each second.
    """

    def __init__(
        self,
        s3: Any,
        sqs: Any,
        bucket: str,
        *,
        region: str,
        interval: float = 1.0,
        sequencer: Sequencer | None = None,
    ) -> None:
        self.s3 = s3
        self.sqs = sqs
        self.bucket = bucket
        self.region = region
        self.interval = interval
        self.sequencer = sequencer or Sequencer()
        self.sent = 0
        self._reported_markers: set[tuple[str, str]] = set()
        self._seen: dict[str, set[str]] | None = None
        self._queue_urls: dict[str, str] = {}
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._wake = threading.Event()
        self._thread: threading.Thread | None = None

    def _queue_url(self, arn: str) -> str:
        if arn not in self._queue_urls:
            account, name = arn.split(":")[4], arn.split(":")[5]
            self._queue_urls[arn] = self.sqs.get_queue_url(QueueName=name, QueueOwnerAWSAccountId=account)[
                "QueueUrl"
            ]
        return self._queue_urls[arn]

    def _listing(self, prefixes: set[str]) -> tuple[dict[str, set[str]], dict[str, str]]:
        """(key -> every version and marker id, key -> id of its latest version if a delete marker)."""
        versions: dict[str, set[str]] = {}
        latest_markers: dict[str, str] = {}
        paginator = self.s3.get_paginator("list_object_versions")
        for prefix in sorted(prefixes):
            for page in paginator.paginate(Bucket=self.bucket, Prefix=prefix):
                for entry in page.get("Versions") or []:
                    versions.setdefault(entry["Key"], set()).add(str(entry.get("VersionId")))
                for entry in page.get("DeleteMarkers") or []:
                    versions.setdefault(entry["Key"], set()).add(str(entry.get("VersionId")))
                    if entry.get("IsLatest"):
                        latest_markers[entry["Key"]] = str(entry.get("VersionId"))
        return versions, latest_markers

    def scan_once(self) -> int:
        """Compare the bucket with the last scan and queue the missing events; returns how many."""
        with self._lock:
            notification = self.s3.get_bucket_notification_configuration(Bucket=self.bucket)
            targets = [
                t for t in queue_targets(notification) if t.wants(DELETE_MARKER_CREATED) or t.wants(DELETE)
            ]
            if not targets:
                return 0
            # One listing per distinct prefix (an unfiltered target means the whole bucket).
            prefixes = {t.prefix for t in targets}
            if "" in prefixes:
                prefixes = {""}
            versions, latest_markers = self._listing(prefixes)
            sent = 0
            for key, marker in sorted(latest_markers.items()):
                if (key, marker) not in self._reported_markers:
                    self._reported_markers.add((key, marker))
                    sent += self._send(targets, DELETE_MARKER_CREATED, key, marker)
            if self._seen is not None:
                for key, before in sorted(self._seen.items()):
                    for version_id in sorted(before - versions.get(key, set())):
                        sent += self._send(targets, DELETE, key, version_id)
            self._seen = versions
            self.sent += sent
            return sent

    def _send(self, targets: list[QueueTarget], event_name: str, key: str, version_id: str) -> int:
        sent = 0
        for target in targets:
            if not target.matches(event_name, key):
                continue
            record = delete_record(
                event_name,
                bucket=self.bucket,
                key=key,
                version_id=version_id,
                sequencer=self.sequencer.next(),
                configuration_id=target.configuration_id,
                region=self.region,
            )
            self.sqs.send_message(
                QueueUrl=self._queue_url(target.queue_arn), MessageBody=json.dumps({"Records": [record]})
            )
            log.info(
                "%s %s (version %s) -> %s", event_name, key, version_id, target.queue_arn.rsplit(":", 1)[-1]
            )
            sent += 1
        return sent

    def start(self) -> None:
        """Scan now (reporting existing delete markers once), then every ``interval`` seconds."""
        if self._thread is not None and self._thread.is_alive():
            return
        self.scan_once()
        self._stop.clear()
        self._thread = threading.Thread(target=self._run, name=f"deletes-{self.bucket}", daemon=True)
        self._thread.start()

    def poke(self, bucket: str | None = None) -> None:
        """Scan now: ``bucket`` (when given, and if it is ours) just had a delete."""
        if bucket is None or bucket == self.bucket:
            self._wake.set()

    def _run(self) -> None:
        while not self._stop.is_set():
            self._wake.wait(self.interval)
            self._wake.clear()
            if self._stop.is_set():
                return
            try:
                self.scan_once()
            except Exception:  # keep watching: one failed listing must not end delete events
                log.exception("delete watcher scan of %s failed", self.bucket)

    def stop(self, timeout: float = 5.0) -> None:
        """Stop the polling thread."""
        self._stop.set()
        self._wake.set()
        if self._thread is not None:
            self._thread.join(timeout)
            self._thread = None


def watch_buckets(
    watchers: list[DeleteWatcher],
    exit_stack: contextlib.ExitStack,
    s3: Any,
    sqs: Any,
    buckets: Iterable[str],
    *,
    region: str,
    interval: float,
    background: bool,
) -> None:
    """A watcher, into ``watchers``, for each versioned bucket that notifies a queue.

    In the background each polls every ``interval`` seconds, or only every
    TOLD_DELETE_INTERVAL when moto tells it of each delete; ``exit_stack``
    stops it. Otherwise it only takes its baseline, and scans when asked.
    """
    for bucket in buckets:
        if s3.get_bucket_versioning(Bucket=bucket).get("Status") != "Enabled":
            continue  # moto does send delete events for unversioned buckets
        if not queue_targets(s3.get_bucket_notification_configuration(Bucket=bucket)):
            continue
        # Told by moto of every delete, the watcher only needs a slow safety poll.
        told = moto_patches.apply()
        every = max(interval, TOLD_DELETE_INTERVAL) if told else interval
        watcher = DeleteWatcher(s3, sqs, bucket, region=region, interval=every)
        if background:
            if told:
                moto_patches.on_delete(watcher.poke)
                exit_stack.callback(moto_patches.off_delete, watcher.poke)
            watcher.start()
            exit_stack.callback(watcher.stop)
        else:
            watcher.scan_once()  # the baseline that later scans compare with
        watchers.append(watcher)
