"""Pictures as pages use them: the variants the picture function made, and the ``srcset`` they give.

An editor writes ``![…](/media/anh/cau.jpg)``; the picture function turns
``media/anh/cau.jpg`` into resized, EXIF-free variants with content-hashed
names (``media/anh/cau.<digest>.<width>.<webp|jpg|png>``, cached for a year)
and a clean copy at the original path, and records what it made. The page
then offers the variants with ``srcset``/``sizes`` and the real ``width`` and
``height``, so nothing shifts while it loads. Until a picture is known (or
after it was deleted) the ``<img>`` stays as written, and the article's
feedback says which picture is missing.
"""

from __future__ import annotations

import html
import json
import re
from collections.abc import Mapping
from dataclasses import dataclass

from newsroom.domain.html_body import IMG_SRC

MEDIA_PREFIX = "media/"
PICTURE_SUFFIXES = (".jpg", ".jpeg", ".png", ".webp", ".heic", ".heif")
# The article column is at most about 760 CSS px wide; a phone shows it full width.
SIZES = "(max-width: 800px) 100vw, 760px"
_IMG = re.compile(r"<img\b([^>]*?)\s*/?>", re.I)
_SRC = re.compile(r'\bsrc="([^"]*)"')
_DIMENSIONS = re.compile(r'\s(?:width|height|loading|decoding|fetchpriority|srcset|sizes)="[^"]*"')
_LOADING = re.compile(r'\s(?:loading|decoding|fetchpriority)="[^"]*"')


def is_picture_key(key: str) -> bool:
    """Whether a source key is a picture the picture function makes variants of."""
    return key.startswith(MEDIA_PREFIX) and key.lower().endswith(PICTURE_SUFFIXES)


@dataclass(frozen=True)
class PictureInfo:
    """What the picture function made of one source picture."""

    source_key: str
    digest: str
    width: int
    height: int
    fallback: str
    """``jpg``, or ``png`` for a picture with transparency."""
    widths: tuple[int, ...]
    lead_problem: str | None = None

    def variant_key(self, width: int, suffix: str) -> str:
        """``media/anh/cau.<digest>.<width>.<suffix>``: a new picture is a new name, cached forever."""
        stem = self.source_key.rsplit(".", 1)[0]
        return f"{stem}.{self.digest}.{width}.{suffix}"

    def srcset(self, suffix: str) -> str:
        """Every variant of one format, for the browser to choose from."""
        return ", ".join(f"/{self.variant_key(w, suffix)} {w}w" for w in self.widths)

    def src(self) -> str:
        """The largest fallback variant: what a browser without ``srcset`` shows."""
        return "/" + self.variant_key(self.widths[-1], self.fallback)

    def height_at(self, width: int) -> int:
        """The height of the variant ``width`` px wide (ratio kept, as the variants are made)."""
        return max(1, round(self.height * width / self.width))


GALLERY_KEY = "gallery.json"
GALLERY_SIZE = 60
GALLERY_WIDTH = 480


def gallery_document(pictures: list[PictureInfo]) -> bytes:
    """``/gallery.json``: the small list the side module picks a random picture from, in the browser.

    A view never re-renders a page: the module is filled from this file,
    which the picture function rewrites when the library changes.
    """
    entries = []
    for info in pictures:
        width = max((w for w in info.widths if w <= GALLERY_WIDTH), default=info.widths[0])
        entries.append(
            {
                "src": "/" + info.variant_key(width, info.fallback),
                "webp": "/" + info.variant_key(width, "webp"),
                "width": width,
                "height": info.height_at(width),
                "href": "/" + info.source_key,
            }
        )
    return (json.dumps({"pictures": entries}, ensure_ascii=False, sort_keys=True) + "\n").encode()


def picture_key(src: str) -> str | None:
    """The source key an ``<img src>`` names, when it is one of the site's media pictures."""
    path = html.unescape(src).split("?", 1)[0].split("#", 1)[0]
    key = path.removeprefix("/")
    return key if path.startswith("/") and is_picture_key(key) else None


def pictures_in(body_html: str) -> tuple[str, ...]:
    """The source keys of the media pictures a body shows, in order, once each."""
    keys = (picture_key(src) for src in IMG_SRC.findall(body_html))
    return tuple(dict.fromkeys(key for key in keys if key is not None))


def with_variants(body_html: str, pictures: Mapping[str, PictureInfo]) -> str:
    """The body with each known picture offered as WebP and its fallback, sized, and lazy after the first.

    The first picture is usually the lead, above the fold: it loads at once and
    before the others (``loading="eager" fetchpriority="high"``); the others wait
    until the reader scrolls near.
    """
    seen = 0

    def replace(match: re.Match[str]) -> str:
        nonlocal seen
        attributes = match.group(1)
        found = _SRC.search(attributes)
        key = picture_key(found.group(1)) if found else None
        info = pictures.get(key) if key else None
        seen += 1
        loading = ' loading="eager" fetchpriority="high"' if seen == 1 else ' loading="lazy"'
        if info is None:
            return f'<img{_LOADING.sub("", attributes)} decoding="async"{loading}>'
        largest = info.widths[-1]
        kept = _DIMENSIONS.sub("", _SRC.sub("", attributes)).strip()
        img = (
            f'<img src="{info.src()}"{" " + kept if kept else ""} width="{largest}"'
            f' height="{info.height_at(largest)}" decoding="async"{loading}'
            f' srcset="{info.srcset(info.fallback)}" sizes="{SIZES}">'
        )
        webp = f'<source type="image/webp" srcset="{info.srcset("webp")}" sizes="{SIZES}">'
        return f"<picture>{webp}{img}</picture>"

    return _IMG.sub(replace, body_html)
