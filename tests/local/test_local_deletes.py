"""What moto sends for uploads and deletes, and the watcher that fills its delete gap."""

from __future__ import annotations

import json
import time
import uuid
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote_plus, unquote_plus

import pytest

from local import moto_patches
from local.aws import client
from local.deletes import DeleteWatcher, Sequencer

KEY = "articles/tin-tuc/Hội nghị tổng kết.md"
RECORD_KEYS = {
    "eventVersion",
    "eventSource",
    "awsRegion",
    "eventTime",
    "eventName",
    "userIdentity",
    "requestParameters",
    "responseElements",
    "s3",
}


@dataclass
class Source:
    s3: Any
    sqs: Any
    bucket: str
    queue_url: str
    queue_arn: str

    def messages(self, wait: int = 1) -> list[dict[str, Any]]:
        """Every message now in the queue (deleted as read), s3:TestEvent excluded."""
        found = []
        while True:
            response = self.sqs.receive_message(
                QueueUrl=self.queue_url, MaxNumberOfMessages=10, WaitTimeSeconds=wait
            )
            batch = response.get("Messages") or []
            if not batch:
                return found
            for message in batch:
                self.sqs.delete_message(QueueUrl=self.queue_url, ReceiptHandle=message["ReceiptHandle"])
                body = json.loads(message["Body"])
                if body.get("Event") != "s3:TestEvent":
                    found.append(body)
            wait = 0


@pytest.fixture
def source(endpoint: str) -> Source:
    """A versioned bucket notifying a queue about articles/ and media/, like SourceBucket."""
    s3, sqs = client("s3", endpoint), client("sqs", endpoint)
    name = f"src-{uuid.uuid4().hex[:8]}"
    s3.create_bucket(Bucket=name)
    s3.put_bucket_versioning(Bucket=name, VersioningConfiguration={"Status": "Enabled"})
    url = sqs.create_queue(QueueName=name)["QueueUrl"]
    arn = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
    configs = [
        {
            "Id": f"SourceBucket-{index}",
            "QueueArn": arn,
            "Events": [event],
            "Filter": {"Key": {"FilterRules": [{"Name": "prefix", "Value": prefix}]}},
        }
        for index, (event, prefix) in enumerate(
            (event, prefix)
            for prefix in ("articles/", "media/")
            for event in ("s3:ObjectCreated:*", "s3:ObjectRemoved:*")
        )
    ]
    s3.put_bucket_notification_configuration(
        Bucket=name, NotificationConfiguration={"QueueConfigurations": configs}
    )
    found = Source(s3, sqs, name, url, arn)
    found.messages(wait=0)  # the s3:TestEvent
    return found


def test_moto_sends_object_created_put_with_form_encoded_key(source: Source) -> None:
    source.s3.put_object(Bucket=source.bucket, Key=KEY, Body=b"# hi")
    (message,) = source.messages()
    (record,) = message["Records"]
    assert record["eventName"] == "ObjectCreated:Put"
    # moto encodes like quote_plus: spaces as '+', and '/' too (%2F), unlike AWS
    assert record["s3"]["object"]["key"] == quote_plus(KEY)
    assert "%2F" in record["s3"]["object"]["key"]
    assert unquote_plus(record["s3"]["object"]["key"]) == KEY
    # moto leaves out the sequencer and versionId (design.md): handlers must cope
    assert "sequencer" not in record["s3"]["object"]
    assert "versionId" not in record["s3"]["object"]


def test_moto_sends_nothing_for_deletes_on_a_versioned_bucket(source: Source) -> None:
    """Documents the gap local/deletes.py fills. If this fails, moto now sends these events:
    drop or adapt the watcher, or every delete is reported twice."""
    version = source.s3.put_object(Bucket=source.bucket, Key=KEY, Body=b"1")["VersionId"]
    source.s3.put_object(Bucket=source.bucket, Key=KEY, Body=b"2")
    source.messages()
    source.s3.delete_object(Bucket=source.bucket, Key=KEY)  # creates a delete marker
    source.s3.delete_object(Bucket=source.bucket, Key=KEY, VersionId=version)  # removes an old version
    source.s3.delete_objects(Bucket=source.bucket, Delete={"Objects": [{"Key": "articles/other.md"}]})
    assert source.messages() == []


