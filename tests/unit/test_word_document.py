"""Word articles: a .docx made as editors make it comes out as the HTML article path's fields, body and pictures."""

from __future__ import annotations

import hashlib
import io
import json
import random
import re
import struct
import zipfile
from datetime import UTC, datetime

import mammoth
import pytest
from newsroom.domain import word_document
from newsroom.domain.article import parse_article
from newsroom.domain.errors import RejectedSource
from newsroom.domain.markdown import sanitize
from newsroom.domain.source_keys import classify
from newsroom.domain.word_document import WordDocument, WordPicture, read_word
from newsroom.domain.word_losses import editor_warning
from newsroom.domain.word_package import unfold_simple_fields
from newsroom.domain.word_pictures import clean_alt
from newsroom.domain.word_properties import w3cdtf
from PIL import Image

from tests.support.word_files import (
    ALTS,
    AUTHOR,
    CAPTIONS,
    HEADING,
    LINK,
    QUOTE,
    SUBHEADING,
    TABLE,
    TITLE,
    add_footnote,
    add_linked_picture,
    add_xml,
    blank_document,
    news_document,
    news_docx,
    picture_bytes,
    replace_part,
    to_bytes,
)

SRC = "/media/articles/tin-tuc/hoi-thao/"
SEEN = datetime(2026, 12, 1, 2, 0, tzinfo=UTC)
FIGURE = re.compile(r"<figure>(.*?)</figure>", re.S)
IMG = re.compile(r"<img\b([^>]*)/?>")
ATTRIBUTE = re.compile(r'(\w+)="([^"]*)"')


def read(data: bytes) -> WordDocument:
    return read_word(data, picture_src=lambda picture: SRC + picture.name)


def images(fragment: str) -> list[dict[str, str]]:
    return [dict(ATTRIBUTE.findall(found)) for found in IMG.findall(fragment)]


@pytest.fixture(scope="module")
def news() -> WordDocument:
    return read(news_docx())


def test_the_fields_come_from_the_core_properties(news: WordDocument) -> None:
    assert news.fields == {"title": TITLE, "author": AUTHOR, "date": "2026-11-30T23:15:00+00:00"}


def test_the_title_paragraph_is_the_headline_not_body_text(news: WordDocument) -> None:
    assert TITLE not in news.html
    assert "<h1" not in news.html


def test_headings_sit_under_the_page_headline(news: WordDocument) -> None:
    assert f"<h2>{HEADING}</h2>" in news.html
    assert f"<h3>{SUBHEADING}</h3>" in news.html


def test_the_table_keeps_its_header_row_and_vietnamese_cells(news: WordDocument) -> None:
    table = news.html[news.html.index("<table>") : news.html.index("</table>")]
    head, body = table.split("<tbody>")
    assert "<thead>" in head
    assert [re.sub(r"<[^>]+>", "", cell) for cell in re.findall(r"<th>(.*?)</th>", head)] == list(TABLE[0])
    for row in TABLE[1:]:
        for value in row:
            assert f"<td><p>{value}</p></td>" in body


def test_each_picture_is_a_figure_with_its_alt_text_and_numbered_caption(news: WordDocument) -> None:
    figures = FIGURE.findall(news.html)
    assert len(figures) == 2
    for index, figure in enumerate(figures):
        (img,) = images(figure)
        assert img["src"] == SRC + news.pictures[index].name
        assert img["alt"] == ALTS[index]
        assert f"<figcaption>Hình {index + 1}: {CAPTIONS[index]}</figcaption>" in figure
        assert figure.index("<img") < figure.index("<figcaption>")


def test_the_pictures_are_named_by_their_content_and_keep_their_bytes(news: WordDocument) -> None:
    assert len(news.pictures) == 2
    for index, picture in enumerate(news.pictures):
        assert picture.data == picture_bytes(index)
        assert picture.name == hashlib.sha256(picture.data).hexdigest()[:16] + ".png"
        assert picture.content_type == "image/png"


