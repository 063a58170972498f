"""An editor's upload turned into the picture files a page serves: sized for phones to desktops, no metadata.

Phone photos are 4-12 MB with EXIF that tells where and when they were taken (GPS, serial numbers), which
a news site must not publish about its sources and reporters. Every variant is therefore re-encoded from
pixels, with nothing carried over but the ICC colour profile, so colours stay as the photographer saw
them. One picture is handled at a time, and intermediate images are dropped as soon as they are encoded,
so a Lambda function of 1 GB or so decodes a 48-megapixel photo without swapping.
"""

from __future__ import annotations

import functools
import hashlib
import io
import re
import struct
import warnings
from dataclasses import dataclass
from typing import Any

from PIL import ExifTags, Image, ImageFile, ImageOps, UnidentifiedImageError

from newsroom_pictures.colour import has_transparency, web_colours
from newsroom_pictures.formats import PictureRejected, sniff
from newsroom_pictures.reasons import N_, Reason

__all__ = [
    "LEAD_MIN_WIDTH",
    "MAX_PIXELS",
    "MAX_SOURCE_BYTES",
    "MAX_VARIANT_WIDTH",
    "WIDTHS",
    "PictureRejected",
    "PreparedPicture",
    "Variant",
    "prepare_picture",
    "variant_widths",
]

WIDTHS = (480, 960, 1600)  # variant widths; never upscale
MAX_VARIANT_WIDTH = 2048  # beyond that, a 2x retina desktop column gains nothing but bytes
LEAD_MIN_WIDTH = 1200  # Google Discover wants lead images >= 1200 px wide
MAX_SOURCE_BYTES = 25 * 1024 * 1024
MAX_PIXELS = 60_000_000  # refuse decompression bombs before decoding: 60 MP is past any phone's 48 MP mode

# Pillow's own guard (a warning past this, an error past twice this), for any other code that opens
# pictures in this process; prepare_picture checks MAX_PIXELS itself, with a message an editor can read.
Image.MAX_IMAGE_PIXELS = MAX_PIXELS

# Quality ~80 WebP and ~82 JPEG are where photos stop looking better and only grow; WebP method 4 is
# libwebp's default balance (method 6 costs about twice the time for 1-2 % fewer bytes).
_ENCODINGS: dict[str, tuple[str, str, dict[str, Any]]] = {
    "webp": ("WEBP", "image/webp", {"quality": 80, "method": 4}),
    "jpg": (
        "JPEG",
        "image/jpeg",
        {"quality": 82, "progressive": True, "optimize": True, "subsampling": "4:2:0"},
    ),
    "png": ("PNG", "image/png", {"optimize": True}),
}
_LABELS = {"JPEG": "JPEG", "PNG": "PNG", "WEBP": "WebP", "HEIF": "HEIC"}
# What a broken file makes Pillow's and libheif's decoders raise.
_DECODE_ERRORS = (OSError, SyntaxError, ValueError, EOFError, struct.error, IndexError, RuntimeError)
_BOMB_SIZE = re.compile(r"\((\d+) pixels\)")
_MB = 1024 * 1024


@dataclass(frozen=True)
class Variant:
    """One file of a picture: a width in one encoding."""

    width: int
    height: int
    media_type: str  # "image/webp", "image/jpeg", "image/png"
    suffix: str  # "webp", "jpg", "png"
    data: bytes


@dataclass(frozen=True)
class PreparedPicture:
    """Everything the handler needs to store a picture's files and tell the editor about it."""

    width: int  # of the oriented original
    height: int
    digest: str  # first 16 hex chars of sha256 of the source bytes, for content-hashed names
    fallback: str  # "jpg", or "png" when the picture has transparency
    variants: tuple[Variant, ...]  # per width, ascending: the WebP, then the fallback
    lead_problem: str | None  # why it cannot be an article's lead picture, or None
    source_format: str = ""  # "JPEG", "PNG", "WEBP" or "HEIF", as told from the bytes
    notes: tuple[str, ...] = ()  # what was changed that an editor may want to know (first frame only, CMYK)


