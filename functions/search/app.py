"""SearchFunction: ``GET /api/search?q=…`` behind CloudFront (a Lambda function URL).

Thin on purpose: the query goes to ``newsroom.usecases.search``. The answer is
an HTML page in the site's layout that the CDN may cache for a minute. The
core and the Tracer are loaded on the first invocation, not at start-up
(docs/cold-start.md).
"""

from __future__ import annotations

from collections.abc import Callable
from functools import cache
from typing import TYPE_CHECKING, Any

from aws_lambda_powertools import Logger, Metrics, Tracer
from aws_lambda_powertools.metrics import MetricUnit
from aws_lambda_powertools.utilities.data_classes import LambdaFunctionUrlEvent, event_source
from aws_lambda_powertools.utilities.typing import LambdaContext
from newsroom.configuration.settings import SearchSettings, tracing_enabled

if TYPE_CHECKING:
    from newsroom.usecases.search import SearchService

logger = Logger()
metrics = Metrics()
HTML = "text/html; charset=utf-8"
Handler = Callable[[dict[str, Any], LambdaContext], dict[str, Any]]


@cache
def service() -> SearchService:
    """One search service (and DynamoDB client) per container."""
    from newsroom.wiring.assembly import build_search  # noqa: PLC0415 (the core loads on first use)

    return build_search(SearchSettings.from_environment())


@cache
def traced() -> Handler:
    """``handle`` under Powertools' Tracer where tracing is on: made once, on the first invocation."""
    return Tracer().capture_lambda_handler(handle) if tracing_enabled() else handle


@logger.inject_lambda_context
def lambda_handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    """Entry point named in template.yaml (``app.lambda_handler``)."""
    return traced()(event, context)


@metrics.log_metrics
@event_source(data_class=LambdaFunctionUrlEvent)
def handle(event: LambdaFunctionUrlEvent, context: LambdaContext) -> dict[str, Any]:
    """One search request."""
    method = event.request_context.http.method
    if method not in ("GET", "HEAD"):
        return {"statusCode": 405, "headers": {"Allow": "GET, HEAD", "Content-Type": HTML}, "body": ""}
    from newsroom.usecases.search import CACHE_CONTROL  # noqa: PLC0415 (the core loads on first use)

    query = (event.query_string_parameters or {}).get("q", "")
    metrics.add_metric(name="Searches", unit=MetricUnit.Count, value=1)
    return {
        "statusCode": 200,
        "headers": {
            "Content-Type": HTML,
            "Cache-Control": CACHE_CONTROL,
            "X-Content-Type-Options": "nosniff",
        },
        "body": "" if method == "HEAD" else service().page(query),
    }