def test_jpeg_pictures_are_named_jpg() -> None:
    found = read(news_docx(jpeg=True, pictures=1))
    assert [(p.name[-4:], p.content_type, p.data) for p in found.pictures] == [
        (".jpg", "image/jpeg", picture_bytes(0, "JPEG"))
    ]


def test_the_picture_src_is_asked_once_per_picture_even_when_shown_twice() -> None:
    document = news_document(pictures=1)
    document.add_picture(io.BytesIO(picture_bytes(0)))
    asked: list[WordPicture] = []

    def src(picture: WordPicture) -> str:
        asked.append(picture)
        return f"/media/{picture.name}"

    found = read_word(to_bytes(document), picture_src=src)
    assert asked == list(found.pictures) and len(asked) == 1
    assert [img["src"] for img in images(found.html)] == [f"/media/{asked[0].name}"] * 2


def test_quotes_lists_links_and_inline_formatting_are_kept(news: WordDocument) -> None:
    assert f"<blockquote><p>{QUOTE}</p></blockquote>" in news.html
    assert "<strong>Sáng 30/11,</strong>" in news.html
    assert "<em>hơn 200 đại biểu</em>" in news.html
    assert "<u>nông nghiệp thông minh</u>" in news.html
    assert "CO<sub>2</sub>, với kinh phí <s>1 tỷ</s> 1,2 tỷ đồng." in news.html
    assert f'<a href="{LINK}">Bộ Khoa học và Công nghệ</a>' in news.html
    assert (
        "<ul><li>Ứng dụng cảm biến đo độ ẩm đất</li><li>Truy xuất nguồn gốc nông sản</li></ul>" in news.html
    )


def test_a_clean_document_warns_of_nothing(news: WordDocument) -> None:
    assert news.warnings == ()


def test_the_body_survives_the_sanitizer_with_figures_tables_and_alt_text(news: WordDocument) -> None:
    clean = sanitize(news.html)
    assert len(FIGURE.findall(clean)) == 2
    assert [img["alt"] for img in images(clean)] == list(ALTS[:2])
    assert [img["src"] for img in images(clean)] == [SRC + p.name for p in news.pictures]
    for kept in (
        "<figcaption>Hình 1: ",
        "<figcaption>Hình 2: ",
        "<table>",
        "<thead>",
        "<th>",
        "<blockquote>",
    ):
        assert kept in clean


def test_front_matter_and_body_make_an_html_article(news: WordDocument) -> None:
    """As the publish path will use it: the fields as front matter over the body, parsed as an HTML article."""
    front = "".join(
        f"{name}: {json.dumps(value, ensure_ascii=False)}\n" for name, value in news.fields.items()
    )
    source = f"---\n{front}---\n{news.html}".encode()
    article = parse_article(
        classify("articles/tin-tuc/hoi-thao.html"), source, first_seen=SEEN, timezone="Asia/Ho_Chi_Minh"
    )
    assert (article.title, article.author) == (TITLE, AUTHOR)
    assert article.published_at == datetime(2026, 11, 30, 23, 15, tzinfo=UTC)
    assert article.image == SRC + news.pictures[0].name
    assert article.summary.startswith("Sáng 30/11, Liên hiệp")
    assert "<figcaption>Hình 2: Ông Trần Văn Nam phát biểu</figcaption>" in article.body_html


@pytest.mark.parametrize("placeholder", ["Document1", "Tài liệu1", "", "   ", "Untitled document"])
def test_a_placeholder_title_property_gives_way_to_the_title_paragraph(placeholder: str) -> None:
    found = read(news_docx(core_title=placeholder))
    assert found.fields["title"] == TITLE
    assert found.warnings == ()


def test_a_title_property_that_contradicts_the_title_paragraph_is_used_and_named() -> None:
    found = read(news_docx(core_title="Bài viết cũ về nông nghiệp"))
    assert found.fields["title"] == "Bài viết cũ về nông nghiệp"
    (warning,) = found.warnings
    assert TITLE in warning and "Bài viết cũ về nông nghiệp" in warning


