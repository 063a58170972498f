"""PdfFunction: published articles in, their PDFs (Vietnamese text, pictures, captions) beside their pages.

Only this function loads fpdf2 and the DejaVu fonts (its own layer,
``layers/pdf``). Thin on purpose.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import asdict
from functools import cache
from typing import Any

from aws_lambda_powertools import Logger, Metrics, Tracer
from aws_lambda_powertools.utilities.typing import LambdaContext
from newsroom.configuration.settings import PdfSettings
from newsroom.usecases.article_pdfs import PdfFields, PdfWorker
from newsroom.usecases.media_batch import handle_pdf_batch
from newsroom.wiring.assembly import build_pdfs
from newsroom_pdf.article_pdf import PdfArticle, article_pdf

logger = Logger()
metrics = Metrics()
tracer = Tracer()


def render(fields: PdfFields, pictures: Mapping[str, bytes]) -> bytes:
    """The core's fields, printed by the PDF layer."""
    return article_pdf(PdfArticle(**asdict(fields)), pictures)


@cache
def worker() -> PdfWorker:
    """One worker (and its clients) per container."""
    return build_pdfs(PdfSettings.from_environment(), render)


@logger.inject_lambda_context
@tracer.capture_lambda_handler
@metrics.log_metrics
def lambda_handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    """Entry point named in template.yaml (``app.lambda_handler``)."""
    return handle_pdf_batch(event, worker(), metrics)
