"""Editors' files as text: UTF-8, UTF-16/32 with a BOM, or Windows-1258 when it reads as Vietnamese.

Portals moved from Joomla 1.5 still hold files saved in Windows-1258, and an
editor's Notepad may save UTF-16; every other encoding is refused with a
reason the editor can act on, never guessed.
"""

from __future__ import annotations

import codecs
import unicodedata

from newsroom.domain.errors import RejectedSource
from newsroom.domain.reasons import N_

# Letters only Vietnamese uses (after NFC): a file that decodes as Windows-1258 must contain one.
_VIETNAMESE_LETTERS = frozenset(
    "đạảấầẩẫậắằẳẵặẹẻẽếềểễệỉịọỏốồổỗộớờởỡợụủứừửữựỳỵỷỹơưă"
    + "đạảấầẩẫậắằẳẵặẹẻẽếềểễệỉịọỏốồổỗộớờởỡợụủứừửữựỳỵỷỹơưă".upper()
)
# Diacritics of the Vietnamese alphabet: â ê ô, ă, ơ ư, and the five tones.
_VOWEL_MARKS = frozenset("\u0302\u0306\u031b")
_TONE_MARKS = frozenset("\u0300\u0301\u0303\u0309\u0323")
# Non-ASCII characters other than letters a Vietnamese Windows-1258 article may hold.
_CP1258_PUNCTUATION = frozenset("\u00a0€‚„…†‡‰‹›‘’“”•–—™°₫")
_ALLOWED_C0 = frozenset(b"\t\n\r")


def _is_vietnamese_char(char: str) -> bool:
    """Whether a non-ASCII character (NFC) is a letter of the Vietnamese alphabet or plain punctuation."""
    if char in _CP1258_PUNCTUATION or char in "đĐ":
        return True
    decomposed = unicodedata.normalize("NFD", char)
    base, marks = decomposed[0], decomposed[1:]
    return (
        base in "aeiouyAEIOUY"
        and bool(marks)
        and all(m in _VOWEL_MARKS or m in _TONE_MARKS for m in marks)
        and sum(m in _VOWEL_MARKS for m in marks) <= 1
        and sum(m in _TONE_MARKS for m in marks) <= 1
    )


def _decode_windows_1258(data: bytes) -> str | None:
    """``data`` as Windows-1258 Vietnamese (NFC), or None unless it reads unambiguously so.

    Every tone mark must sit on a vowel, every non-ASCII character must be a
    Vietnamese letter (or common typographic punctuation), and at least one letter
    must be one only Vietnamese uses: other legacy encodings (TCVN3, VNI, Latin-1)
    decode as cp1258 too, but into symbols, stray tone marks or foreign letters.
    """
    if any(byte < 0x20 and byte not in _ALLOWED_C0 for byte in data):
        return None
    try:
        text = unicodedata.normalize("NFC", data.decode("cp1258"))
    except UnicodeDecodeError:
        return None
    if not all(char.isascii() or _is_vietnamese_char(char) for char in text):
        return None
    if not any(char in _VIETNAMESE_LETTERS for char in text):
        return None
    return text


def _looks_like_bomless_utf16(data: bytes) -> bool:
    """Whether ``data`` (holding NULs) reads as UTF-16 text written without a byte-order mark."""
    if len(data) < 4 or len(data) % 2:
        return False
    pairs = len(data) // 2
    for encoding, high, low in (("utf-16-le", data[1::2], data[0::2]), ("utf-16-be", data[0::2], data[1::2])):
        nul_high, nul_low = high.count(0), low.count(0)
        if nul_high < max(2, pairs // 4) or nul_low > nul_high // 10:
            continue
        try:
            text = data.decode(encoding)
        except UnicodeDecodeError:
            continue
        if not any(ord(char) < 0x20 and char not in "\t\n\r" for char in text):
            return True
    return False


def _decode_with_bom(data: bytes, encoding: str, name: str, unit: int) -> str:
    """Decode UTF-16 or UTF-32 behind its BOM, naming what is broken if it does not decode."""
    try:
        return data.decode(encoding)
    except UnicodeDecodeError as exc:
        if len(data) % unit:
            raise RejectedSource(
                N_(
                    "broken {name} text: {size} bytes is not a whole number of {unit}-byte units"
                    " (the file is cut short); save it again as UTF-8"
                ),
                name=name,
                size=len(data),
                unit=unit,
            ) from None
        if "surrogate" in exc.reason or exc.reason in {"illegal encoding", "unexpected end of data"}:
            chunk = data[exc.start : exc.start + unit]
            little = data.startswith(codecs.BOM_UTF16_LE)
            code = int.from_bytes(chunk, "little") if little else int.from_bytes(chunk, "big")
            raise RejectedSource(
                N_(
                    "broken {name} text: unpaired surrogate 0x{code:04X} at byte offset {offset};"
                    " save the file as UTF-8"
                ),
                name=name,
                code=code,
                offset=exc.start,
            ) from None
        raise RejectedSource(
            N_("broken {name} text at byte offset {offset} ({problem}); save the file as UTF-8"),
            name=name,
            offset=exc.start,
            problem=exc.reason,
        ) from None


def decode_text(data: bytes) -> str:
    """Bytes to NFC text.

    Accepted: UTF-8 (with or without BOM), UTF-32 and UTF-16 with a BOM, and
    Windows-1258 when it reads unambiguously as Vietnamese. Anything else is
    refused with the reason the editor reads: UTF-16 without a BOM, binary data,
    other legacy encodings (TCVN3, VNI, Latin-1...).
    """
    if not data.strip():
        raise RejectedSource(N_("the file is empty"))
    if data.startswith((codecs.BOM_UTF32_LE, codecs.BOM_UTF32_BE)):
        text = _decode_with_bom(data, "utf-32", "UTF-32", 4)
    elif data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        text = _decode_with_bom(data, "utf-16", "UTF-16", 2)
    elif b"\x00" in data:
        if _looks_like_bomless_utf16(data):
            raise RejectedSource(
                N_("looks like UTF-16 without a byte-order mark: save as UTF-8 or UTF-16 with BOM")
            )
        raise RejectedSource(N_("binary file, not Markdown text"))
    else:
        try:
            text = data.decode("utf-8-sig")
        except UnicodeDecodeError as exc:
            legacy = _decode_windows_1258(data)
            if legacy is None:
                raise RejectedSource(
                    N_(
                        "not UTF-8 text (byte 0x{byte:02x} at offset {offset});"
                        " it does not read as Windows-1258 Vietnamese either: save the file as UTF-8"
                    ),
                    byte=data[exc.start],
                    offset=exc.start,
                ) from None
            return legacy
    if not text.strip():
        raise RejectedSource(N_("the file is empty"))
    return unicodedata.normalize("NFC", text)