def test_without_any_title_a_leading_heading_1_is_the_headline() -> None:
    document = blank_document()
    document.add_heading("Tin nóng: lũ trên sông Hương", level=1)
    document.add_paragraph("Nước sông Hương dâng cao.")
    document.add_heading("Người dân sơ tán", level=1)
    found = read(to_bytes(document))
    assert found.fields["title"] == "Tin nóng: lũ trên sông Hương"
    assert found.html == "<p>Nước sông Hương dâng cao.</p><h2>Người dân sơ tán</h2>"


def test_a_document_with_no_title_anywhere_has_no_title_field() -> None:
    found = read(news_docx(title=None, core_title=""))
    assert "title" not in found.fields
    assert f"<h2>{HEADING}</h2>" in found.html  # a heading after the lead stays a heading


def test_summary_tags_and_placeholder_authors() -> None:
    found = read(
        news_docx(author="python-docx", summary="Tóm tắt bài.", keywords="chuyển đổi số; hội thảo, Huế")
    )
    assert found.fields == {
        "title": TITLE,
        "date": "2026-11-30T23:15:00+00:00",
        "summary": "Tóm tắt bài.",
        "tags": "chuyển đổi số, hội thảo, Huế",
    }


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("2026-11-30T23:15:00Z", "2026-11-30T23:15:00+00:00"),
        ("2026-11-30T23:15:00.250+07:00", "2026-11-30T23:15:00+07:00"),
        ("2026-11-30T23:15:00", "2026-11-30T23:15:00+00:00"),
        ("2026-11-30", "2026-11-30"),
        ("2026", ""),
        ("1601-01-01T00:00:00Z", ""),
        ("hôm qua", ""),
    ],
)
def test_created_dates_are_read_as_w3cdtf(value: str, expected: str) -> None:
    assert w3cdtf(value) == expected


@pytest.mark.parametrize(("kind", "name"), [("wmf", "a WMF drawing"), ("emf", "an EMF drawing")])
def test_a_metafile_picture_is_left_out_and_named(kind: str, name: str) -> None:
    found = read(news_docx(vector=kind))
    assert len(found.pictures) == 2
    assert len(images(found.html)) == 2
    assert found.warnings == (
        f"picture 3 ('Sơ đồ tổ chức') is {name}, which browsers cannot show: it was left out;"
        " paste it as PNG or JPEG",
    )


@pytest.mark.parametrize("seq", ["simple", "complex", "typed"])
def test_caption_numbers_survive_however_word_stored_them(seq: str) -> None:
    found = read(news_docx(seq_fields=seq))
    assert "<figcaption>Hình 2: Ông Trần Văn Nam phát biểu</figcaption>" in found.html
    assert found.warnings == ()


def test_a_caption_whose_field_holds_no_number_is_named() -> None:
    found = read(news_docx(seq_fields="empty", pictures=1))
    assert found.warnings == (
        "the caption 'Hình : Toàn cảnh hội thảo' lost its number (its numbering field holds none):"
        " in Word press Ctrl+A, then F9 to update the fields, and upload it again",
    )


def test_simple_fields_unfold_into_balanced_complex_fields() -> None:
    xml = (
        b'<w:p xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main">'
        b'<w:fldSimple w:instr=" SEQ H\xc3\xacnh "><w:fldSimple w:instr="PAGE"/><w:r><w:t>1</w:t></w:r>'
        b"</w:fldSimple><w:r><w:t>a</w:t><w:cr/><w:t>b</w:t></w:r></w:p>"
    )
    unfolded = unfold_simple_fields(xml).decode()
    kinds = re.findall(r'fldCharType="(\w+)"', unfolded)
    assert kinds == ["begin", "separate", "begin", "separate", "end", "end"]
    assert '<w:instrText xml:space="preserve"> SEQ Hình </w:instrText>' in unfolded
    assert "fldSimple" not in unfolded and "<w:br/>" in unfolded and "<w:cr" not in unfolded


