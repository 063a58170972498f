"""What keeps the handlers' start-up small (docs/cold-start.md), without building a layer.

- ``tracing_enabled`` reads Powertools' own rule for its Tracer, so that a
  handler makes a Tracer (and imports the X-Ray SDK) only where it traces;
- the publisher's redirects go to the redirects function's queue through the
  SQS client it has anyway: no KeyValueStore client, no awscrt;
- the redirects function imports neither boto3 nor awscrt at start-up, and
  on its first invocation signs its KeyValueStore calls with SigV4A (awscrt
  beside it, as in its layer).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import uuid
from pathlib import Path

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


def test_the_redirects_go_through_the_publishers_sqs_client(monkeypatch: pytest.MonkeyPatch) -> None:
    from newsroom.configuration.settings import Settings  # noqa: PLC0415

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
            "REDIRECT_QUEUE_URL": "https://sqs.us-east-1.amazonaws.com/123456789012/redirects.fifo",
        }
    )
    monkeypatch.setattr(assembly.boto3, "client", lambda *a, **k: pytest.fail(f"a client was made: {a}"))
    sqs = object()
    clients = assembly.Clients(s3=None, dynamodb=None, cloudfront=None, sqs=sqs)
    redirects = assembly.build_redirects(settings, clients)
    assert type(redirects).__name__ == "QueuedRedirects"
    assert redirects._sqs is sqs  # type: ignore[attr-defined]


REDIRECTS_PROBE = """
import importlib.util, json, sys
spec = importlib.util.spec_from_file_location("app", sys.argv[1])
app = importlib.util.module_from_spec(spec)
spec.loader.exec_module(app)
at_start = sorted(m for m in ("boto3", "botocore", "awscrt") if m in sys.modules)

from botocore import auth
signed = []
def keep(request, **_):
    signed.append({k: (v.decode() if isinstance(v, bytes) else v) for k, v in request.headers.items()})
body = json.dumps({"puts": {"/cu.html": "/moi.html"}, "deletes": ["/khac.html"]})
event = {"Records": [{"messageId": "m1", "body": body, "attributes": {"MessageGroupId": "redirects"}}]}
app.store()._kvs.meta.events.register("before-send", keep)
result = app.lambda_handler(event, None)
print(json.dumps({
    "at_start": at_start,
    "result": result,
    "signed": signed,
    "v4": auth.AUTH_TYPE_MAPS["v4"].__module__,
    "target": app.store().get("/cu.html"),
}))
"""


def test_the_redirects_function_loads_boto3_on_first_use_and_signs_with_sigv4a() -> None:
    server = KvsServer().start()
    try:
        arn = f"arn:aws:cloudfront::123456789012:key-value-store/{uuid.uuid4()}"
        server.state.create_store(arn)
        env = {
            **os.environ,
            "PYTHONPATH": str(ROOT / "layers/redirects"),
            "AWS_ACCESS_KEY_ID": "testing",
            "AWS_SECRET_ACCESS_KEY": "testing",  # dummies, not secrets
            "AWS_DEFAULT_REGION": "us-east-1",
            "AWS_ENDPOINT_URL_CLOUDFRONT_KEYVALUESTORE": server.endpoint_url,
            "REDIRECT_STORE_ARN": arn,
        }
        completed = subprocess.run(
            [sys.executable, "-c", REDIRECTS_PROBE, str(ROOT / "functions/redirects/app.py")],
            env=env,
            capture_output=True,
            text=True,
            check=False,
            timeout=120,
        )
        items = server.state.items(arn)
    finally:
        server.stop()
    assert completed.returncode == 0, completed.stderr[-3000:]
    answer = json.loads(completed.stdout.strip().splitlines()[-1])
    assert answer["at_start"] == [], "boto3 and awscrt load on the first invocation"
    assert answer["result"] == {"batchItemFailures": []}
    assert items == {"/cu.html": "/moi.html"}
    assert answer["target"] == "/moi.html"
    assert answer["signed"], "the calls went through the client"
    for headers in answer["signed"]:
        assert headers["Authorization"].startswith("AWS4-ECDSA-P256-SHA256 Credential=testing/")
        scope = headers["Authorization"].split("Credential=")[1].split(",")[0]
        assert scope.endswith("/cloudfront-keyvaluestore/aws4_request"), "SigV4A's scope has no region"
        assert headers["X-Amz-Region-Set"] == "*"
