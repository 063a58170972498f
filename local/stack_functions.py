"""The template's functions on the local stack: which run, what they see, what triggers them.

Queue-fed functions get a ``QueueRunner`` per SQS event, function-URL
behaviors of the distribution become in-process routes of the local CDN, and
the viewer-request CloudFront Function is its Python port reading the local
KeyValueStore. A handler that cannot be loaded is recorded (the banner says
so) and the rest of the site is served anyway.
"""

from __future__ import annotations

import logging
import traceback
from collections.abc import Mapping, Sequence
from typing import Any

from local.aws import local_aws_environment
from local.cdn import FunctionCall, Rewrite
from local.function_url import call, function_url_routes
from local.kvs import KvsServer
from local.provision import DistributionInfo, Provisioned
from local.runner import Handler, QueueRunner, function_spec, load_handler, sqs_event_sources
from local.template import Template
from local.viewer_request import rewrite as viewer_request

log = logging.getLogger("local.stack")  # the stack's log: it starts the functions

DEFAULT_METRICS_NAMESPACE = "Newsroom"


def queue_fed_functions(template: Template) -> tuple[str, ...]:
    """Every Serverless function of the template that an SQS event feeds (publish, render)."""
    return tuple(
        logical
        for logical, resource in template.resources.items()
        if resource.get("Type") == "AWS::Serverless::Function"
        and any(e.get("Type") == "SQS" for e in (template.property(logical, "Events") or {}).values())
    )


def handler_environment(
    template: Template,
    provisioned: Provisioned,
    functions: Sequence[str],
    endpoint_url: str,
    kvs: KvsServer | None,
) -> dict[str, str]:
    """What the in-process handlers see in ``os.environ`` (template env + Lambda runtime + moto)."""
    region = template.region
    merged: dict[str, str] = {}
    for logical in functions:
        for name, value in provisioned.environment(logical).items():
            if merged.get(name, value) != value:
                log.warning("%s sets %s differently from another local function", logical, name)
            merged[name] = value
    if len(functions) == 1:
        spec = function_spec(template, functions[0], merged)
        merged.update(spec.runtime_environment(region))
    merged.setdefault("POWERTOOLS_METRICS_NAMESPACE", DEFAULT_METRICS_NAMESPACE)
    merged["POWERTOOLS_TRACE_DISABLED"] = "true"
    merged.update(local_aws_environment(endpoint_url, region))
    if kvs is not None:  # botocore's per-service endpoint variable for cloudfront-keyvaluestore
        merged["AWS_ENDPOINT_URL_CLOUDFRONT_KEYVALUESTORE"] = kvs.endpoint_url
    return merged


def add_queue_runners(
    runners: dict[str, QueueRunner],
    handler_errors: dict[str, str],
    *,
    template: Template,
    provisioned: Provisioned,
    sqs: Any,
    functions: Sequence[str],
    handlers: Mapping[str, Handler],
    retry_delay: int,
) -> None:
    """A runner per enabled SQS event of each function, into ``runners`` (``function.event``)."""
    queue_urls = {queue.arn: queue.url for queue in provisioned.queues.values()}
    for logical in functions:
        spec = function_spec(template, logical, provisioned.environment(logical))
        handler = handlers.get(logical)
        if handler is None:
            try:
                handler = load_handler(spec)
            except Exception:  # serve the site anyway; the banner says the function is down
                handler_errors[logical] = traceback.format_exc()
                log.exception("%s cannot be loaded: its queue will not be processed", logical)
                continue
        for source in sqs_event_sources(template, logical, queue_urls):
            if not source.enabled:
                continue
            runners[f"{logical}.{source.name}"] = QueueRunner(
                sqs,
                source,
                handler,
                spec.context,
                region=template.region,
                function_name=logical,
                retry_delay=retry_delay,
            )


def function_routes(
    handler_errors: dict[str, str],
    *,
    template: Template,
    provisioned: Provisioned,
    handlers: Mapping[str, Handler],
) -> list[tuple[str, FunctionCall]]:
    """The distribution's function-URL behaviors (``/api/search*``), calling the unchanged handlers."""
    routes: list[tuple[str, FunctionCall]] = []
    for route in function_url_routes(template):
        spec = function_spec(template, route.function, provisioned.environment(route.function))
        try:
            handler = handlers.get(route.function) or load_handler(spec)
        except Exception:  # serve the site anyway; the banner says the function is down
            handler_errors[route.function] = traceback.format_exc()
            log.exception("%s cannot be loaded: %s will answer 502", route.function, route.path_pattern)
            continue

        def invoke(
            method: str, path: str, query: str, headers: Any, handler: Handler = handler, spec: Any = spec
        ) -> tuple[int, dict[str, str], bytes]:
            return call(handler, spec.context(), method, path, query, dict(headers.items()))

        routes.append((route.path_pattern, invoke))
    return routes


def viewer_request_rewrite(distribution: DistributionInfo, kvs: KvsServer | None) -> Rewrite:
    """The viewer-request function's port, reading the distribution's store as the edge does."""
    arn = distribution.key_value_store_arn
    if arn is None or kvs is None:
        return viewer_request
    store, state = arn, kvs.state

    def lookup(uri: str) -> str | None:
        return state.lookup(store, uri)

    def rewrite(uri: str, query: str) -> tuple[str, str | None]:
        return viewer_request(uri, query, lookup)

    return rewrite