def test_a_caption_before_its_picture_still_makes_one_figure() -> None:
    document = news_document(pictures=0)
    caption = document.add_paragraph("Hình 1: Cầu Trường Tiền về đêm", style="Caption")
    document.add_picture(io.BytesIO(picture_bytes(0)))
    body = document.element.body
    body.insert(2, caption._p)
    body.insert(3, document.paragraphs[-1]._p)
    (figure,) = FIGURE.findall(read(to_bytes(document)).html)
    assert figure.startswith("<figcaption>Hình 1: Cầu Trường Tiền về đêm</figcaption><img ")


def test_a_picture_and_its_caption_in_one_caption_paragraph_are_split() -> None:
    document = news_document(pictures=0)
    document.add_picture(io.BytesIO(picture_bytes(0)))
    paragraph = document.paragraphs[-1]
    paragraph.style = document.styles["Caption"]
    paragraph.add_run().add_break()
    paragraph.add_run("Ảnh: Minh Hằng")
    (figure,) = FIGURE.findall(read(to_bytes(document)).html)
    assert re.fullmatch(r"<img [^>]*/><figcaption>Ảnh: Minh Hằng</figcaption>", figure)


def test_a_picture_without_caption_is_a_figure_and_a_lone_caption_a_paragraph() -> None:
    document = news_document(pictures=0)
    document.add_paragraph("Bảng 1: Kinh phí theo đơn vị", style="Caption")
    document.add_paragraph("Đoạn văn trước ảnh.")
    document.add_picture(io.BytesIO(picture_bytes(0)))
    document.add_paragraph("Đoạn văn sau ảnh.")
    html = read(to_bytes(document)).html
    assert re.search(
        r"<p>Bảng 1: Kinh phí theo đơn vị</p><p>Đoạn văn trước ảnh.</p><figure><img [^>]*/></figure>"
        r"<p>Đoạn văn sau ảnh.</p>$",
        html,
    )


def test_vietnamese_style_names_are_understood() -> None:
    """As WPS or a localised template stores them: Vietnamese names, ids that say nothing."""
    data = news_docx()
    with zipfile.ZipFile(io.BytesIO(data)) as package:
        styles, body = package.read("word/styles.xml").decode(), package.read("word/document.xml").decode()
    renamed = {"Title": "Tiêu đề", "Heading1": "Đầu đề 1", "Caption": "Chú thích", "Quote": "Trích dẫn"}
    for number, (style_id, name) in enumerate(renamed.items()):
        styles = re.sub(
            rf'w:styleId="{style_id}"><w:name w:val="[^"]*"/>',
            f'w:styleId="a{number}"><w:name w:val="{name}"/>',
            styles,
        )
        body = body.replace(f'<w:pStyle w:val="{style_id}"/>', f'<w:pStyle w:val="a{number}"/>')
    data = replace_part(
        replace_part(data, "word/styles.xml", styles.encode()), "word/document.xml", body.encode()
    )
    found = read(data)
    assert TITLE not in found.html and f"<h2>{HEADING}</h2>" in found.html
    assert f"<blockquote><p>{QUOTE}</p></blockquote>" in found.html
    assert len(re.findall(r"<figcaption>Hình \d: ", found.html)) == 2
    assert found.warnings == ()


def test_footnotes_become_numbered_notes_at_the_end() -> None:
    document = news_document()
    add_footnote(document, document.paragraphs[-1], "Số liệu của Sở Khoa học và Công nghệ.")
    html = read(to_bytes(document)).html
    assert "<sup>[1]</sup>" in html
    assert html.endswith("<hr /><ol><li><p>Số liệu của Sở Khoa học và Công nghệ.</p></li></ol>")
    assert "footnote" not in html


