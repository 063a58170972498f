"""Article PDFs on fakes, with the real PDF layer (fpdf2): made after the page, beside it, reproducible.

The issue's demonstration: the PDF of an article with Vietnamese text and a
picture, rendered to PNG with ``pdftoppm`` (its text read back with
``pdftotext``), and the same bytes after a rebuild.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import unicodedata
from collections.abc import Mapping
from dataclasses import asdict
from pathlib import Path

import pytest
from newsroom.usecases.article_pdfs import PdfFields, PdfWorker
from newsroom.usecases.pictures import PictureWorker
from newsroom.usecases.site_render import ContextLoader
from newsroom_pdf.article_pdf import PdfArticle, article_pdf

from tests.support.fake_site import FakeSite
from tests.support.fakes import FakeWorkQueue
from tests.support.photos import phone_photo
from tests.usecases.pages import md
from tests.usecases.test_picture_worker import worker  # noqa: F401 (the fixture)

KEY = "articles/tin-tuc/nghiem-thu-de-tai.md"
BODY = (
    "Sáng nay, Hội đồng khoa học tỉnh đã **nghiệm thu** đề tài ứng dụng công nghệ sinh học.\n\n"
    '![Hội đồng nghiệm thu](/media/anh/nghiem-thu.jpg "Toàn cảnh buổi nghiệm thu")\n\n'
    "| Hạng mục | Kết quả |\n|---|---|\n| Giống lúa mới | Đạt |\n"
)


def render(fields: PdfFields, pictures: Mapping[str, bytes]) -> bytes:
    return article_pdf(PdfArticle(**asdict(fields)), pictures)


@pytest.fixture
def pdfs(site: FakeSite) -> PdfWorker:
    return PdfWorker(site.index, site.site, ContextLoader(site.index, site.settings), render)


def test_a_published_article_gets_its_pdf_beside_its_page_and_a_rebuild_keeps_its_bytes(
    site: FakeSite,
    pdfs: PdfWorker,
    worker: PictureWorker,  # noqa: F811
    tmp_path: Path,
) -> None:
    queue = FakeWorkQueue()
    site.publisher.pdfs = queue
    site.source.upload("media/anh/nghiem-thu.jpg", phone_photo(1600, 1200, orientation=1))
    worker.handle("media/anh/nghiem-thu.jpg", "m#0")
    site.upload_and_publish(KEY, md("Nghiệm thu đề tài khoa học cấp tỉnh", body=BODY))
    assert [json.loads(b) for b in queue.bodies] == [{"newsroom": "pdf", "key": KEY}]  # after the page
    page = site.site.body("tin-tuc/nghiem-thu-de-tai.html")
    assert (
        '<a class="tool tool-pdf" href="/tin-tuc/nghiem-thu-de-tai.pdf" type="application/pdf">PDF</a>'
        in page
    )

    assert pdfs.handle(KEY) == "tin-tuc/nghiem-thu-de-tai.pdf"
    stored = site.site.objects["tin-tuc/nghiem-thu-de-tai.pdf"]
    assert stored.body.startswith(b"%PDF-") and stored.content_type == "application/pdf"
    assert pdfs.handle(KEY) is None  # the same bytes: nothing written
    site.fanout.request("rebuild-pdf", media=True)
    site.drain_render_queue()
    assert pdfs.handle(KEY) is None
    assert site.site.objects["tin-tuc/nghiem-thu-de-tai.pdf"].body == stored.body

    if shutil.which("pdftoppm") is None or shutil.which("pdftotext") is None:
        pytest.skip("poppler-utils (pdftoppm, pdftotext) is not installed")
    pdf = tmp_path / "bai.pdf"
    pdf.write_bytes(stored.body)
    subprocess.run(
        ["pdftoppm", "-png", "-r", "60", "-f", "1", "-l", "1", pdf, tmp_path / "trang"], check=True
    )
    assert (tmp_path / "trang-1.png").stat().st_size > 10_000
    text = unicodedata.normalize(
        "NFC", subprocess.run(["pdftotext", pdf, "-"], capture_output=True, text=True, check=True).stdout
    )
    assert "Nghiệm thu đề tài khoa học cấp tỉnh" in text and "Toàn cảnh buổi nghiệm thu" in text
    assert "Giống lúa mới" in text
    images = subprocess.run(["pdfimages", "-list", pdf], capture_output=True, text=True, check=True).stdout
    assert len(images.strip().splitlines()) - 2 == 1  # the picture, embedded


def test_an_unpublished_article_loses_its_pdf_with_its_page(site: FakeSite, pdfs: PdfWorker) -> None:
    site.upload_and_publish(KEY, md("Nghiệm thu đề tài", body="Nội dung."))
    pdfs.handle(KEY)
    assert "tin-tuc/nghiem-thu-de-tai.pdf" in site.site.objects
    batch = site.upload_and_publish(KEY, md("Nghiệm thu đề tài", body="Nội dung.", status="draft"))
    assert "tin-tuc/nghiem-thu-de-tai.pdf" in batch.report.removed
    assert "tin-tuc/nghiem-thu-de-tai.pdf" not in site.site.objects
    assert pdfs.handle(KEY) is None  # a draft gets no PDF
