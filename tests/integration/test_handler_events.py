"""The unchanged handler on the sample events in ``events/`` (the shapes AWS sends)."""

from __future__ import annotations

import json
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from types import ModuleType
from typing import Any

from tests.support.handlers import function_app
from tests.support.site import fetch, local_site, stats, tags

ROOT = Path(__file__).resolve().parents[2]
KEY = "articles/tin-tuc/Hội nghị tổng kết.md"  # what events/*.json name, form-encoded


@dataclass
class LambdaContext:
    """The attributes Powertools reads from the Lambda context."""

    function_name: str = "newsroom-publish"
    function_version: str = "$LATEST"
    invoked_function_arn: str = "arn:aws:lambda:us-east-1:123456789012:function:newsroom-publish"
    memory_limit_in_mb: int = 1024
    aws_request_id: str = ""
    log_group_name: str = "/aws/lambda/newsroom-publish"
    log_stream_name: str = "local"

    def get_remaining_time_in_millis(self) -> int:
        return 60_000


def load_handler() -> ModuleType:
    return function_app("publish")


def event(name: str) -> dict[str, Any]:
    return dict(json.loads((ROOT / "events" / name).read_text(encoding="utf-8")))


def invoke(app: ModuleType, name: str) -> dict[str, Any]:
    return dict(app.lambda_handler(event(name), LambdaContext(aws_request_id=str(uuid.uuid4()))))


def test_sample_events_publish_acknowledge_and_unpublish() -> None:
    with local_site() as stack:
        app = load_handler()
        stack.upload(KEY, "---\ntitle: Hội nghị tổng kết\ndate: 2024-04-28T08:30:00+07:00\n---\nNội dung.\n")
        assert invoke(app, "sqs-put-article.json") == {"batchItemFailures": []}
        assert tags(stack, KEY)["publish-url"] == "/tin-tuc/hoi-nghi-tong-ket.html"
        assert fetch(stack.site_url + "/tin-tuc/hoi-nghi-tong-ket.html")[0] == 200

        assert invoke(app, "sqs-s3-test-event.json") == {"batchItemFailures": []}

        stack.client("s3").delete_object(Bucket=stack.source_bucket, Key=KEY)
        assert invoke(app, "sqs-delete-marker.json") == {"batchItemFailures": []}
        assert fetch(stack.site_url + "/tin-tuc/hoi-nghi-tong-ket.html")[0] == 404
        assert stats(stack)["articles"] == 0


def test_mixed_batch_with_a_test_event_put_and_delete() -> None:
    with local_site() as stack:
        app = load_handler()
        stack.upload(KEY, "---\ntitle: Hội nghị\n---\nx\n")
        # The put and the delete marker name one key: the handler acts on its current state (present).
        assert invoke(app, "sqs-mixed-batch.json") == {"batchItemFailures": []}
        assert fetch(stack.site_url + "/tin-tuc/hoi-nghi-tong-ket.html")[0] == 200


def test_a_record_whose_ingest_fails_is_reported_alone() -> None:
    with local_site() as stack:
        app = load_handler()
        stack.upload(KEY, "---\ntitle: Hội nghị\n---\nx\n")
        batch = event("sqs-put-article.json")
        broken = json.loads(json.dumps(batch["Records"][0]))
        broken["messageId"] = "broken-message"
        broken["body"] = "not json"
        batch["Records"].append(broken)
        response = app.lambda_handler(batch, LambdaContext(aws_request_id="r"))
        assert response == {"batchItemFailures": [{"itemIdentifier": "broken-message"}]}
        assert tags(stack, KEY)["publish-status"] == "published"


def test_the_queue_message_carries_the_s3_notification_unchanged() -> None:
    """S3 sends ``s3-put-article.json`` to the queue; SQS hands it to the function as a record's body."""
    notification = event("s3-put-article.json")
    (record,) = event("sqs-put-article.json")["Records"]
    assert json.loads(record["body"]) == notification
    assert record["eventSourceARN"].endswith(":newsroom-local-PublishQueue")
    with local_site() as stack:
        app = load_handler()
        stack.upload(KEY, "---\ntitle: Hội nghị tổng kết\ndate: 2024-04-28T08:30:00+07:00\n---\nNội dung.\n")
        wrapped = {"Records": [{**record, "messageId": "from-s3-sample", "body": json.dumps(notification)}]}
        response = app.lambda_handler(wrapped, LambdaContext(aws_request_id=str(uuid.uuid4())))
        assert response == {"batchItemFailures": []}
        assert tags(stack, KEY)["publish-status"] == "published"


def test_a_fired_schedule_publishes_only_the_version_it_was_made_for_and_the_daily_tick_refreshes() -> None:
    """``sqs-scheduler-fired.json``: what EventBridge Scheduler delivers to the queue, its Input as the body."""
    with local_site() as stack:
        app = load_handler()
        at = datetime.now(UTC).replace(microsecond=0) + timedelta(hours=2)
        upload = stack.upload(
            KEY, f"---\ntitle: Hội nghị tổng kết\npublish_at: {at.isoformat()}\n---\nNội dung.\n"
        )
        assert invoke(app, "sqs-put-article.json") == {"batchItemFailures": []}
        assert tags(stack, KEY)["publish-status"] == "scheduled"
        fired = event("sqs-scheduler-fired.json")
        body = json.loads(fired["Records"][0]["body"])
        assert body["newsroom"] == "schedule" and body["key"] == KEY
        # As sampled, it names another version: an old schedule, which publishes nothing.
        assert app.lambda_handler(fired, LambdaContext(aws_request_id="r1")) == {"batchItemFailures": []}
        assert fetch(stack.site_url + "/tin-tuc/hoi-nghi-tong-ket.html")[0] == 404
        body.update(version=upload["VersionId"], at=at.strftime("%Y-%m-%dT%H:%M:%SZ"))
        fired["Records"][0]["body"] = json.dumps(body, ensure_ascii=False)
        assert app.lambda_handler(fired, LambdaContext(aws_request_id="r2")) == {"batchItemFailures": []}
        assert tags(stack, KEY)["publish-status"] == "published"
        assert fetch(stack.site_url + "/tin-tuc/hoi-nghi-tong-ket.html")[0] == 200

        assert invoke(app, "sqs-daily-tick.json") == {"batchItemFailures": []}
        assert fetch(stack.site_url + "/sitemap-news.xml")[0] == 200