def variant_widths(width: int) -> tuple[int, ...]:
    """The widths to make for a picture ``width`` px wide (once oriented), ascending.

    Rule: every width of WIDTHS below min(width, MAX_VARIANT_WIDTH), then min(width, MAX_VARIANT_WIDTH)
    itself. So a picture is never upscaled (a bigger file would add no detail), a narrow one still gets
    its own size (the srcset's last entry is the sharpest there is), and a 48 MP photo stops at 2048 px,
    which covers a 2x screen's article column:
    4000 → (480, 960, 1600, 2048); 2000 → (480, 960, 1600, 2000); 700 → (480, 700); 300 → (300,).
    """
    if width < 1:
        raise ValueError(f"a picture is at least 1 px wide, not {width}")
    largest = min(width, MAX_VARIANT_WIDTH)
    return (*(w for w in WIDTHS if w < largest), largest)


def prepare_picture(data: bytes, *, name: str = "") -> PreparedPicture:
    """Decode an upload, orient it, and encode its web variants, or say why an editor must fix it.

    ``name`` (the upload's key or file name) only labels messages: the format is told from the bytes.
    Raises PictureRejected, whose first line is the reason in plain English.
    """
    if not data:
        raise PictureRejected(Reason(N_("the file is empty (0 bytes): upload it again")), name=name)
    if len(data) > MAX_SOURCE_BYTES:
        too_big = Reason(
            N_("the file is {size:.1f} MB, over the {limit:.0f} MB limit for pictures: export it smaller"),
            size=len(data) / _MB,
            limit=MAX_SOURCE_BYTES / _MB,
        )
        raise PictureRejected(too_big, name=name)
    source_format = sniff(data, name=name)
    if source_format == "HEIF":
        _register_heif()
    notes: list[str] = []
    picture = _open(data, source_format, name)
    stored = picture.size
    if source_format == "JPEG":
        _draft(picture, stored)
    _load(picture, source_format, name)
    frames = getattr(picture, "n_frames", 1)
    if frames > 1:
        kind = "pictures: its main one" if source_format == "HEIF" else "frames: the first"
        notes.append(f"the file holds {frames} {kind} was used")
    decoded = picture.size
    _orient(picture, notes)
    # The size as shown, from what the orientation step really did (EXIF, or XMP, or nothing readable).
    width, height = (stored[1], stored[0]) if picture.size != decoded else stored
    widths = variant_widths(width)
    working, icc = web_colours(picture, picture.info.get("icc_profile") or None, notes)
    del picture
    working.info.clear()  # EXIF, XMP, IPTC, comments: nothing of the source but pixels and ICC goes out
    fallback = "png" if has_transparency(working) else "jpg"
    variants: list[Variant] = []
    for variant_width in widths:
        size = (variant_width, max(1, round(height * variant_width / width)))
        sized = working if size == working.size else _resized(working, size)
        variants.append(_encode(sized, "webp", icc))
        variants.append(_encode(sized, fallback, icc))
        del sized
    del working
    lead_problem = None
    if width < LEAD_MIN_WIDTH:
        lead_problem = Reason(
            N_("the picture is {width} px wide: a lead picture needs at least {least} px (Google Discover)"),
            width=width,
            least=LEAD_MIN_WIDTH,
        )
    return PreparedPicture(
        width=width,
        height=height,
        digest=hashlib.sha256(data).hexdigest()[:16],
        fallback=fallback,
        variants=tuple(variants),
        lead_problem=lead_problem,
        source_format=source_format,
        notes=tuple(notes),
    )


@functools.cache
def _register_heif() -> None:
    """Load libheif only for HEIF uploads: the JPEG-only path never pays for importing it."""
    import pi_heif  # noqa: PLC0415 (deliberately lazy, see above)

    # Thumbnails, depth maps and auxiliary images are never published: don't decode them.
    pi_heif.register_heif_opener(thumbnails=False, depth_images=False, aux_images=False)


