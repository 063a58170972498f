"""The printable PDF of one article: A4, DejaVu Serif embedded, the same bytes for the same article.

Readers press "PDF" on an article page; what answers may store, cache and
compare the file, so the bytes depend on the article alone: the creation
date is the publication time, the document ID is a hash of what is printed,
and nothing reads a clock. The renderer is pure:
pictures come in as bytes, fetched by the caller from the site's bucket, and
fpdf2 is told to load nothing by itself (``ResourceAccessPolicy.NONE``), so
a ``src`` in the body can never make it open a file or a URL.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from dataclasses import asdict, dataclass
from datetime import datetime
from pathlib import Path
from urllib.parse import urlsplit

from fpdf import FPDF, FPDF_VERSION
from fpdf.enums import ResourceAccessPolicy
from fpdf.prefs import ViewerPreferences

from newsroom_pdf.blocks import Block, Figure, Run, Table, clean_text
from newsroom_pdf.html_blocks import parse_body
from newsroom_pdf.layout import FAMILY, MM_PER_PT, NOTE_COLOR, RULE_COLOR, Layout, write_text
from newsroom_pdf.tables import draw_table

# DejaVu Serif 2.37 as Debian ships it (fonts-dejavu-core 2.37-6): no maintained PyPI package carries
# the four styles without a typesetter around them. Licence: fonts/LICENSE (Bitstream Vera; DejaVu
# changes in the public domain). fpdf2 embeds only the glyphs a document uses.
FONTS = Path(__file__).resolve().parent / "fonts"
FONT_FILES = {
    "": "DejaVuSerif.ttf",
    "B": "DejaVuSerif-Bold.ttf",
    "I": "DejaVuSerif-Italic.ttf",
    "BI": "DejaVuSerif-BoldItalic.ttf",
}
RENDERER = "newsroom_pdf 1"  # part of the document ID: change it when the layout changes
PRODUCER = f"Newsroom ({RENDERER}, fpdf2 {FPDF_VERSION})"
SIDE_MARGIN_MM = 20.0
TOP_MARGIN_MM = 18.0
BOTTOM_MARGIN_MM = 20.0
TITLE_PT = 20.0


@dataclass(frozen=True)
class PdfArticle:
    title: str
    site_name: str
    url: str
    author: str
    published_at: datetime
    date_line: str
    summary: str
    body_html: str


def picture_sources(body_html: str) -> tuple[str, ...]:
    """The ``<img src>`` values in reading order, once each: what the caller fetches before rendering.

    Raises ``ValueError`` for a body past the limits, before anything is fetched.
    """
    return _sources(parse_body(body_html))


def article_pdf(article: PdfArticle, pictures: Mapping[str, bytes]) -> bytes:
    """The article as PDF bytes; a src missing from ``pictures`` or not decodable prints its caption only.

    Raises ``ValueError`` for a body past the limits (see ``html_blocks``) or a
    naive ``published_at``, whose meaning would depend on the machine's zone.
    """
    offset = article.published_at.utcoffset()
    if offset is None:
        raise ValueError("published_at must be timezone-aware: it is the PDF's creation date")
    blocks = parse_body(article.body_html, article.url)
    document = _ArticleDocument(article, _document_id(article, blocks, pictures))
    _front_matter(document, article)
    layout = Layout(document, pictures)
    for block in blocks:
        if isinstance(block, Table):
            draw_table(document, block)
        else:
            layout.draw(block)
    return bytes(document.output())


def _sources(blocks: tuple[Block, ...]) -> tuple[str, ...]:
    return tuple(dict.fromkeys(block.src for block in blocks if isinstance(block, Figure) and block.src))


def _document_id(article: PdfArticle, blocks: tuple[Block, ...], pictures: Mapping[str, bytes]) -> str:
    """``<hex><hex>`` from what is printed: the same article gives the same ID, another article another."""
    digest = hashlib.sha256()
    fields = asdict(article) | {"published_at": article.published_at.isoformat()}
    digest.update(json.dumps([RENDERER, FPDF_VERSION, fields], sort_keys=True).encode())
    for src in _sources(blocks):
        data = pictures.get(src)
        picture = hashlib.sha256(data).hexdigest() if data else "-"
        digest.update(json.dumps([src, picture]).encode())
    half = digest.hexdigest()[:32].upper()
    return f"<{half}><{half}>"


class _ArticleDocument(FPDF):
    """An A4 page set with the article's metadata, fonts from the package, and "Trang n/N" footers."""

    def __init__(self, article: PdfArticle, document_id: str) -> None:
        super().__init__(orientation="portrait", unit="mm", format="A4")
        self.resource_access_policy = ResourceAccessPolicy.NONE
        self._document_id = document_id
        self._site = clean_text(article.site_name).strip()
        for style, name in FONT_FILES.items():
            self.add_font(FAMILY, style, FONTS / name)
        self.set_margins(SIDE_MARGIN_MM, TOP_MARGIN_MM, SIDE_MARGIN_MM)
        self.set_auto_page_break(auto=True, margin=BOTTOM_MARGIN_MM)
        self.set_creation_date(article.published_at)
        self.set_producer(PRODUCER)
        self.set_creator(self._site)
        self.set_lang("vi")
        self.set_title(clean_text(article.title).strip())
        if article.author.strip():
            self.set_author(clean_text(article.author).strip())
        if article.summary.strip():
            self.set_subject(clean_text(article.summary).strip())
        self.viewer_preferences = ViewerPreferences(display_doc_title=True)
        self.alias_nb_pages()

    def file_id(self) -> str:
        return self._document_id

    def header(self) -> None:
        if self.page_no() == 1:
            return
        self.set_y(9.0)
        self.set_font(FAMILY, "", 8.0)
        self.set_text_color(*NOTE_COLOR)
        self.cell(0, 5.0, self._site, align="L")
        self.set_draw_color(*RULE_COLOR)
        self.set_line_width(0.2)
        self.line(self.l_margin, 14.5, self.w - self.r_margin, 14.5)
        self.set_y(TOP_MARGIN_MM)

    def footer(self) -> None:
        self.set_y(-13.0)
        self.set_font(FAMILY, "", 8.5)
        self.set_text_color(*NOTE_COLOR)
        self.cell(0, 5.0, f"Trang {self.page_no()}/{self.str_alias_nb_pages}", align="C")


