"""Which of a Word document's pictures the site can publish, told by their bytes.

The content type a ``.docx`` declares comes from the file name's extension
in ``[Content_Types].xml``, and a renamed file lies: the first bytes do not.
Word keeps old drawings and the previews of embedded objects as WMF or EMF,
which no browser shows; those are dropped and named for the editor.
"""

from __future__ import annotations

import re
from collections.abc import Callable

from newsroom.domain.reasons import N_, Reason

# What the picture pipeline reads (Pillow, pi-heif) and makes web variants of; browsers show most as they are.
_PUBLISHABLE: tuple[tuple[Callable[[bytes], bool], str, str], ...] = (
    (lambda d: d.startswith(b"\x89PNG\r\n\x1a\n"), "png", "image/png"),
    (lambda d: d.startswith(b"\xff\xd8\xff"), "jpg", "image/jpeg"),
    (lambda d: d[:6] in (b"GIF87a", b"GIF89a"), "gif", "image/gif"),
    (lambda d: d[:4] == b"RIFF" and d[8:12] == b"WEBP", "webp", "image/webp"),
    (lambda d: d[4:8] == b"ftyp" and d[8:12] in (b"avif", b"avis"), "avif", "image/avif"),
    (lambda d: d[:4] in (b"II*\x00", b"MM\x00*"), "tif", "image/tiff"),
    (lambda d: d[:2] == b"BM" and len(d) > 26, "bmp", "image/bmp"),
    (lambda d: d[4:8] == b"ftyp" and d[8:12] in (b"heic", b"heix", b"mif1", b"hevc"), "heic", "image/heic"),
)
_WMF = Reason(N_("a WMF drawing"))
_EMF = Reason(N_("an EMF drawing"))
_UNSHOWABLE: tuple[tuple[Callable[[bytes], bool], Reason], ...] = (
    (lambda d: d[:4] == b"\xd7\xcd\xc6\x9a" or (d[:2] in (b"\x01\x00", b"\x02\x00") and d[2:4] == b"\t\x00"),
     _WMF),  # placeable, or a bare header (type 1 or 2, 9 words long)
    (lambda d: d[:4] == b"\x01\x00\x00\x00" and d[40:44] == b" EMF", _EMF),
    (lambda d: d[:2] == b"\x1f\x8b", Reason(N_("a compressed WMF or EMF drawing"))),
    (lambda d: b"<svg" in d[:1024], Reason(N_("an SVG drawing"))),
)  # fmt: skip
_DECLARED = {
    "image/x-wmf": _WMF,
    "image/wmf": _WMF,
    "image/x-emf": _EMF,
    "image/emf": _EMF,
    "image/x-pict": Reason(N_("a PICT picture")),
}
# Word's generated alt text ends so; the generator's confession is no description for a reader.
_GENERATED = re.compile(
    r"\s*(?:Description automatically generated|Mô tả được tạo tự động|AI-generated content may be incorrect"
    r"|Nội dung do AI tạo)\b.*\Z",
    re.S | re.I,
)


def picture_format(data: bytes, declared: str) -> tuple[tuple[str, str] | None, str]:
    """((extension, content type), "") for a publishable picture, else (None, what it is for the editor)."""
    for test, extension, content_type in _PUBLISHABLE:
        if test(data):
            return (extension, content_type), ""
    for test, what in _UNSHOWABLE:
        if test(data):
            return None, what
    named = _DECLARED.get(declared.lower())
    if named is None:
        named = (
            Reason(N_("a file of type {type}"), type=declared[:40])
            if declared
            else Reason(N_("a file of unknown type"))
        )
    return None, named


def clean_alt(alt: str) -> str:
    """The alt text as a reader hears it: one line, without Word's "Description automatically generated"."""
    return " ".join(_GENERATED.sub("", alt).split())
