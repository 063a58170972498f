"""Pictures from the bytes the caller fetched: decoded once, turned upright, and no larger than print needs.

A stored photo may be several megabytes; printed 17 cm wide it needs about a
thousand pixels (150 dpi), so a bigger one is scaled down and re-encoded as
JPEG (PNG when it has transparency) before fpdf2 embeds it. One that is small
enough goes in as its own bytes (fpdf2 embeds a JPEG without re-encoding).
Anything Pillow cannot read is "no picture", never an error.
"""

from __future__ import annotations

import io
from dataclasses import dataclass

from PIL import Image, ImageOps

PICTURE_DPI = 150
MAX_PICTURE_PIXELS = 40_000_000  # past this, decoding alone would take too long and too much memory
SHRINK_OVER = 1.25  # re-encode only when at least this many times more pixels wide than print needs
JPEG_QUALITY = 85
_ORIENTATION = 0x0112


@dataclass(frozen=True)
class Picture:
    image: Image.Image  # decoded and upright
    stored: bytes | None  # the bytes as stored, when fpdf2 can embed them as they are

    @property
    def size(self) -> tuple[int, int]:
        return self.image.size


def decode_picture(data: bytes | None) -> Picture | None:
    """The picture in ``data``, or None for bytes that are absent, not a picture, or too big to decode."""
    if not data:
        return None
    try:
        with Image.open(io.BytesIO(data)) as opened:
            width, height = opened.size
            if not width or not height or width * height > MAX_PICTURE_PIXELS:
                return None
            opened.load()
            upright = opened.getexif().get(_ORIENTATION, 1) == 1
            image = ImageOps.exif_transpose(opened)
            stored = data if opened.format in ("JPEG", "PNG") and upright else None
            return Picture(image, stored)
    except Exception:  # any decoder failure means "no picture", never a failed print
        return None


def for_print(picture: Picture, width_mm: float) -> io.BytesIO | Image.Image:
    """What fpdf2 embeds for ``picture`` printed ``width_mm`` wide: memory only, never a name or URL."""
    image = picture.image
    needed = max(1, round(width_mm / 25.4 * PICTURE_DPI))
    alpha = _has_alpha(image)
    if image.width > needed * SHRINK_OVER:
        height = max(1, round(needed * image.height / image.width))
        smaller = image.convert("RGBA" if alpha else "RGB").resize((needed, height), Image.Resampling.LANCZOS)
        encoded = io.BytesIO()
        if alpha:
            smaller.save(encoded, "PNG")
        else:
            smaller.save(encoded, "JPEG", quality=JPEG_QUALITY)
        return encoded
    if picture.stored is not None:
        return io.BytesIO(picture.stored)
    return image.convert("RGBA" if alpha else "RGB")


def _has_alpha(image: Image.Image) -> bool:
    return "A" in image.getbands() or "transparency" in image.info
