"""Word articles (``.docx``): the front-matter fields, the body HTML and the pictures an HTML article needs.

Editors write in Word and mean its styles: the Title paragraph is the
headline, Heading 1 a section, Caption the line under a picture. mammoth
reads the document; a pass over its document tree (``_Reading``) turns those
styles into the page's structure, whatever language the editor's Word
names them in, and each picture with its caption into a ``<figure>``.
Nothing is dropped silently: what the page cannot show (a WMF drawing, a
chart, a text box, a caption's lost number) comes back as a sentence the
editor can act on. The HTML is not sanitized here: the HTML article path
does that, with everything else it checks.
"""

from __future__ import annotations

import hashlib
import html
import io
import re
import unicodedata
import zipfile
import zlib
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from newsroom.domain.errors import RejectedSource
from newsroom.domain.reasons import N_, Reason
from newsroom.domain.word_losses import CAPTION_WITHOUT_NUMBER, editor_warnings, unseen_content
from newsroom.domain.word_package import DAMAGE, damaged, excerpt, for_mammoth, open_package, parse_main
from newsroom.domain.word_pictures import clean_alt, picture_format
from newsroom.domain.word_properties import read_properties

MAX_DOCX_BYTES = 40 * 1024 * 1024
MAX_UNPACKED_BYTES = 200 * 1024 * 1024
MAX_PICTURES = 60


@dataclass(frozen=True)
class WordPicture:
    """A picture of the document, named by its content so that re-uploading the file rewrites nothing."""

    name: str
    data: bytes
    content_type: str


@dataclass(frozen=True)
class WordDocument:
    """What the HTML article path needs: front-matter fields, the body, its pictures, the editor's losses."""

    fields: dict[str, str]
    html: str
    pictures: tuple[WordPicture, ...]
    warnings: tuple[str, ...]


def _key(name: str | None) -> str:
    return re.sub(r"[\s_-]+", "", unicodedata.normalize("NFC", name or "").casefold())


# Word stores its built-in styles' English names whatever the interface's language ("heading 1",
# "caption"); WPS, LibreOffice and hand-made templates may store the Vietnamese ones.
_PARAGRAPH_KINDS = {
    **dict.fromkeys(map(_key, ("Title", "Tiêu đề", "Tựa đề")), "title"),
    _key("Heading"): "h2",  # Apple Pages' only heading
    **{
        _key(f"{word} {n}"): f"h{min(n + 1, 6)}"
        for word in ("Heading", "Đầu đề", "Tiêu đề")
        for n in range(1, 10)
    },
    **dict.fromkeys(
        map(_key, ("Quote", "Intense Quote", "Trích dẫn", "Trích dẫn đậm", "Trích dẫn mạnh", "Trích dẫn rõ")),
        "quote",
    ),
    **dict.fromkeys(map(_key, ("Caption", "Chú thích", "Chú thích ảnh")), "caption"),
}
_RUN_KINDS = {
    **dict.fromkeys(map(_key, ("Strong", "Đậm", "Mạnh")), "strong"),
    **dict.fromkeys(
        map(_key, ("Emphasis", "Intense Emphasis", "Subtle Emphasis", "Nhấn mạnh", "Nhấn mạnh đậm")), "em"
    ),
}
STYLE_MAP = "\n".join(
    [f"p[style-name='newsroom-h{n}'] => h{n}:fresh" for n in range(2, 7)]
    + [
        "p[style-name='newsroom-quote'] => blockquote > p:fresh",
        "p[style-name='newsroom-figure'] => figure:fresh",
        "p[style-name='newsroom-figure-joined'] => figure",  # joins the figure its caption opened
        "p[style-name='newsroom-caption-after'] => figure > figcaption:fresh",
        "p[style-name='newsroom-caption-before'] => figure:fresh > figcaption:fresh",
        "p[style-name='newsroom-caption'] => p:fresh",
        "r[style-name='newsroom-strong'] => strong",
        "r[style-name='newsroom-em'] => em",
        "u => u",  # mammoth drops underlining unless asked; highlighting (a reviewer's marks) stays off
    ]
)
_NOTE_REFERENCE = re.compile(
    r'<a href="#(?:foot|end)note-[^"]*" id="(?:foot|end)note-ref-[^"]*">(\[\d+\])</a>'
)
_NOTE_BACKLINK = re.compile(r' ?<a href="#(?:foot|end)note-ref-[^"]*">↑</a>')
_NOTE_ITEM = re.compile(r'<li id="(?:foot|end)note-[^"]*">(<p>)?\s*')
_NOTES = re.compile(r'<ol><li id="(?:foot|end)note-')
_TAG = re.compile(r"<[^>]*>")


