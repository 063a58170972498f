"""The article PDF: Vietnamese text, pictures and tables as a reader sees them, the same bytes every time.

What a reader sees is checked with Debian's poppler-utils (pdftotext, pdftoppm, pdfimages, pdfinfo):
the text they extract and the pictures they list are what a PDF viewer shows.
"""

from __future__ import annotations

import builtins
import functools
import hashlib
import io
import os
import random
import re
import shutil
import socket
import subprocess
import sys
import unicodedata
import urllib.request
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import pytest
from fpdf.errors import FPDFResourceAccessError
from newsroom_pdf import article_pdf as module
from newsroom_pdf.article_pdf import PdfArticle, article_pdf, picture_sources
from PIL import Image, ImageDraw

from tests.support import photos

ROOT = Path(__file__).resolve().parents[2]
FONTS = Path(module.__file__).resolve().parent / "fonts"
POPPLER = ("pdftotext", "pdftoppm", "pdfimages", "pdfinfo")
HANOI = timezone(timedelta(hours=7))
PUBLISHED = datetime(2025, 12, 1, 7, 30, tzinfo=HANOI)
PHOTO_SRC = "/media/2025/12/hoi-thao.jpg"
CAPTION = "Các đại biểu tham dự hội thảo tại Trung tâm Hội nghị tỉnh"
TITLE = "Đổi mới sáng tạo, ứng dụng tiến bộ khoa học: Bình Phước tổng kết năm 2025"
BODY = f"""
<p>Sáng ngày 01/12, tại Trung tâm Hội nghị tỉnh, <strong>Sở Khoa học và Công nghệ</strong> tổ chức hội thảo
<em>“Đổi mới sáng tạo, ứng dụng tiến bộ khoa học”</em> với hơn 200 đại biểu. Xem
<a href="/thong-bao/hoi-thao">thông báo</a> hoặc <a href="https://binhphuoc.gov.vn/">binhphuoc.gov.vn</a>.</p>
<h2>Những kết quả nổi bật</h2>
<p>Năm 2025 tỉnh triển khai <b>42 nhiệm vụ</b>, trong đó <i>công nghệ cao trong nông nghiệp</i> được
nhân rộng &amp; đạt hiệu quả.</p>
<ul><li>Hỗ trợ 15 doanh nghiệp đổi mới công nghệ;</li><li>Cấp 120 văn bằng bảo hộ sở hữu trí tuệ.</li></ul>
<blockquote><p>Khoa học và công nghệ phải trở thành động lực chính cho tăng trưởng.</p></blockquote>
<figure class="table"><table>
<thead><tr><th>Lĩnh vực</th><th>Số nhiệm vụ</th><th>Kinh phí (triệu đồng)</th></tr></thead>
<tbody><tr><td>Nông nghiệp</td><td>18</td><td>12.500</td></tr><tr><td>Y tế</td><td>9</td><td>7.800</td></tr></tbody>
</table></figure>
<figure><picture><source srcset="/media/2025/12/hoi-thao.webp" type="image/webp">
<img src="{PHOTO_SRC}" alt="Hội thảo" width="900" height="500"></picture>
<figcaption>{CAPTION}</figcaption></figure>
<figure class="video" data-video="https://www.youtube-nocookie.com/embed/abc123">
<a href="https://www.youtube.com/watch?v=abc123">Phóng sự hội thảo</a></figure>
"""


