"""Editors' uploads become web variants: upright, sized for every screen, with no GPS or camera data left.

The demonstration from the issue: a 3000×2000 phone photo with rotation and GPS gives portrait variants
and not one of them still says where it was taken.
"""

from __future__ import annotations

import hashlib
import io
import itertools
import os
import struct
import subprocess
import sys
import zipfile
import zlib
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st
from newsroom_pictures import variants as pictures
from newsroom_pictures.colour import srgb_icc
from newsroom_pictures.variants import (
    LEAD_MIN_WIDTH,
    MAX_VARIANT_WIDTH,
    WIDTHS,
    PictureRejected,
    PreparedPicture,
    Variant,
    prepare_picture,
    variant_widths,
)
from PIL import Image, ImageChops, ImageFile, ImageOps, ImageStat, JpegImagePlugin, PngImagePlugin

from tests.support import photos

ROOT = Path(__file__).resolve().parents[2]
PILLOW_FORMATS = {"image/webp": "WEBP", "image/jpeg": "JPEG", "image/png": "PNG"}
NOT_A_PICTURE = "this file is not a picture we can publish (JPEG, PNG, WebP or HEIC): it looks like "


@pytest.fixture(scope="module")
def phone() -> bytes:
    return photos.phone_photo()


@pytest.fixture(scope="module")
def prepared(phone: bytes) -> PreparedPicture:
    return prepare_picture(phone, name="media/2025/03/dong-xoai.jpg")


def decoded(variant: Variant) -> Image.Image:
    picture = Image.open(io.BytesIO(variant.data))
    picture.load()
    return picture


def pixel(picture: Image.Image, xy: tuple[int, int]) -> tuple[int, ...]:
    found = picture.getpixel(xy)
    assert isinstance(found, tuple), picture.mode
    return found


def widths_of(result: PreparedPicture) -> tuple[int, ...]:
    return tuple(variant.width for variant in result.variants[::2])


def difference(a: Image.Image, b: Image.Image) -> float:
    """Mean absolute difference per channel, 0 (same) to 255."""
    return sum(ImageStat.Stat(ImageChops.difference(a.convert("RGB"), b.convert("RGB"))).mean) / 3


def assert_no_metadata_but_icc(variant: Variant, icc: bytes | None) -> None:
    picture = decoded(variant)
    assert not picture.getexif(), variant.suffix
    assert "exif" not in picture.info and "xmp" not in picture.info and "photoshop" not in picture.info
    assert photos.exif_of(variant.data) == {}
    assert not photos.gps_in(variant.data)
    for leak in (photos.XMP_NAMESPACE, photos.IPTC_MARKER, b"samsung", b"Galaxy", b"R5CX31ABCDE", b"2025:03"):
        assert leak not in variant.data, (variant.suffix, variant.width, leak)
    assert picture.info.get("icc_profile") == icc


def assert_well_formed(result: PreparedPicture) -> None:
    """Each width in order, WebP then the fallback, each file the size and format it claims."""
    suffixes = tuple(variant.suffix for variant in result.variants)
    assert suffixes == ("webp", result.fallback) * len(widths_of(result))
    assert widths_of(result) == variant_widths(result.width)
    for variant in result.variants:
        picture = decoded(variant)
        assert picture.size == (variant.width, variant.height)
        assert picture.format == PILLOW_FORMATS[variant.media_type]
        assert (
            variant.media_type
            == {"webp": "image/webp", "jpg": "image/jpeg", "png": "image/png"}[variant.suffix]
        )
        assert variant.height == max(1, round(result.height * variant.width / result.width))


def test_the_phone_photo_carries_what_a_phone_writes(phone: bytes) -> None:
    picture = Image.open(io.BytesIO(phone))
    assert picture.format == "JPEG" and picture.size == (3000, 2000)
    exif = photos.exif_of(phone)
    assert exif["Orientation"] == 6 and exif["Make"] == "samsung" and exif["Model"] == "Galaxy A55 5G"
    assert exif["ExifOffset"]["DateTimeOriginal"] == "2025:03:14 08:15:00"
    assert exif["GPSInfo"]["GPSLatitude"] == photos.GPS_LATITUDE and exif["GPSInfo"]["GPSLongitudeRef"] == "E"
    assert photos.gps_in(phone) and photos.IPTC_MARKER in phone and photos.XMP_NAMESPACE in phone
    assert picture.info["icc_profile"] == photos.srgb_icc()
    assert photos.phone_photo() == phone  # the builders are deterministic
    assert not photos.gps_in(photos.phone_photo(300, 200, gps=False))


