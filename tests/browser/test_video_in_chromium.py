"""A video in an article, in Chromium: nothing is asked of the video site until the reader clicks."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, Route, expect

from local.stack import LocalStack
from tests.support.site import article_md

URL = "/tin-tuc/video-le-trao-giai.html"
pytestmark = pytest.mark.browser


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
    frame = page.locator("figure.video iframe")
    expect(frame).to_have_attribute("src", "https://www.youtube-nocookie.com/embed/dQw4w9WgXcQ?autoplay=1")
    page.wait_for_load_state("networkidle")
    assert outside == ["https://www.youtube-nocookie.com/embed/dQw4w9WgXcQ?autoplay=1"]
    assert page.locator("figure.video figcaption a").get_attribute("href") == (
        "https://www.youtube.com/watch?v=dQw4w9WgXcQ"
    )
    assert errors == []
