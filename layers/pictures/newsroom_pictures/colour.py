"""Any decoded picture as RGB or RGBA, with the ICC profile that describes its colours.

Web variants are RGB(A) files: WebP has no grayscale or CMYK, and browsers show CMYK JPEGs wrongly or not
at all. A profile is only kept when it describes the pixels as saved: an RGB profile on RGB pixels. A CMYK
or grayscale profile cannot go into an RGB file, so those pictures are converted through their profile to
sRGB (the colours the photographer saw), and a profile that does not fit or cannot be read is dropped.
"""

from __future__ import annotations

import functools
import io
import struct

from PIL import Image, ImageCms

# Little CMS stamps the creation time into new profiles: a fixed date keeps the output bytes stable.
_FIXED_DATE = struct.pack(">6H", 2025, 1, 1, 0, 0, 0)
_SPACE_OF_MODE = {"RGB": b"RGB ", "RGBA": b"RGB ", "CMYK": b"CMYK", "L": b"GRAY", "LA": b"GRAY"}
_SIXTEEN_BIT = frozenset({"I", "I;16", "I;16L", "I;16B", "I;16N"})


@functools.cache
def srgb_icc() -> bytes:
    """The profile of converted pictures: sRGB, the colour space browsers assume."""
    raw = bytearray(ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB")).tobytes())
    raw[24:36] = _FIXED_DATE
    return bytes(raw)


def icc_space(icc: bytes | None) -> bytes | None:
    """The colour space an ICC profile's header declares (b"RGB ", b"CMYK", b"GRAY"), if it is one."""
    if icc is None or len(icc) < 128 or icc[36:40] != b"acsp":
        return None
    return icc[16:20]


def has_transparency(picture: Image.Image) -> bool:
    """Real transparency: some pixel not fully opaque. Many PNGs and WebPs carry an alpha that is all 255."""
    if picture.mode != "RGBA":
        return False
    low, _ = picture.getchannel("A").getextrema()  # a single band: (min, max) of ints
    return isinstance(low, int) and low < 255


def web_colours(
    picture: Image.Image, icc: bytes | None, notes: list[str]
) -> tuple[Image.Image, bytes | None]:
    """``picture`` as RGB (or RGBA when some pixel is see-through), and the profile to embed with it.

    Appends to ``notes`` what an editor may want to know was changed (CMYK converted, profile dropped).
    """
    mode = picture.mode
    if mode in _SIXTEEN_BIT:
        # Pillow's own I;16→L conversion clips everything above 255 to white: scale instead.
        picture = picture.convert("I").point(lambda v: v * (1 / 257)).convert("L")
        mode = "L"
    elif mode not in ("RGB", "RGBA", "L", "LA", "CMYK") or "transparency" in picture.info:
        # Palettes, bilevel, premultiplied alpha, and RGB or L with a transparent colour (PNG tRNS).
        target = "RGBA" if picture.has_transparency_data else ("L" if mode == "1" else "RGB")
        picture = picture.convert(target)
        mode = target
    space = icc_space(icc)
    if icc is not None and space == _SPACE_OF_MODE.get(mode) and space != b"RGB ":
        converted = _through_profile(picture, icc)
        if converted is not None:
            if mode == "CMYK":
                notes.append("the CMYK picture was converted to RGB through its colour profile")
            return _opaque_unless_transparent(converted), srgb_icc()
    if mode == "CMYK":
        notes.append("the CMYK picture had no usable colour profile: converted to RGB without one")
    elif icc is not None and space != b"RGB ":
        notes.append("its colour profile did not fit the picture and was left out")
    if space != b"RGB ":
        icc = None
    if mode not in ("RGB", "RGBA"):
        picture = picture.convert("RGBA" if mode == "LA" else "RGB")
    return _opaque_unless_transparent(picture), icc


def _through_profile(picture: Image.Image, icc: bytes) -> Image.Image | None:
    """``picture`` converted from its own profile to sRGB, alpha kept; None when the profile is unusable."""
    alpha = picture.getchannel("A") if picture.mode == "LA" else None
    colour = picture.convert("L") if alpha is not None else picture
    try:
        source = ImageCms.ImageCmsProfile(io.BytesIO(icc))
        target = ImageCms.ImageCmsProfile(io.BytesIO(srgb_icc()))
        converted = ImageCms.profileToProfile(colour, source, target, outputMode="RGB")
    except (ImageCms.PyCMSError, OSError, ValueError):
        return None
    if converted is None:  # only with inPlace=True
        return None
    if alpha is not None:
        converted.putalpha(alpha)
    return converted


def _opaque_unless_transparent(picture: Image.Image) -> Image.Image:
    """Drop an alpha channel that hides nothing, so the picture gets a JPEG fallback rather than a PNG."""
    if picture.mode == "RGBA" and not has_transparency(picture):
        return picture.convert("RGB")
    return picture
