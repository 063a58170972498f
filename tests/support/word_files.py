"""Word ``.docx`` articles as a provincial newsroom writes them, built with python-docx.

The unit tests and the integration tests read the same files, so what is
built here is what Word itself saves for an article: a Title paragraph, the
built-in heading, quote and caption styles, a table whose first row repeats
as a header, inline pictures with alt text (``wp:docPr/@descr``, which
python-docx does not expose) and captions numbered by a ``SEQ`` field the way
Word's Insert Caption writes them (``w:fldSimple`` holding the number).
"""

from __future__ import annotations

import io
import struct
import zipfile
from datetime import UTC, datetime
from typing import Any

from docx import Document
from docx.document import Document as WordFile
from docx.opc.constants import CONTENT_TYPE, RELATIONSHIP_TYPE
from docx.opc.packuri import PackURI
from docx.opc.part import Part
from docx.oxml import OxmlElement, parse_xml
from docx.oxml.ns import qn
from docx.oxml.shape import CT_Inline
from docx.shared import Cm
from docx.table import _Row
from docx.text.paragraph import Paragraph
from PIL import Image

TITLE = "Hội thảo khoa học về chuyển đổi số tại Thừa Thiên Huế"
AUTHOR = "Nguyễn Thị Minh Hằng"
CREATED = datetime(2026, 11, 30, 23, 15, tzinfo=UTC)
LEAD = "Sáng 30/11, Liên hiệp các Hội Khoa học và Kỹ thuật tỉnh tổ chức hội thảo về chuyển đổi số."
HEADING = "Những kết quả bước đầu"
SUBHEADING = "Ứng dụng trong nông nghiệp"
QUOTE = "Chuyển đổi số là nhiệm vụ của cả hệ thống chính trị."
ALTS = ("Toàn cảnh hội thảo tại hội trường", "Đại biểu phát biểu tham luận", "Quang cảnh buổi chiều")
CAPTIONS = ("Toàn cảnh hội thảo", "Ông Trần Văn Nam phát biểu", "Các đại biểu thảo luận")
TABLE = (
    ("Đơn vị", "Số đề tài", "Kinh phí (triệu đồng)"),
    ("Sở Khoa học và Công nghệ", "12", "1.250"),
    ("Trường Đại học Nông Lâm", "8", "930"),
)
LINK = "https://most.gov.vn/"
# Image.new colours, one per picture: each picture's bytes differ, so their content hashes do.
COLOURS = ((200, 30, 30), (30, 120, 200), (40, 160, 60), (220, 180, 20))


def picture_bytes(index: int, fmt: str = "PNG") -> bytes:
    """A small PNG or JPEG, different for each ``index``."""
    out = io.BytesIO()
    Image.new("RGB", (64 + index, 48), COLOURS[index % len(COLOURS)]).save(out, format=fmt)
    return out.getvalue()


