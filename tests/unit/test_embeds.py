"""Video links alone in a paragraph become click-to-load placeholders; nothing else does."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from pathlib import Path

import pytest
from newsroom.domain.article import parse_article
from newsroom.domain.embeds import EMBED_HOSTS, embed_url
from newsroom.domain.markdown import render_markdown
from newsroom.domain.source_keys import classify

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.parametrize(
    ("link", "player"),
    [
        (
            "https://www.youtube.com/watch?v=dQw4w9WgXcQ&t=10",
            "https://www.youtube-nocookie.com/embed/dQw4w9WgXcQ",
        ),
        ("https://youtu.be/dQw4w9WgXcQ", "https://www.youtube-nocookie.com/embed/dQw4w9WgXcQ"),
        ("https://m.youtube.com/shorts/dQw4w9WgXcQ", "https://www.youtube-nocookie.com/embed/dQw4w9WgXcQ"),
        ("https://vimeo.com/76979871", "https://player.vimeo.com/video/76979871?dnt=1"),
        (
            "https://www.facebook.com/khcnhoabinh/videos/1234567890/",
            "https://www.facebook.com/plugins/video.php?href=https%3A%2F%2Fwww.facebook.com%2Fkhcnhoabinh%2Fvideos%2F1234567890%2F",
        ),
    ],
)
def test_video_links_map_to_the_privacy_enhanced_players(link: str, player: str) -> None:
    found = embed_url(link)
    assert found is not None and found[0] == player
    assert player.startswith(EMBED_HOSTS)


@pytest.mark.parametrize(
    "link",
    [
        "https://www.youtube.com/watch?v=short",
        "https://www.youtube.com/channel/UC123",
        "https://vimeo.com/channels/staffpicks",
        "https://www.facebook.com/khcnhoabinh",
        "https://evil.example/watch?v=dQw4w9WgXcQ",
        "javascript:alert(1)",
    ],
)
def test_other_links_stay_links(link: str) -> None:
    assert embed_url(link) is None


def test_a_video_link_alone_in_its_paragraph_becomes_a_placeholder_that_loads_nothing() -> None:
    body = render_markdown(
        "Mở đầu.\n\n[Lễ trao giải VIFOTEC](https://youtu.be/dQw4w9WgXcQ)\n\n"
        "https://vimeo.com/76979871\n\nXem [video](https://youtu.be/dQw4w9WgXcQ) ở giữa câu.\n"
    ).html
    assert body.count('<figure class="video"') == 2
    assert 'data-video="https://www.youtube-nocookie.com/embed/dQw4w9WgXcQ"' in body
    assert "Lễ trao giải VIFOTEC</button>" in body and "Video Vimeo</button>" in body
    assert "<iframe" not in body and "<img" not in body  # nothing from the video site before a click
    assert 'Xem <a href="https://youtu.be/dQw4w9WgXcQ"' in body  # inside a sentence: a link


def test_an_editors_iframe_never_passes_and_an_html_article_gets_placeholders_too() -> None:
    page = (
        "<title>T</title><p><a href='https://www.youtube.com/watch?v=dQw4w9WgXcQ'>Phóng sự</a></p>"
        "<iframe src='https://www.youtube-nocookie.com/embed/dQw4w9WgXcQ'></iframe>"
        "<p><a data-video='https://evil.example/' href='/x'>x</a></p>"
    )
    article = parse_article(
        classify("articles/tin-tuc/v.html"),
        page.encode(),
        first_seen=datetime(2024, 1, 1, tzinfo=UTC),
        timezone="UTC",
    )
    assert article.body_html.count('<figure class="video"') == 1
    assert "<iframe" not in article.body_html and "evil.example" not in article.body_html


def test_the_csp_frames_exactly_the_players() -> None:
    template = (ROOT / "template.yaml").read_text(encoding="utf-8")
    policies = re.findall(r"frame-src [^;]*;", template)
    assert len(policies) == 2  # the site's headers and the previews'
    assert set(policies) == {f"frame-src {' '.join(EMBED_HOSTS)};"}


def test_a_picture_linked_to_the_video_is_its_poster_and_names_it() -> None:
    body = render_markdown(
        "[![Lễ trao giải VIFOTEC 2024](/media/2024/trao-giai.jpg)](https://youtu.be/dQw4w9WgXcQ)\n\n"
        "[![ảnh](/media/2024/hoi-thao.jpg) Hội thảo chuyển đổi số](https://vimeo.com/76979871)\n"
    ).html
    figures = re.findall(r'<figure class="video".*?</figure>', body)
    assert len(figures) == 2
    first, second = figures
    # The poster sits on the button (its alt emptied: the button's title names the video) …
    assert '<button type="button" class="video-play video-play-poster" data-play-video hidden>' in first
    assert '<img src="/media/2024/trao-giai.jpg" alt="">' in first
    assert '<span class="video-title">Lễ trao giải VIFOTEC 2024</span>' in first  # … its alt is the title
    assert 'alt="">' in second and '"video-title">Hội thảo chuyển đổi số</span>' in second  # the text wins
    assert all(src.startswith("/media/") for src in re.findall(r'src="([^"]+)"', body))


def test_a_poster_from_the_video_site_is_never_hot_linked() -> None:
    body = render_markdown(
        "[![x](https://i.ytimg.com/vi/dQw4w9WgXcQ/hqdefault.jpg)](https://youtu.be/dQw4w9WgXcQ)\n"
    ).html
    assert "ytimg" not in body  # a poster is the site's own picture, or none: a title card
    assert '<button type="button" class="video-play" data-play-video hidden>' in body
