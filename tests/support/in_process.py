"""The template's resources in in-process moto: no HTTP, so a test replays exactly."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import boto3
import pytest
from moto import mock_aws
from newsroom.configuration.settings import Settings
from newsroom.usecases.fanout import Fanout
from newsroom.wiring.assembly import Clients, build_fanout

import local.provision
from local.template import Template

ROOT = Path(__file__).resolve().parents[2]
SERVICES = ("s3", "dynamodb", "cloudfront", "sqs")


def in_process_client(service: str, endpoint_url: str, region: str = "us-east-1") -> Any:
    return boto3.client(service, region_name=region)


def new_clients() -> Clients:
    """A container's own clients (each worker gets its own, as each Lambda container does)."""
    made = {name: boto3.client(name, region_name="us-east-1") for name in (*SERVICES, "scheduler")}
    return Clients(**made)


@contextmanager
def in_process_site(
    monkeypatch: pytest.MonkeyPatch, stack_name: str = "oracle"
) -> Iterator[tuple[Settings, Clients]]:
    """Resources created from ``template.yaml`` itself, inside ``mock_aws``."""
    with mock_aws():
        monkeypatch.setattr(local.provision, "client", in_process_client)
        template = Template.load(ROOT / "template.yaml", stack_name=stack_name)
        environment = local.provision.provision(template, "http://moto.invalid").environment()
        yield Settings.from_environment(environment), new_clients()


def site_objects(clients: Clients, settings: Settings) -> dict[str, bytes]:
    """Every object of the site bucket, by key."""
    s3, bucket = clients.s3, settings.site_bucket
    keys = [
        o["Key"]
        for p in s3.get_paginator("list_objects_v2").paginate(Bucket=bucket)
        for o in p.get("Contents", [])
    ]
    return {k: s3.get_object(Bucket=bucket, Key=k)["Body"].read() for k in keys}


def drain_render_queue(fanout: Fanout, clients: Clients, settings: Settings) -> None:
    """Run every render-queue message (plans, then the chunks they send) until none is left."""
    sqs = clients.sqs
    while messages := sqs.receive_message(QueueUrl=settings.render_queue_url, MaxNumberOfMessages=10).get(
        "Messages", []
    ):
        for message in messages:
            fanout.handle(message["Body"])
            sqs.delete_message(QueueUrl=settings.render_queue_url, ReceiptHandle=message["ReceiptHandle"])


def search_items(clients: Clients, settings: Settings) -> list[dict[str, Any]]:
    """What searches find: every ``TERM#`` item of the search table, sorted (not the bookkeeping)."""
    pages = clients.dynamodb.get_paginator("scan").paginate(TableName=settings.search_table)
    items = [item for page in pages for item in page["Items"] if item["pk"]["S"].startswith("TERM#")]
    return sorted(items, key=lambda item: (item["pk"]["S"], item["sk"]["S"]))


def rebuilt_from_scratch(
    clients: Clients, settings: Settings, job: str = "rebuild-check"
) -> dict[str, bytes]:
    """Empty the site bucket and the search table, rebuild both with a fresh fan-out worker,
    and return what the bucket holds (the search table must come back exactly as it was).

    Drafts' previews are private and made by their uploads, not by a rebuild: they must be
    exactly the index's drafts and scheduled articles (no revoked one left), and are handed
    back as they were, so the comparison covers everything else.
    """
    previews = {k: v for k, v in site_objects(clients, settings).items() if k.startswith("preview/")}
    assert sorted(previews) == expected_previews(clients, settings), "previews differ from the index's drafts"
    for key in site_objects(clients, settings):
        clients.s3.delete_object(Bucket=settings.site_bucket, Key=key)
    searchable = search_items(clients, settings)
    table = settings.search_table
    for page in clients.dynamodb.get_paginator("scan").paginate(TableName=table):
        for item in page["Items"]:
            clients.dynamodb.delete_item(TableName=table, Key={"pk": item["pk"], "sk": item["sk"]})
    fanout = build_fanout(settings, clients)
    fanout.request(job, media=True)
    drain_render_queue(fanout, clients, settings)
    rebuilt = search_items(clients, settings)
    extra = [i for i in searchable if i not in rebuilt]
    missing = [i for i in rebuilt if i not in searchable]
    assert not extra and not missing, f"the search table differs from a rebuild: {extra=} {missing=}"
    return {**site_objects(clients, settings), **previews}


def expected_previews(clients: Clients, settings: Settings) -> list[str]:
    """The preview pages the index's records call for: one per draft or scheduled article."""
    keys = []
    for page in clients.dynamodb.get_paginator("scan").paginate(TableName=settings.content_table):
        for item in page["Items"]:
            if item["sk"]["S"] == "ARTICLE" and "preview" in item:
                assert item["state"]["S"] in ("draft", "scheduled"), item["state"]
                keys.append(f"preview/{item['preview']['S']}.html")
    return sorted(keys)
