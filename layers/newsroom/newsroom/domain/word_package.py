"""The ``.docx`` package around a Word article: checked before any converter opens it.

An upload is refused here, with the reason an editor can act on, when it is
no ``.docx`` at all (a ``.doc``, a password-protected file, a spreadsheet)
or could exhaust the function (a ZIP bomb, a part too big to hold as a
DOM), judged by the ZIP's directory before a byte is decompressed. Its main
part is also mended here for mammoth, which drops simple fields and with
them every caption's number (``unfold_simple_fields``).
"""

from __future__ import annotations

import io
import re
import struct
import warnings
import zipfile
import zlib
from xml.etree import ElementTree

from newsroom.domain.errors import RejectedSource
from newsroom.domain.reasons import N_, Reason

OLE2 = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
MAIN_DOCUMENT = "word/document.xml"
MAX_RATIO = 100
# An entry this small cannot bomb: only bigger ones have their compression ratio checked
# (a blank bitmap of a few kilobytes can legitimately deflate 200 to 1).
RATIO_FLOOR = 1024 * 1024
# mammoth reads each part it needs into a DOM, at about 1.2 s of CPU a megabyte: the text of a
# 5 MB part (300 pages) would be refused by the HTML path's tag limit in any case.
MAX_XML_PART_BYTES = 5 * 1024 * 1024
MAX_SIDE_PART_BYTES = 1024 * 1024
# A Word document has 15 to 200 parts; zipfile makes an object of each before anything can be checked,
# and 40 MB of empty entries would be 800,000 of them.
MAX_DIRECTORY_BYTES = 1024 * 1024
EXCERPT = 60
_OFFICE_REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument"
_STRICT_REL = "http://purl.oclc.org/ooxml/officeDocument/relationships/officeDocument"
_W_NAMESPACES = (
    b"http://schemas.openxmlformats.org/wordprocessingml/2006/main",
    b"http://purl.oclc.org/ooxml/wordprocessingml/main",
)
_OTHER_PACKAGES = (
    ("spreadsheetml", Reason(N_("an Excel workbook (.xlsx)"))),
    ("presentationml", Reason(N_("a PowerPoint presentation (.pptx)"))),
    ("ms-visio", Reason(N_("a Visio drawing (.vsdx)"))),
)
_OPEN_DOCUMENT = {
    "application/vnd.oasis.opendocument.text": Reason(N_("an OpenDocument text (.odt)")),
    "application/vnd.oasis.opendocument.spreadsheet": Reason(N_("an OpenDocument spreadsheet (.ods)")),
    "application/vnd.oasis.opendocument.presentation": Reason(N_("an OpenDocument presentation (.odp)")),
    "application/epub+zip": Reason(N_("an EPUB e-book")),
}
_NOT_ZIP = (
    (b"{\\rtf", Reason(N_("an RTF file"))),
    (b"%PDF", Reason(N_("a PDF file"))),
    (b"<", Reason(N_("an HTML or XML file"))),
)
_SAVE_AS = Reason(N_("open it in Word and save it as .docx (Word Document)"))
# What reading a damaged ZIP raises: a bad CRC or header, broken deflate data, an unknown method.
DAMAGE: tuple[type[Exception], ...] = (
    zipfile.BadZipFile,
    zlib.error,
    NotImplementedError,
    ValueError,
    OSError,
    EOFError,
)


def damaged(error: BaseException) -> RejectedSource:
    """The refusal for a package that breaks while read, with its cause in short."""
    cause: str
    if isinstance(error, (KeyError, IndexError)):  # mammoth looking up a note, comment or part by id
        cause = Reason(N_("it refers to a note, comment or part it does not hold"))
    else:
        cause = (str(error).strip().splitlines() or [type(error).__name__])[0][:200]
    return RejectedSource(
        N_("the Word document is damaged: {cause}; open it in Word and save it again"), cause=cause
    )


def local_name(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]


def excerpt(text: str) -> str:
    """The start of a text, short enough to name a thing in a sentence."""
    words = " ".join(text.split())
    return words if len(words) <= EXCERPT else words[: EXCERPT - 1].rstrip() + "…"


def _what_it_is(package: zipfile.ZipFile) -> Reason:
    """A guess at what a ZIP without a Word document holds, from its content types or ODF mimetype."""
    names = set(package.namelist())
    if "mimetype" in names and package.getinfo("mimetype").file_size < 200:
        found = _OPEN_DOCUMENT.get(package.read("mimetype").decode("ascii", "replace").strip())
        if found:
            return found
    if (
        "[Content_Types].xml" in names
        and package.getinfo("[Content_Types].xml").file_size < MAX_SIDE_PART_BYTES
    ):
        types = package.read("[Content_Types].xml").decode("utf-8", "replace")
        for marker, found in _OTHER_PACKAGES:
            if marker in types:
                return found
    return Reason(N_("a plain ZIP archive"))