def test_a_rotated_phone_photo_with_gps_gives_portrait_variants_with_no_gps_left(
    phone: bytes, prepared: PreparedPicture
) -> None:
    assert (prepared.width, prepared.height) == (2000, 3000)
    assert widths_of(prepared) == (480, 960, 1600, 2000)
    assert prepared.fallback == "jpg" and prepared.source_format == "JPEG" and prepared.notes == ()
    assert prepared.lead_problem is None
    assert prepared.digest == hashlib.sha256(phone).hexdigest()[:16]
    assert_well_formed(prepared)
    for variant in prepared.variants:
        assert variant.height > variant.width  # portrait, as the phone was held
        assert_no_metadata_but_icc(variant, photos.srgb_icc())
    assert [v.media_type for v in prepared.variants[:2]] == ["image/webp", "image/jpeg"]


def test_the_pixels_are_turned_upright_not_just_the_size(phone: bytes, prepared: PreparedPicture) -> None:
    stored = Image.open(io.BytesIO(phone))
    upright = ImageOps.exif_transpose(stored).resize((480, 720), Image.Resampling.LANCZOS)
    wrong_way = stored.transpose(Image.Transpose.ROTATE_90).resize((480, 720), Image.Resampling.LANCZOS)
    for variant in prepared.variants[:2]:
        assert difference(decoded(variant), upright) < 4
        assert difference(decoded(variant), wrong_way) > 20


