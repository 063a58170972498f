"""PdfFunction: published articles in, their PDFs (Vietnamese text, pictures, captions) beside their pages.

Only this function loads fpdf2 and the DejaVu fonts (its own layer,
``layers/pdf``). Thin on purpose: the core, fpdf2 and the Tracer are loaded
on the first invocation, not at start-up (docs/cold-start.md).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import asdict
from functools import cache
from typing import TYPE_CHECKING, Any

from aws_lambda_powertools import Logger, Metrics, Tracer
from aws_lambda_powertools.utilities.typing import LambdaContext
from newsroom.configuration.settings import PdfSettings, tracing_enabled

if TYPE_CHECKING:
    from newsroom.usecases.article_pdfs import PdfFields, PdfWorker

logger = Logger()
metrics = Metrics()
Handler = Callable[[dict[str, Any], LambdaContext], dict[str, Any]]


def render(fields: PdfFields, pictures: Mapping[str, bytes]) -> bytes:
    """The core's fields, printed by the PDF layer."""
    from newsroom_pdf.article_pdf import PdfArticle, article_pdf  # noqa: PLC0415 (fpdf2 loads on first use)

    return article_pdf(PdfArticle(**asdict(fields)), pictures)


@cache
def worker() -> PdfWorker:
    """One worker (and its clients) per container."""
    from newsroom.wiring.assembly import build_pdfs  # noqa: PLC0415 (the core loads on first use)

    return build_pdfs(PdfSettings.from_environment(), render)


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
    """One batch of articles to print."""
    from newsroom.usecases.media_batch import handle_pdf_batch  # noqa: PLC0415 (the core loads on first use)

    return handle_pdf_batch(event, worker(), metrics)
