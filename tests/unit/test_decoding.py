"""Which encodings an uploaded article may use, and why the others are refused."""

from __future__ import annotations

import codecs
import unicodedata

import pytest
from newsroom.domain.errors import RejectedSource
from newsroom.domain.text_decoding import decode_text

from tests.support.encodings import TONES, cp1258

TEXT = "Hội nghị tổng kết công tác năm 2024 — Đổi mới sáng tạo"


def test_the_cp1258_helper_uses_combining_tone_marks() -> None:
    data = cp1258(TEXT)
    assert b"\xf2" in data  # combining dot below (ộ = ô + U+0323)
    assert b"\xd0" in data  # Đ


@pytest.mark.parametrize(
    "data",
    [
        pytest.param(TEXT.encode("utf-8"), id="utf-8"),
        pytest.param(TEXT.encode("utf-8-sig"), id="utf-8-sig"),
        pytest.param(unicodedata.normalize("NFD", TEXT).encode("utf-8"), id="utf-8-nfd"),
        pytest.param(TEXT.encode("utf-16"), id="utf-16"),
        pytest.param(codecs.BOM_UTF16_LE + TEXT.encode("utf-16-le"), id="utf-16-le-bom"),
        pytest.param(codecs.BOM_UTF16_BE + TEXT.encode("utf-16-be"), id="utf-16-be-bom"),
        pytest.param(TEXT.encode("utf-32"), id="utf-32"),
        pytest.param(codecs.BOM_UTF32_LE + TEXT.encode("utf-32-le"), id="utf-32-le-bom"),
        pytest.param(codecs.BOM_UTF32_BE + TEXT.encode("utf-32-be"), id="utf-32-be-bom"),
        pytest.param(cp1258(TEXT), id="cp1258"),
        pytest.param(cp1258(f"---\ntitle: {TEXT}\n---\n\tGiá 20.000₫.\r\n"), id="cp1258-markdown"),
    ],
)
def test_vietnamese_text_round_trips_to_the_same_nfc_text(data: bytes) -> None:
    text = decode_text(data)
    assert TEXT in text
    assert text == unicodedata.normalize("NFC", text)


def test_a_utf32_le_bom_is_not_read_as_utf16() -> None:
    assert decode_text(codecs.BOM_UTF32_LE + "Đà".encode("utf-32-le")) == "Đà"


LEGACY = "not UTF-8 text (byte 0x{:02x} at offset {}); it does not read as Windows-1258 Vietnamese either: "
LEGACY += "save the file as UTF-8"


@pytest.mark.parametrize(
    ("data", "reason"),
    [
        pytest.param(b"", "the file is empty", id="empty"),
        pytest.param(b" \r\n\t\n", "the file is empty", id="whitespace"),
        pytest.param(codecs.BOM_UTF8, "the file is empty", id="utf-8-bom-only"),
        pytest.param("  \n".encode("utf-16"), "the file is empty", id="utf-16-whitespace"),
        pytest.param(
            "Le café crème à Noël coûte cher.".encode("latin-1"),
            LEGACY.format(0xE9, 6),
            id="latin-1-french",
        ),
        pytest.param(
            # Every letter exists in Vietnamese, but none only Vietnamese uses.
            "Café à Paris, très élégant.".encode("latin-1"),
            LEGACY.format(0xE9, 3),
            id="latin-1-no-vietnamese-letter",
        ),
        pytest.param(
            # TCVN3 (ABC) "Hội nghị tổng kết": decodes as cp1258, but into é, a stray tilde, æ.
            b"H\xe9i ngh\xde t\xe6ng k\xd5t",
            LEGACY.format(0xE9, 1),
            id="tcvn3",
        ),
        pytest.param(
            # cp1258 letters, but with a C0 control character: not a text file.
            cp1258("Đổi mới") + b"\x1b[0m",
            LEGACY.format(0xD0, 0),
            id="cp1258-with-control-character",
        ),
        pytest.param(
            # 0x81 is undefined in cp1258.
            cp1258("Đổi mới") + b"\x81",
            LEGACY.format(0xD0, 0),
            id="cp1258-undefined-byte",
        ),
        pytest.param(
            bytes([0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A, 0x00, 0x00, 0x00, 0x0D, 0xFF, 0x00]),
            "binary file, not Markdown text",
            id="binary",
        ),
        pytest.param(bytes(range(256)) * 4, "binary file, not Markdown text", id="all-bytes"),
        pytest.param(
            TEXT.encode("utf-16-le"),
            "looks like UTF-16 without a byte-order mark: save as UTF-8 or UTF-16 with BOM",
            id="utf-16-le-without-bom",
        ),
        pytest.param(
            "# Title\n\nBody text.\n".encode("utf-16-be"),
            "looks like UTF-16 without a byte-order mark: save as UTF-8 or UTF-16 with BOM",
            id="utf-16-be-without-bom",
        ),
        pytest.param(
            codecs.BOM_UTF16_LE + "ab".encode("utf-16-le") + b"\x00\xd8" + "c".encode("utf-16-le"),
            "broken UTF-16 text: unpaired surrogate 0xD800 at byte offset 6; save the file as UTF-8",
            id="utf-16-lone-high-surrogate",
        ),
        pytest.param(
            codecs.BOM_UTF16_BE + "a".encode("utf-16-be") + b"\xdc\x00",
            "broken UTF-16 text: unpaired surrogate 0xDC00 at byte offset 4; save the file as UTF-8",
            id="utf-16-be-lone-low-surrogate",
        ),
        pytest.param(
            "Hội".encode("utf-16") + b"\x0a",
            "broken UTF-16 text: 9 bytes is not a whole number of 2-byte units (the file is cut short);"
            " save it again as UTF-8",
            id="utf-16-odd-length",
        ),
        pytest.param(
            codecs.BOM_UTF32_LE + "a".encode("utf-32-le") + b"\x00\xd8\x00\x00",
            "broken UTF-32 text: unpaired surrogate 0xD800 at byte offset 8; save the file as UTF-8",
            id="utf-32-surrogate",
        ),
        pytest.param(
            codecs.BOM_UTF32_BE + b"\x00\x11\x00\x00",
            "broken UTF-32 text at byte offset 4 (code point not in range(0x110000)); save the file as UTF-8",
            id="utf-32-out-of-range",
        ),
    ],
)
def test_refusals_name_what_is_wrong(data: bytes, reason: str) -> None:
    with pytest.raises(RejectedSource) as caught:
        decode_text(data)
    assert caught.value.reason == reason
    assert len(caught.value.reason) <= 200


def test_every_vietnamese_letter_survives_windows_1258() -> None:
    letters = [unicodedata.normalize("NFC", v + t) for v in "aăâeêioôơuưy" for t in ["", *TONES]]
    text = " ".join([*letters, *(c.upper() for c in letters), "đ Đ"])
    text += "\nTrường Đại học Bách khoa Hà Nội: “thật” – 50°C…\n"
    assert decode_text(cp1258(text)) == text