def test_a_big_photo_is_decoded_at_reduced_scale_but_reported_at_full_size(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    drafted: list[tuple[int, int]] = []
    draft = JpegImagePlugin.JpegImageFile.draft

    def recording_draft(
        self: JpegImagePlugin.JpegImageFile, mode: str | None, size: tuple[int, int] | None
    ) -> tuple[str, tuple[int, int, float, float]] | None:
        found = draft(self, mode, size)
        drafted.append(self.size)
        return found

    monkeypatch.setattr(JpegImagePlugin.JpegImageFile, "draft", recording_draft)
    stored = photos.phone_photo(2100, 4100, orientation=8, grain=False)
    result = prepare_picture(stored)
    assert drafted == [(1050, 2050)]  # libjpeg decoded at 1/2 scale: still wider than 2048 once turned
    assert (result.width, result.height) == (4100, 2100)
    assert widths_of(result) == (480, 960, 1600, 2048)
    assert (result.variants[-1].width, result.variants[-1].height) == (2048, 1049)
    assert_well_formed(result)
    upright = ImageOps.exif_transpose(Image.open(io.BytesIO(stored))).resize((960, 492))
    assert difference(decoded(result.variants[3]), upright) < 4


@pytest.mark.parametrize(
    ("width", "widths"),
    [
        (4000, (480, 960, 1600, 2048)),
        (2000, (480, 960, 1600, 2000)),
        (700, (480, 700)),
        (300, (300,)),
        (1600, (480, 960, 1600)),
        (1000, (480, 960, 1000)),
        (960, (480, 960)),
        (481, (480, 481)),
        (480, (480,)),
        (2048, (480, 960, 1600, 2048)),
        (2049, (480, 960, 1600, 2048)),
        (1, (1,)),
    ],
)
def test_variant_widths_follow_the_rule(width: int, widths: tuple[int, ...]) -> None:
    assert variant_widths(width) == widths


@given(st.integers(min_value=1, max_value=100_000))
def test_variant_widths_never_upscale_and_end_at_the_picture_or_the_cap(width: int) -> None:
    widths = variant_widths(width)
    largest = min(width, MAX_VARIANT_WIDTH)
    assert all(a < b for a, b in itertools.pairwise(widths))
    assert all(1 <= w <= largest for w in widths)
    assert widths[-1] == largest
    assert set(widths[:-1]) == {w for w in WIDTHS if w < largest}


def test_variant_widths_refuse_a_picture_without_width() -> None:
    with pytest.raises(ValueError, match="at least 1 px"):
        variant_widths(0)


def test_a_narrow_picture_cannot_lead_an_article() -> None:
    result = prepare_picture(photos.phone_photo(800, 600, orientation=1, grain=False))
    assert result.lead_problem == (
        "the picture is 800 px wide: a lead picture needs at least 1200 px (Google Discover)"
    )
    assert widths_of(result) == (480, 800)
    assert_well_formed(result)


@pytest.mark.parametrize(
    ("stored", "orientation", "problem"),
    [((1600, 900), 6, "900 px wide"), ((1200, 900), 1, None), ((900, 1200), 8, None)],
)
def test_the_lead_rule_looks_at_the_width_as_shown(
    stored: tuple[int, int], orientation: int, problem: str | None
) -> None:
    result = prepare_picture(photos.phone_photo(*stored, orientation=orientation, gps=False, grain=False))
    assert result.lead_problem == (
        problem and f"the picture is {problem}: a lead picture needs at least 1200 px (Google Discover)"
    )
    assert (result.width >= LEAD_MIN_WIDTH) == (problem is None)


@pytest.mark.parametrize("mode", ["RGBA", "LA", "P"])
def test_a_transparent_png_keeps_its_alpha_with_a_png_fallback(mode: str) -> None:
    source = photos.png_with_alpha(600, 400, mode=mode)
    result = prepare_picture(source)
    assert result.fallback == "png" and result.source_format == "PNG"
    assert_well_formed(result)
    for variant in result.variants:
        picture = decoded(variant).convert("RGBA")
        assert pixel(picture, (0, 0))[3] == 0, variant.suffix  # the corner outside the ellipse
        centre = pixel(picture, (picture.width // 2, picture.height // 2))
        assert centre[3] == 255, variant.suffix


def test_an_alpha_channel_that_hides_nothing_gets_a_jpeg_fallback() -> None:
    opaque = photos.encoded(photos.scene(600, 400).convert("RGBA"), "PNG")
    assert Image.open(io.BytesIO(opaque)).mode == "RGBA"
    result = prepare_picture(opaque)
    assert result.fallback == "jpg"
    assert decoded(result.variants[0]).mode == "RGB"


@pytest.mark.parametrize(("fmt", "orientation", "shown"), [("WEBP", 8, (900, 1200)), ("PNG", 3, (1200, 900))])
def test_webp_and_png_photos_are_oriented_and_stripped_too(
    fmt: str, orientation: int, shown: tuple[int, int]
) -> None:
    source = photos.phone_photo(1200, 900, orientation=orientation, fmt=fmt, grain=False)
    assert photos.gps_in(source) and photos.exif_of(source)["Orientation"] == orientation
    result = prepare_picture(source, name=f"media/anh.{fmt.lower()}")
    assert result.source_format == fmt and (result.width, result.height) == shown
    assert_well_formed(result)
    small = decoded(result.variants[1])
    expected = ImageOps.exif_transpose(Image.open(io.BytesIO(source))).resize(small.size)
    assert difference(small, expected) < 4
    for variant in result.variants:
        assert_no_metadata_but_icc(variant, photos.srgb_icc())


def test_an_orientation_given_only_in_xmp_is_applied_too() -> None:
    xmp = (
        '<x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">'
        '<rdf:Description xmlns:tiff="http://ns.adobe.com/tiff/1.0/" tiff:Orientation="6"/></rdf:RDF></x:xmpmeta>'
    )
    info = PngImagePlugin.PngInfo()
    info.add_itxt("XML:com.adobe.xmp", xmp)
    source = photos.encoded(photos.scene(600, 400, grain=False), "PNG", pnginfo=info)
    result = prepare_picture(source)
    assert (result.width, result.height) == (400, 600)
    assert_well_formed(result)
    small = decoded(result.variants[1])
    assert difference(small, photos.scene(600, 400, grain=False).transpose(Image.Transpose.ROTATE_270)) < 4
    assert b"Orientation" not in result.variants[1].data and "xmp" not in small.info


def test_a_heic_from_a_phone_is_rotated_and_stripped() -> None:
    import pi_heif  # noqa: PLC0415 (only to read the source here; the module registers it by itself)

    pi_heif.register_heif_opener()
    source = photos.heic_photo()
    assert photos.gps_in(source) and Image.open(io.BytesIO(source)).size == (240, 320)
    result = prepare_picture(source, name="media/IMG_0042.HEIC")
    assert result.source_format == "HEIF" and (result.width, result.height) == (240, 320)
    assert widths_of(result) == (240,)
    assert_well_formed(result)
    for variant in result.variants:
        assert_no_metadata_but_icc(variant, photos.srgb_icc())
    upright = photos.scene(320, 240).transpose(Image.Transpose.ROTATE_270)
    assert difference(decoded(result.variants[1]), upright) < 12  # quality-20 HEVC, then JPEG
    assert difference(decoded(result.variants[1]), upright.transpose(Image.Transpose.ROTATE_180)) > 20


def test_only_heif_uploads_import_the_heif_decoder() -> None:
    script = (
        "import sys\n"
        "from newsroom_pictures.variants import prepare_picture\n"
        "from tests.support.photos import heic_photo, phone_photo\n"
        "prepare_picture(phone_photo(640, 480))\n"
        "assert 'pi_heif' not in sys.modules, 'a JPEG imported pi_heif'\n"
        "prepare_picture(heic_photo())\n"
        "assert 'pi_heif' in sys.modules\n"
    )
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(ROOT / "layers" / "pictures"), str(ROOT)])}
    done = subprocess.run(
        [sys.executable, "-c", script], cwd=ROOT, env=env, capture_output=True, text=True, check=False
    )
    assert done.returncode == 0, done.stderr