def main_part(package: zipfile.ZipFile) -> str | None:
    """The main document's part name, as the package's relationships say (as mammoth finds it)."""
    names = set(package.namelist())
    if "_rels/.rels" in names and package.getinfo("_rels/.rels").file_size < MAX_SIDE_PART_BYTES:
        try:
            relationships = ElementTree.fromstring(package.read("_rels/.rels"))  # noqa: S314 (see parse_main)
        except ElementTree.ParseError:
            relationships = ElementTree.Element("none")
        for relationship in relationships:
            if relationship.get("Type") in (_OFFICE_REL, _STRICT_REL):
                target = (relationship.get("Target") or "").lstrip("/")
                if target in names:
                    return target
    return MAIN_DOCUMENT if MAIN_DOCUMENT in names else None


def _refuse_unless_zip(data: bytes, max_bytes: int) -> None:
    """Refuse what is no ZIP at all, saying what it is instead; and a ZIP too big to list its files."""
    if not data:
        raise RejectedSource(N_("the file is empty: upload the .docx again"))
    if len(data) > max_bytes:
        raise RejectedSource(
            N_(
                "the Word file is {size:.1f} MB, over the limit of {limit} MB: make its pictures smaller"
                " (in Word: Picture Format > Compress Pictures) or split the article"
            ),
            size=len(data) / 2**20,
            limit=max_bytes // 2**20,
        )
    if data.startswith(OLE2):
        raise RejectedSource(
            N_(
                "this is a Word 97–2003 .doc file or a password-protected document:"
                " open it in Word and save it as .docx without a password"
            )
        )
    if not zipfile.is_zipfile(io.BytesIO(data)):
        if data.startswith(b"PK"):
            raise RejectedSource(
                N_("the Word file is cut short or damaged (its ZIP directory is missing): upload it again")
            )
        found = next(
            (name for magic, name in _NOT_ZIP if data.lstrip().startswith(magic)), Reason(N_("no .docx file"))
        )
        raise RejectedSource(
            N_("this is not a Word document: it is {found}; {save_as}"), found=found, save_as=_SAVE_AS
        )
    end = data.rfind(b"PK\x05\x06", max(0, len(data) - 65_557))  # the end of the central directory
    if (
        end >= 0
        and len(data) >= end + 16
        and struct.unpack_from("<I", data, end + 12)[0] > MAX_DIRECTORY_BYTES
    ):
        raise RejectedSource(
            N_("the Word file holds far more files than a Word document does: save it again from Word")
        )


def _refuse_bombs(entries: list[zipfile.ZipInfo], max_unpacked: int) -> None:
    """Refuse, by the sizes the ZIP's directory states, a package that would unpack too big."""
    if any(info.flag_bits & 0x1 for info in entries):
        raise RejectedSource(N_("the Word document is password-protected: save it again without a password"))
    unpacked = sum(info.file_size for info in entries)
    if unpacked > max_unpacked:
        raise RejectedSource(
            N_(
                "the Word document unpacks to {size:,.0f} MB, over the limit of {limit} MB:"
                " make its pictures smaller or split the article"
            ),
            size=unpacked / 2**20,
            limit=max_unpacked // 2**20,
        )
    for info in entries:
        if info.file_size >= RATIO_FLOOR and info.file_size > MAX_RATIO * max(info.compress_size, 1):
            raise RejectedSource(
                N_(
                    "the Word document's part {part} is compressed more than {ratio} to 1,"
                    " which no real document is (a ZIP bomb?): save the article again from Word"
                ),
                part=info.filename[:80],
                ratio=MAX_RATIO,
            )


