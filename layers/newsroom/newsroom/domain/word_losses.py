"""What a Word article loses on the way to the page, in sentences its editor can act on.

Two sources. mammoth's messages: it warns about every style its map does
not name, and a real document uses dozens ("Normal (Web)", "List
Paragraph", a template's own); those lose formatting only, the page has its
own, and a list of them would bury the one warning that matters. What it
says about content left out (an equation, a symbol, a picture without its
data) is said plainly, and a message not recognised here is kept as mammoth
wrote it, because it might be content. And what mammoth drops without a
word, found in the main part as mammoth walks it: charts, SmartArt, text
boxes without a fallback, comments, tracked changes, the page header.
"""

from __future__ import annotations

import html
import re
import zipfile
from collections import Counter
from collections.abc import Iterable
from typing import Any
from xml.etree import ElementTree

from newsroom.domain.reasons import N_, Reason
from newsroom.domain.word_package import DAMAGE, MAX_SIDE_PART_BYTES, excerpt, local_name

# "Hình : …": Insert Caption's label, its space, then the separator, the number between them gone.
# (Not "Ảnh: TTXVN", the photo credit every Vietnamese caption ends with: no space before its colon.)
CAPTION_WITHOUT_NUMBER = re.compile(r"(?:hình|bảng|biểu đồ|sơ đồ|đồ thị|figure|table|chart)\s+[:.\-–—]", re.I)

_FORMATTING_ONLY = (
    re.compile(r"Unrecognised (?:paragraph|run|table) style: "),
    re.compile(r"(?:Paragraph|Run|Table|Numbering) style with ID .* was referenced but not defined"),
    re.compile(r"Image of type .* is unlikely to display"),  # the picture check says it, by picture
    re.compile(r"Unsupported break type: "),  # a section or page break: no page to break on the web
    re.compile(r"Ignoring complex field (?:end|separator) character"),  # the field's text is kept
)
_UNRECOGNISED = re.compile(r"An unrecognised element was ignored: (.+)")
_SYMBOL = re.compile(r"A w:sym element with an unsupported character was ignored: char (\S+) in font (.+)")
_MATH = "{http://schemas.openxmlformats.org/officeDocument/2006/math}"
_OFFICE = "{urn:schemas-microsoft-com:office:office}"
# Elements that only decorate, protect or annotate: nothing a reader would see is in them.
_HARMLESS = frozenset({
    "v:stroke", "v:fill", "v:path", "v:formulas", "v:handles", "v:f", "v:h", "v:skew", "v:extrusion",
    "w:permStart", "w:permEnd", "w:ptab", "w:tblPrEx", "w:smartTagPr", "w:customXmlPr", "w:fldData",
    "w:sdtEndPr", "w:proofErr", "w:noProof",
})  # fmt: skip
_EQUATION = Reason(N_("an equation"))
_WORDART = Reason(N_("WordArt text"))
_SHAPE = Reason(N_("a drawn shape"))
_RIGHT_TO_LEFT = Reason(N_("right-to-left text"))
_ELEMENTS = {
    f"{_MATH}oMath": _EQUATION,
    f"{_MATH}oMathPara": _EQUATION,
    "w:ruby": Reason(N_("ruby (phonetic guide) text")),
    "w:dir": _RIGHT_TO_LEFT,
    "w:bdo": _RIGHT_TO_LEFT,
    "w:contentPart": Reason(N_("an ink drawing")),
    "w:control": Reason(N_("a form control")),
    "w:altChunk": Reason(N_("imported content (an altChunk)")),
    "w:subDoc": Reason(N_("a subdocument")),
    "v:textpath": _WORDART,
    "v:oval": _SHAPE,
    "v:line": Reason(N_("a drawn line")),
    "v:polyline": _SHAPE,
    "v:arc": _SHAPE,
    "v:curve": _SHAPE,
}
_ADVICE = {
    _EQUATION: Reason(N_("type it as text or paste it as a picture")),
    _WORDART: Reason(N_("type it as ordinary text")),
}
_ANY_ADVICE = Reason(N_("paste it as a picture or retype it as text"))


def _element(name: str) -> Reason | None:
    if name in _HARMLESS or name.startswith((_OFFICE, "office-word:")):
        return None
    what = _ELEMENTS.get(name)
    if what is None:
        local = name.rsplit("}", 1)[-1]
        return Reason(
            N_("content Word stores as '{name}' was left out: the converter does not know it"), name=local
        )
    return Reason(N_("{what} was left out: {advice}"), what=what, advice=_ADVICE.get(what, _ANY_ADVICE))


def editor_warning(message: str) -> str | None:
    """The sentence for one mammoth message, or None when it loses no content.

    A message not recognised is kept as mammoth wrote it (English, not translated).
    """
    if any(pattern.match(message) for pattern in _FORMATTING_ONLY):
        return None
    if found := _UNRECOGNISED.fullmatch(message):
        return _element(found.group(1))
    if found := _SYMBOL.fullmatch(message):
        char, font = found.groups()
        return Reason(
            N_("a symbol (character {char} of the font {font}) was left out: type it as text"),
            char=char,
            font=font,
        )
    if message.startswith(("Could not find image file", "A v:imagedata element without")):
        return Reason(N_("a picture whose data is not in the file was left out: insert it again"))
    if message.startswith(("unexpected non-row element", "unexpected non-cell element")):
        return Reason(
            N_("a table holds content outside its rows or cells: its merged cells may show wrong; check it")
        )
    return message


def editor_warnings(messages: Iterable[Any]) -> list[str]:
    """The sentences for mammoth's messages (``mammoth.results.Message``), in order, each once."""
    found = (editor_warning(str(message.message)) for message in messages)
    return list(dict.fromkeys(sentence for sentence in found if sentence))