def wmf_bytes() -> bytes:
    """A minimal Windows Metafile: the placeable header, the metafile header and the end record."""
    words = struct.pack("<IHhhhhHI", 0x9AC6CDD7, 0, 0, 0, 1000, 1000, 1440, 0)
    checksum = 0
    for (word,) in struct.iter_unpack("<H", words[:20]):
        checksum ^= word
    placeable = words + struct.pack("<H", checksum)
    end = struct.pack("<IH", 3, 0)
    header = struct.pack("<HHHIHIH", 1, 9, 0x0300, (18 + len(end)) // 2, 0, 3, 0)
    return placeable + header + end


def emf_bytes() -> bytes:
    """A minimal Enhanced Metafile: an EMR_HEADER record (with its `` EMF`` signature) and EMR_EOF."""
    eof = struct.pack("<IIIII", 14, 20, 0, 16, 20)
    header = struct.pack(
        "<II4i4iIIIIHHIII2i2i",
        1, 88, 0, 0, 100, 100, 0, 0, 2540, 2540,
        0x464D4520, 0x10000, 88 + len(eof), 2, 1, 0, 0, 0, 0, 1920, 1080, 508, 285,
    )  # fmt: skip
    return header + eof


def blank_document() -> WordFile:
    """python-docx's empty document less the 130 table styles of its template (440 KB of XML).

    A document Word saves defines the few table styles it uses, and mammoth
    parses every style: the tests read a file of the size Word writes.
    """
    document = Document()
    styles = document.styles.element
    kept = ("TableNormal", "TableGrid")
    for style in styles.findall(qn("w:style")):
        if style.get(qn("w:type")) == "table" and style.get(qn("w:styleId")) not in kept:
            styles.remove(style)
    return document


def _alt_text(paragraph: Paragraph, alt: str) -> None:
    for doc_pr in paragraph._p.iter(qn("wp:docPr")):
        doc_pr.set("descr", alt)


def _caption(document: WordFile, number: int, text: str, *, seq: str = "simple") -> None:
    """``Hình 1: text`` in the Caption style, its number as ``seq`` says.

    "simple": a ``w:fldSimple`` holding the number, as Insert Caption writes it;
    "complex": the same field as ``w:fldChar`` runs, as Word writes it once
    the fields were updated; "empty": a simple field with no number (a field
    never updated); "typed": the number typed by hand.
    """
    paragraph = document.add_paragraph(style="Caption")
    paragraph.add_run("Hình ")
    instruction = " SEQ Hình \\* ARABIC "
    if seq in ("simple", "empty"):
        field = OxmlElement("w:fldSimple")
        field.set(qn("w:instr"), instruction)
        if seq == "simple":
            field.append(_run(str(number)))
        paragraph._p.append(field)
    elif seq == "complex":
        for kind in ("begin", "instr", "separate", "result", "end"):
            run = _run(str(number)) if kind == "result" else OxmlElement("w:r")
            if kind == "instr":
                code = OxmlElement("w:instrText")
                code.text = instruction
                run.append(code)
            elif kind != "result":
                char = OxmlElement("w:fldChar")
                char.set(qn("w:fldCharType"), kind)
                run.append(char)
            paragraph._p.append(run)
    else:
        paragraph.add_run(str(number))
    paragraph.add_run(f": {text}")


def _run(text: str) -> Any:
    run = OxmlElement("w:r")
    value = OxmlElement("w:t")
    value.text = text
    run.append(value)
    return run


def _header_row(row: _Row) -> None:
    """Mark the row "Repeat as header row" (``w:tblHeader``), as Word does for a table's first row."""
    row._tr.get_or_add_trPr().append(OxmlElement("w:tblHeader"))


def _hyperlink(document: WordFile, paragraph: Paragraph, text: str, url: str) -> None:
    rel_id = document.part.relate_to(url, RELATIONSHIP_TYPE.HYPERLINK, is_external=True)
    link = OxmlElement("w:hyperlink")
    link.set(qn("r:id"), rel_id)
    link.append(_run(text))
    paragraph._p.append(link)


def add_vector_picture(document: WordFile, kind: str = "wmf", alt: str = "Sơ đồ tổ chức") -> None:
    """A paragraph holding a WMF or EMF picture (as pasted from old Office drawings), declared as such."""
    data, content_type = (wmf_bytes(), "image/x-wmf") if kind == "wmf" else (emf_bytes(), "image/x-emf")
    part = Part(PackURI(f"/word/media/vector1.{kind}"), content_type, data, document.part.package)
    rel_id = document.part.relate_to(part, RELATIONSHIP_TYPE.IMAGE)
    inline = CT_Inline.new_pic_inline(document.part.next_id, rel_id, f"vector1.{kind}", Cm(4), Cm(3))
    inline.docPr.set("descr", alt)
    document.add_paragraph().add_run()._r.add_drawing(inline)


def news_document(
    *,
    title: str | None = TITLE,
    core_title: str | None = None,
    author: str = AUTHOR,
    created: datetime | None = CREATED,
    summary: str = "",
    keywords: str = "",
    pictures: int = 2,
    jpeg: bool = False,
    with_table: bool = True,
    with_quote: bool = True,
    seq_fields: str = "simple",
    vector: str | None = None,
) -> WordFile:
    """The article as a python-docx document, for a test to add to before saving.

    ``title`` is the Title paragraph (None for none); the core title property
    is ``core_title`` if given, else ``title``. ``vector`` ("wmf" or "emf")
    adds such a picture after the others; ``seq_fields`` is how the captions
    hold their numbers (see ``_caption``).
    """
    document = blank_document()
    properties = document.core_properties
    properties.title = core_title if core_title is not None else (title or "")
    properties.author = author
    properties.last_modified_by = author
    properties.comments = summary
    properties.keywords = keywords
    if created is not None:
        properties.created = created
        properties.modified = created
    if title:
        document.add_paragraph(title, style="Title")
    lead = document.add_paragraph()
    lead.add_run(LEAD.split(",", 1)[0] + ",").bold = True
    lead.add_run(LEAD.split(",", 1)[1] + " Xem thêm tại ")
    _hyperlink(document, lead, "Bộ Khoa học và Công nghệ", LINK)
    lead.add_run(".")
    document.add_heading(HEADING, level=1)
    formatting = document.add_paragraph("Hội thảo có ")
    formatting.add_run("hơn 200 đại biểu").italic = True
    formatting.add_run(" tham dự, bàn về ")
    formatting.add_run("nông nghiệp thông minh").underline = True
    formatting.add_run(" và giảm phát thải CO")
    formatting.add_run("2").font.subscript = True
    formatting.add_run(", với kinh phí ")
    formatting.add_run("1 tỷ").font.strike = True
    formatting.add_run(" 1,2 tỷ đồng.")
    for index in range(pictures):
        document.add_picture(io.BytesIO(picture_bytes(index, "JPEG" if jpeg else "PNG")), width=Cm(8))
        _alt_text(document.paragraphs[-1], ALTS[index % len(ALTS)])
        _caption(document, index + 1, CAPTIONS[index % len(CAPTIONS)], seq=seq_fields)
    if vector:
        add_vector_picture(document, vector)
    document.add_heading(SUBHEADING, level=2)
    document.add_paragraph("Ứng dụng cảm biến đo độ ẩm đất", style="List Bullet")
    document.add_paragraph("Truy xuất nguồn gốc nông sản", style="List Bullet")
    if with_quote:
        document.add_paragraph(QUOTE, style="Quote")
    if with_table:
        table = document.add_table(rows=3, cols=3)
        table.style = "Table Grid"
        _header_row(table.rows[0])
        for row, values in zip(table.rows, TABLE, strict=True):
            for cell, value in zip(row.cells, values, strict=True):
                cell.text = value
    document.add_paragraph("Hội thảo kết thúc vào lúc 11 giờ 30 cùng ngày.")
    return document


def to_bytes(document: WordFile) -> bytes:
    """The document saved as a ``.docx``."""
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def news_docx(
    *,
    title: str | None = TITLE,
    core_title: str | None = None,
    author: str = AUTHOR,
    created: datetime | None = CREATED,
    summary: str = "",
    keywords: str = "",
    pictures: int = 2,
    jpeg: bool = False,
    with_table: bool = True,
    with_quote: bool = True,
    seq_fields: str = "simple",
    vector: str | None = None,
) -> bytes:
    """A realistic Vietnamese news article as ``.docx`` bytes (the options are ``news_document``'s)."""
    return to_bytes(
        news_document(
            title=title,
            core_title=core_title,
            author=author,
            created=created,
            summary=summary,
            keywords=keywords,
            pictures=pictures,
            jpeg=jpeg,
            with_table=with_table,
            with_quote=with_quote,
            seq_fields=seq_fields,
            vector=vector,
        )
    )


NAMESPACES = (
    'xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"'
    ' xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"'
    ' xmlns:wp="http://schemas.openxmlformats.org/drawingml/2006/wordprocessingDrawing"'
    ' xmlns:a="http://schemas.openxmlformats.org/drawingml/2006/main"'
    ' xmlns:wps="http://schemas.microsoft.com/office/word/2010/wordprocessingShape"'
    ' xmlns:mc="http://schemas.openxmlformats.org/markup-compatibility/2006"'
    ' xmlns:v="urn:schemas-microsoft-com:vml"'
    ' xmlns:m="http://schemas.openxmlformats.org/officeDocument/2006/math"'
    ' xmlns:c="http://schemas.openxmlformats.org/drawingml/2006/chart"'
)


def add_xml(document: WordFile, paragraph_xml: str) -> None:
    """Append a ``<w:p>`` written as XML (namespace prefixes of ``NAMESPACES``) before the section end."""
    element = parse_xml(paragraph_xml.replace("<w:p>", f"<w:p {NAMESPACES}>", 1))
    document.element.body.sectPr.addprevious(element)


def add_footnote(document: WordFile, paragraph: Paragraph, text: str) -> None:
    """A footnote on ``paragraph``: python-docx writes none, so its part is made here (one note only)."""
    xml = (
        f"<w:footnotes {NAMESPACES}>"
        '<w:footnote w:type="separator" w:id="-1"><w:p><w:r><w:separator/></w:r></w:p></w:footnote>'
        '<w:footnote w:type="continuationSeparator" w:id="0"><w:p><w:r><w:continuationSeparator/></w:r></w:p>'
        '</w:footnote><w:footnote w:id="1"><w:p><w:r><w:footnoteRef/></w:r>'
        f'<w:r><w:t xml:space="preserve"> {text}</w:t></w:r></w:p></w:footnote></w:footnotes>'
    )
    part = Part(
        PackURI("/word/footnotes.xml"), CONTENT_TYPE.WML_FOOTNOTES, xml.encode(), document.part.package
    )
    document.part.relate_to(part, RELATIONSHIP_TYPE.FOOTNOTES)
    paragraph._p.append(parse_xml(f'<w:r {NAMESPACES}><w:footnoteReference w:id="1"/></w:r>'))


def add_linked_picture(document: WordFile, url: str = "file:///C:/Anh/hoi-thao.jpg") -> None:
    """A picture inserted with "Link to File": its bytes are not in the document."""
    rel_id = document.part.relate_to(url, RELATIONSHIP_TYPE.IMAGE, is_external=True)
    inline = CT_Inline.new_pic_inline(document.part.next_id, rel_id, "hoi-thao.jpg", Cm(4), Cm(3))
    for blip in inline.iter(qn("a:blip")):
        del blip.attrib[qn("r:embed")]
        blip.set(qn("r:link"), rel_id)
    document.add_paragraph().add_run()._r.add_drawing(inline)


def replace_part(data: bytes, name: str, content: bytes | None) -> bytes:
    """The package with one part's bytes replaced (or the part removed, for None)."""
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as source, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as copy:
        for info in source.infolist():
            if info.filename != name:
                copy.writestr(info, source.read(info))
            elif content is not None:
                copy.writestr(info, content)
    return out.getvalue()
