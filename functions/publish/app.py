"""PublishFunction: SQS batches of S3 events in, pages out.

Thin on purpose: the work is in the ``newsroom`` layer. The publisher is
built on the first invocation (not at import) and reused by the container.
"""

from __future__ import annotations

from functools import cache
from typing import Any

from aws_lambda_powertools import Logger, Metrics, Tracer
from aws_lambda_powertools.utilities.typing import LambdaContext
from newsroom.configuration.settings import Settings
from newsroom.usecases.batch import handle_batch
from newsroom.usecases.publish import Publisher
from newsroom.wiring.assembly import build_publisher

logger = Logger()
metrics = Metrics()
tracer = Tracer()


@cache
def publisher() -> Publisher:
    """One publisher per container."""
    return build_publisher(Settings.from_environment())


@logger.inject_lambda_context
@tracer.capture_lambda_handler
@metrics.log_metrics
def lambda_handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    """Entry point named in template.yaml (``app.lambda_handler``)."""
    return handle_batch(event, publisher(), metrics, context.get_remaining_time_in_millis)