TEXT_BOX = (
    '<w:r><w:drawing><wp:anchor simplePos="0" relativeHeight="1" behindDoc="0" locked="0" layoutInCell="1"'
    ' allowOverlap="1" distT="0" distB="0" distL="0" distR="0"><wp:simplePos x="0" y="0"/>'
    '<wp:positionH relativeFrom="column"><wp:posOffset>0</wp:posOffset></wp:positionH>'
    '<wp:positionV relativeFrom="paragraph"><wp:posOffset>0</wp:posOffset></wp:positionV>'
    '<wp:extent cx="914400" cy="914400"/><wp:wrapSquare wrapText="bothSides"/><wp:docPr id="90" name="Text Box 1"/>'
    '<a:graphic><a:graphicData uri="http://schemas.microsoft.com/office/word/2010/wordprocessingShape">'
    "<wps:wsp><wps:txbx><w:txbxContent><w:p><w:r><w:t>Thông tin thêm về hội thảo</w:t></w:r></w:p>"
    "</w:txbxContent></wps:txbx><wps:bodyPr/></wps:wsp></a:graphicData></a:graphic></wp:anchor></w:drawing></w:r>"
)
FALLBACK = (
    '<w:r><mc:AlternateContent><mc:Choice Requires="wps">'
    + TEXT_BOX.removeprefix("<w:r>").removesuffix("</w:r>")
    + "</mc:Choice><mc:Fallback><w:pict><v:shape><v:stroke/><v:textbox><w:txbxContent><w:p><w:r>"
    "<w:t>Thông tin thêm về hội thảo</w:t></w:r></w:p></w:txbxContent></v:textbox></v:shape></w:pict>"
    "</mc:Fallback></mc:AlternateContent></w:r>"
)
CHART = (
    '<w:r><w:drawing><wp:inline><wp:extent cx="914400" cy="914400"/><wp:docPr id="91" name="Chart 1"/>'
    '<a:graphic><a:graphicData uri="http://schemas.openxmlformats.org/drawingml/2006/chart">'
    '<c:chart r:id="rId900"/></a:graphicData></a:graphic></wp:inline></w:drawing></w:r>'
)
EQUATION = "<m:oMathPara><m:oMath><m:r><m:t>E=mc2</m:t></m:r></m:oMath></m:oMathPara>"
CHANGES = (
    '<w:r><w:t xml:space="preserve">Kinh phí </w:t></w:r><w:ins w:id="7" w:author="BT"><w:r><w:t>đã được duyệt'
    '</w:t></w:r></w:ins><w:del w:id="8" w:author="BT"><w:r><w:delText>chưa duyệt</w:delText></w:r></w:del>'
)


@pytest.mark.parametrize(
    ("xml", "warning"),
    [
        (TEXT_BOX, "a text box ('Thông tin thêm về hội thảo') was left out: move its text into the body"),
        (
            CHART,
            "a chart was left out: the site shows text, tables and pictures; paste it as a picture (PNG or JPEG)",
        ),
        (EQUATION, "an equation was left out: type it as text or paste it as a picture"),
    ],
    ids=["text box", "chart", "equation"],
)
def test_what_mammoth_drops_is_named(xml: str, warning: str) -> None:
    document = news_document()
    add_xml(document, f"<w:p>{xml}</w:p>")
    assert read(to_bytes(document)).warnings == (warning,)


def test_a_text_box_with_words_fallback_is_kept_after_its_paragraph() -> None:
    document = news_document()
    add_xml(document, f"<w:p><w:r><w:t>Trước hộp.</w:t></w:r>{FALLBACK}</w:p>")
    found = read(to_bytes(document))
    assert "<p>Trước hộp.</p><p>Thông tin thêm về hội thảo</p>" in found.html
    assert found.warnings == ()


def test_tracked_changes_read_as_accepted_and_say_so() -> None:
    document = news_document()
    add_xml(document, f"<w:p>{CHANGES}</w:p>")
    found = read(to_bytes(document))
    assert "<p>Kinh phí đã được duyệt</p>" in found.html and "chưa duyệt" not in found.html
    (warning,) = found.warnings
    assert warning.startswith("the document has 2 tracked changes nobody accepted or rejected")


