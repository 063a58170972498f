"""Vietnamese the way legacy editors save it."""

from __future__ import annotations

import unicodedata

TONES = "\u0300\u0301\u0303\u0309\u0323"


def cp1258(text: str) -> bytes:
    """Encode as Windows-1258 does: precomposed â ê ô ơ ư ă đ, tones as combining marks.

    Plain NFD does not encode (cp1258 has no combining circumflex, breve or horn),
    and NFC does not either (no precomposed ộ, ị, ế...).
    """
    out = bytearray()
    for char in unicodedata.normalize("NFC", text):
        try:
            out += char.encode("cp1258")
        except UnicodeEncodeError:
            decomposed = unicodedata.normalize("NFD", char)
            tones = "".join(m for m in decomposed if m in TONES)
            base = unicodedata.normalize("NFC", "".join(m for m in decomposed if m not in TONES))
            out += (base + tones).encode("cp1258")
    return bytes(out)
