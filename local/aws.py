"""boto3 clients and process environment aimed at the embedded moto server.

Every local component talks to moto through these helpers so that nothing in
the local stack can reach a real AWS account: the endpoint is always explicit
and the credentials are moto's well-known dummies (not secrets).
"""

from __future__ import annotations

import os
import threading
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from typing import Any

import boto3
from botocore.config import Config

DUMMY_ACCESS_KEY_ID = "testing"
DUMMY_SECRET_ACCESS_KEY = "testing"  # noqa: S105 - moto's documented dummy, not a secret

# Variables that would send boto3 to a real account or a missing profile.
_UNSAFE_VARIABLES = ("AWS_PROFILE", "AWS_DEFAULT_PROFILE", "AWS_SESSION_TOKEN", "AWS_SECURITY_TOKEN")


_clients: dict[tuple[str, str, str], Any] = {}
_clients_lock = threading.Lock()


def client(service: str, endpoint_url: str, region: str = "us-east-1") -> Any:
    """A boto3 client for ``service`` on the local endpoint, with dummy credentials.

    Cached per (service, endpoint, region): building a client costs ~0.1 s and
    boto3 clients are safe to share between threads.
    """
    key = (service, endpoint_url, region)
    with _clients_lock:
        if key not in _clients:
            _clients[key] = boto3.session.Session(
                aws_access_key_id=DUMMY_ACCESS_KEY_ID,
                aws_secret_access_key=DUMMY_SECRET_ACCESS_KEY,
                region_name=region,
            ).client(
                service,
                endpoint_url=endpoint_url,
                config=Config(
                    retries={"max_attempts": 2, "mode": "standard"},
                    connect_timeout=5,
                    read_timeout=30,
                    # moto reports a multipart object's checksum without its part count ("-2"), so
                    # botocore checks the composite CRC against the whole body and fails the read
                    # (the CDN answered 502 for any media the aws CLI uploaded in parts). CloudFront
                    # itself never checks S3's checksums; the local CDN and tools do as it does.
                    response_checksum_validation="when_required",
                ),
            )
        return _clients[key]


def local_aws_environment(endpoint_url: str, region: str) -> dict[str, str]:
    """The variables that point any boto3 in this process at moto."""
    return {
        "AWS_ENDPOINT_URL": endpoint_url,
        "AWS_ACCESS_KEY_ID": DUMMY_ACCESS_KEY_ID,
        "AWS_SECRET_ACCESS_KEY": DUMMY_SECRET_ACCESS_KEY,
        "AWS_DEFAULT_REGION": region,
        "AWS_REGION": region,
    }


@contextmanager
def patched_environ(values: Mapping[str, str], remove: tuple[str, ...] = _UNSAFE_VARIABLES) -> Iterator[None]:
    """Set ``values`` in ``os.environ`` (and drop ``remove``) for the block, then restore.

    The handler runs in this process, so its Lambda environment has to live in
    ``os.environ``; restoring it keeps tests from leaking into each other.
    """
    saved = {name: os.environ.get(name) for name in (*values, *remove)}
    for name in remove:
        os.environ.pop(name, None)
    os.environ.update(values)
    try:
        yield
    finally:
        for name, value in saved.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value
