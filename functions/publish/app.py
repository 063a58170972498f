"""PublishFunction: SQS batches of S3 events in, pages out.

Thin on purpose: the work is in the ``newsroom`` layer. Start-up imports
Powertools' Logger and Metrics and nothing of the core: the core, boto3 and
the publisher are loaded and built on the first invocation and reused by the
container, and so is the Tracer, only where tracing is on (it imports the
X-Ray SDK). ``tests/template/test_import_budget.py`` holds the import budget;
docs/cold-start.md has the figures.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import cache
from typing import TYPE_CHECKING, Any

from aws_lambda_powertools import Logger, Metrics, Tracer
from aws_lambda_powertools.utilities.typing import LambdaContext
from newsroom.configuration.settings import Settings, tracing_enabled

if TYPE_CHECKING:
    from newsroom.usecases.publish import Publisher

logger = Logger()
metrics = Metrics()
Handler = Callable[[dict[str, Any], LambdaContext], dict[str, Any]]


@cache
def publisher() -> Publisher:
    """One publisher per container."""
    from newsroom.wiring.assembly import build_publisher  # noqa: PLC0415 (the core loads on first use)

    return build_publisher(Settings.from_environment())


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
    """One batch: its pages published, its failures reported."""
    from newsroom.usecases.batch import handle_batch  # noqa: PLC0415 (the core loads on first use)

    return handle_batch(event, publisher(), metrics, context.get_remaining_time_in_millis)
