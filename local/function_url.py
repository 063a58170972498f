"""Lambda function URLs behind the local CDN, as CloudFront routes them on AWS.

The template sends a CloudFront path pattern (``/api/search*``) to an origin
whose domain is a function URL (``!GetAtt SearchFunctionUrl.FunctionUrl``).
Locally the CDN calls the same handler in process with the payload-2.0 event
a function URL passes, and turns its answer back into an HTTP response.
"""

from __future__ import annotations

import base64
import time
import uuid
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qsl

from local.lambda_function import LambdaContext
from local.template import Template

Handler = Callable[[dict[str, Any], Any], Any]


@dataclass(frozen=True)
class FunctionRoute:
    """A cache behavior whose origin is a function URL."""

    path_pattern: str
    function: str
    """The logical id of the function."""


def function_url_routes(template: Template) -> list[FunctionRoute]:
    """The template's cache behaviors that point at a function URL origin, in order."""
    routes: list[FunctionRoute] = []
    for logical, resource in template.resources.items():
        if resource.get("Type") != "AWS::CloudFront::Distribution":
            continue
        config = resource.get("Properties", {}).get("DistributionConfig", {})
        origins = {str(o.get("Id")): _function_of(o.get("DomainName")) for o in config.get("Origins", [])}
        for behavior in config.get("CacheBehaviors", []):
            function = origins.get(str(behavior.get("TargetOriginId")))
            if function is not None:
                routes.append(FunctionRoute(str(behavior["PathPattern"]), function))
        del logical
    return routes


def _function_of(domain: Any) -> str | None:
    """``SearchFunction`` for ``!Select [2, !Split ['/', !GetAtt SearchFunctionUrl.FunctionUrl]]``."""
    for node in _walk(domain):
        if isinstance(node, dict) and "Fn::GetAtt" in node:
            target = node["Fn::GetAtt"]
            name, attribute = target if isinstance(target, list) else str(target).split(".", 1)
            if attribute == "FunctionUrl" and str(name).endswith("Url"):
                return str(name)[: -len("Url")]
    return None


def _walk(node: Any) -> Iterator[Any]:
    yield node
    if isinstance(node, dict):
        for value in node.values():
            yield from _walk(value)
    elif isinstance(node, list):
        for value in node:
            yield from _walk(value)


def function_url_event(method: str, path: str, query: str, headers: Mapping[str, str]) -> dict[str, Any]:
    """The payload-2.0 event a function URL passes to its handler."""
    parameters: dict[str, str] = {}
    for name, value in parse_qsl(query, keep_blank_values=True):
        parameters[name] = f"{parameters[name]},{value}" if name in parameters else value
    now = time.time()
    return {
        "version": "2.0",
        "routeKey": "$default",
        "rawPath": path,
        "rawQueryString": query,
        "headers": {k.lower(): v for k, v in headers.items()},
        "queryStringParameters": parameters or None,
        "requestContext": {
            "accountId": "anonymous",
            "apiId": "local",
            "domainName": "localhost",
            "domainPrefix": "local",
            "http": {
                "method": method,
                "path": path,
                "protocol": "HTTP/1.1",
                "sourceIp": "127.0.0.1",
                "userAgent": headers.get("User-Agent", ""),
            },
            "requestId": str(uuid.uuid4()),
            "routeKey": "$default",
            "stage": "$default",
            "time": time.strftime("%d/%b/%Y:%H:%M:%S +0000", time.gmtime(now)),
            "timeEpoch": int(now * 1000),
        },
        "isBase64Encoded": False,
    }


def call(
    handler: Handler, context: LambdaContext, method: str, path: str, query: str, headers: Mapping[str, str]
) -> tuple[int, dict[str, str], bytes]:
    """Invoke ``handler`` like a function URL and return status, headers and body."""
    result = handler(function_url_event(method, path, query, headers), context)
    if not isinstance(result, dict) or "statusCode" not in result:
        # A function URL treats any other value as a JSON body with status 200.
        import json  # noqa: PLC0415

        return 200, {"Content-Type": "application/json"}, json.dumps(result).encode()
    body = result.get("body") or ""
    raw = base64.b64decode(body) if result.get("isBase64Encoded") else str(body).encode("utf-8")
    headers_out = {str(k): str(v) for k, v in (result.get("headers") or {}).items()}
    return int(result["statusCode"]), headers_out, raw
