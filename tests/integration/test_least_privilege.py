"""Each function's IAM policy grants exactly the actions its code calls, on exactly the resources.

The functions' cores run a workload that exercises every path (articles
published, moved, drafted, refused, collided, deleted; media; configuration;
a fan-out and a rebuild; failures recorded and cleared; searches), through
clients that record every AWS call. Each call is mapped to the IAM actions
it needs (a ``TransactWriteItems`` needs one per kind of item action, a
``HeadObject`` of a missing key needs ``s3:ListBucket`` to answer 404, a
versioned read needs ``...Version``). The policy in ``template.yaml`` must
grant every one of them, and nothing that the workload never used.
"""

from __future__ import annotations

import fnmatch
import gzip
import json
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import unquote

import boto3
import pytest
from aws_lambda_powertools import Metrics
from newsroom.configuration.settings import HitsSettings, PictureSettings, SearchSettings, Settings
from newsroom.domain.site_paths import views_shard
from newsroom.usecases.batch import handle_batch
from newsroom.usecases.hits_batch import handle_hits_batch
from newsroom.usecases.media_batch import handle_media_batch
from newsroom.wiring.assembly import (
    Clients,
    build_fanout,
    build_hits,
    build_pictures,
    build_publisher,
    build_search,
)
from newsroom_pictures.variants import prepare_picture
from newsroom_redirects.dead_letters import DeadLetters
from newsroom_redirects.store import KeyValueStoreRedirects

from local.sqs_events import sqs_event
from local.stack import LocalStack
from local.template import Template
from tests.support.handlers import function_app
from tests.support.oracle import Message
from tests.support.photos import phone_photo
from tests.support.site import local_site
from tests.support.word_files import news_docx
from tests.unit.test_access_logs import AWS_SAMPLE

Grant = tuple[str, str, str]  # (kind, logical id, object pattern or ""), action

S3_OBJECT = {
    "GetObject": "s3:GetObject",
    "HeadObject": "s3:GetObject",
    "PutObject": "s3:PutObject",
    "DeleteObject": "s3:DeleteObject",
    "GetObjectTagging": "s3:GetObjectTagging",
    "PutObjectTagging": "s3:PutObjectTagging",
}
VERSIONED = {
    "s3:GetObject": "s3:GetObjectVersion",
    "s3:DeleteObject": "s3:DeleteObjectVersion",
    "s3:GetObjectTagging": "s3:GetObjectVersionTagging",
    "s3:PutObjectTagging": "s3:PutObjectVersionTagging",
}
S3_BUCKET = {"ListObjectsV2": "s3:ListBucket", "ListObjectVersions": "s3:ListBucketVersions"}
TRANSACTION = {
    "Put": "dynamodb:PutItem",
    "Update": "dynamodb:UpdateItem",
    "Delete": "dynamodb:DeleteItem",
    "ConditionCheck": "dynamodb:ConditionCheckItem",
}


