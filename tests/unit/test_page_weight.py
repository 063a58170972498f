"""Light, fast pages: what Lighthouse scores, held by the pages themselves (``bench/lighthouse.py`` measures it).

The home, a category and an article page, made from the sample content
(``examples/``) by the real publish path on fakes, and the hand-made views of
``test_render`` where the sample lacks a case (a home page lead with a
picture): the lead picture loads at once and first, every other picture
waits; every picture has a width and a height (nothing moves when it
arrives); nothing but one small, cached stylesheet holds the first paint;
headings never skip a level.
"""

from __future__ import annotations

import gzip
import hashlib
import itertools
import re
from pathlib import Path

import pytest
from newsroom.domain.pictures import PictureInfo
from newsroom.web.headings import outlined_headings
from newsroom.web.templating import render_page
from PIL import Image

from tests.support.fake_site import fake_site
from tests.unit.test_render import STATIC, Node, make_category, make_home, make_site, parse

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"
SAMPLE_PAGES = {
    "home": "index.html",
    "category": "chuyen-giao-cong-nghe/index.html",
    "article": "tin-tuc/tin-vifotec/hoi-nghi-tong-ket.html",
}
FIRST_ROUND_TRIP = 14_600
"""TCP's first congestion window (10 segments): a page that fits arrives in one round trip."""
STYLESHEET_BUDGET = 6_000
"""The one render-blocking request, gzipped."""
TEXT_BUDGET = 20_000
"""A first view's text, gzipped: the page, its stylesheet and its script (pictures come on top)."""


@pytest.fixture(scope="module")
def sample_pages() -> dict[str, str]:
    """The three page kinds as the publish path renders the sample content (its pictures known)."""
    site = fake_site()
    for name in ("site.yaml", "categories.yaml"):
        site.source.upload(f"site/{name}", (EXAMPLES / "site" / name).read_bytes())
    site.publish("site/site.yaml", "site/categories.yaml")
    site.drain_render_queue()
    for path in sorted((EXAMPLES / "media").iterdir()):
        key = f"media/{path.name}"
        with Image.open(path) as image:
            width, height = image.size
        digest = hashlib.sha256(path.read_bytes()).hexdigest()[:16]
        site.state.pictures[key] = PictureInfo(key, digest, width, height, "jpg", (480, width))
    articles = sorted((EXAMPLES / "articles").rglob("*.md"))
    keys = ["articles/" + path.relative_to(EXAMPLES / "articles").as_posix() for path in articles]
    for key, path in zip(keys, articles, strict=True):
        site.source.upload(key, path.read_bytes())
    site.publish(*keys)
    site.drain_render_queue()
    return {kind: site.site.body(key) for kind, key in SAMPLE_PAGES.items()}


def hand_made_pages() -> dict[str, str]:
    """Views made by hand; an article's body is shaped by ``article_view``, so articles come from the sample."""
    return {
        "home with a lead picture": render_page(make_site(), make_home()),
        "category": render_page(make_site(), make_category()),
    }


def all_pages(sample_pages: dict[str, str]) -> dict[str, str]:
    return {**{f"sample {k}": v for k, v in sample_pages.items()}, **hand_made_pages()}


def images(html: str) -> list[Node]:
    return parse(html).root.find_all("img")


def test_the_lead_picture_loads_at_once_and_first_and_every_other_picture_waits(
    sample_pages: dict[str, str],
) -> None:
    leads = {
        "sample category": ("teaser-image", "/media/vuon-cam.jpg"),
        "sample article": (None, "/media/hoi-nghi."),
        "home with a lead picture": ("home-lead-image", "/media/tin-1.jpg"),
        "category": ("teaser-image", "/media/tin-1.jpg"),
    }
    pages = all_pages(sample_pages)
    for name, (css, src) in leads.items():
        lead, *others = images(pages[name])
        assert lead.attrs.get("class") == css, name
        assert (lead.attrs["src"] or "").startswith(src), name
        assert (lead.attrs.get("loading"), lead.attrs.get("fetchpriority")) == ("eager", "high"), name
        assert others, f"{name}: the partners' logos at least"
        for image in others:
            assert image.attrs.get("loading") == "lazy", (name, image.attrs)
            assert "fetchpriority" not in image.attrs, (name, image.attrs)
    lead_of_home = images(sample_pages["home"])
    assert all(image.attrs.get("loading") == "lazy" for image in lead_of_home), (
        "the sample's newest article has no picture: the home page's pictures all wait"
    )


def test_every_picture_has_a_width_and_a_height(sample_pages: dict[str, str]) -> None:
    for name, html in all_pages(sample_pages).items():
        found = images(html)
        assert found, name
        for image in found:
            width, height = image.attrs.get("width") or "", image.attrs.get("height") or ""
            assert width.isdigit() and int(width) > 0, (name, image.attrs)
            assert height.isdigit() and int(height) > 0, (name, image.attrs)


def css_rule(css: str, selector: str) -> str:
    """The declarations of the rule whose selector list holds ``selector`` (the first such rule)."""
    css = re.sub(r"/\*.*?\*/", "", css, flags=re.S)
    for selectors, body in re.findall(r"([^{}]+)\{([^{}]*)\}", css):
        if selector in {s.strip() for s in selectors.split(",")}:
            return body
    raise AssertionError(f"no rule for {selector}")