def _front_matter(pdf: _ArticleDocument, article: PdfArticle) -> None:
    """Site, title, address, date and author, then the lead: what a reader of the printout needs first."""
    pdf.add_page()
    pdf.set_y(TOP_MARGIN_MM - 4.0)
    site = clean_text(article.site_name).strip()
    if site:
        write_text(pdf, [Run(site)], size=10.0, style="B", align="L", color=NOTE_COLOR, bottom=1.0)
    title = clean_text(article.title).strip()
    pdf.start_section(title.replace("\n", " ")[:200] or "-", 0, strict=False)
    write_text(pdf, [Run(title)], size=TITLE_PT, style="B", align="L", bottom=1.0)
    url = article.url.strip()
    if url:
        link = url if urlsplit(url).scheme in ("http", "https") else ""
        write_text(pdf, [Run(clean_text(url), link=link)], size=9.0, align="L", bottom=0.5)
    byline = " · ".join(
        part for part in (clean_text(article.date_line).strip(), clean_text(article.author).strip()) if part
    )
    if byline:
        write_text(pdf, [Run(byline, italic=True)], size=9.5, align="L", color=NOTE_COLOR, bottom=1.0)
    pdf.set_draw_color(*RULE_COLOR)
    pdf.set_line_width(0.3)
    pdf.line(pdf.l_margin, pdf.y + 1.5, pdf.w - pdf.r_margin, pdf.y + 1.5)
    pdf.set_y(pdf.y + 4.5)
    summary = clean_text(article.summary).strip()
    if summary:
        write_text(pdf, [Run(summary)], size=11.5, style="B", bottom=11.5 * MM_PER_PT * 0.8)
