"""Which picture a file holds, told from its first bytes, and what to tell an editor when it holds none.

Names lie (a HEIC renamed .jpg by a phone's share sheet, a PDF saved as "anh.png"), so only the bytes
decide; the upload's name only labels the messages.
"""

from __future__ import annotations

import codecs

from newsroom_pictures.reasons import N_, Reason

ACCEPTED = Reason(N_("JPEG, PNG, WebP or HEIC"))

# ISO base media brands: HEVC-coded HEIF pictures, which libheif (pi-heif) decodes...
_HEVC_BRANDS = frozenset({b"heic", b"heix", b"heim", b"heis", b"hevc", b"hevx", b"hevm", b"hevs"})
# ...the structural brands, which HEVC and AV1 files share (so AVIF is ruled out before these count)...
_HEIF_STRUCTURE_BRANDS = frozenset({b"mif1", b"msf1"})
_AVIF_BRANDS = frozenset({b"avif", b"avis"})
# ...and what else starts with an ftyp box.
_OTHER_FTYP = {
    b"crx ": (Reason(N_("a Canon raw photo (CR3)")), Reason(N_("export it as JPEG"))),
    b"qt  ": (Reason(N_("a video (MOV)")), Reason(N_("publish it as a video, or export a still as JPEG"))),
}
_VIDEO = (Reason(N_("a video (MP4)")), Reason(N_("publish it as a video, or export a still as JPEG")))