@dataclass
class Recorder:
    """What one function's clients asked AWS for, as ``(resource, action)`` pairs."""

    names: dict[str, tuple[str, str]]  # physical name, URL or ARN -> (kind, logical id)
    used: set[tuple[tuple[str, str, str], str]] = field(default_factory=set)

    def client(self, service: str, endpoint_url: str, region: str = "us-east-1") -> Any:
        made = boto3.client(
            service,
            endpoint_url=endpoint_url,
            region_name=region,
            aws_access_key_id="testing",
            aws_secret_access_key="testing",
        )
        made.meta.events.register("after-call", self._after_call)
        return made

    def _resource(self, name: str, key: str = "") -> tuple[str, str, str]:
        kind, logical = self.names[name]
        return kind, logical, key

    def _after_call(self, http_response: Any, model: Any, context: Any = None, **_: Any) -> None:
        params = (context or {}).get("newsroom_params", {})
        self._record(model.service_model.service_name, model.name, params, http_response.status_code)

    def _record(self, service: str, operation: str, params: dict[str, Any], status: int) -> None:
        add = self.used.add
        if service == "s3":
            bucket = self._resource(params["Bucket"])
            if operation in S3_BUCKET:
                add((bucket, S3_BUCKET[operation]))
                return
            key = params["Key"]
            if operation == "CopyObject":
                source_bucket, source_key, version = _copy_source(params["CopySource"])
                read = "s3:GetObjectVersion" if version else "s3:GetObject"
                add((self._resource(source_bucket, source_key), read))
                add(((bucket[0], bucket[1], key), "s3:PutObject"))
                assert params.get("TaggingDirective") == "REPLACE", "COPY would need the tagging actions"
                return
            action = S3_OBJECT[operation]
            if params.get("VersionId"):
                action = VERSIONED[action]
            add(((bucket[0], bucket[1], key), action))
            if operation == "PutObject" and params.get("Tagging"):
                add(((bucket[0], bucket[1], key), "s3:PutObjectTagging"))
            if status == 404:  # S3 answers 404 rather than 403 only with ListBucket
                add((bucket, "s3:ListBucket"))
        elif service == "dynamodb":
            self._record_dynamodb(operation, params)
        elif service == "sqs":
            add((self._resource(params["QueueUrl"]), "sqs:SendMessage"))
            assert operation in ("SendMessage", "SendMessageBatch")
        elif service == "cloudfront":
            add((self._resource(params["DistributionId"]), f"cloudfront:{operation}"))
        elif service == "cloudfront-keyvaluestore":
            add((self._resource(params["KvsARN"]), f"cloudfront-keyvaluestore:{operation}"))
        elif service == "scheduler":
            kind, group = self.names[params["GroupName"]]
            add(((kind, group, params["Name"]), f"scheduler:{operation}"))
            if "Target" in params:  # the role Scheduler delivers with is passed to it
                add((self._resource(params["Target"]["RoleArn"]), "iam:PassRole"))
        else:
            raise AssertionError(f"a call to {service}.{operation} is not mapped to IAM")

    def _record_dynamodb(self, operation: str, params: dict[str, Any]) -> None:
        if operation == "TransactWriteItems":
            for item in params["TransactItems"]:
                ((kind, action),) = item.items()
                self.used.add((self._resource(action["TableName"]), TRANSACTION[kind]))
        elif operation in ("BatchGetItem", "BatchWriteItem"):
            for table in params["RequestItems"]:
                self.used.add((self._resource(table), f"dynamodb:{operation}"))
        else:
            self.used.add((self._resource(params["TableName"]), f"dynamodb:{operation}"))


def _copy_source(value: Any) -> tuple[str, str, str | None]:
    """``CopySource`` as given, or as botocore has already written it (``bucket/key?versionId=v``)."""
    if isinstance(value, dict):
        return value["Bucket"], value["Key"], value.get("VersionId")
    path, _, query = str(value).partition("?versionId=")
    bucket, _, key = unquote(path).partition("/")
    return bucket, key, unquote(query) or None


def _remember_params(params: dict[str, Any], context: dict[str, Any], **_: Any) -> None:
    context["newsroom_params"] = dict(params)


_ARN_SUB = re.compile(r"^arn:\$\{AWS::Partition\}:s3:::\$\{(\w+)\}(?:/(.*))?$")
_DISTRIBUTION_SUB = re.compile(r"distribution/\$\{(\w+)\}$")
_SCHEDULE_SUB = re.compile(r":schedule/\$\{(\w+)\}/(.+)$")


def granted(template: Template, function: str) -> set[tuple[tuple[str, str, str], str]]:
    """The policy's ``(resource, action)`` pairs, resources as in ``Recorder``."""
    grants: set[tuple[tuple[str, str, str], str]] = set()
    for policy in template.properties(function)["Policies"]:
        for statement in policy["Statement"]:
            assert statement["Effect"] == "Allow"
            resources = (
                statement["Resource"] if isinstance(statement["Resource"], list) else [statement["Resource"]]
            )
            actions = statement["Action"] if isinstance(statement["Action"], list) else [statement["Action"]]
            for resource in resources:
                if "Fn::GetAtt" in resource:
                    target = ("arn", resource["Fn::GetAtt"][0], "")
                elif match := _ARN_SUB.match(resource["Fn::Sub"]):
                    target = ("s3", match.group(1), match.group(2) or "")
                elif match := _SCHEDULE_SUB.search(resource["Fn::Sub"]):
                    target = ("scheduler", match.group(1), match.group(2))
                else:
                    distribution = _DISTRIBUTION_SUB.search(resource["Fn::Sub"])
                    assert distribution, resource
                    target = ("arn", distribution.group(1), "")
                grants |= {(target, action) for action in actions}
    return grants


