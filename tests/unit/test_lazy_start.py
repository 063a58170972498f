"""What keeps the handlers' start-up small (docs/cold-start.md), without building a layer.

- ``tracing_enabled`` reads Powertools' own rule for its Tracer, so that a
  handler makes a Tracer (and imports the X-Ray SDK) only where it traces;
- the KeyValueStore client is made when the first redirect is written, not
  when the publisher is built;
- ``enable_sigv4a`` gives botocore its SigV4A signer after ``import boto3``
  ran without awscrt (as in the layer, where awscrt is off ``sys.path``): a
  KeyValueStore call is then signed with SigV4A, every other client keeps
  botocore's own SigV4 signer.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import uuid
from pathlib import Path
from typing import Any

import pytest
from newsroom.configuration.settings import tracing_enabled
from newsroom.wiring import assembly

from local.kvs import KvsServer

ROOT = Path(__file__).resolve().parents[2]
IN_LAMBDA = {"LAMBDA_TASK_ROOT": "/var/task"}
TRACING_VARIABLES = ("LAMBDA_TASK_ROOT", "POWERTOOLS_TRACE_DISABLED", "AWS_SAM_LOCAL", "AWS_CHALICE_CLI_MODE")


@pytest.mark.parametrize(
    ("environ", "expected"),
    [
        (IN_LAMBDA, True),
        ({**IN_LAMBDA, "POWERTOOLS_TRACE_DISABLED": "false"}, True),
        ({**IN_LAMBDA, "POWERTOOLS_TRACE_DISABLED": "true"}, False),
        ({**IN_LAMBDA, "POWERTOOLS_TRACE_DISABLED": "1"}, False),
        ({**IN_LAMBDA, "AWS_SAM_LOCAL": "true"}, False),
        ({**IN_LAMBDA, "AWS_CHALICE_CLI_MODE": "true"}, False),
        ({}, False),
        ({"POWERTOOLS_TRACE_DISABLED": "false"}, False),
    ],
)
def test_tracing_is_on_exactly_where_powertools_traces(environ: dict[str, str], expected: bool) -> None:
    from aws_lambda_powertools.tracing.tracer import Tracer  # noqa: PLC0415

    assert tracing_enabled(environ) is expected
    saved = dict(os.environ)
    try:
        for name in TRACING_VARIABLES:
            os.environ.pop(name, None)
        os.environ.update(environ)
        assert (not Tracer._is_tracer_disabled()) is expected  # Powertools' own answer
    finally:
        os.environ.clear()
        os.environ.update(saved)


def test_the_keyvaluestore_client_is_made_on_first_use() -> None:
    made: list[str] = []

    class Client:
        def describe_key_value_store(self, **_: Any) -> dict[str, str]:
            return {"ETag": "KV1"}

    def make() -> Client:
        made.append("client")
        return Client()

    lazy = assembly.OnFirstUse(make)
    assert made == []
    assert lazy.describe_key_value_store(KvsARN="arn")["ETag"] == "KV1"
    assert lazy.describe_key_value_store(KvsARN="arn")["ETag"] == "KV1"
    assert made == ["client"]


def test_building_the_redirects_makes_no_client(monkeypatch: pytest.MonkeyPatch) -> None:
    from newsroom.configuration.settings import Settings  # noqa: PLC0415

    made: list[str] = []
    monkeypatch.setattr(assembly, "keyvaluestore_client", lambda: made.append("client"))
    settings = Settings.from_environment(
        {
            "SOURCE_BUCKET_NAME": "source",
            "SITE_BUCKET_NAME": "site",
            "CONTENT_TABLE_NAME": "content",
            "DISTRIBUTION_ID": "E2EXAMPLE",
            "SITE_BASE_URL": "https://example.org",
            "SITE_LOCALE": "vi",
            "SITE_TIMEZONE": "Asia/Ho_Chi_Minh",
            "MAX_SOURCE_BYTES": "1000000",
            "RENDER_QUEUE_URL": "https://sqs.us-east-1.amazonaws.com/123456789012/render",
            "SEARCH_TABLE_NAME": "search",
            "REDIRECT_STORE_ARN": "arn:aws:cloudfront::123456789012:key-value-store/x",
        }
    )
    redirects = assembly.build_redirects(settings)
    assert type(redirects).__name__ == "KeyValueStoreRedirects"
    assert made == []


SIGV4A_PROBE = """
import importlib.abc, json, sys
from pathlib import Path