def test_comments_headers_and_linked_pictures_are_named() -> None:
    document = news_document()
    document.add_comment(document.paragraphs[1].runs[0], text="Kiểm tra lại ngày", author="Biên tập")
    document.sections[0].header.paragraphs[0].text = "UBND TỈNH THỪA THIÊN HUẾ"
    add_linked_picture(document)
    found = read(to_bytes(document))
    assert "Kiểm tra lại ngày" not in found.html
    assert found.warnings == (
        "picture 3 is linked to a file outside the document: it was left out; insert it",
        "the document's comments (1) are review notes: they are not published",
        "the page header or footer ('UBND TỈNH THỪA THIÊN HUẾ') is not published: only the body is",
    )


def test_a_style_map_embedded_in_the_document_is_ignored() -> None:
    stream = io.BytesIO(news_docx())
    mammoth.embed_style_map(stream, "p => h1:fresh")
    found = read(stream.getvalue())
    assert "<h1>" not in found.html and "<p>Hội thảo kết thúc" in found.html


def test_only_messages_about_lost_content_reach_the_editor() -> None:
    assert editor_warning("Unrecognised paragraph style: Normal (Web) (Style ID: NormalWeb)") is None
    assert editor_warning("Unrecognised run style: Hyperlink (Style ID: Hyperlink)") is None
    assert editor_warning("An unrecognised element was ignored: v:stroke") is None
    assert editor_warning("An unrecognised element was ignored: w:ruby") == (
        "ruby (phonetic guide) text was left out: paste it as a picture or retype it as text"
    )
    assert editor_warning(
        "A w:sym element with an unsupported character was ignored: char F0FF in font Foo"
    ) == ("a symbol (character F0FF of the font Foo) was left out: type it as text")
    assert editor_warning("Something mammoth says one day") == "Something mammoth says one day"


def test_word_generated_alt_text_loses_its_confession() -> None:
    assert clean_alt("Người đứng trên sân khấu\n\nDescription automatically generated") == (
        "Người đứng trên sân khấu"
    )
    assert clean_alt("  Cầu\nTrường Tiền ") == "Cầu Trường Tiền"


# Refusals --------------------------------------------------------------------------------------------


def rejected(data: bytes) -> str:
    with pytest.raises(RejectedSource) as caught:
        read(data)
    return caught.value.reason


def zip_of(files: dict[str, bytes]) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as package:
        for name, content in files.items():
            package.writestr(name, content)
    return out.getvalue()


def test_an_empty_file_is_refused() -> None:
    assert rejected(b"") == "the file is empty: upload the .docx again"


def test_a_word_97_or_password_protected_file_is_refused() -> None:
    assert rejected(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(600)) == (
        "this is a Word 97–2003 .doc file or a password-protected document:"
        " open it in Word and save it as .docx without a password"
    )


@pytest.mark.parametrize(
    ("data", "what"),
    [
        (b"{\\rtf1\\ansi Xin chao}", "an RTF file"),
        (b"Xin chao", "no .docx file"),
        (b"%PDF-1.7", "a PDF file"),
    ],
)
def test_a_file_that_is_no_zip_is_refused(data: bytes, what: str) -> None:
    assert (
        rejected(data)
        == f"this is not a Word document: it is {what}; open it in Word and save it as .docx (Word Document)"
    )


