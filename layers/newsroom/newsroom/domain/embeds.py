"""Videos from a link alone in its paragraph: a click-to-load placeholder, nothing loaded until the click.

A YouTube, Vimeo or Facebook video link standing alone in its paragraph
(a bare URL, or a link with a title as its text), in Markdown or HTML,
becomes a ``<figure class="video">`` holding a play button and the link
itself: without JavaScript, or before the click, the reader's browser
asks nothing of the video site (no iframe, no poster, no script). The
button (``site.js``) puts in the iframe of the site's privacy-enhanced
embed host, which the CSP's narrow ``frame-src`` allows; the sanitizer
still lets no editor's iframe through, since this runs on its output.

The poster is the site's own: a picture the editor linked to the video
(``[![alt](/media/poster.jpg) Title](https://youtu.be/…)``, an ``<img>``
inside the ``<a>``, a linked picture in Word) is shown on the button, with
its variants like any picture; without one the button is a title card.
The video site's own thumbnail is never hot-linked, as that would tell it
about every reader before anyone clicks.
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass
from urllib.parse import parse_qs, quote, urlsplit

import nh3

_ALONE = re.compile(
    r"<p>\s*(?:<a href=\"(?P<href>[^\"]+)\"[^>]*>(?P<text>.*?)</a>|(?P<bare>https://[^\s<]+))\s*</p>",
    re.S,
)
_IMG = re.compile(r"<img\b[^>]*>")
_ALT = re.compile(r'\salt="([^"]*)"')
_OWN_SRC = re.compile(r'\ssrc="/(?!/)')
_YOUTUBE_ID = re.compile(r"^[A-Za-z0-9_-]{11}$")
_VIMEO_ID = re.compile(r"^\d{4,12}$")
EMBED_HOSTS = ("https://www.youtube-nocookie.com", "https://player.vimeo.com", "https://www.facebook.com")
"""What the CSP's ``frame-src`` allows, and all it allows."""


def embed_url(link: str) -> tuple[str, str] | None:
    """The privacy-enhanced player URL of a video link, and the provider's name; ``None`` for other links."""
    parts = urlsplit(link)
    host = (parts.hostname or "").lower().removeprefix("www.").removeprefix("m.")
    if parts.scheme not in {"https", "http"}:
        return None
    segments = [s for s in parts.path.split("/") if s]
    video = ""
    if host == "youtu.be" and segments:
        video = segments[0]
    elif host == "youtube.com":
        if parts.path == "/watch":
            video = parse_qs(parts.query).get("v", [""])[0]
        elif len(segments) == 2 and segments[0] in ("shorts", "embed", "live"):
            video = segments[1]
    if video:
        return (f"{EMBED_HOSTS[0]}/embed/{video}", "YouTube") if _YOUTUBE_ID.match(video) else None
    if host == "vimeo.com" and len(segments) == 1 and _VIMEO_ID.match(segments[0]):
        return f"{EMBED_HOSTS[1]}/video/{segments[0]}?dnt=1", "Vimeo"
    is_facebook_video = host == "fb.watch" or (
        host == "facebook.com"
        and ("videos" in segments or parts.path == "/watch" or segments[:1] == ["reel"])
    )
    if is_facebook_video:
        canonical = f"https://{parts.hostname}{parts.path}" + (f"?{parts.query}" if parts.query else "")
        return f"{EMBED_HOSTS[2]}/plugins/video.php?href={quote(canonical, safe='')}", "Facebook"
    return None


@dataclass(frozen=True)
class Video:
    """A video as its placeholder shows it: the player a click loads, the link, the provider, a title."""

    player: str
    provider: str
    link: str
    title: str
    poster: str = ""
    """A picture of the site's own shown on the button (a URL); empty: a title card."""


def video_of(link: str, title: str = "", poster: str = "") -> Video | None:
    """The placeholder's parts for a video link (``None``: not a video this site can embed)."""
    found = embed_url(link)
    if found is None:
        return None
    player, provider = found
    return Video(player, provider, link, title if title and title != link else f"Video {provider}", poster)


def embed_videos(body: str) -> str:
    """Replace each video link alone in its paragraph by its placeholder (``body`` is sanitized HTML)."""

    def placeholder(match: re.Match[str]) -> str:
        link = html.unescape(match.group("href") or match.group("bare") or "")
        inner = match.group("text") or ""
        poster = _IMG.search(inner)
        if poster and not _OWN_SRC.search(poster.group(0)):  # the video site's thumbnail would track
            poster = None
        text = html.unescape(" ".join(nh3.clean(inner, tags=set()).split()))
        alt = _ALT.search(poster.group(0)) if poster else None
        video = video_of(link, text or (html.unescape(alt.group(1)) if alt else ""))
        if video is None:
            return match.group(0)
        return placeholder_html(video, _decorative(poster.group(0)) if poster else "")

    return _ALONE.sub(placeholder, body) if "<p>" in body else body


def placeholder_html(video: Video, poster: str = "") -> str:
    """The figure a video link becomes; ``poster`` is an ``<img>`` of the site's own, or nothing."""
    title = html.escape(video.title)
    if poster:  # the title in a span of its own, to stand above the poster's shade
        kind = "video-play video-play-poster"
        label = f'{poster}<span aria-hidden="true">▶</span> <span class="video-title">{title}</span>'
    else:
        kind, label = "video-play", f'<span aria-hidden="true">▶</span> {title}'
    return (
        f'<figure class="video" data-video="{html.escape(video.player)}">'
        f'<button type="button" class="{kind}" data-play-video hidden>{label}</button>'
        f'<figcaption><a href="{html.escape(video.link)}" rel="noopener noreferrer">{title}</a>'
        f" ({video.provider})</figcaption></figure>"
    )


def _decorative(img: str) -> str:
    """The poster inside the button: its alt emptied, as the button's title already names the video."""
    emptied = _ALT.sub(' alt=""', img)
    return emptied if _ALT.search(emptied) else img.replace("<img", '<img alt=""', 1)