def test_the_format_comes_from_the_bytes_not_the_name() -> None:
    result = prepare_picture(photos.tiny_image(fmt="PNG"), name="media/photo.jpg")
    assert result.source_format == "PNG"
    with pytest.raises(PictureRejected) as rejected:
        prepare_picture(b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\n", name="media/anh-bia.jpg")
    assert rejected.value.reason == NOT_A_PICTURE + "a PDF document"
    assert str(rejected.value) == "media/anh-bia.jpg: " + NOT_A_PICTURE + "a PDF document"
    assert rejected.value.name == "media/anh-bia.jpg"


def test_cmyk_is_converted_through_its_profile_to_srgb() -> None:
    result = prepare_picture(photos.cmyk_jpeg())
    assert result.notes == ("the CMYK picture was converted to RGB through its colour profile",)
    small = decoded(result.variants[1])
    assert small.mode == "RGB" and small.info["icc_profile"] == srgb_icc()
    for x, ink in ((80, (1, 0, 0)), (240, (0, 1, 0)), (400, (0, 0, 1))):
        found = pixel(small, (x, 60))
        wanted = photos.INK_COLOURS[ink]
        assert all(abs(a - b) <= 12 for a, b in zip(found, wanted, strict=True)), (ink, found, wanted)
    assert_well_formed(result)


def test_cmyk_without_a_profile_is_converted_plainly_and_carries_none() -> None:
    result = prepare_picture(photos.cmyk_jpeg(profile=False))
    small = decoded(result.variants[1])
    assert "icc_profile" not in small.info and result.notes[0].startswith(
        "the CMYK picture had no usable colour profile"
    )
    assert all(abs(a - b) <= 12 for a, b in zip(pixel(small, (80, 60)), (0, 255, 255), strict=True))


def test_a_profile_that_does_not_fit_the_pixels_is_left_out() -> None:
    mistagged = photos.encoded(photos.scene(600, 400, grain=False), "JPEG", icc_profile=photos.cmyk_profile())
    result = prepare_picture(mistagged)
    assert result.notes == ("its colour profile did not fit the picture and was left out",)
    assert all("icc_profile" not in decoded(variant).info for variant in result.variants)


def test_grayscale_goes_through_its_profile_and_sixteen_bits_are_scaled_not_clipped() -> None:
    gray = photos.encoded(Image.new("L", (600, 400), 128), "JPEG", icc_profile=photos.linear_gray_profile())
    through_profile = decoded(prepare_picture(gray).variants[1])
    assert through_profile.info["icc_profile"] == srgb_icc()
    assert abs(pixel(through_profile, (10, 10))[0] - 188) <= 3  # linear 50 % gray is sRGB 188
    row = struct.pack("<300H", *[40000] * 300) + struct.pack("<300H", *[1000] * 300)
    sixteen = Image.frombytes("I;16", (600, 400), row * 400)
    result = prepare_picture(photos.encoded(sixteen, "PNG"))
    small = decoded(result.variants[1])
    assert abs(pixel(small, (20, 20))[0] - 40000 / 257) <= 3 and abs(pixel(small, (460, 20))[0] - 4) <= 3
    plain = decoded(prepare_picture(photos.encoded(Image.new("L", (600, 400), 128), "PNG")).variants[1])
    assert abs(pixel(plain, (10, 10))[0] - 128) <= 3 and "icc_profile" not in plain.info


@pytest.mark.parametrize("fmt", ["PNG", "WEBP"])
def test_an_animation_gives_its_first_frame(fmt: str) -> None:
    frames = [
        Image.new("RGB", (640, 480), colour) for colour in ((200, 30, 40), (20, 90, 200), (250, 220, 0))
    ]
    animated = photos.encoded(frames[0], fmt, save_all=True, append_images=frames[1:], duration=100, loop=0)
    result = prepare_picture(animated)
    assert result.notes == ("the file holds 3 frames: the first was used",)
    assert difference(decoded(result.variants[1]), frames[0].resize((480, 360))) < 6


def _png_header(width: int, height: int) -> bytes:
    def chunk(kind: bytes, body: bytes) -> bytes:
        return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))

    ihdr = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", ihdr)
        + chunk(b"IDAT", zlib.compress(b"\0" * 64))
        + chunk(b"IEND", b"")
    )