def covered(used: set[tuple[tuple[str, str, str], str]], grants: set[Grant | Any]) -> set[Any]:
    """The grants that the recorded calls needed (an object call needs the grant whose pattern matches)."""
    needed: set[Any] = set()
    for (kind, logical, key), action in used:
        if kind in ("s3", "scheduler") and key:
            matches = {
                g
                for g in grants
                if g[0][:2] == (kind, logical) and g[0][2] and fnmatch.fnmatchcase(key, g[0][2])
            }
            matches = {g for g in matches if g[1] == action}
            assert matches, f"{action} on {logical}/{key} is not granted"
            needed |= matches
        else:
            grant = ((kind, logical, ""), action)
            assert grant in grants, f"{action} on {logical} is not granted"
            needed.add(grant)
    return needed


def md(title: str, slug: str = "", status: str = "published", extra: str = "") -> bytes:
    fields = f"title: {title}\ndate: 2024-04-01T08:00:00+07:00\nstatus: {status}\n"
    fields += f"slug: {slug}\n" if slug else ""
    return f"---\n{fields}{extra}---\nHội nghị tổng kết ![ảnh](/media/anh.jpg)\n".encode()


class Workload:
    """Every path of the publish and render functions, through recording clients."""

    def __init__(self, stack: LocalStack) -> None:
        self.stack = stack
        provisioned = stack.provisioned
        assert provisioned is not None
        names: dict[str, tuple[str, str]] = {}
        for logical, bucket in provisioned.buckets.items():
            names[bucket] = ("s3", logical)
        for logical, table in provisioned.tables.items():
            names[table] = ("arn", logical)
        for logical, queue in provisioned.queues.items():
            names[queue.url] = ("arn", logical)
        for logical, distribution in provisioned.distributions.items():
            names[distribution.id] = ("arn", logical)
        for logical, arn in provisioned.key_value_stores.items():
            names[arn] = ("arn", logical)
        for logical, group in provisioned.schedule_groups.items():
            names[group] = ("scheduler", logical)
        names[stack.environment_variables()["SCHEDULER_ROLE_ARN"]] = ("arn", "SchedulerRole")
        self.publish = Recorder(names)
        self.render = Recorder(names)
        self.search = Recorder(names)
        self.hits = Recorder(names)
        self.pictures = Recorder(names)
        self.redirects = Recorder(names)
        self.environment = stack.environment_variables()
        self.settings = Settings.from_environment(self.environment)
        self.editor = stack.client("s3")
        self.count = 0

    def clients(self, recorder: Recorder) -> Clients:
        endpoint = self.stack.endpoint_url
        made = {
            name: recorder.client(name, endpoint)
            for name in ("s3", "dynamodb", "cloudfront", "sqs", "scheduler")
        }
        for client in made.values():
            client.meta.events.register("before-parameter-build", _remember_params)
        return Clients(**made)

    def drain_redirects(self, handle: Any) -> int:
        """Run the redirect queue's messages, in order, as the redirects function would; how many moved.

        A hostile message goes first, so that the refusal path (the dead-letter queue) runs too.
        """
        assert self.stack.kvs is not None and self.stack.provisioned is not None
        environment = self.stack.environment("RedirectsFunction")
        kvs = self.redirects.client("cloudfront-keyvaluestore", self.stack.kvs.endpoint_url)
        sqs_recorded = self.redirects.client("sqs", self.stack.endpoint_url)
        for made in (kvs, sqs_recorded):
            made.meta.events.register("before-parameter-build", _remember_params)
        store = KeyValueStoreRedirects(kvs, environment["REDIRECT_STORE_ARN"])
        refused = DeadLetters(sqs_recorded, environment["REDIRECT_DEAD_LETTER_URL"])
        sqs, queue = self.stack.client("sqs"), self.stack.provisioned.queues["RedirectQueue"]
        sqs.send_message(
            QueueUrl=queue.url,
            MessageBody='{"puts": {"/cu.html": "//evil.example/"}}',
            MessageGroupId="redirects",
            MessageDeduplicationId="hostile",
        )
        handled = 0
        while messages := sqs.receive_message(
            QueueUrl=queue.url, MaxNumberOfMessages=10, AttributeNames=["All"]
        ).get("Messages", []):
            event = sqs_event(messages, queue.arn, "us-east-1")
            assert handle(event, store, lambda: refused) == {"batchItemFailures": []}
            for message in messages:
                sqs.delete_message(QueueUrl=queue.url, ReceiptHandle=message["ReceiptHandle"])
            handled += len(messages)
        dead = sqs.receive_message(
            QueueUrl=environment["REDIRECT_DEAD_LETTER_URL"], MessageAttributeNames=["All"]
        )["Messages"]
        assert [m["MessageAttributes"]["reason"]["StringValue"] for m in dead] == [
            "target of /cu.html '//evil.example/' is not a path on this site (one leading '/')"
        ]
        return handled

    def put(self, key: str, body: bytes, **extra: Any) -> None:
        self.editor.put_object(Bucket=self.settings.source_bucket, Key=key, Body=body, **extra)

    def delete(self, key: str) -> None:
        self.editor.delete_object(Bucket=self.settings.source_bucket, Key=key)

    def drain(self, fanout: Any) -> None:
        """Run the render queue's messages (plans, then their chunks) as the render function would."""
        sqs, url = self.stack.client("sqs"), self.settings.render_queue_url
        while messages := sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10).get("Messages", []):
            for message in messages:
                fanout.handle(message["Body"])
                sqs.delete_message(QueueUrl=url, ReceiptHandle=message["ReceiptHandle"])

    def media(self, worker: Any, *keys: str) -> dict[str, Any]:
        """One batch of media events for the picture function."""
        records = []
        for key in keys:
            self.count += 1
            records.append(
                Message(f"m{self.count}", key, f"{self.count:06X}").record(self.settings.source_bucket)
            )
        return handle_media_batch({"Records": records}, worker, Metrics(namespace="T", service="t"))

    def deliver(self, publisher: Any, *keys: str, receives: int = 1, left: int = 60_000) -> dict[str, Any]:
        records = []
        for key in keys:
            self.count += 1
            message = Message(f"m{self.count}", key, f"{self.count:06X}", receives=receives - 1)
            records.append(message.record(self.settings.source_bucket))
        return handle_batch(
            {"Records": records}, publisher, Metrics(namespace="T", service="t"), lambda: left
        )