class _Reading:
    """One pass over mammoth's document tree, keeping what it learns: pictures, title, warnings."""

    def __init__(self, mammoth: Any, picture_src: Callable[[WordPicture], str], core_title: str) -> None:
        self.docs = mammoth.documents
        self.picture_src = picture_src
        self.core_title = core_title
        self.title = ""
        self.seen = 0
        self.pictures: dict[str, WordPicture] = {}
        self.sources: dict[str, str] = {}
        self.images: dict[int, tuple[Any, str | None, str]] = {}  # id -> (image, src or None, alt)
        self.warnings: list[str] = []
        self.convert_image = mammoth.images.img_element(self._attributes)

    # Pictures ----------------------------------------------------------------------------------------

    def _picture(self, image: Any) -> str | None:
        """The picture's final src, or None (with the reason warned) when the page cannot show it."""
        known = self.images.get(id(image))
        if known is not None:
            return known[1]
        self.seen += 1
        alt = clean_alt(image.alt_text or "")
        which = (
            Reason(N_("picture {number} ('{alt}')"), number=self.seen, alt=excerpt(alt))
            if alt
            else Reason(N_("picture {number}"), number=self.seen)
        )
        src = None
        try:
            with image.open() as stream:
                data = stream.read()
        except ValueError:  # mammoth's InvalidFileReferenceError: a picture linked, not embedded
            self.warn(
                N_("{which} is linked to a file outside the document: it was left out; insert it"), which
            )
        except KeyError:
            self.warn(N_("{which} is missing from the file: it was left out; insert it again"), which)
        except (zipfile.BadZipFile, zlib.error, OSError, EOFError):
            self.warn(N_("{which} is damaged in the file: it was left out; insert it again"), which)
        else:
            found, what = picture_format(data, image.content_type or "")
            if found is None:
                self.warn(
                    N_(
                        "{which} is {what}, which browsers cannot show: it was left out;"
                        " paste it as PNG or JPEG"
                    ),
                    which,
                    what=what,
                )
            else:
                src = self._keep(data, *found)
        self.images[id(image)] = (image, src, alt)
        return src

    def warn(self, template: str, which: str, **params: object) -> None:
        """Say what the page lost of one picture (``which``: "picture 2 ('…')")."""
        self.warnings.append(Reason(template, which=which, **params))

    def _keep(self, data: bytes, extension: str, content_type: str) -> str:
        name = f"{hashlib.sha256(data).hexdigest()[:16]}.{extension}"
        if name not in self.pictures:
            if len(self.pictures) >= MAX_PICTURES:
                raise RejectedSource(
                    N_(
                        "the Word document has more than {most} pictures, the limit for one article:"
                        " split it into several"
                    ),
                    most=MAX_PICTURES,
                )
            self.pictures[name] = WordPicture(name=name, data=data, content_type=content_type)
            self.sources[name] = self.picture_src(self.pictures[name])
        return self.sources[name]

    def _attributes(self, image: Any) -> dict[str, str]:
        _, src, alt = self.images[id(image)]
        return {"src": src or "", "alt": alt, "loading": "lazy", "decoding": "async"}

    def image_element(self, image: Any) -> list[Any]:
        """mammoth's ``convert_image``: pictures in footnotes arrive here without having been seen."""
        return self.convert_image(image) if self._picture(image) is not None else []

    # The tree ----------------------------------------------------------------------------------------

    def text(self, element: Any) -> str:
        if isinstance(element, self.docs.Text):
            return str(element.value)
        if isinstance(element, (self.docs.Tab, self.docs.Break)):
            return " "
        return "".join(self.text(child) for child in getattr(element, "children", ()))

    def has_picture(self, element: Any) -> bool:
        if isinstance(element, self.docs.Image):
            return True
        return any(self.has_picture(child) for child in getattr(element, "children", ()))

    def document(self, document: Any) -> Any:
        """mammoth's ``transform_document``: the body with styles resolved and pictures checked."""
        children = self.elements(document.children)
        if not self.core_title and not self.title:  # a headline typed as Heading 1, as the HTML path's h1
            first = next((c for c in children if self.text(c).strip() or self.has_picture(c)), None)
            if isinstance(first, self.docs.Paragraph) and first.style_name == "newsroom-h2":
                self.title = " ".join(self.text(first).split())
                children.remove(first)
        return document.copy(children=children)

    def elements(self, children: list[Any]) -> list[Any]:
        out = [converted for child in children for converted in self.element(child)]
        if any(isinstance(child, self.docs.Paragraph) for child in out):
            self.figures(out)
        return out

    def element(self, element: Any) -> list[Any]:
        docs = self.docs
        if isinstance(element, docs.Checkbox):  # a form's box: the sanitizer would drop an <input>
            element = docs.Text("☑" if element.checked else "☐")
        if isinstance(element, docs.Bookmark) or (
            isinstance(element, docs.Image) and self._picture(element) is None
        ):
            return []  # a bookmark's anchor goes with the sanitizer's ids: the links to it become text below
        if isinstance(element, docs.Hyperlink) and element.anchor is not None:
            return self.elements(element.children)
        if isinstance(element, (docs.HasChildren, docs.TableCellUnmerged)):
            element = element.copy(children=self.elements(element.children))
        if isinstance(element, docs.Run):
            kind = _RUN_KINDS.get(_key(element.style_name)) or _RUN_KINDS.get(_key(element.style_id))
            element = element.copy(style_id=None, style_name=f"newsroom-{kind}" if kind else None)
        return self.paragraph(element) if isinstance(element, docs.Paragraph) else [element]

    def paragraph(self, paragraph: Any) -> list[Any]:
        kind = _PARAGRAPH_KINDS.get(_key(paragraph.style_name)) or _PARAGRAPH_KINDS.get(
            _key(paragraph.style_id)
        )
        text = " ".join(self.text(paragraph).split())
        pictures = self.has_picture(paragraph)
        if kind == "title" and text and not self.title:
            self.title = text
            return []
        if kind == "title":
            kind = "h2"
        if kind == "caption" and pictures and text:
            return self.split_caption(paragraph)
        if kind == "caption" and text:
            self.check_caption(text)
        elif pictures and not text and kind not in ("quote", "h2", "h3", "h4", "h5", "h6"):
            kind = "figure"
        return [paragraph.copy(style_id=None, style_name=f"newsroom-{kind}" if kind else None)]

    def split_caption(self, paragraph: Any) -> list[Any]:
        """A picture and its caption in one Caption paragraph: two paragraphs, the figure and its caption."""
        picture_first = self.has_picture(paragraph.children[0])
        pictures = [c for c in paragraph.children if self.has_picture(c) and not self.text(c).strip()]
        caption = [c for c in paragraph.children if not (self.has_picture(c) and not self.text(c).strip())]
        if not pictures or any(self.has_picture(c) for c in caption):  # text and pictures interleave
            return [paragraph.copy(style_id=None, style_name="newsroom-figure")]
        while caption and not self.text(caption[0]).strip():
            caption.pop(0)  # the line break between the picture and its words
        self.check_caption(" ".join(self.text(paragraph).split()))
        parts = [
            paragraph.copy(children=pictures, style_id=None, style_name="newsroom-figure"),
            paragraph.copy(children=caption, style_id=None, style_name="newsroom-caption"),
        ]
        return parts if picture_first else parts[::-1]

    def check_caption(self, text: str) -> None:
        if CAPTION_WITHOUT_NUMBER.match(text):
            self.warnings.append(
                Reason(
                    N_(
                        "the caption '{caption}' lost its number (its numbering field holds none):"
                        " in Word press Ctrl+A, then F9 to update the fields, and upload it again"
                    ),
                    caption=excerpt(text),
                )
            )

    def figures(self, blocks: list[Any]) -> None:
        """Pair each picture paragraph with the caption right after it, else right before it."""

        def style(index: int) -> str | None:
            block = blocks[index]
            return block.style_name if isinstance(block, self.docs.Paragraph) else None

        def restyle(index: int, name: str) -> None:
            blocks[index] = blocks[index].copy(style_name=name)

        significant = [i for i, b in enumerate(blocks) if self.text(b).strip() or self.has_picture(b)]
        captioned: set[int] = set()
        for position, index in enumerate(significant):
            if style(index) != "newsroom-caption":
                continue
            before = significant[position - 1] if position else None
            after = significant[position + 1] if position + 1 < len(significant) else None
            if before is not None and style(before) == "newsroom-figure" and before not in captioned:
                restyle(index, "newsroom-caption-after")
                captioned.add(before)
            elif after is not None and style(after) == "newsroom-figure":
                restyle(index, "newsroom-caption-before")
                restyle(after, "newsroom-figure-joined")
                captioned.add(after)