def open_package(data: bytes, *, max_bytes: int, max_unpacked: int) -> tuple[zipfile.ZipFile, str]:
    """The checked ZIP and its main part's name, or ``RejectedSource`` saying why it is no usable .docx.

    zipfile bounds what it decompresses by the size the directory states, so
    the sizes checked here are the sizes mammoth will read.
    """
    _refuse_unless_zip(data, max_bytes)
    try:
        package = zipfile.ZipFile(io.BytesIO(data))
    except DAMAGE as error:
        raise damaged(error) from None
    _refuse_bombs(package.infolist(), max_unpacked)
    main = main_part(package)
    if main is None:
        raise RejectedSource(
            N_("this is not a Word document (no word/document.xml): it looks like {found}; {save_as}"),
            found=_what_it_is(package),
            save_as=_SAVE_AS,
        )
    for info in package.infolist():
        if info.filename.endswith((".xml", ".rels")) and info.file_size > MAX_XML_PART_BYTES:
            sizes = {"size": info.file_size / 2**20, "limit": MAX_XML_PART_BYTES // 2**20}
            if info.filename == main:
                raise RejectedSource(
                    N_(
                        "the Word document's text and formatting take {size:,.1f} MB of XML,"
                        " over the limit of {limit} MB: split the article"
                    ),
                    **sizes,
                )
            raise RejectedSource(
                N_(
                    "the Word document's part {part} takes {size:,.1f} MB of XML, over the limit of"
                    " {limit} MB: split the article"
                ),
                part=info.filename[:80],
                **sizes,
            )
    return package, main


def _w_prefix(xml: bytes) -> bytes | None:
    for namespace in _W_NAMESPACES:
        found = re.search(rb"xmlns:([\w.-]+)\s*=\s*[\"']" + re.escape(namespace) + rb"[\"']", xml[:20000])
        if found:
            return found.group(1)
    return None


def unfold_simple_fields(xml: bytes) -> bytes:
    """Write each ``w:fldSimple`` as the equivalent complex field, and ``w:cr`` as ``w:br``.

    mammoth 1.13 drops a simple field with all it holds: the number of every
    caption Word's Insert Caption makes ("Hình 1") and any page reference.
    As a complex field (begin, instruction, separate, result, end) mammoth
    keeps the result Word last showed, and follows a ``HYPERLINK`` one.
    Replacing tags one by one keeps nested fields balanced.
    """
    prefix = _w_prefix(xml)
    if prefix is None or not re.search(rb":(?:fldSimple\b|cr\s*/>)", xml):
        return xml
    w = prefix.decode("ascii")

    def field_char(kind: str) -> str:
        return f'<{w}:r><{w}:fldChar {w}:fldCharType="{kind}"/></{w}:r>'

    def start(match: re.Match[bytes]) -> bytes:
        attributes = match.group(1).decode("utf-8")
        instruction = re.search(r"""\binstr\s*=\s*(?:"([^"]*)"|'([^']*)')""", attributes)
        text = (instruction.group(1) or instruction.group(2) or "") if instruction else ""
        opened = (
            field_char("begin")
            + f'<{w}:r><{w}:instrText xml:space="preserve">{text}</{w}:instrText></{w}:r>'
            + field_char("separate")
        )
        return (opened + field_char("end") if match.group(2) else opened).encode("utf-8")

    p = re.escape(prefix)
    xml = re.sub(rb"<" + p + rb":fldSimple\b((?:[^>\"'/]|\"[^\"]*\"|'[^']*')*)(/?)>", start, xml)
    xml = re.sub(rb"</" + p + rb":fldSimple\s*>", field_char("end").encode("ascii"), xml)
    return re.sub(rb"<" + p + rb":cr\s*/>", b"<" + prefix + b":br/>", xml)


def for_mammoth(data: bytes, package: zipfile.ZipFile, main: str) -> bytes:
    """The package with its main part unfolded (see ``unfold_simple_fields``), for mammoth to read.

    The new part is appended, not the package rewritten: ``zipfile`` (and so
    mammoth) reads the last entry of a name, and the pictures are not copied.
    """
    original = package.read(main)
    unfolded = unfold_simple_fields(original)
    if unfolded == original:
        return data
    stream = io.BytesIO(data)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)  # "Duplicate name": the point
        with zipfile.ZipFile(stream, "a", zipfile.ZIP_DEFLATED) as copy:
            copy.writestr(main, unfolded)
    return stream.getvalue()


def parse_main(package: zipfile.ZipFile, main: str) -> ElementTree.Element:
    """The main part as a tree, or ``RejectedSource`` naming where its XML breaks.

    ElementTree resolves no external entity, and the expat under Python 3.13
    stops an entity expansion ("billion laughs") past 100 times the input;
    mammoth's minidom reads every part through the same expat.
    """
    try:
        return ElementTree.fromstring(package.read(main))  # noqa: S314 (see above)
    except ElementTree.ParseError as error:
        line, column = error.position
        raise RejectedSource(
            N_(
                "the Word document is damaged: {part} is not valid XML (line {line}, column {column});"
                " open it in Word, let Word repair it, and save it again"
            ),
            part=main,
            line=line,
            column=column,
        ) from None
    except DAMAGE as error:
        raise damaged(error) from None