_DRAWINGS = {
    "chart": (Reason(N_("a chart")), Reason(N_("charts"))),
    "diagram": (Reason(N_("a SmartArt graphic")), Reason(N_("SmartArt graphics"))),
    "wordprocessingGroup": (
        Reason(N_("a group of shapes or pictures")),
        Reason(N_("groups of shapes or pictures")),
    ),
    "wordprocessingCanvas": (Reason(N_("a drawing canvas")), Reason(N_("drawing canvases"))),
    "wordprocessingShape": (
        Reason(N_("a shape filled with a picture")),
        Reason(N_("shapes filled with a picture")),
    ),
    "": (Reason(N_("a drawing")), Reason(N_("drawings"))),
}


def _drawing(element: ElementTree.Element) -> tuple[str, str] | None:
    """What a ``wp:inline`` or ``wp:anchor`` mammoth cannot show is: (kind, its text); None for a picture."""
    data = next((e for e in element.iter() if local_name(e.tag) == "graphicData"), None)
    uri = data.get("uri", "") if data is not None else ""
    if uri.endswith("/picture"):
        return None
    text = "".join(e.text or "" for e in element.iter() if local_name(e.tag) == "t")
    pictures = sum(1 for e in element.iter() if local_name(e.tag) == "blip")
    key = next((k for k in _DRAWINGS if k and k in uri), "")
    if key == "wordprocessingShape" and not text.strip():
        return ("wordprocessingShape", "") if pictures else None  # a line or an arrow: decoration
    return key, text


def _lost_warnings(lost: list[tuple[str, str]]) -> list[str]:
    found: list[str] = []
    counts = Counter(key for key, text in lost if not text.strip())
    for key, text in lost:
        if text.strip():
            kind = Reason(N_("a text box")) if key == "wordprocessingShape" else _DRAWINGS[key][0]
            found.append(
                Reason(
                    N_("{kind} ('{text}') was left out: move its text into the body"),
                    kind=kind,
                    text=excerpt(text),
                )
            )
    for key, count in counts.items():
        singular, plural = _DRAWINGS[key]
        if count == 1:
            found.append(
                Reason(
                    N_(
                        "{what} was left out: the site shows text, tables and pictures;"
                        " paste it as a picture (PNG or JPEG)"
                    ),
                    what=singular,
                )
            )
        else:
            found.append(
                Reason(
                    N_(
                        "{count} {what} were left out: the site shows text, tables and pictures;"
                        " paste it as a picture (PNG or JPEG)"
                    ),
                    count=count,
                    what=plural,
                )
            )
    return found


def unseen_content(package: zipfile.ZipFile, root: ElementTree.Element) -> list[str]:
    """Sentences for what the page will not show and mammoth says nothing about.

    Walked as mammoth reads: of an ``mc:AlternateContent`` only the
    ``mc:Fallback`` (where Word keeps a text box's text as VML, which mammoth
    does show), of a drawing only a picture.
    """
    lost: list[tuple[str, str]] = []
    comments = changes = 0
    stack = [root]
    while stack:
        element = stack.pop()
        name = local_name(element.tag)
        if name == "AlternateContent":
            fallback = next((e for e in element if local_name(e.tag) == "Fallback"), None)
            if fallback is not None:
                stack.append(fallback)
            else:  # mammoth drops the whole element
                text = "".join(e.text or "" for e in element.iter() if local_name(e.tag) == "t")
                pictures = any(local_name(e.tag) == "blip" for e in element.iter())
                if text.strip() or pictures:
                    lost.append(("", text))
            continue
        if name in ("inline", "anchor") and element.tag.endswith("wordprocessingDrawing}" + name):
            drawing = _drawing(element)
            if drawing is not None:
                lost.append(drawing)
            continue
        if name == "commentReference":
            comments += 1
        elif name in ("ins", "del", "moveFrom", "moveTo"):
            changes += 1
        stack.extend(reversed(element))
    found = _lost_warnings(lost)
    if comments:
        found.append(
            Reason(
                N_("the document's comments ({count}) are review notes: they are not published"),
                count=comments,
            )
        )
    if changes == 1:
        found.append(
            Reason(
                N_(
                    "the document has 1 tracked change nobody accepted or rejected: it was read as accepted;"
                    " check the text, or accept or reject them in Word (Review) and upload it again"
                )
            )
        )
    elif changes:
        found.append(
            Reason(
                N_(
                    "the document has {count} tracked changes nobody accepted or rejected: they were read as"
                    " accepted; check the text, or accept or reject them in Word (Review) and upload it again"
                ),
                count=changes,
            )
        )
    found.extend(_page_furniture(package))
    return found


def _page_furniture(package: zipfile.ZipFile) -> list[str]:
    """The page header's and footer's text, which is no part of the article, named so nobody misses it."""
    texts: list[str] = []
    for info in package.infolist():
        if (
            re.fullmatch(r"word/(?:header|footer)\d*\.xml", info.filename)
            and info.file_size < MAX_SIDE_PART_BYTES
        ):
            try:
                xml = package.read(info).decode("utf-8", "replace")
            except DAMAGE:
                continue  # not the article's text: the body is read, or refused, on its own
            text = html.unescape(" ".join(re.findall(r"<w:t(?:\s[^>]*)?>([^<]*)</w:t>", xml))).strip()
            if any(char.isalpha() for char in text):
                texts.append(text)
    if not texts:
        return []
    return [
        Reason(
            N_("the page header or footer ('{text}') is not published: only the body is"),
            text=excerpt(" / ".join(texts)),
        )
    ]