def photo(width: int = 900, height: int = 500) -> bytes:
    """A JPEG made in memory: no fixture file, the same bytes on every run."""
    picture = Image.new("RGB", (width, height), (30, 110, 170))
    draw = ImageDraw.Draw(picture)
    draw.rectangle((width // 9, height // 5, width // 2, height * 4 // 5), fill=(240, 200, 40))
    draw.ellipse((width * 3 // 5, height // 4, width * 9 // 10, height * 3 // 4), fill=(200, 40, 40))
    buffer = io.BytesIO()
    picture.save(buffer, "JPEG", quality=85)
    return buffer.getvalue()


def article(body: str = BODY, **changes: Any) -> PdfArticle:
    fields: dict[str, Any] = {
        "title": TITLE,
        "site_name": "Sở Khoa học và Công nghệ tỉnh Bình Phước",
        "url": "https://skhcn.binhphuoc.gov.vn/tin-tuc/doi-moi-sang-tao-2025",
        "author": "Nguyễn Văn Ấn",
        "published_at": PUBLISHED,
        "date_line": "Thứ Hai, 01/12/2025 07:30",
        "summary": "Năm 2025, hoạt động khoa học và công nghệ của tỉnh đạt nhiều kết quả quan trọng.",
        "body_html": body,
    }
    return PdfArticle(**(fields | changes))


def render_article() -> bytes:
    """The test article with its photo; also run in fresh interpreters by the determinism test."""
    return article_pdf(article(), {PHOTO_SRC: photo()})


@functools.cache
def rendered() -> bytes:
    return render_article()


@pytest.fixture(scope="module")
def poppler() -> None:
    missing = [tool for tool in POPPLER if shutil.which(tool) is None]
    if missing:
        pytest.skip(
            f"{', '.join(missing)} not found: install Debian's poppler-utils (apt-get install poppler-utils)"
        )


def run(*command: str | Path) -> str:
    done = subprocess.run(
        [str(part) for part in command], capture_output=True, text=True, check=True, timeout=60
    )
    return done.stdout


def text_of(pdf: bytes, tmp_path: Path) -> str:
    """The text pdftotext extracts, NFC, so that a decomposed letter would not compare equal by accident."""
    path = tmp_path / "article.pdf"
    path.write_bytes(pdf)
    return unicodedata.normalize("NFC", run("pdftotext", "-enc", "UTF-8", path, "-"))


def flat(text: str) -> str:
    return " ".join(text.split())


def images_of(pdf: bytes, tmp_path: Path) -> list[dict[str, str]]:
    path = tmp_path / "pictures.pdf"
    path.write_bytes(pdf)
    lines = run("pdfimages", "-list", path).splitlines()
    names = lines[0].split()
    return [dict(zip(names, line.split(), strict=False)) for line in lines[2:]]


def test_the_pdf_reads_as_the_article(poppler: None, tmp_path: Path) -> None:
    pdf = rendered()
    assert pdf.startswith(b"%PDF-")
    text = text_of(pdf, tmp_path)
    lines = [line.strip() for line in text.splitlines()]
    assert TITLE in flat(text)
    assert CAPTION in flat(text)
    assert "Kinh phí (triệu đồng)" in lines and "Nông nghiệp" in lines and "7.800" in lines
    assert "Sở Khoa học và Công nghệ tỉnh Bình Phước" in lines
    assert "Thứ Hai, 01/12/2025 07:30 · Nguyễn Văn Ấn" in lines
    assert "thông báo (https://skhcn.binhphuoc.gov.vn/thong-bao/hoi-thao)" in flat(text), "relative link"
    assert "hoặc binhphuoc.gov.vn." in flat(text), "a link showing its address is not repeated"
    assert "nhân rộng & đạt hiệu quả" in flat(text)
    assert "• Hỗ trợ 15 doanh nghiệp đổi mới công nghệ;" in lines
    assert "Video: Phóng sự hội thảo — https://www.youtube.com/watch?v=abc123" in flat(text)
    assert "Trang 1/" in text and "{nb}" not in text
    assert "hoi-thao.webp" not in text


def test_decomposed_letters_print_as_vietnamese_letters(poppler: None, tmp_path: Path) -> None:
    decomposed = unicodedata.normalize("NFD", TITLE)
    assert decomposed != TITLE
    path = tmp_path / "nfd.pdf"
    path.write_bytes(article_pdf(article(f"<p>{decomposed}</p>", title=decomposed), {}))
    text = run("pdftotext", "-enc", "UTF-8", path, "-")  # not normalised here: the PDF has NFC's glyphs
    assert flat(text).count(TITLE) == 2


def test_links_are_clickable(tmp_path: Path) -> None:
    pdf = rendered()
    for url in (
        "https://skhcn.binhphuoc.gov.vn/thong-bao/hoi-thao",
        "https://www.youtube.com/watch?v=abc123",
    ):
        assert f"/URI ({url})".encode() in pdf


def test_page_one_renders(poppler: None, tmp_path: Path) -> None:
    path = tmp_path / "article.pdf"
    path.write_bytes(rendered())
    run("pdftoppm", "-r", "50", "-f", "1", "-l", "1", "-png", path, tmp_path / "page")
    with Image.open(tmp_path / "page-1.png") as page:
        assert abs(page.height / page.width - 297 / 210) < 0.01, "A4 portrait"
        dark = sum(page.convert("L").histogram()[:128])
        assert dark > page.width * page.height // 100, "page 1 has text on it"
    assert "Pages:           2" in run("pdfinfo", path)


def test_one_picture_is_embedded_at_most_at_150_dpi(poppler: None, tmp_path: Path) -> None:
    pdf = rendered()
    assert pdf.count(b"/Subtype /Image") == 1
    [image] = images_of(pdf, tmp_path)
    assert (image["width"], image["height"], image["enc"]) == ("900", "500", "jpeg"), "the JPEG as stored"
    assert 149 <= int(image["x-ppi"]) <= 151, "900 px at 150 dpi, not stretched to the text width"


def test_a_big_photo_is_scaled_down_and_a_turned_one_printed_upright(poppler: None, tmp_path: Path) -> None:
    body = '<figure><img src="big.jpg"></figure><p>Ảnh dọc:</p><img src="phone.jpg" alt="Điện thoại">'
    pictures = {"big.jpg": photo(3000, 1500), "phone.jpg": photos.phone_photo(600, 400, orientation=6)}
    big, phone = images_of(article_pdf(article(body), pictures), tmp_path)
    assert int(big["width"]) <= 1010 and 149 <= int(big["x-ppi"]) <= 151, big
    assert (phone["width"], phone["height"]) == ("400", "600"), "EXIF orientation 6 is applied"


def test_same_bytes_on_every_call() -> None:
    first = rendered()
    assert render_article() == first
    extra = {PHOTO_SRC: photo(), "/media/unused.jpg": b"never printed"}
    assert article_pdf(article(), extra) == first, "pictures the body does not use change nothing"
    other = article_pdf(article(title="Một tiêu đề khác"), {PHOTO_SRC: photo()})
    assert other != first
    document_id = re.compile(rb"/ID \[<([0-9A-F]{32})><\1>\]")
    first_id, other_id = (document_id.search(pdf) for pdf in (first, other))
    assert first_id and other_id and first_id.group(1) != other_id.group(1)


def test_same_bytes_in_other_processes() -> None:
    script = (
        "import hashlib, sys\n"
        "from tests.unit.test_article_pdf import render_article\n"
        "sys.stdout.write(hashlib.sha256(render_article()).hexdigest())\n"
    )
    path = os.pathsep.join([str(ROOT / "layers" / "pdf"), str(ROOT)])
    env = {**os.environ, "PYTHONPATH": path, "PYTHONHASHSEED": "random"}
    workers = [
        subprocess.Popen([sys.executable, "-c", script], cwd=ROOT, env=env, stdout=subprocess.PIPE, text=True)
        for _ in range(2)
    ]
    digests = {worker.communicate(timeout=60)[0] for worker in workers}
    assert all(worker.returncode == 0 for worker in workers)
    assert digests == {hashlib.sha256(rendered()).hexdigest()}


def test_metadata(poppler: None, tmp_path: Path) -> None:
    path = tmp_path / "article.pdf"
    path.write_bytes(rendered())
    info = dict(line.split(":", 1) for line in run("pdfinfo", "-isodates", path).splitlines() if ":" in line)
    info = {key: value.strip() for key, value in info.items()}
    assert datetime.fromisoformat(info["CreationDate"]) == PUBLISHED
    assert info["Title"] == TITLE
    assert info["Author"] == "Nguyễn Văn Ấn"
    assert info["Subject"] == article().summary
    assert info["Creator"] == "Sở Khoa học và Công nghệ tỉnh Bình Phước"
    assert info["Producer"] == module.PRODUCER
    assert b"/CreationDate (D:20251201073000+07'00')" in rendered()
    assert b"/Lang (vi)" in rendered()
    later = article_pdf(article(published_at=datetime(2025, 12, 2, 1, 0, tzinfo=UTC)), {PHOTO_SRC: photo()})
    assert b"/CreationDate (D:20251202010000Z" in later or b"/CreationDate (D:20251202010000+00'00')" in later


def test_a_naive_publication_time_is_refused() -> None:
    with pytest.raises(ValueError, match="timezone-aware"):
        article_pdf(article(published_at=datetime(2025, 12, 1, 7, 30)), {})


UNKNOWN = (
    '<figure><img src="http://169.254.169.254/latest/meta-data/" alt="Ảnh từ mạng"></figure>'
    '<figure><img src="/etc/passwd"><figcaption>Ảnh trên đĩa</figcaption></figure>'
    '<p><img src="file:///etc/hostname" alt="Tệp"> và <img src="../../fonts/DejaVuSerif.ttf" alt="Phông"></p>'
)


@pytest.fixture
def no_io(monkeypatch: pytest.MonkeyPatch) -> tuple[list[str], list[str]]:
    """Every file opened and every connection tried is recorded (only the fonts may be opened).

    Recorded rather than only refused: an exception could be swallowed on the way, a record cannot.
    """
    opened: list[str] = []
    connections: list[str] = []
    real_open = builtins.open

    def recording_open(file: Any, *args: Any, **kwargs: Any) -> Any:
        opened.append(str(file))
        return real_open(file, *args, **kwargs)

    def refuse(*args: Any, **kwargs: Any) -> Any:
        connections.append(repr(args))
        raise OSError("network access in a test")

    article_pdf(article(UNKNOWN), {})  # imports what fpdf2 imports lazily, before watching
    monkeypatch.setattr(builtins, "open", recording_open)
    monkeypatch.setattr(io, "open", recording_open)
    for name in ("getaddrinfo", "create_connection"):
        monkeypatch.setattr(socket, name, refuse)
    monkeypatch.setattr(socket.socket, "connect", refuse)
    monkeypatch.setattr(urllib.request, "urlopen", refuse)
    monkeypatch.setattr(urllib.request.OpenerDirector, "open", refuse)
    return opened, connections


def test_unknown_sources_open_no_file_and_no_connection(no_io: tuple[list[str], list[str]]) -> None:
    opened, connections = no_io
    pdf = article_pdf(article(UNKNOWN), {"/media/other.jpg": photo()})
    assert pdf.startswith(b"%PDF-")
    assert b"/Subtype /Image" not in pdf
    assert connections == []
    assert opened, "the fonts were read"
    assert all(Path(name).resolve().parent == FONTS for name in opened), opened


def test_fpdf_itself_is_forbidden_files_and_urls() -> None:
    document = module._ArticleDocument(article(), "<00><00>")
    document.add_page()
    for name in ("/etc/passwd", "http://127.0.0.1/x.png", "https://example.com/x.png", Path("/etc/passwd")):
        with pytest.raises(FPDFResourceAccessError):
            document.image(name)


def test_a_missing_or_broken_picture_keeps_its_caption(poppler: None, tmp_path: Path) -> None:
    body = (
        '<figure><img src="broken.jpg" alt="Ảnh hỏng"><figcaption>Lễ ký kết hợp tác</figcaption></figure>'
        '<figure><img src="truncated.jpg"><figcaption>Ảnh bị cắt dở</figcaption></figure>'
        '<p>Đoạn văn <img src="absent.png" alt="Sơ đồ quy trình"> tiếp tục.</p>'
    )
    pictures = {"broken.jpg": b"\xff\xd8\xff\xe0 not a jpeg", "truncated.jpg": photo()[:600]}
    pdf = article_pdf(article(body), pictures)
    assert b"/Subtype /Image" not in pdf
    text = flat(text_of(pdf, tmp_path))
    assert "Lễ ký kết hợp tác" in text and "Ảnh bị cắt dở" in text
    assert "Đoạn văn Sơ đồ quy trình tiếp tục." in text


def test_a_long_table_is_a_grid_with_its_headings_on_every_page(poppler: None, tmp_path: Path) -> None:
    place = "huyện Đồng Phú có tên khá dài để xuống dòng"  # widths whose sum rounds past the page width
    rows = "".join(f"<tr><td>{n}</td><td>Xã {n} {place}</td><td>{n * 1250:,}</td></tr>" for n in range(1, 45))
    body = f"<table><thead><tr><th>STT</th><th>Đơn vị</th><th>Kinh phí</th></tr></thead>{rows}</table>"
    text = text_of(article_pdf(article(body), {}), tmp_path)
    assert f"Xã 44 {place}" in text and "55,000" in text
    assert "STT:" not in text and "Đơn vị:" not in text, "a grid, not 'heading: value' lines"
    assert [line.strip() for line in text.splitlines()].count("Đơn vị") >= 2, "headings repeated on page 2"


def test_a_table_too_wide_for_the_page_is_printed_row_by_row(poppler: None, tmp_path: Path) -> None:
    head = "".join(f"<th>Cột {n}</th>" for n in range(1, 9))
    cells = "".join(f"<td>Ô {n}</td>" for n in range(1, 9))
    body = f"<table><tr>{head}</tr><tr>{cells}</tr></table><p>Hết bảng.</p>"
    text = flat(text_of(article_pdf(article(body), {}), tmp_path))
    assert "– Cột 1: Ô 1; Cột 2: Ô 2;" in text and "Cột 8: Ô 8 Hết bảng." in text


def test_picture_sources_in_order_once_each() -> None:
    body = (
        '<p><img src="a.jpg"></p><picture><source srcset="b.webp"><img src="b.jpg"></picture>'
        '<table><tr><td><img src="c.png"></td></tr></table><img src="a.jpg"><img src=""><img alt="x">'
        '<figure class="video" data-video="https://www.youtube-nocookie.com/embed/x"><a href="v">V</a></figure>'
    )
    assert picture_sources(body) == ("a.jpg", "b.jpg", "c.png")
    assert picture_sources(BODY) == (PHOTO_SRC,)


def test_limits_are_refused_with_a_reason() -> None:
    assert len(picture_sources("<p>x</p>" * 2_000)) == 0
    with pytest.raises(ValueError, match="more than 2,000 block elements"):
        picture_sources("<p>x</p>" * 2_001)
    with pytest.raises(ValueError, match="more than 2,000 block elements"):
        article_pdf(article("<ul>" + "<li>x</li>" * 2_001 + "</ul>"), {})
    assert len(picture_sources("".join(f'<img src="{n}.jpg">' for n in range(60)))) == 60
    with pytest.raises(ValueError, match="more than 60 pictures"):
        article_pdf(article("".join(f'<img src="{n}.jpg">' for n in range(61))), {})
    with pytest.raises(ValueError, match="characters"):
        picture_sources("<p>" + "chữ " * 200_000 + "</p>")


TAGS: tuple[str, ...] = ("p", "h2", "h6", "strong", "em", "u", "s", "sub", "sup", "a", "ul", "ol", "li")
TAGS += ("blockquote", "pre", "figure", "figcaption", "table", "thead", "tr", "th", "td", "span", "code")
WORDS: tuple[str, ...] = ("Đổi", "mới", "sáng", "tạo", "ứng", "dụng", "&amp;", "😀", "\n")
WORDS += ("https://skhcn.binhphuoc.gov.vn/mot-duong-dan-rat-dai-khong-co-cho-ngat",)


def tag_soup(rng: random.Random, depth: int = 0) -> str:
    """Editor-like HTML with unclosed and misnested tags, odd spans and pictures that are not there."""
    parts = []
    for _ in range(rng.randint(1, 4)):
        roll = rng.random()
        if roll < 0.35 or depth > 3:
            parts.append(" ".join(rng.choice(WORDS) for _ in range(rng.randint(0, 12))))
        elif roll < 0.45:
            parts.append(rng.choice(('<img src="a.png" alt="Ảnh">', '<img src="/x">', "<br>", "<hr>")))
        else:
            tag = rng.choice(TAGS)
            attributes = {
                "a": ' href="/tin-tuc"',
                "td": f' colspan="{rng.choice("0129")}" rowspan="{rng.choice("1239")}"',
                "figure": ' class="video" data-video="https://www.youtube-nocookie.com/embed/x"',
            }.get(tag, "")
            close = f"</{tag}>" if rng.random() < 0.85 else ""
            parts.append(f"<{tag}{attributes}>{tag_soup(rng, depth + 1)}{close}")
    return "".join(parts)


def test_any_tag_soup_prints() -> None:
    rng = random.Random(2025)
    png = io.BytesIO()
    Image.new("RGBA", (120, 80), (0, 128, 0, 128)).save(png, "PNG")
    for _ in range(6):
        pdf = article_pdf(article(tag_soup(rng)), {"a.png": png.getvalue()})
        assert pdf.startswith(b"%PDF-") and pdf.rstrip().endswith(b"%%EOF")
