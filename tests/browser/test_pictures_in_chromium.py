"""A phone photo through the picture function on the local stack, seen in Chromium.

A 3000×2000 JPEG stored sideways (EXIF orientation 6) with its GPS position:
its variants, the ``srcset`` the article uses, the picture Chromium chose, no
GPS in anything the CDN serves, and the random-picture module filled from
``/gallery.json``.
"""

from __future__ import annotations

import re
import urllib.request

import pytest
from playwright.sync_api import Page, expect

from local.stack import LocalStack
from tests.support.photos import exif_of, gps_in, phone_photo
from tests.support.site import article_md, tags

pytestmark = pytest.mark.browser
PHOTO = "media/anh/khanh-thanh-cau.jpg"
ARTICLE = "articles/tin-tuc/khanh-thanh-cau.md"


def served(site: LocalStack, path: str) -> bytes:
    with urllib.request.urlopen(site.site_url + path, timeout=10) as response:
        return bytes(response.read())


def test_a_phone_photo_is_served_as_exif_free_variants_through_srcset(
    site: LocalStack, page: Page, errors: list[str]
) -> None:
    site.upload(PHOTO, phone_photo())
    body = f"![Cầu mới khánh thành]({'/' + PHOTO})\n\nNgười dân đi trên cầu mới.\n"
    site.upload(ARTICLE, article_md("Khánh thành cầu mới", "2024-04-25T08:00:00+07:00", body))
    site.process_queue()  # the picture function, then the article it sends back
    assert tags(site, PHOTO)["publish-status"] == "published"
    assert "publish-error" not in tags(site, ARTICLE)

    page.set_viewport_size({"width": 1280, "height": 900})
    page.goto(site.site_url + "/tin-tuc/khanh-thanh-cau.html")
    webp = page.locator(".article-body picture source[type='image/webp']").get_attribute("srcset") or ""
    candidates = re.findall(r"(/media/anh/khanh-thanh-cau\.[0-9a-f]{16}\.(\d+)\.webp) (\d+)w", webp)
    assert [int(width) for _, width, _ in candidates] == [480, 960, 1600, 2000]
    image = page.locator(".article-body picture img")
    assert image.get_attribute("width") == "2000" and image.get_attribute("height") == "3000"  # upright
    expect(image).to_have_js_property("complete", True)
    chosen = image.evaluate("img => img.currentSrc")
    assert re.search(r"/media/anh/khanh-thanh-cau\.[0-9a-f]{16}\.(960|1600|2000)\.webp$", chosen), chosen
    assert image.evaluate("img => img.naturalHeight > img.naturalWidth")
    fallbacks = re.findall(r"(/media/[^ ]+\.jpg) \d+w", image.get_attribute("srcset") or "")
    for path in [p for p, _, _ in candidates] + fallbacks + ["/" + PHOTO]:
        data = served(site, path)
        assert not gps_in(data) and exif_of(data) == {}, path

    page.goto(site.site_url + "/")
    module = page.locator(".module-random-picture")
    expect(module).to_be_visible()
    picked = module.locator("img")
    expect(picked).to_have_js_property("complete", True)
    assert picked.evaluate("img => img.naturalWidth") > 0
    assert errors == []
