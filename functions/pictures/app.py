"""PicturesFunction: media uploads in, web variants out; the articles that show them sent back.

Only this function loads Pillow (its own layer, ``layers/pictures``): the
publish function never decodes a picture. Thin on purpose.
"""

from __future__ import annotations

from functools import cache
from typing import Any

from aws_lambda_powertools import Logger, Metrics, Tracer
from aws_lambda_powertools.utilities.typing import LambdaContext
from newsroom.configuration.settings import PictureSettings
from newsroom.usecases.media_batch import handle_media_batch
from newsroom.usecases.pictures import PictureWorker
from newsroom.wiring.assembly import build_pictures
from newsroom_pictures.variants import prepare_picture

logger = Logger()
metrics = Metrics()
tracer = Tracer()


@cache
def worker() -> PictureWorker:
    """One worker (and its clients) per container."""
    return build_pictures(
        PictureSettings.from_environment(), lambda data, name: prepare_picture(data, name=name)
    )


@logger.inject_lambda_context
@tracer.capture_lambda_handler
@metrics.log_metrics
def lambda_handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    """Entry point named in template.yaml (``app.lambda_handler``)."""
    return handle_media_batch(event, worker(), metrics)