def _docx() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("word/document.xml", "<w:document>Tin Đồng Xoài</w:document>")
    return buffer.getvalue()


def _truncated_jpeg() -> bytes:
    whole = photos.phone_photo(600, 400, orientation=1, grain=False)
    return whole[: len(whole) * 2 // 3]


@pytest.mark.parametrize(
    ("data", "reason"),
    [
        pytest.param(b"", "the file is empty (0 bytes): upload it again", id="empty"),
        pytest.param(b"%PDF-1.4\n1 0 obj << >>\nendobj\n", NOT_A_PICTURE + "a PDF document", id="pdf"),
        pytest.param(
            _docx(),
            NOT_A_PICTURE
            + "a Word document (.docx): save the pictures out of it as JPEG or PNG and upload those",
            id="docx",
        ),
        pytest.param(
            photos.encoded(photos.scene(40, 30), "GIF"),
            NOT_A_PICTURE + "a GIF: convert it to PNG (a still picture) or MP4 (an animation)",
            id="gif",
        ),
        pytest.param(
            b'<?xml version="1.0" encoding="UTF-8"?>\n<svg xmlns="http://www.w3.org/2000/svg" width="10"/>',
            NOT_A_PICTURE + "an SVG drawing: export it as PNG",
            id="svg",
        ),
        pytest.param(
            "Tin nóng: lũ ở Đồng Xoài\r\n".encode(), NOT_A_PICTURE + "a text file", id="vietnamese-text"
        ),
        pytest.param(
            b"<!DOCTYPE html><html><body><img src=x></body></html>",
            NOT_A_PICTURE + "a web page (HTML): save the picture itself, not the page",
            id="html",
        ),
        pytest.param(
            b"\x00\x00\x00\x1cftypavif\x00\x00\x00\x00avifmif1miaf" + b"\x00" * 64,
            NOT_A_PICTURE + "an AVIF picture: export it as JPEG or WebP",
            id="avif",
        ),
        pytest.param(
            b"\x00\x00\x00\x18ftypmp42\x00\x00\x00\x00isommp42" + b"\x00" * 64,
            NOT_A_PICTURE + "a video (MP4): publish it as a video, or export a still as JPEG",
            id="mp4",
        ),
        pytest.param(
            bytes(range(256)) * 4,
            NOT_A_PICTURE
            + "a file of a kind we do not recognise: export the picture as JPEG, PNG, WebP or HEIC",
            id="unknown",
        ),
        pytest.param(
            _truncated_jpeg(),
            "the picture is damaged (truncated JPEG data): export it again",
            id="truncated-jpeg",
        ),
        pytest.param(
            photos.tiny_image(300, 200)[:-300],
            "the picture is damaged (truncated PNG data): export it again",
            id="truncated-png",
        ),
        pytest.param(
            photos.heic_photo()[:1500],
            "the picture is damaged (corrupt HEIC data): export it again",
            id="cut-heic",
        ),
        pytest.param(
            _png_header(100_000, 100_000),
            "the picture is 10,000 megapixels, over the 60-megapixel limit: export it smaller",
            id="bomb",
        ),
        pytest.param(
            _png_header(9000, 8000),
            "the picture is 9000 × 8000 pixels (72 megapixels), over the 60-megapixel limit: export it smaller",
            id="72-megapixels",
        ),
    ],
)
def test_what_cannot_be_published_is_refused_with_a_reason(data: bytes, reason: str) -> None:
    with pytest.raises(PictureRejected) as rejected:
        prepare_picture(data)
    assert rejected.value.reason == reason
    assert str(rejected.value).splitlines()[0] == reason


def test_a_file_over_the_size_limit_is_refused_before_it_is_read() -> None:
    with pytest.raises(PictureRejected) as rejected:
        prepare_picture(b"\xff\xd8\xff" + bytes(int(31.2 * 1024 * 1024)))
    assert (
        rejected.value.reason == "the file is 31.2 MB, over the 25 MB limit for pictures: export it smaller"
    )


def test_the_limits_are_read_when_a_picture_comes(monkeypatch: pytest.MonkeyPatch, phone: bytes) -> None:
    monkeypatch.setattr(pictures, "MAX_SOURCE_BYTES", 1024 * 1024)
    with pytest.raises(PictureRejected, match=r"^the file is 1\.5 MB, over the 1 MB limit for pictures"):
        prepare_picture(phone)
    monkeypatch.undo()

    def no_decoding(self: ImageFile.ImageFile) -> None:
        raise AssertionError("pixels were decoded")

    monkeypatch.setattr(pictures, "MAX_PIXELS", 5_000_000)
    monkeypatch.setattr(ImageFile.ImageFile, "load", no_decoding)
    with pytest.raises(PictureRejected) as rejected:
        prepare_picture(phone)
    assert rejected.value.reason == (
        "the picture is 3000 × 2000 pixels (6 megapixels), over the 5-megapixel limit: export it smaller"
    )


def test_the_same_upload_gives_the_same_bytes() -> None:
    cmyk = photos.cmyk_jpeg(480, 320)
    for source in (photos.phone_photo(640, 480), photos.png_with_alpha(500, 300), cmyk):
        first, second = prepare_picture(source), prepare_picture(source)
        assert first == second
        assert first.digest == hashlib.sha256(source).hexdigest()[:16]
    assert prepare_picture(photos.cmyk_jpeg(480, 321)).digest != first.digest
    # Little CMS dates new profiles: the sRGB one given to converted pictures must not carry the clock.
    assert decoded(first.variants[1]).info["icc_profile"][24:36] == struct.pack(">6H", 2025, 1, 1, 0, 0, 0)


def test_a_tiny_picture_gets_one_width_and_no_upscaling() -> None:
    result = prepare_picture(photos.tiny_image(16, 12))
    assert widths_of(result) == (16,) and result.lead_problem is not None
    assert_well_formed(result)
    spacer = prepare_picture(photos.tiny_image(1, 1, fmt="JPEG"))
    assert [(v.width, v.height) for v in spacer.variants] == [(1, 1), (1, 1)]