def _footnotes(body: str) -> str:
    """mammoth's notes, without the in-page links the sanitizer leaves dangling (it drops ``id``)."""
    body = _NOTE_REFERENCE.sub(r"\1", body)
    body = _NOTE_BACKLINK.sub("", body)
    body = _NOTES.sub(lambda found: "<hr />" + found.group(0), body, count=1)
    return _NOTE_ITEM.sub(lambda found: "<li>" + (found.group(1) or ""), body)  # Word spaces after the mark


def read_word(data: bytes, *, picture_src: Callable[[WordPicture], str]) -> WordDocument:
    """Read an uploaded ``.docx`` into front-matter fields, body HTML, pictures and warnings.

    ``picture_src`` names where each picture will be served from, so that the
    HTML refers to it already. Raises ``RejectedSource`` with the editor's
    reason when the file is no usable Word document.
    """
    import mammoth  # noqa: PLC0415 (imported on first use: most articles are Markdown)

    try:
        package, main = open_package(data, max_bytes=MAX_DOCX_BYTES, max_unpacked=MAX_UNPACKED_BYTES)
        with package:
            fields = read_properties(package)
            unseen = unseen_content(package, parse_main(package, main))
            source = for_mammoth(data, package, main)
    except DAMAGE as error:
        raise damaged(error) from None
    reading = _Reading(mammoth, picture_src, fields.get("title", ""))
    try:
        result = mammoth.convert_to_html(
            io.BytesIO(source),
            style_map=STYLE_MAP,
            include_embedded_style_map=False,  # the document's own mappings could emit any HTML
            transform_document=reading.document,
            convert_image=reading.image_element,
        )
    except RejectedSource:
        raise
    except RecursionError:
        raise RejectedSource(N_("the Word document is damaged: its XML nests too deeply")) from None
    except Exception as error:  # a damaged part fails anywhere inside mammoth
        raise damaged(error) from None
    body = _footnotes(result.value)
    warnings = [*reading.warnings, *unseen, *editor_warnings(result.messages)]
    if not html.unescape(_TAG.sub("", body)).strip() and not reading.pictures:
        raise _no_text(bool(reading.title), warnings[0] if warnings else None)
    if reading.title and "title" not in fields:
        fields["title"] = reading.title
    elif reading.title and _key(reading.title) != _key(fields["title"]):
        warnings.insert(
            0,
            Reason(
                N_(
                    "the Title paragraph '{paragraph}' differs from the document's title property"
                    " '{property}', which was used: fix it in Word (File > Info > Title) or in the"
                    " .yaml beside the file"
                ),
                paragraph=excerpt(reading.title),
                property=excerpt(fields["title"]),
            ),
        )
    return WordDocument(
        fields=fields,
        html=body,
        pictures=tuple(reading.pictures.values()),
        warnings=tuple(dict.fromkeys(warnings)),
    )


def _no_text(titled: bool, lost: str | None) -> RejectedSource:
    """The refusal of a document with nothing to publish, naming the first thing it lost."""
    if titled and lost:
        return RejectedSource(N_("the Word document has no text besides its title: {lost}"), lost=lost)
    if titled:
        return RejectedSource(N_("the Word document has no text besides its title"))
    if lost:
        return RejectedSource(N_("the Word document has no text: {lost}"), lost=lost)
    return RejectedSource(N_("the Word document has no text"))