def test_watcher_sends_delete_marker_created_in_the_aws_shape(source: Source) -> None:
    source.s3.put_object(Bucket=source.bucket, Key=KEY, Body=b"1")
    source.messages()
    watcher = DeleteWatcher(source.s3, source.sqs, source.bucket, region="us-east-1")
    assert watcher.scan_once() == 0
    source.s3.delete_object(Bucket=source.bucket, Key=KEY)
    marker = next(
        m
        for m in source.s3.list_object_versions(Bucket=source.bucket, Prefix="articles/")["DeleteMarkers"]
        if m["IsLatest"]
    )

    assert watcher.scan_once() == 1
    assert watcher.scan_once() == 0  # remembered by key + marker id
    (message,) = source.messages()
    (record,) = message["Records"]
    assert set(record) == RECORD_KEYS
    assert record["eventVersion"] == "2.1"
    assert record["eventSource"] == "aws:s3"
    assert record["awsRegion"] == "us-east-1"
    assert record["eventName"] == "ObjectRemoved:DeleteMarkerCreated"
    assert record["eventTime"].endswith("Z")
    assert record["userIdentity"]["principalId"]
    assert record["requestParameters"]["sourceIPAddress"]
    assert set(record["responseElements"]) == {"x-amz-request-id", "x-amz-id-2"}
    s3 = record["s3"]
    assert s3["s3SchemaVersion"] == "1.0"
    assert s3["configurationId"] == "SourceBucket-1"  # the ObjectRemoved:* / articles/ configuration
    assert s3["bucket"] == {
        "name": source.bucket,
        "ownerIdentity": {"principalId": s3["bucket"]["ownerIdentity"]["principalId"]},
        "arn": f"arn:aws:s3:::{source.bucket}",
    }
    assert set(s3["object"]) == {"key", "versionId", "sequencer"}
    assert s3["object"]["key"] == quote_plus(KEY)
    assert s3["object"]["versionId"] == marker["VersionId"]
    int(s3["object"]["sequencer"], 16)


def test_watcher_reports_existing_markers_once_on_its_first_scan(source: Source) -> None:
    for key in ("articles/a.md", "media/b.jpg", "tools/c.py"):
        source.s3.put_object(Bucket=source.bucket, Key=key, Body=b"x")
        source.s3.delete_object(Bucket=source.bucket, Key=key)
    source.messages()
    watcher = DeleteWatcher(source.s3, source.sqs, source.bucket, region="us-east-1")
    assert watcher.scan_once() == 2  # tools/ is not notified on
    assert watcher.scan_once() == 0
    keys = sorted(unquote_plus(m["Records"][0]["s3"]["object"]["key"]) for m in source.messages())
    assert keys == ["articles/a.md", "media/b.jpg"]


def test_watcher_reports_permanent_deletes_of_versions(source: Source) -> None:
    old = source.s3.put_object(Bucket=source.bucket, Key=KEY, Body=b"1")["VersionId"]
    source.s3.put_object(Bucket=source.bucket, Key=KEY, Body=b"2")
    source.messages()
    watcher = DeleteWatcher(source.s3, source.sqs, source.bucket, region="us-east-1")
    watcher.scan_once()
    source.s3.delete_object(Bucket=source.bucket, Key=KEY, VersionId=old)
    assert watcher.scan_once() == 1
    (message,) = source.messages()
    record = message["Records"][0]
    assert record["eventName"] == "ObjectRemoved:Delete"
    assert record["s3"]["object"]["versionId"] == old


def test_watcher_thread_sends_deletes_within_its_interval(source: Source) -> None:
    source.s3.put_object(Bucket=source.bucket, Key="media/x.jpg", Body=b"1")
    source.messages()
    watcher = DeleteWatcher(source.s3, source.sqs, source.bucket, region="us-east-1", interval=0.1)
    watcher.start()
    try:
        source.s3.delete_object(Bucket=source.bucket, Key="media/x.jpg")
        deadline = time.monotonic() + 30  # a loaded CI machine can stall a thread for seconds
        while watcher.sent == 0 and time.monotonic() < deadline:
            time.sleep(0.05)
    finally:
        watcher.stop()
    (message,) = source.messages()
    assert message["Records"][0]["eventName"] == "ObjectRemoved:DeleteMarkerCreated"


def test_a_watcher_told_of_each_delete_by_moto_needs_no_fast_poll(source: Source) -> None:
    """Listing every version each second cost O(bucket) forever; moto now says when a delete happened."""
    source.s3.put_object(Bucket=source.bucket, Key="media/y.jpg", Body=b"1")
    source.messages()
    watcher = DeleteWatcher(source.s3, source.sqs, source.bucket, region="us-east-1", interval=3600)
    assert moto_patches.apply()
    moto_patches.on_delete(watcher.poke)
    watcher.start()
    try:
        scans = watcher.sent
        source.s3.delete_object(Bucket=source.bucket, Key="media/y.jpg")
        deadline = time.monotonic() + 30  # a loaded CI machine can stall a thread for seconds
        while watcher.sent == scans and time.monotonic() < deadline:
            time.sleep(0.05)
    finally:
        moto_patches.off_delete(watcher.poke)
        watcher.stop()
    (message,) = source.messages()
    assert message["Records"][0]["eventName"] == "ObjectRemoved:DeleteMarkerCreated"
    assert message["Records"][0]["s3"]["object"]["key"] == quote_plus("media/y.jpg")


def test_sequencers_increase_as_hex_of_equal_length() -> None:
    sequencer = Sequencer()
    values = [sequencer.next() for _ in range(100)]
    assert values == sorted(values)
    assert len(set(values)) == 100
    assert {len(v) for v in values} == {18}
