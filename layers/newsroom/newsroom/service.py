"""Wiring: build the publisher once per container from settings and clients.

Clients are created here, once, and can be injected by tests. boto3 reads
``AWS_ENDPOINT_URL`` itself, which is how the same code talks to moto locally.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import boto3
from botocore.config import Config

from newsroom.adapters.cdn import Invalidator
from newsroom.adapters.index import ContentIndex
from newsroom.adapters.site import SiteStore
from newsroom.adapters.source import SourceStore
from newsroom.publisher import Publisher
from newsroom.settings import Settings

RETRIES = Config(retries={"max_attempts": 8, "mode": "adaptive"}, connect_timeout=5, read_timeout=20)


@dataclass(frozen=True)
class Clients:
    """The AWS clients the publisher uses."""

    s3: Any
    dynamodb: Any
    cloudfront: Any

    @classmethod
    def default(cls) -> Clients:
        """Clients with adaptive retries (throttling and 5xx are retried by botocore)."""
        return cls(
            s3=boto3.client("s3", config=RETRIES),
            dynamodb=boto3.client("dynamodb", config=RETRIES),
            cloudfront=boto3.client("cloudfront", config=RETRIES),
        )


def build_publisher(settings: Settings, clients: Clients | None = None) -> Publisher:
    """The publisher for ``settings``, talking to AWS through ``clients``."""
    c = clients or Clients.default()
    return Publisher(
        settings=settings,
        index=ContentIndex(c.dynamodb, settings.content_table),
        source=SourceStore(c.s3, settings.source_bucket),
        site=SiteStore(c.s3, settings.site_bucket),
        invalidator=Invalidator(c.cloudfront, settings.distribution_id),
    )