@pytest.fixture(scope="module")
def workload() -> Iterator[Workload]:
    with local_site() as stack:
        run = Workload(stack)
        publisher = build_publisher(run.settings, run.clients(run.publish))
        fanout = build_fanout(run.settings, run.clients(run.render))
        run.put("site/site.yaml", b"name: Trang KH&CN\n")
        run.put(
            "site/categories.yaml",
            b"- {slug: tin-tuc, name: Tin t\xe1\xbb\xa9c}\n- {slug: cu, name: C\xc5\xa9}\n",
        )
        assert run.deliver(publisher, "site/site.yaml", "site/categories.yaml") == {"batchItemFailures": []}
        run.drain(fanout)  # the configured, empty category "cu" gets its pages
        run.put("site/categories.yaml", b"- {slug: tin-tuc, name: Tin t\xe1\xbb\xa9c}\n")  # "cu" retires
        assert run.deliver(publisher, "site/categories.yaml") == {"batchItemFailures": []}
        run.put("site/khac.yaml", b"name: x\n")  # an unknown site file: refused by name
        run.put("media/anh.jpg", phone_photo(1300, 900))
        run.put("articles/tin-tuc/a.md", md("Bài A"))
        run.put("articles/tin-tuc/b.md", md("Bài B", slug="a"))  # collides with a.md
        run.put("articles/tin-tuc/x.txt", b"not an article")  # refused by its key
        run.put("media/.an.jpg", b"hidden")  # refused by its key
        run.put("articles/tin-tuc/c.md", md("Bài C", status="draft"))
        run.put("articles/tin-tuc/d.md", b"---\ntitle: [oops\n---\n")
        run.put("site/categories.yaml", b"- slug: Tin tuc\n")  # refused configuration
        keys = ["site/site.yaml", "site/khac.yaml", "articles/tin-tuc/a.md"]
        keys += ["articles/tin-tuc/b.md", "articles/tin-tuc/x.txt", "articles/tin-tuc/c.md"]
        keys += ["articles/tin-tuc/d.md", "site/categories.yaml"]
        assert run.deliver(publisher, *keys) == {"batchItemFailures": []}
        # The picture function: a phone photo, a key refused by its name, a PDF copied as it is.
        pictures = build_pictures(
            PictureSettings.from_environment(stack.environment("PicturesFunction")),
            lambda data, name: prepare_picture(data, name=name),
            run.clients(run.pictures),
        )
        run.put("media/tai-lieu.pdf", b"%PDF-1.4 report")
        assert run.media(pictures, "media/anh.jpg", "media/.an.jpg", "media/tai-lieu.pdf") == {
            "batchItemFailures": []
        }
        assert run.deliver(publisher, "articles/tin-tuc/a.md") == {"batchItemFailures": []}  # sent back
        # Scheduled: created, moved, cancelled; a Word article uploads its pictures.
        soon = (datetime.now(UTC) + timedelta(days=2)).isoformat()
        later = (datetime.now(UTC) + timedelta(days=3)).isoformat()
        run.put("articles/tin-tuc/f.md", md("Bài F", extra=f"publish_at: '{soon}'\n"))
        assert run.deliver(publisher, "articles/tin-tuc/f.md") == {"batchItemFailures": []}
        run.put("articles/tin-tuc/f.md", md("Bài F", extra=f"publish_at: '{later}'\n"))
        assert run.deliver(publisher, "articles/tin-tuc/f.md") == {"batchItemFailures": []}
        run.delete("articles/tin-tuc/f.md")
        run.put("articles/tin-tuc/g.docx", news_docx(pictures=1))
        assert run.deliver(publisher, "articles/tin-tuc/f.md", "articles/tin-tuc/g.docx") == {
            "batchItemFailures": []
        }
        run.put("articles/tin-tuc/e.md", md("Bài E"))
        run.deliver(publisher, "articles/tin-tuc/e.md")
        run.put("articles/tin-tuc/e.md", md("Bài E", slug="e-moi"))  # moves: its old URL redirects
        run.put("articles/tin-tuc/a.md", md("Bài A", slug="a-moi"))  # moves: b.md gets /a
        moved = run.deliver(publisher, "articles/tin-tuc/a.md", "articles/tin-tuc/e.md", receives=2)
        assert moved == {"batchItemFailures": []}
        assert run.deliver(publisher, "articles/tin-tuc/c.md", left=1) != {
            "batchItemFailures": []
        }  # recorded
        run.delete("articles/tin-tuc/a.md")
        run.delete("articles/tin-tuc/g.docx")  # its picture under media/word/ goes with it
        run.delete("media/anh.jpg")
        run.delete("site/site.yaml")
        run.deliver(publisher, "articles/tin-tuc/a.md", "articles/tin-tuc/g.docx", "site/site.yaml")
        # The redirects function: what those publishes sent, in order (moves put keys, deletes remove them).
        assert run.drain_redirects(function_app("redirects").handle) >= 3
        assert run.redirects.used, "the store was written"
        assert run.media(pictures, "media/anh.jpg") == {"batchItemFailures": []}
        # The render function: the configuration jobs queued (the retired category's page left
        # behind goes), then a rebuild of a lost search index.
        site = run.settings.site_bucket
        run.editor.put_object(Bucket=site, Key="cu/index.html", Body=b"left behind")
        run.drain(fanout)
        assert "Contents" not in run.editor.list_objects_v2(Bucket=site, Prefix="cu/index.html")
        dynamodb = stack.client("dynamodb")
        for page in dynamodb.get_paginator("scan").paginate(TableName=run.settings.search_table):
            for item in page["Items"]:
                dynamodb.delete_item(
                    TableName=run.settings.search_table, Key={"pk": item["pk"], "sk": item["sk"]}
                )
        run.put("media/lai.pdf", b"%PDF-1.4 again")  # a rebuild copies media (never a picture as uploaded)
        fanout.request("rebuild-least-privilege", media=True)
        run.drain(fanout)
        fanout.index.failures.record("render-failed", [], "render: a test failure", 1)
        # The search function.
        search_settings = SearchSettings.from_environment(stack.environment("SearchFunction"))
        dynamodb = run.search.client("dynamodb", stack.endpoint_url)
        dynamodb.meta.events.register("before-parameter-build", _remember_params)
        service = build_search(search_settings, dynamodb)
        assert "Bài B" in service.page("bài b") and service.page("")
        # The hits function: AWS's sample log with an article's path, counted, delivered again,
        # and a file that is gone by the time it is read (its failure recorded).
        hits_settings = HitsSettings.from_environment(stack.environment("HitsFunction"))
        logs, key = hits_settings.logs_bucket, "cdn/E1LOCAL.2019-12-04-21.a.gz"
        sample = AWS_SAMPLE.replace(b"\t/index.html\t", b"\t/tin-tuc/a.html\t")  # b.md's URL now
        run.editor.put_object(Bucket=logs, Key=key, Body=gzip.compress(sample))
        dynamodb, s3 = (run.hits.client(name, stack.endpoint_url) for name in ("dynamodb", "s3"))
        for made in (dynamodb, s3):
            made.meta.events.register("before-parameter-build", _remember_params)
        worker = build_hits(hits_settings, dynamodb, s3)
        metrics = Metrics(namespace="T", service="t")
        twice = [Message(f"h{n}", key, "01").record(logs) for n in (1, 2)]
        assert handle_hits_batch(
            {"Records": twice}, worker.counter, worker.failures, metrics, worker.figures
        ) == {"batchItemFailures": []}
        gone = Message("h3", "cdn/E1LOCAL.gone.gz", "02").record(logs)
        assert handle_hits_batch(
            {"Records": [gone]}, worker.counter, worker.failures, metrics, worker.figures
        ) == {"batchItemFailures": [{"itemIdentifier": "h3"}]}
        assert worker.counter.views.site_views() == 1
        figures = json.loads(run.editor.get_object(Bucket=site, Key="stats.json")["Body"].read())
        assert figures["most_read"]["today"] == [{"title": "Bài B", "url": "/tin-tuc/a.html", "views": 1}]
        shard = f"views/{views_shard('/tin-tuc/a.html')}.json"
        assert json.loads(run.editor.get_object(Bucket=site, Key=shard)["Body"].read()) == {
            "/tin-tuc/a.html": 1
        }
        yield run


@pytest.mark.parametrize(
    ("function", "recorder"),
    [
        ("PublishFunction", "publish"),
        ("RenderFunction", "render"),
        ("SearchFunction", "search"),
        ("HitsFunction", "hits"),
        ("PicturesFunction", "pictures"),
        ("RedirectsFunction", "redirects"),
    ],
)
def test_the_policy_grants_exactly_what_the_code_calls(
    workload: Workload, function: str, recorder: str
) -> None:
    template = Template.load(workload.stack.template_path)
    grants = granted(template, function)
    used = getattr(workload, recorder).used
    needed = covered(used, grants)
    unused = sorted(grants - needed)
    assert not unused, f"{function} is granted what its code never calls: {unused}"
