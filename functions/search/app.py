"""SearchFunction: ``GET /api/search?q=…`` behind CloudFront (a Lambda function URL).

Thin on purpose: the query goes to ``newsroom.usecases.search``. The answer is
an HTML page in the site's layout that the CDN may cache for a minute.
"""

from __future__ import annotations

from functools import cache
from typing import Any

from aws_lambda_powertools import Logger, Metrics, Tracer
from aws_lambda_powertools.metrics import MetricUnit
from aws_lambda_powertools.utilities.data_classes import LambdaFunctionUrlEvent, event_source
from aws_lambda_powertools.utilities.typing import LambdaContext
from newsroom.configuration.settings import SearchSettings
from newsroom.usecases.search import CACHE_CONTROL, SearchService
from newsroom.wiring.assembly import build_search

logger = Logger()
metrics = Metrics()
tracer = Tracer()
HTML = "text/html; charset=utf-8"


@cache
def service() -> SearchService:
    """One search service (and DynamoDB client) per container."""
    return build_search(SearchSettings.from_environment())


@logger.inject_lambda_context
@tracer.capture_lambda_handler
@metrics.log_metrics
@event_source(data_class=LambdaFunctionUrlEvent)
def lambda_handler(event: LambdaFunctionUrlEvent, context: LambdaContext) -> dict[str, Any]:
    """Entry point named in template.yaml (``app.lambda_handler``)."""
    method = event.request_context.http.method
    if method not in ("GET", "HEAD"):
        return {"statusCode": 405, "headers": {"Allow": "GET, HEAD", "Content-Type": HTML}, "body": ""}
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
