"""Pictures as editors' phones and tools make them, built in memory, so tests need no binary fixtures.

Every builder is deterministic (seeded grain, no clock in the ICC profiles), so the same call gives
the same bytes and a picture's content-hashed name is stable across test runs. The one exception to
"built here" is HEIC: pi-heif only decodes, so ``heic_photo`` returns a small file made once with
pillow-heif's x265 encoder (see ``HEIC_PHOTO``).
"""

from __future__ import annotations

import base64
import functools
import io
import random
import struct
from typing import Any

from PIL import ExifTags, Image, ImageCms, ImageDraw, TiffImagePlugin

# Đồng Xoài, Bình Phước: 11.53 N, 106.88 E, as a phone writes it (degrees, minutes, seconds).
GPS_LATITUDE = (11.0, 31.0, 48.0)
GPS_LONGITUDE = (106.0, 52.0, 48.0)
XMP_WITH_GPS = (
    b'<x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">'
    b'<rdf:Description xmlns:exif="http://ns.adobe.com/exif/1.0/" exif:GPSLatitude="11,31.8N"'
    b' exif:GPSLongitude="106,52.8E"/></rdf:RDF></x:xmpmeta>'
)
XMP_WITHOUT_GPS = (
    b'<x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">'
    b'<rdf:Description xmlns:xmp="http://ns.adobe.com/xap/1.0/" xmp:CreatorTool="Galaxy A55 5G"/>'
    b"</rdf:RDF></x:xmpmeta>"
)
XMP_NAMESPACE = b"http://ns.adobe.com/xap/1.0/"
# An IPTC record (APP13, "Photoshop 3.0"): by-line "Phóng viên" and city "Đồng Xoài".
IPTC_MARKER = b"Photoshop 3.0"
_FIXED_DATE = struct.pack(">6H", 2025, 1, 1, 0, 0, 0)