def test_a_file_cut_short_is_refused() -> None:
    data = news_docx()
    assert "cut short" in rejected(data[: len(data) // 2])


@pytest.mark.parametrize(
    ("files", "what"),
    [
        (
            {
                "[Content_Types].xml": b'<Types><Override ContentType="application/vnd.openxmlformats-officedocument'
                b'.spreadsheetml.sheet.main+xml" PartName="/xl/workbook.xml"/></Types>',
                "xl/workbook.xml": b"<workbook/>",
            },
            "an Excel workbook (.xlsx)",
        ),
        (
            {"mimetype": b"application/vnd.oasis.opendocument.text", "content.xml": b"<x/>"},
            "an OpenDocument text (.odt)",
        ),
        ({"anh.jpg": picture_bytes(0, "JPEG")}, "a plain ZIP archive"),
    ],
)
def test_a_zip_without_a_word_document_says_what_it_looks_like(files: dict[str, bytes], what: str) -> None:
    assert rejected(zip_of(files)) == (
        f"this is not a Word document (no word/document.xml): it looks like {what};"
        " open it in Word and save it as .docx (Word Document)"
    )


def test_a_file_over_the_upload_limit_is_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(word_document, "MAX_DOCX_BYTES", 1024 * 1024)
    document = news_document(pictures=0)
    noise = io.BytesIO()
    Image.frombytes("RGB", (700, 700), random.Random(7).randbytes(700 * 700 * 3)).save(noise, format="PNG")
    document.add_picture(noise)
    assert re.fullmatch(
        r"the Word file is 1\.\d MB, over the limit of 1 MB: make its pictures smaller .*",
        rejected(to_bytes(document)),
    )


def test_a_zip_bomb_is_refused_by_its_compression_ratio() -> None:
    data = replace_part(news_docx(), "word/media/image1.png", bytes(4 * 1024 * 1024))
    assert rejected(data) == (
        "the Word document's part word/media/image1.png is compressed more than 100 to 1,"
        " which no real document is (a ZIP bomb?): save the article again from Word"
    )


def test_a_zip_claiming_to_unpack_past_the_limit_is_refused_before_reading(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(
        mammoth, "convert_to_html", lambda *a, **k: pytest.fail("mammoth read a refused file")
    )
    data = bytearray(news_docx())
    record = data.index(b"PK\x01\x02")  # the first entry of the central directory: its uncompressed size
    struct.pack_into("<I", data, record + 24, 300 * 1024 * 1024)
    assert re.fullmatch(
        r"the Word document unpacks to 30\d MB, over the limit of 200 MB: .*", rejected(bytes(data))
    )


def test_more_pictures_than_the_limit_are_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(word_document, "MAX_PICTURES", 1)
    assert rejected(news_docx()) == (
        "the Word document has more than 1 pictures, the limit for one article: split it into several"
    )


def test_a_damaged_main_document_is_refused_with_where_it_breaks() -> None:
    data = news_docx()
    with zipfile.ZipFile(io.BytesIO(data)) as package:
        xml = package.read("word/document.xml")
    reason = rejected(replace_part(data, "word/document.xml", xml[: len(xml) // 2]))
    assert re.fullmatch(
        r"the Word document is damaged: word/document.xml is not valid XML \(line \d+, column \d+\);.*",
        reason,
    )


def test_a_part_mammoth_cannot_parse_is_refused_as_damaged() -> None:
    reason = rejected(replace_part(news_docx(), "word/styles.xml", b"<w:styles><w:style"))
    assert reason.startswith("the Word document is damaged: ")


@pytest.mark.parametrize("title", [None, TITLE])
def test_a_document_without_text_is_refused(title: str | None) -> None:
    document = news_document(title=title, pictures=0, with_table=False, with_quote=False)
    body = document.element.body
    for paragraph in document.paragraphs[1 if title else 0 :]:
        body.remove(paragraph._p)
    document.add_paragraph("   ")
    suffix = " besides its title" if title else ""
    assert rejected(to_bytes(document)) == f"the Word document has no text{suffix}"


def test_a_document_whose_only_content_is_left_out_says_what_was_lost() -> None:
    document = news_document(title=None, pictures=0, with_table=False, with_quote=False, vector="wmf")
    for paragraph in document.paragraphs:
        if paragraph.text:  # all but the picture's
            document.element.body.remove(paragraph._p)
    assert rejected(to_bytes(document)) == (
        "the Word document has no text: picture 1 ('Sơ đồ tổ chức') is a WMF drawing, which browsers"
        " cannot show: it was left out; paste it as PNG or JPEG"
    )


def test_a_document_of_pictures_only_is_not_refused() -> None:
    document = news_document(title=None, pictures=0, with_table=False, with_quote=False)
    for paragraph in document.paragraphs:
        document.element.body.remove(paragraph._p)
    document.add_picture(io.BytesIO(picture_bytes(1)))
    assert len(read(to_bytes(document)).pictures) == 1