class NoCrt(importlib.abc.MetaPathFinder):
    '''awscrt out of reach, as in the layer (it is in /opt/crt, off sys.path).'''
    def find_spec(self, name, path=None, target=None):
        if name == "awscrt" or name.startswith("awscrt."):
            raise ModuleNotFoundError(name)

blocker = NoCrt()
sys.meta_path.insert(0, blocker)
import boto3
from botocore import auth, compat
before = {"crt": "awscrt" in sys.modules, "has_crt": compat.HAS_CRT, "v4a": "v4a" in auth.AUTH_TYPE_MAPS}
sys.meta_path.remove(blocker)  # enable_sigv4a puts the layer's crt/ on sys.path; here awscrt is in the venv

from newsroom.wiring.assembly import enable_sigv4a, keyvaluestore_client
enable_sigv4a(Path("/nonexistent"))
enable_sigv4a(Path("/nonexistent"))  # twice: nothing more
signed = []
def keep(request, **_):
    signed.append({k: (v.decode() if isinstance(v, bytes) else v) for k, v in request.headers.items()})
client = keyvaluestore_client()
client.meta.events.register("before-send", keep)
etag = client.describe_key_value_store(KvsARN=sys.argv[1])["ETag"]
sqs = boto3.client("sqs", endpoint_url=sys.argv[2])
sqs.meta.events.register("before-send", keep)
try:
    sqs.list_queues()
except Exception:
    pass
print(json.dumps({
    "before": before,
    "etag": etag,
    "signed": signed,
    "v4": auth.AUTH_TYPE_MAPS["v4"].__module__,
    "v4a": auth.AUTH_TYPE_MAPS["v4a"].__name__,
}))
"""


def test_enable_sigv4a_signs_the_keyvaluestore_client_after_boto3_loaded_without_awscrt() -> None:
    server = KvsServer().start()
    try:
        arn = f"arn:aws:cloudfront::123456789012:key-value-store/{uuid.uuid4()}"
        server.state.create_store(arn)
        env = {
            **os.environ,
            "PYTHONPATH": os.pathsep.join(str(ROOT / p) for p in ("layers/newsroom", ".")),
            "AWS_ACCESS_KEY_ID": "testing",
            "AWS_SECRET_ACCESS_KEY": "testing",  # dummies, not secrets
            "AWS_DEFAULT_REGION": "us-east-1",
            "AWS_ENDPOINT_URL_CLOUDFRONT_KEYVALUESTORE": server.endpoint_url,
        }
        completed = subprocess.run(
            [sys.executable, "-c", SIGV4A_PROBE, arn, server.endpoint_url],
            env=env,
            capture_output=True,
            text=True,
            check=False,
            timeout=120,
        )
    finally:
        server.stop()
    assert completed.returncode == 0, completed.stderr[-3000:]
    answer = json.loads(completed.stdout.strip().splitlines()[-1])
    assert answer["before"] == {"crt": False, "has_crt": False, "v4a": False}
    assert answer["v4a"] == "CrtSigV4AsymAuth"
    assert answer["v4"] == "botocore.auth", "every other client keeps botocore's own SigV4 signer"
    kvs, sqs = answer["signed"][0], answer["signed"][-1]
    assert kvs["Authorization"].startswith("AWS4-ECDSA-P256-SHA256 Credential=testing/")
    scope = kvs["Authorization"].split("Credential=")[1].split(",")[0]
    assert scope.endswith("/cloudfront-keyvaluestore/aws4_request"), "SigV4A's scope has no region"
    assert kvs["X-Amz-Region-Set"] == "*"
    assert "x-amz-region-set" in kvs["Authorization"].split("SignedHeaders=")[1]
    assert answer["etag"].startswith("KV")  # the local store refuses anything but SigV4A
    assert sqs["Authorization"].startswith("AWS4-HMAC-SHA256 ")
