"""RenderFunction: the render queue's plans and chunks in, pages out.

A configuration change or an ops rebuild re-renders the whole site; this
function does it in bounded chunks so that no invocation runs long (see
``newsroom.usecases.fanout``). Thin on purpose, like the publish handler: the
core and the Tracer are loaded on the first invocation, not at start-up
(docs/cold-start.md).
"""

from __future__ import annotations

from collections.abc import Callable
from functools import cache
from typing import TYPE_CHECKING, Any

from aws_lambda_powertools import Logger, Metrics, Tracer
from aws_lambda_powertools.utilities.typing import LambdaContext
from newsroom.configuration.settings import Settings, tracing_enabled

if TYPE_CHECKING:
    from newsroom.usecases.fanout import Fanout

logger = Logger()
metrics = Metrics()
Handler = Callable[[dict[str, Any], LambdaContext], dict[str, Any]]


@cache
def fanout() -> Fanout:
    """One fan-out worker per container."""
    from newsroom.wiring.assembly import build_fanout  # noqa: PLC0415 (the core loads on first use)

    return build_fanout(Settings.from_environment())


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
    """One plan or chunk of a re-render."""
    from newsroom.usecases.batch import handle_render_batch  # noqa: PLC0415 (the core loads on first use)

    return handle_render_batch(event, fanout(), metrics)