def test_pictures_whose_shape_is_unknown_keep_the_box_their_width_and_height_state() -> None:
    """Lead pictures and logos are given as URLs only: the stylesheet fits them into a 16:10 box."""
    css = (STATIC / "site.css").read_text(encoding="utf-8")
    for selector in (".teaser-image", ".home-lead-image", ".module-partners img"):
        rule = css_rule(css, selector)
        assert "aspect-ratio: 8 / 5" in rule, selector
        assert re.search(r"object-fit: (cover|contain)", rule), selector
    for html in hand_made_pages().values():
        for image in images(html):
            if (
                image.attrs.get("class") in {"teaser-image", "home-lead-image"}
                or image.attrs.get("alt") == "VIFOTEC"
            ):
                assert int(image.attrs["width"] or 0) * 5 == int(image.attrs["height"] or 0) * 8


def test_one_small_cached_stylesheet_is_all_that_holds_the_first_paint(sample_pages: dict[str, str]) -> None:
    """The CSP allows no inline style: the page links one content-hashed stylesheet, scripts wait."""
    css = (STATIC / "site.css").read_bytes()
    assert len(gzip.compress(css)) <= STYLESHEET_BUDGET
    assert b"@import" not in css
    for name, html in all_pages(sample_pages).items():
        head = parse(html).root.find("head")
        sheets = [
            link.attrs["href"] for link in head.find_all("link") if link.attrs.get("rel") == "stylesheet"
        ]
        assert len(sheets) == 1, name
        assert re.fullmatch(r"/assets/site\.[0-9a-f]{10}\.css", sheets[0] or ""), name
        for script in head.find_all("script"):
            if script.attrs.get("type") == "application/ld+json":
                continue
            assert "defer" in script.attrs, name
        assert not parse(html).root.find_all("style"), name
        assert len(gzip.compress(html.encode())) <= FIRST_ROUND_TRIP, name


def test_a_first_view_downloads_little_text(sample_pages: dict[str, str]) -> None:
    script = len(gzip.compress((STATIC / "site.js").read_bytes()))
    sheet = len(gzip.compress((STATIC / "site.css").read_bytes()))
    for name, html in all_pages(sample_pages).items():
        page = len(gzip.compress(html.encode()))
        assert page + sheet + script <= TEXT_BUDGET, (name, page, sheet, script)


def heading_levels(html: str) -> list[int]:
    return [int(node.tag[1]) for node in parse(html).root.find_all() if re.fullmatch(r"h[1-6]", node.tag)]


JUMPING = """---
title: Đề tài nghiệm thu
date: 2024-04-01T08:00:00+07:00
---
Mở đầu.

### Bối cảnh

Đoạn.

###### Chi tiết

## Kết quả

##### Số liệu
"""


def test_headings_start_at_one_h1_and_never_skip_a_level(sample_pages: dict[str, str]) -> None:
    site = fake_site()
    site.upload_and_publish("articles/tin-tuc/de-tai.md", JUMPING)
    jumping = site.site.body("tin-tuc/de-tai.html")
    assert "<h2>Bối cảnh</h2><p>Đoạn.</p><h3>Chi tiết</h3><h2>Kết quả</h2><h3>Số liệu</h3>" in re.sub(
        r">\s+<", "><", jumping
    )
    pages = {**all_pages(sample_pages), "an article whose headings jump": jumping}
    for name, html in pages.items():
        levels = heading_levels(html)
        assert levels.count(1) == 1, name
        assert levels[0] == 1, name
        skips = [(a, b) for a, b in itertools.pairwise(levels) if b - a > 1]
        assert not skips, f"{name}: {skips}"
    article = sample_pages["article"]
    assert "<h2>Kết quả nổi bật trong năm 2023</h2>" in article, "Markdown's ## under the title, as h2"


def test_headings_are_renumbered_as_an_outline_and_nothing_else_changes() -> None:
    assert outlined_headings("<h3>a</h3><p>x</p><h3>b</h3><h4>c</h4>") == (
        "<h2>a</h2><p>x</p><h2>b</h2><h3>c</h3>"
    )
    assert outlined_headings("<h2>a</h2><h5>b</h5><h4>c</h4><h2>d</h2>") == (
        "<h2>a</h2><h3>b</h3><h3>c</h3><h2>d</h2>"
    )
    assert outlined_headings('<h4 id="x">a <em>b</em></h4><H5>c</H5>') == (
        '<h2 id="x">a <em>b</em></h2><h3>c</h3>'
    )
    assert outlined_headings("<h3>a</h3><h2>b</h2><h3>c</h3>") == "<h2>a</h2><h2>b</h2><h3>c</h3>"
    plain = '<p>h2 <a href="/h3.html">h4</a></p><header><hr><figure><img src="/a.jpg" alt=""></figure>'
    assert outlined_headings(plain) == plain
    assert outlined_headings("<h2>a</h2><h3>b</h3>") == "<h2>a</h2><h3>b</h3>"
