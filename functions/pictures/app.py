"""PicturesFunction: media uploads in, web variants out; the articles that show them sent back.

Only this function loads Pillow (its own layer, ``layers/pictures``): the
publish function never decodes a picture. Thin on purpose: the core, Pillow
and the Tracer are loaded on the first invocation, not at start-up
(docs/cold-start.md).
"""

from __future__ import annotations

from collections.abc import Callable
from functools import cache
from typing import TYPE_CHECKING, Any

from aws_lambda_powertools import Logger, Metrics, Tracer
from aws_lambda_powertools.utilities.typing import LambdaContext
from newsroom.configuration.settings import PictureSettings, tracing_enabled

if TYPE_CHECKING:
    from newsroom.usecases.pictures import PictureWorker

logger = Logger()
metrics = Metrics()
Handler = Callable[[dict[str, Any], LambdaContext], dict[str, Any]]


@cache
def worker() -> PictureWorker:
    """One worker (and its clients) per container."""
    from newsroom.wiring.assembly import build_pictures  # noqa: PLC0415 (the core loads on first use)
    from newsroom_pictures.variants import prepare_picture  # noqa: PLC0415 (Pillow too)

    return build_pictures(
        PictureSettings.from_environment(), lambda data, name: prepare_picture(data, name=name)
    )


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
    """One batch of media uploads."""
    from newsroom.usecases.media_batch import handle_media_batch  # noqa: PLC0415 (the core loads on first use)

    return handle_media_batch(event, worker(), metrics)
