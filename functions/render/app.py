"""RenderFunction: the render queue's plans and chunks in, pages out.

A configuration change or an ops rebuild re-renders the whole site; this
function does it in bounded chunks so that no invocation runs long (see
``newsroom.usecases.fanout``). Thin on purpose, like the publish handler.
"""

from __future__ import annotations

from functools import cache
from typing import Any

from aws_lambda_powertools import Logger, Metrics, Tracer
from aws_lambda_powertools.utilities.typing import LambdaContext
from newsroom.configuration.settings import Settings
from newsroom.usecases.batch import handle_render_batch
from newsroom.usecases.fanout import Fanout
from newsroom.wiring.assembly import build_fanout

logger = Logger()
metrics = Metrics()
tracer = Tracer()


@cache
def fanout() -> Fanout:
    """One fan-out worker per container."""
    return build_fanout(Settings.from_environment())


@logger.inject_lambda_context
@tracer.capture_lambda_handler
@metrics.log_metrics
def lambda_handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    """Entry point named in template.yaml (``app.lambda_handler``)."""
    return handle_render_batch(event, fanout(), metrics)