def scene(width: int, height: int, grain: bool = True) -> Image.Image:
    """Gradients, hard edges, fine stripes and sensor-like grain: enough structure for resizing to matter.

    The grain is per-pixel noise, the worst case for encoders (as a dim indoor phone photo is); without it
    pictures encode several times faster, for tests that only look at shapes.
    """
    red = Image.linear_gradient("L").resize((width, height))
    green = Image.linear_gradient("L").rotate(90).resize((width, height))
    blue = Image.radial_gradient("L").resize((width, height))
    picture = Image.merge("RGB", (red, green, blue))
    draw = ImageDraw.Draw(picture)
    unit = max(1, min(width, height) // 20)
    draw.rectangle((unit, unit, 6 * unit, 4 * unit), fill=(200, 30, 40))
    draw.ellipse((8 * unit, 2 * unit, 14 * unit, 8 * unit), fill=(250, 220, 0), outline=(0, 0, 0), width=3)
    draw.polygon([(2 * unit, 18 * unit), (9 * unit, 10 * unit), (16 * unit, 18 * unit)], fill=(20, 90, 200))
    for x in range(0, width, max(2, unit // 4)):
        draw.line((x, height - 3 * unit, x, height - unit), fill=(255, 255, 255), width=1)
    if not grain:
        return picture
    noise = Image.frombytes("L", (width, height), random.Random(2025).randbytes(width * height))
    return Image.blend(picture, noise.convert("RGB"), 0.06)


@functools.cache
def srgb_icc() -> bytes:
    """Little CMS stamps the creation time into the profile: a fixed date keeps the photos' bytes stable."""
    raw = bytearray(ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB")).tobytes())
    raw[24:36] = _FIXED_DATE
    return bytes(raw)


def camera_exif(orientation: int = 1, gps: bool = True) -> Image.Exif:
    """What a phone writes: camera, date, orientation and, unless location is off, where it was taken."""
    exif = Image.Exif()
    exif[ExifTags.Base.Make] = "samsung"
    exif[ExifTags.Base.Model] = "Galaxy A55 5G"
    exif[ExifTags.Base.Software] = "A556EXXU4BYB1"
    exif[ExifTags.Base.DateTime] = "2025:03:14 08:15:00"
    exif[ExifTags.Base.Orientation] = orientation
    sub = exif.get_ifd(ExifTags.IFD.Exif)
    sub[ExifTags.Base.DateTimeOriginal] = "2025:03:14 08:15:00"
    sub[ExifTags.Base.BodySerialNumber] = "R5CX31ABCDE"
    if gps:
        rational = TiffImagePlugin.IFDRational
        exif.get_ifd(ExifTags.IFD.GPSInfo).update(
            {
                ExifTags.GPS.GPSLatitudeRef: "N",
                ExifTags.GPS.GPSLatitude: tuple(rational(v) for v in GPS_LATITUDE),
                ExifTags.GPS.GPSLongitudeRef: "E",
                ExifTags.GPS.GPSLongitude: tuple(rational(v) for v in GPS_LONGITUDE),
            }
        )
    return exif


def _iptc_segment() -> bytes:
    record = b"".join(
        b"\x1c\x02" + bytes([tag]) + len(value).to_bytes(2, "big") + value
        for tag, value in ((80, "Phóng viên".encode()), (90, "Đồng Xoài".encode()))
    )
    resource = b"8BIM\x04\x04\x00\x00" + len(record).to_bytes(4, "big") + record
    payload = IPTC_MARKER + b"\x00" + resource
    return b"\xff\xed" + (len(payload) + 2).to_bytes(2, "big") + payload


def phone_photo(
    width: int = 3000,
    height: int = 2000,
    orientation: int = 6,
    gps: bool = True,
    icc: bool = True,
    fmt: str = "JPEG",
    grain: bool = True,
) -> bytes:
    """A camera-like picture stored ``width``×``height``, with EXIF (GPS, camera, dates), XMP and ICC.

    JPEGs also carry an IPTC record, as news agencies' photos do. ``fmt`` may be "JPEG", "WEBP" or "PNG".
    """
    picture = scene(width, height, grain)
    xmp = XMP_WITH_GPS if gps else XMP_WITHOUT_GPS
    options: dict[str, Any] = {"exif": camera_exif(orientation, gps).tobytes(), "xmp": xmp}
    if icc:
        options["icc_profile"] = srgb_icc()
    if fmt == "JPEG":
        options.update(quality=92)
    elif fmt == "WEBP":
        options.update(quality=85)
    buffer = io.BytesIO()
    picture.save(buffer, fmt, **options)
    data = buffer.getvalue()
    if fmt == "JPEG":
        data = data[:2] + _iptc_segment() + data[2:]
    return data


def png_with_alpha(width: int = 900, height: int = 600, mode: str = "RGBA") -> bytes:
    """A logo-like PNG: opaque shapes on a transparent background (``mode`` "RGBA", "LA" or "P")."""
    picture = scene(width, height, grain=False).convert("RGBA")
    mask = Image.new("L", (width, height), 0)
    ImageDraw.Draw(mask).ellipse((width // 8, height // 8, width * 7 // 8, height * 7 // 8), fill=255)
    picture.putalpha(mask)
    if mode == "LA":
        return encoded(picture.convert("LA"), "PNG")
    if mode == "P":
        paletted = picture.convert("RGB").convert("P", palette=Image.Palette.ADAPTIVE, colors=255)
        palette = paletted.getpalette() or []
        paletted.putpalette(palette + [0] * (768 - len(palette)))  # index 255 must exist to be transparent
        paletted.paste(255, mask=mask.point(lambda v: 0 if v else 255))
        return encoded(paletted, "PNG", transparency=255)
    buffer = io.BytesIO()
    picture.save(buffer, "PNG")
    return buffer.getvalue()


def tiny_image(width: int = 16, height: int = 12, fmt: str = "PNG") -> bytes:
    """The smallest pictures editors upload: icons, 1-pixel spacers, emoji screenshots."""
    buffer = io.BytesIO()
    scene(width, height).save(buffer, fmt)
    return buffer.getvalue()


def encoded(picture: Image.Image, fmt: str, **options: Any) -> bytes:
    """Any Pillow image as a file of ``fmt``, for the modes and formats the other builders don't cover."""
    buffer = io.BytesIO()
    picture.save(buffer, fmt, **options)
    return buffer.getvalue()


def _tag_table(space: bytes, pcs: bytes, device_class: bytes, tags: dict[bytes, bytes]) -> bytes:
    """An ICC v2 profile around ``tags``: what Little CMS needs to read one, and no more."""
    blobs = [body + b"\x00" * (-len(body) % 4) for body in tags.values()]
    offset = 128 + 4 + 12 * len(tags)
    table = len(tags).to_bytes(4, "big")
    for signature, body, blob in zip(tags, tags.values(), blobs, strict=True):
        table += signature + struct.pack(">II", offset, len(body))
        offset += len(blob)
    header = struct.pack(">I4sI4s4s4s", offset, b"lcms", 0x02100000, device_class, space, pcs)
    header += _FIXED_DATE + b"acsp" + b"\x00" * 28 + struct.pack(">3i", 63190, 65536, 54061)
    header += b"\x00" * (128 - len(header))
    return header + table + b"".join(blobs)


def _description(text: str) -> bytes:
    ascii_text = text.encode("ascii") + b"\x00"
    return b"desc\x00\x00\x00\x00" + struct.pack(">I", len(ascii_text)) + ascii_text + b"\x00" * 79


def _xyz(x: float, y: float, z: float) -> bytes:
    return b"XYZ \x00\x00\x00\x00" + struct.pack(">3i", *(round(v * 65536) for v in (x, y, z)))


def _srgb_to_lab(rgb: tuple[int, int, int]) -> tuple[float, float, float]:
    """CIE Lab (D50) of an sRGB colour, the PCS of the lookup tables below."""
    linear = [((c / 255 + 0.055) / 1.055) ** 2.4 if c / 255 > 0.04045 else c / 255 / 12.92 for c in rgb]
    d50 = (
        (0.4360747, 0.3850649, 0.1430804),
        (0.2225045, 0.7168786, 0.0606169),
        (0.0139322, 0.0971045, 0.7141733),
    )
    x, y, z = (sum(m * c for m, c in zip(row, linear, strict=True)) for row in d50)

    def f(t: float) -> float:
        return t ** (1 / 3) if t > 216 / 24389 else (24389 / 27 * t + 16) / 116

    fx, fy, fz = f(x / 0.9642), f(y), f(z / 0.8249)
    return 116 * fy - 16, 500 * (fx - fy), 200 * (fy - fz)


# The sRGB colours of the printing inks' corners: a plain CMYK→RGB conversion gives (0, 255, 255) for
# cyan, this profile (0, 158, 224), so a test can tell which of the two a variant went through.
INK_COLOURS = {
    (0, 0, 0): (255, 255, 255),
    (1, 0, 0): (0, 158, 224),
    (0, 1, 0): (236, 0, 140),
    (0, 0, 1): (255, 241, 0),
    (1, 1, 0): (46, 49, 146),
    (1, 0, 1): (0, 166, 81),
    (0, 1, 1): (237, 28, 36),
    (1, 1, 1): (35, 31, 32),
}


@functools.cache
def cmyk_profile() -> bytes:
    """A press-like CMYK profile (a 2-point lookup table to Lab), as Photoshop embeds in CMYK JPEGs."""
    identity = bytes(range(256))
    grid = b""
    for c in (0, 1):
        for m in (0, 1):
            for y in (0, 1):
                for k in (0, 1):
                    lab = _srgb_to_lab((25, 25, 25) if k else INK_COLOURS[(c, m, y)])
                    grid += bytes((round(lab[0] * 255 / 100), round(lab[1] + 128), round(lab[2] + 128)))
    matrix = struct.pack(">9i", 65536, 0, 0, 0, 65536, 0, 0, 0, 65536)
    lut = b"mft1\x00\x00\x00\x00" + bytes((4, 3, 2, 0)) + matrix + identity * 4 + grid + identity * 3
    tags = {b"desc": _description("Test press CMYK"), b"wtpt": _xyz(0.9642, 1.0, 0.8249), b"A2B0": lut}
    return _tag_table(b"CMYK", b"Lab ", b"prtr", tags)


@functools.cache
def linear_gray_profile() -> bytes:
    """A grayscale profile with gamma 1.0: its mid-gray 128 is sRGB ≈ 188, far from a plain copy's 128."""
    curve = b"curv\x00\x00\x00\x00" + struct.pack(">IH", 1, 256)
    tags = {b"desc": _description("Linear gray"), b"wtpt": _xyz(0.9642, 1.0, 0.8249), b"kTRC": curve}
    return _tag_table(b"GRAY", b"XYZ ", b"mntr", tags)


def cmyk_jpeg(width: int = 1200, height: int = 800, profile: bool = True) -> bytes:
    """A print-ready CMYK JPEG (as from Photoshop), with cyan, magenta and yellow ink patches."""
    picture = Image.new("CMYK", (width, height), (0, 0, 0, 0))
    draw = ImageDraw.Draw(picture)
    third = width // 3
    for index, ink in enumerate(((255, 0, 0, 0), (0, 255, 0, 0), (0, 0, 255, 0))):
        draw.rectangle((index * third, 0, (index + 1) * third - 1, height // 2), fill=ink)
    draw.rectangle((0, height * 3 // 4, width - 1, height - 1), fill=(0, 0, 0, 255))
    options: dict[str, Any] = {"quality": 95}
    if profile:
        options["icc_profile"] = cmyk_profile()
    return encoded(picture, "JPEG", **options)


# A HEIC as phones make them: 320×240 coded pixels with a 90° rotation (irot) and Exif (GPS, camera),
# XMP and ICC items. pi-heif cannot encode, so it was made once with pillow-heif 1.8.1 (libheif 1.23.6,
# x265 4.3), whose writer turns the EXIF orientation into the irot box:
#   pillow_heif.register_heif_opener()
#   scene(320, 240).save(buf, "HEIF", quality=20, exif=camera_exif(orientation=6).tobytes(),
#                        xmp=XMP_WITH_GPS, icc_profile=srgb_icc())
# Decoded, it is 240×320 (portrait), with orientation 1 left in its EXIF.
HEIC_PHOTO = (
    "AAAAHGZ0eXBoZWljAAAAAG1pZjFoZWljbWlhZgAABDBtZXRhAAAAAAAAACFoZGxyAAAAAAAAAABwaWN0AAAAAAAAAAAAAAAAAAAA"
    "AEZpbG9jAAAAAERAAAMAAQAAAAAEVAABAAAAAAAABOYAAgAAAAAJOgABAAAAAAAAAUgAAwAAAAAKggABAAAAAAAAAPIAAABiaWlu"
    "ZgAAAAAAAwAAABVpbmZlAgAAAAABAABodmMxAAAAABVpbmZlAgAAAQACAABFeGlmAAAAACppbmZlAgAAAQADAABtaW1lAGFwcGxp"
    "Y2F0aW9uL3JkZit4bWwAAAAAAA5waXRtAAAAAAABAAADJWlwcnAAAAMFaXBjbwAAAHhodmNDAQNwAAAAkAAAAAAAPPAA/P34+AAA"
    "DwNgAAEAGEABDAH//wNwAAADAJAAAAMAAAMAPLoCQGEAAQArQgEBA3AAAAMAkAAAAwAAAwA8oAoIDxZbqSSmubgIaDAgAAADAyAA"
    "AAMAIWIAAQAHRAHBcrBiQAAAAlhjb2xycHJvZgAAAkxsY21zBEAAAG1udHJSR0IgWFlaIAfpAAEAAQAAAAAAAGFjc3BBUFBMAAAA"
    "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAD21gABAAAAANMtbGNtcwAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"
    "AAAAAAAAAAAAC2Rlc2MAAAEIAAAANmNwcnQAAAFAAAAATHd0cHQAAAGMAAAAFGNoYWQAAAGgAAAALHJYWVoAAAHMAAAAFGJYWVoA"
    "AAHgAAAAFGdYWVoAAAH0AAAAFHJUUkMAAAIIAAAAIGdUUkMAAAIIAAAAIGJUUkMAAAIIAAAAIGNocm0AAAIoAAAAJG1sdWMAAAAA"
    "AAAAAQAAAAxlblVTAAAAGgAAABwAcwBSAEcAQgAgAGIAdQBpAGwAdAAtAGkAbgAAbWx1YwAAAAAAAAABAAAADGVuVVMAAAAwAAAA"
    "HABOAG8AIABjAG8AcAB5AHIAaQBnAGgAdAAsACAAdQBzAGUAIABmAHIAZQBlAGwAeVhZWiAAAAAAAAD21gABAAAAANMtc2YzMgAA"
    "AAAAAQxCAAAF3v//8yUAAAeTAAD9kP//+6H///2iAAAD3AAAwG5YWVogAAAAAAAAb6AAADj1AAADkFhZWiAAAAAAAAAknwAAD4QA"
    "ALbDWFlaIAAAAAAAAGKXAAC3hwAAGNlwYXJhAAAAAAADAAAAAmZmAADypwAADVkAABPQAAAKW2Nocm0AAAAAAAMAAAAAo9cAAFR7"
    "AABMzQAAmZoAACZmAAAPXAAAABRpc3BlAAAAAAAAAUAAAADwAAAAEHBpeGkAAAAAAwgICAAAAAlpcm90AwAAABhpcG1hAAAAAAAA"
    "AAEAAQWBAgMEhQAAAChpcmVmAAAAAAAAAA5jZHNjAAIAAQABAAAADmNkc2MAAwABAAEAAAcobWRhdAAABOIoAa8LSCay50XADOi9"
    "n7i9bviv0H/5McQh3wHizNO6gXXhbXBHrmLtT/lRaDfObizFk6FmB//rGK0jot61cAEC6UaTVMbtB6Vlv2HwhVrrzPfArhZKiJIe"
    "ViR2qnmwpS5EpCIbMDVsO8eC0SlpsgZN+Mf46QmknGNAPfHsJTSZ8eerxicy+ohfrYWnfWdETnqYmMkWY4rZIh+BL2UkqYckko/O"
    "ihlTTVdK6TIwsUyeImqLD2T+C/kaAM1RM6xQ24Hr+3INnj+h6KuZkn5Uj5uDX7OuxyL4vTlVFvlsJRu4tNGZilJFuEFlcX5X4dtA"
    "1AkBiIGa65ye+5AR0S+WNO+71twr4KMcAX1/zrLgn0JQFtoymQUehxHDJJanncYxpDB9HYxzJiZy64mnreagmJsOpWWAEYnYxlVj"
    "550ob3gKdEfl3scpmjlqaY+xQENTU7zi6TOjl/6rxBWH7Z2qlFgIKLAszK3D7y23JBax0n2hUTJJ6YtZWA13r/P1kwUQHOKXZZay"
    "rW6VA6Ch+tBHF3g913H7kDvlbURN2LKQKxMhYFy0ECNc3ORLTc19oe7v/yEzS/A8SQ5xYwYCIjaaQp71eZ+z6dKm0odNxNQai7AA"
    "B15PvEuIjTDlPqNxW4ECOliRns1kXhCr4Z2r4jqv3yDk6NmOe3ogfEh+3uIk1xkhbMZUjmZhr+9g2gZFLobAbJyiui360bUPWhqq"
    "Sb/6MarHdWIapDj/QZDWQlTSxoZXLit7Eyv1rIatrNxG9HayQkowSgUDPvS64j2CK0DPNFaKfdipCWn6qgWkuff72Bx+D1Z/LEVW"
    "GXKIxeeX3Kqg6IdCCgOFZaARo/NSo+RCx7OaOyPm+u8Y4j/wxTezdwkSxIlySN2faMA0bHdO9fTEUD62h5S8LtSyNAij88YiHMDD"
    "rp+sTCwH8hUsnkhUx7i88gRoVIB8cB5WIcO9OguK89cWkBQFGMIf9HnPymgF4sKX0kP0H7HnEWHGY+gepxFxGIKVMIAI48uHwN08"
    "QYXIwEIGmdQvvYgzECK7gws+mFv/RTnuXmC0H+8R9SBOOgCJLrs42hQ7EHUsllDnVmPkJD4CFucDyqm5YElidOWLiJtXobtaOShO"
    "VaL67LOC+wkjnHlEW5u9Cld7o0iUMIv5tmrSeWXT4ygV0pGUD4YJfjhTBa+h2g7HMY4DHds8icbzIKOAJ/bUSy7VvwnXL1hsfK5o"
    "8oTVmq9VbQT8joYYiVJDHksdb1UAvjvXNy7NmJeS4dUgDW6Hw4Mp4TgJho+zENb+t8QpwAbKIK/6iYBwgz+Ii5VntEalrDQEZz6o"
    "HqNC6B8fhq6/z9Hgx8lUbQ8lc4vOvpDebNcpcZN4Wm3+lgH6RGAcUuUXQQxphHinUKjUb4+6ysiy/HRrXqoStSg0X54ujn6gehjQ"
    "+T/id68/sFCTIBDqItYZtHxBA6IBvszWMs8Dz2p3ZoKZ6Ul3NjYb2652XpgRVV5GEUxVwZxAKTS6OCMnUveevD4AKkLhKRPaF3Mw"
    "r7/Ky/rF/P/wdQIiPZ62z0PPJijAsjP74qz/Hu9jlFmwhb7XuQ9LTr/t/fTQLO8vWyltvZYZIRAO1U1RCTSnzguJGhvG31Jpp4Bk"
    "qDlfUKX/II2alHL3puPg9tRBUxukG8lsPTamcUlFZd4w5+VbEAAAAAZFeGlmAABNTQAqAAAACAAHAQ8AAgAAAAgAAABiARAAAgAA"
    "AA4AAABqARIAAwAAAAEABgAAATEAAgAAAA4AAAB4ATIAAgAAABQAAACGh2kABAAAAAEAAACaiCUABAAAAAEAAADYAAAAAHNhbXN1"
    "bmcAR2FsYXh5IEE1NSA1RwBBNTU2RVhYVTRCWUIxADIwMjU6MDM6MTQgMDg6MTU6MDAAAAKQAwACAAAAFAAAALikMQACAAAADAAA"
    "AMwAAAAAMjAyNTowMzoxNCAwODoxNTowMABSNUNYMzFBQkNERQAABAABAAIAAAACTgAAAAACAAUAAAADAAABDgADAAIAAAACRQAA"
    "AAAEAAUAAAADAAABJgAAAAAAAAALAAAAAQAAAB8AAAABAAAAMAAAAAEAAABqAAAAAQAAADQAAAABAAAAMAAAAAE8eDp4bXBtZXRh"
    "IHhtbG5zOng9ImFkb2JlOm5zOm1ldGEvIj48cmRmOlJERiB4bWxuczpyZGY9Imh0dHA6Ly93d3cudzMub3JnLzE5OTkvMDIvMjIt"
    "cmRmLXN5bnRheC1ucyMiPjxyZGY6RGVzY3JpcHRpb24geG1sbnM6ZXhpZj0iaHR0cDovL25zLmFkb2JlLmNvbS9leGlmLzEuMC8i"
    "IGV4aWY6R1BTTGF0aXR1ZGU9IjExLDMxLjhOIiBleGlmOkdQU0xvbmdpdHVkZT0iMTA2LDUyLjhFIi8+PC9yZGY6UkRGPjwveDp4"
    "bXBtZXRhPg=="
)


def heic_photo() -> bytes:
    """An iPhone-like HEIC (see ``HEIC_PHOTO`` for how it was made): 240×320 once rotated."""
    return base64.b64decode(HEIC_PHOTO)


def _pillow_exif(data: bytes) -> Image.Exif:
    with Image.open(io.BytesIO(data)) as picture:
        return picture.getexif()


def _named(tags: dict[int, Any], names: dict[int, str]) -> dict[str, Any]:
    return {names.get(tag, str(tag)): value for tag, value in tags.items()}


def exif_of(data: bytes) -> dict[str, Any]:
    """Every EXIF tag a file carries, by name, with the Exif and GPS sub-IFDs as nested dicts.

    Read through Pillow, so it sees EXIF wherever the format keeps it (JPEG APP1, PNG eXIf, WebP's EXIF
    chunk, HEIF's Exif item). HEIF needs pi-heif's opener registered first.
    """
    exif = _pillow_exif(data)
    found = _named(dict(exif), ExifTags.TAGS)
    for ifd, names, key in (
        (ExifTags.IFD.Exif, ExifTags.TAGS, "ExifOffset"),
        (ExifTags.IFD.GPSInfo, ExifTags.GPSTAGS, "GPSInfo"),
    ):
        if sub := exif.get_ifd(ifd):
            found[key] = _named(dict(sub), names)
    return found


def gps_in(data: bytes) -> bool:
    """Whether a file still says where it was taken: an EXIF GPS IFD, or GPS in its XMP, or the raw values.

    The raw check looks for the latitude's rationals as a TIFF writer stores them, so a GPS IFD that
    Pillow could not parse would still be found.
    """
    if exif_of(data).get("GPSInfo"):
        return True
    if b"GPSLatitude" in data or b"GPSLongitude" in data:
        return True
    latitude = [int(v) for v in GPS_LATITUDE]
    return any(struct.pack(order + "6I", *(n for v in latitude for n in (v, 1))) in data for order in "<>")
