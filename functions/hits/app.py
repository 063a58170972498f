"""HitsFunction: the CDN's access log files in, view counters out.

CloudFront delivers its standard logs to the logs bucket; each new file
reaches this function through the hits queue (never the publish queue), and
``newsroom.usecases.count_views`` counts it once. Thin on purpose.
"""

from __future__ import annotations

from functools import cache
from typing import Any

from aws_lambda_powertools import Logger, Metrics, Tracer
from aws_lambda_powertools.utilities.typing import LambdaContext
from newsroom.configuration.settings import HitsSettings
from newsroom.usecases.hits_batch import handle_hits_batch
from newsroom.wiring.assembly import HitsWorker, build_hits

logger = Logger()
metrics = Metrics()
tracer = Tracer()


@cache
def hits() -> HitsWorker:
    """One counter (and its clients) per container."""
    return build_hits(HitsSettings.from_environment())


@logger.inject_lambda_context
@tracer.capture_lambda_handler
@metrics.log_metrics
def lambda_handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    """Entry point named in template.yaml (``app.lambda_handler``)."""
    worker = hits()
    return handle_hits_batch(event, worker.counter, worker.failures, metrics, worker.figures)