def _too_many_pixels(pixels: int, size: tuple[int, int] | None, name: str) -> PictureRejected:
    megapixels = Reason(N_("{count:,.0f} megapixels"), count=pixels / 1e6)
    what = (
        Reason(
            N_("{width} × {height} pixels ({megapixels})"),
            width=size[0],
            height=size[1],
            megapixels=megapixels,
        )
        if size
        else megapixels
    )
    too_many = Reason(
        N_("the picture is {what}, over the {limit:,.0f}-megapixel limit: export it smaller"),
        what=what,
        limit=MAX_PIXELS / 1e6,
    )
    return PictureRejected(too_many, name=name)


def _damaged(source_format: str, error: BaseException, name: str) -> PictureRejected:
    label = _LABELS[source_format]
    truncated = isinstance(error, EOFError) or "truncated" in str(error).lower()
    damage = (
        N_("the picture is damaged (truncated {label} data): export it again")
        if truncated
        else N_("the picture is damaged (corrupt {label} data): export it again")
    )
    return PictureRejected(
        Reason(damage, label=label),
        name=name,
        # Pillow's "cannot identify image file <_io.BytesIO object at 0x…>" says nothing, and varies.
        detail="no decoder could read its header"
        if isinstance(error, UnidentifiedImageError)
        else f"{type(error).__name__}: {error}",
    )


def _open(data: bytes, source_format: str, name: str) -> ImageFile.ImageFile:
    """Read the header only, and refuse a decompression bomb before a single pixel is decoded."""
    failure: BaseException | None = None
    with warnings.catch_warnings():
        # Past MAX_PIXELS Pillow only warns: the check below says the same with the picture's size.
        warnings.simplefilter("ignore", Image.DecompressionBombWarning)
        try:
            picture = Image.open(io.BytesIO(data), formats=[source_format])
        except Image.DecompressionBombError as error:  # past twice MAX_PIXELS: Pillow refuses to open it
            found = _BOMB_SIZE.search(str(error))
            failure = _too_many_pixels(int(found.group(1)) if found else MAX_PIXELS + 1, None, name)
        except _DECODE_ERRORS as error:
            failure = _damaged(source_format, error, name)
    if failure is not None:
        raise failure
    if picture.width * picture.height > MAX_PIXELS:
        raise _too_many_pixels(picture.width * picture.height, picture.size, name)
    return picture


def _draft(picture: Image.Image, stored: tuple[int, int]) -> None:
    """Let libjpeg decode at 1/2, 1/4 or 1/8 scale when the largest variant is that much smaller.

    The DCT-scaled decode of a 48 MP photo is several times faster and smaller than a full one, and
    LANCZOS still makes the exact size from it. Asked in stored orientation, for the width as shown.
    """
    try:
        orientation = picture.getexif().get(ExifTags.Base.Orientation, 1)
    except _DECODE_ERRORS:
        orientation = 1
    turned = orientation in (5, 6, 7, 8)  # these swap width and height
    width, height = (stored[1], stored[0]) if turned else stored
    largest = variant_widths(width)[-1]
    needed = (largest, max(1, round(height * largest / width)))
    picture.draft(None, (needed[1], needed[0]) if turned else needed)


def _load(picture: Image.Image, source_format: str, name: str) -> None:
    try:
        picture.load()
    except _DECODE_ERRORS as error:
        failure = _damaged(source_format, error, name)
    else:
        return
    raise failure


def _orient(picture: Image.Image, notes: list[str]) -> None:
    """Turn the pixels upright as EXIF (or XMP) says, since the variants carry no orientation tag."""
    try:
        ImageOps.exif_transpose(picture, in_place=True)
    except _DECODE_ERRORS:
        notes.append("its EXIF data could not be read: the picture was kept as stored, unrotated")


def _resized(picture: Image.Image, size: tuple[int, int]) -> Image.Image:
    """LANCZOS for sharpness; reducing_gap first shrinks by whole factors (cheap box filter) for speed."""
    return picture.resize(size, Image.Resampling.LANCZOS, reducing_gap=2.0)


def _encode(picture: Image.Image, suffix: str, icc: bytes | None) -> Variant:
    pillow_format, media_type, options = _ENCODINGS[suffix]
    buffer = io.BytesIO()
    if icc:
        options = {**options, "icc_profile": icc}
    picture.save(buffer, pillow_format, **options)
    return Variant(picture.width, picture.height, media_type, suffix, buffer.getvalue())
