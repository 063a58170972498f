"""HitsFunction: the CDN's access log files in, view counters out.

CloudFront delivers its standard logs to the logs bucket; each new file
reaches this function through the hits queue (never the publish queue), and
``newsroom.usecases.count_views`` counts it once. Thin on purpose: the core
and the Tracer are loaded on the first invocation, not at start-up
(docs/cold-start.md).
"""

from __future__ import annotations

from collections.abc import Callable
from functools import cache
from typing import TYPE_CHECKING, Any

from aws_lambda_powertools import Logger, Metrics, Tracer
from aws_lambda_powertools.utilities.typing import LambdaContext
from newsroom.configuration.settings import HitsSettings, tracing_enabled

if TYPE_CHECKING:
    from newsroom.wiring.assembly import HitsWorker

logger = Logger()
metrics = Metrics()
Handler = Callable[[dict[str, Any], LambdaContext], dict[str, Any]]


@cache
def hits() -> HitsWorker:
    """One counter (and its clients) per container."""
    from newsroom.wiring.assembly import build_hits  # noqa: PLC0415 (the core loads on first use)

    return build_hits(HitsSettings.from_environment())


@cache
def traced() -> Handler:
    """``handle`` under Powertools' Tracer where tracing is on: made once, on the first invocation."""
    return Tracer().capture_lambda_handler(handle) if tracing_enabled() else handle


@logger.inject_lambda_context
def lambda_handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    """Entry point named in template.yaml (``app.lambda_handler``)."""
    return traced()(event, context)


@metrics.log_metrics
def handle(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    """One batch of log files, counted."""
    from newsroom.usecases.hits_batch import handle_hits_batch  # noqa: PLC0415 (the core loads on first use)

    worker = hits()
    return handle_hits_batch(event, worker.counter, worker.failures, metrics, worker.figures)
