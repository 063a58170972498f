"""The PDF function's use case: a published article in, its PDF beside its page out.

The publish path asks for one PDF per article it published (a message on
the PDF queue, after the page is live); this reads the article as the index
holds it now, fetches its pictures from the site (a 960-pixel variant when
the picture function made one: the PDF is for paper, not for a zoom), and
writes ``/<category>/<slug>.pdf`` only when its bytes changed (cached five
minutes, so no invalidation is needed). The renderer
(fpdf2, in a layer of its own) is handed in: the core never loads it, and
its output is a function of the article alone, so a rebuild reproduces it.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime

from newsroom.domain.pictures import pictures_in
from newsroom.domain.records import PUBLISHED
from newsroom.domain.site_paths import pdf_key
from newsroom.usecases.ports import ContentIndex, SiteFiles
from newsroom.usecases.site_render import ContextLoader
from newsroom.web.dates import format_article_date
from newsroom.web.outputs import Output

PDF_MESSAGE = "pdf"
"""The ``newsroom`` field of a message on the PDF queue."""
PDF_CACHE = "public, max-age=300, s-maxage=300"
"""Five minutes everywhere: an edited article's PDF reaches readers that soon without an invalidation
(PDFs are asked for rarely, so the CDN going back to the bucket costs next to nothing)."""
MAX_PICTURE_BYTES = 8 * 1024 * 1024
PRINT_WIDTH = 960


@dataclass(frozen=True)
class PdfFields:
    """What the renderer prints (``newsroom_pdf.article_pdf.PdfArticle`` has the same fields)."""

    title: str
    site_name: str
    url: str
    author: str
    published_at: datetime
    date_line: str
    summary: str
    body_html: str


type PdfMaker = Callable[[PdfFields, Mapping[str, bytes]], bytes]
"""Render the article with its pictures (``<img src>`` → bytes) to PDF bytes."""


def pdf_message(source_key: str) -> dict[str, str]:
    """The PDF queue's message for one article."""
    return {"newsroom": PDF_MESSAGE, "key": source_key}


@dataclass(eq=False)
class PdfWorker:
    """Built once per container."""

    index: ContentIndex
    site: SiteFiles
    context: ContextLoader
    make: PdfMaker

    def handle(self, source_key: str) -> str | None:
        """Write the PDF of ``source_key``'s article if it is published; returns its key when it changed."""
        record = self.index.articles.get(source_key)
        if record is None or record.state != PUBLISHED or record.article is None:
            return None  # gone or not live: the publish path removed its PDF with its page
        article = record.article
        ctx = self.context()
        fields = PdfFields(
            title=article.title,
            site_name=ctx.config.name,
            url=ctx.absolute(article.url),
            author=article.author,
            published_at=article.published_at,
            date_line=format_article_date(article.published_at, ctx.locale, ctx.timezone),
            summary=article.summary,
            body_html=article.body_html,
        )
        output = Output(
            pdf_key(article.url),
            self.make(fields, self._pictures(article.body_html)),
            "application/pdf",
            PDF_CACHE,
        )
        if not self.site.differs(output):
            return None
        self.site.put(output)
        return output.key

    def _pictures(self, body_html: str) -> dict[str, bytes]:
        """The body's media pictures, by the ``src`` the body names them with."""
        keys = pictures_in(body_html)
        known = self.index.pictures.get_many(keys)
        found: dict[str, bytes] = {}
        for key in keys:
            info = known.get(key)
            if info is not None:
                width = max((w for w in info.widths if w <= PRINT_WIDTH), default=info.widths[0])
                stored = info.variant_key(width, info.fallback)
            else:
                stored = key
            data = self.site.read(stored, MAX_PICTURE_BYTES)
            if data is not None:
                found["/" + key] = data
        return found


__all__ = ["PDF_MESSAGE", "PdfFields", "PdfMaker", "PdfWorker", "pdf_message"]