_MAGIC: tuple[tuple[bytes, Reason, Reason | None], ...] = (
    (b"%PDF-", Reason(N_("a PDF document")), None),
    (b"GIF87a", Reason(N_("a GIF")), Reason(N_("convert it to PNG (a still picture) or MP4 (an animation)"))),
    (b"GIF89a", Reason(N_("a GIF")), Reason(N_("convert it to PNG (a still picture) or MP4 (an animation)"))),
    (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", Reason(N_("an old Office document (.doc, .xls or .ppt)")), None),
    (b"II*\x00", Reason(N_("a TIFF or camera raw file")), Reason(N_("export it as JPEG"))),
    (b"MM\x00*", Reason(N_("a TIFF or camera raw file")), Reason(N_("export it as JPEG"))),
    (b"8BPS", Reason(N_("a Photoshop document (PSD)")), Reason(N_("export it as JPEG or PNG"))),
    (b"\xff\x0a", Reason(N_("a JPEG XL picture")), Reason(N_("export it as JPEG"))),
    (b"\x00\x00\x00\x0cJXL \r\n\x87\n", Reason(N_("a JPEG XL picture")), Reason(N_("export it as JPEG"))),
    (b"{\\rtf", Reason(N_("a Word document (RTF)")), Reason(N_("save the picture out of it as JPEG or PNG"))),
    (b"ID3", Reason(N_("a sound file (MP3)")), None),
    (b"OggS", Reason(N_("a sound or video file (Ogg)")), None),
    (b"\x1a\x45\xdf\xa3", Reason(N_("a video (WebM or MKV)")), None),
    (b"\x1f\x8b", Reason(N_("a compressed archive (gzip)")), None),
    (b"Rar!", Reason(N_("a compressed archive (RAR)")), None),
    (b"7z\xbc\xaf\x27\x1c", Reason(N_("a compressed archive (7-Zip)")), None),
)
_ZIP_CONTENTS = (
    (
        b"word/",
        Reason(N_("a Word document (.docx)")),
        Reason(N_("save the pictures out of it as JPEG or PNG and upload those")),
    ),
    (b"xl/", Reason(N_("an Excel workbook (.xlsx)")), None),
    (b"ppt/", Reason(N_("a PowerPoint presentation (.pptx)")), Reason(N_("export the slide as PNG"))),
    (b"mimetypeapplication/vnd.oasis", Reason(N_("an OpenDocument file")), None),
)
_RIFF_KINDS = {b"WAVE": Reason(N_("a sound file (WAV)")), b"AVI ": Reason(N_("a video (AVI)"))}


class PictureRejected(ValueError):
    """The reason, in plain English, an editor can act on (first line of the message).

    ``reason`` is that sentence alone (a ``Reason``: the status file gives it in the site's language);
    ``name`` the upload it is about; ``detail`` what the decoder said, for the logs (second line of the
    message). ``str()`` puts the name first, so a batch of uploads' messages says which file each is about.
    """

    def __init__(self, reason: Reason, *, name: str = "", detail: str = "") -> None:
        self.reason = reason
        self.name = name
        self.detail = detail
        first = f"{name}: {reason}" if name else reason
        super().__init__(f"{first}\n({detail})" if detail else first)


def sniff(data: bytes, *, name: str = "") -> str:
    """The Pillow format name ("JPEG", "PNG", "WEBP", "HEIF") of a picture we accept, told by its bytes.

    Raises PictureRejected with what the file looks like instead, since "not a picture" alone leaves an
    editor guessing what to export.
    """
    if data.startswith(b"\xff\xd8\xff"):
        return "JPEG"
    if data.startswith(b"\x89PNG\r\n\x1a\n"):
        return "PNG"
    if data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return "WEBP"
    if data[4:8] == b"ftyp":
        return _iso_media(data, name)
    what, hint = looks_like(data)
    raise PictureRejected(_not_a_picture(what, hint), name=name)


def _not_a_picture(what: Reason, hint: Reason | None) -> Reason:
    if hint:
        return Reason(
            N_("this file is not a picture we can publish ({accepted}): it looks like {what}: {hint}"),
            accepted=ACCEPTED,
            what=what,
            hint=hint,
        )
    return Reason(
        N_("this file is not a picture we can publish ({accepted}): it looks like {what}"),
        accepted=ACCEPTED,
        what=what,
    )


def _iso_media(data: bytes, name: str) -> str:
    """HEIC/HEIF from phones, told apart from AVIF (which pi-heif cannot decode) and from videos."""
    size = int.from_bytes(data[:4], "big")
    box = data[8 : min(max(size, 16), 1024, len(data))]
    major = box[:4]
    brands = {major} | {box[i : i + 4] for i in range(8, len(box) - 3, 4)}
    if brands & _HEVC_BRANDS:
        return "HEIF"
    if major in _AVIF_BRANDS or brands & _AVIF_BRANDS:
        avif = _not_a_picture(Reason(N_("an AVIF picture")), Reason(N_("export it as JPEG or WebP")))
        raise PictureRejected(avif, name=name)
    if brands & _HEIF_STRUCTURE_BRANDS:
        return "HEIF"
    what, hint = _OTHER_FTYP.get(major, _VIDEO)
    raise PictureRejected(_not_a_picture(what, hint), name=name)


def looks_like(data: bytes) -> tuple[Reason, Reason | None]:
    """What a file that is no picture we accept most likely is, and what the editor can do about it."""
    return (
        _binary_kind(data)
        or _text_kind(data)
        or (
            Reason(N_("a file of a kind we do not recognise")),
            Reason(N_("export the picture as {accepted}"), accepted=ACCEPTED),
        )
    )


def _binary_kind(data: bytes) -> tuple[Reason, Reason | None] | None:
    for magic, what, hint in _MAGIC:
        if data.startswith(magic):
            return what, hint
    if data.startswith((b"PK\x03\x04", b"PK\x05\x06")):
        found = next(((what, hint) for marker, what, hint in _ZIP_CONTENTS if marker in data), None)
        return found or (
            Reason(N_("a ZIP archive")),
            Reason(N_("unpack it and upload the pictures one by one")),
        )
    if data[:4] == b"RIFF":
        return _RIFF_KINDS.get(data[8:12], Reason(N_("a RIFF media file"))), None
    if data.startswith(b"BM") and data[6:10] == b"\x00\x00\x00\x00":
        return Reason(N_("a BMP picture")), Reason(N_("export it as PNG or JPEG"))
    return None


def _text_kind(data: bytes) -> tuple[Reason, Reason | None] | None:
    text = _text_start(data)
    if text is None:
        return None
    head = text.lstrip().lower()
    if "<svg" in head:
        return Reason(N_("an SVG drawing")), Reason(N_("export it as PNG"))
    if head.startswith(("<!doctype html", "<html")):
        return Reason(N_("a web page (HTML)")), Reason(N_("save the picture itself, not the page"))
    if head.startswith("<?xml"):
        return Reason(N_("an XML document")), None
    return Reason(N_("a text file")), None


def _text_start(data: bytes) -> str | None:
    """The first 4 KB as text, when the file is text (UTF-8, or UTF-16 with its mark), else None."""
    head = data[:4096]
    for bom, encoding in ((codecs.BOM_UTF16_LE, "utf-16-le"), (codecs.BOM_UTF16_BE, "utf-16-be")):
        if head.startswith(bom):
            head_text = head[len(bom) :].decode(encoding, errors="ignore")
            break
    else:
        try:
            # Incremental, so a character cut at the 4 KB boundary does not count as binary.
            head_text = codecs.getincrementaldecoder("utf-8-sig")().decode(head, final=False)
        except UnicodeDecodeError:
            return None
    if not head_text.strip() or any(ch < " " and ch not in "\t\n\r\f" for ch in head_text):
        return None
    return head_text
