"""Reading the local site in Chromium moves its view figures, end to end.

Chromium's requests reach the local CDN, whose access log (CloudFront's
standard format) lands in the logs bucket; HitsFunction counts it and
writes /stats.json and the shard files; after the CDN's short cache
lifetime the pages show the new figures. Nothing here writes a counter.
"""

from __future__ import annotations

import json
import os
import re
import time
from pathlib import Path

import pytest
from newsroom.web.figure_outputs import FIGURES_CACHE
from playwright.sync_api import Browser, Page, expect

from local.stack import LocalStack
from tests.browser.conftest import watch_errors

ARTICLE = "/tin-tuc/tin-vifotec/hoi-nghi-tong-ket.html"
BASE_VIEWS = 7_699_601  # examples/site/site.yaml: the reference portal's old total
ARTICLE_BASE = 1_520  # the article's front matter: its hits on the old portal
READERS = (
    "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0 Safari/537.36",
    "Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 Version/17.5 Mobile Safari/604.1",
)
pytestmark = pytest.mark.browser


def vi_number(value: int) -> str:
    return f"{value:,}".replace(",", ".")


def read(browser: Browser, agent: str, errors: list[str], *urls: str) -> Page:
    """One reader (its own agent, so its own hash) opening ``urls`` in turn; the last page stays open."""
    context = browser.new_context(
        user_agent=agent,
        locale="vi-VN",
        timezone_id="Asia/Ho_Chi_Minh",
        viewport={"width": 1280, "height": 1100},
    )
    page = context.new_page()
    watch_errors(page, errors)
    for url in urls:
        response = page.goto(url)
        assert response is not None and response.status == 200, url
        page.wait_for_load_state("networkidle")
    return page


def test_reading_moves_the_statistics_online_most_read_and_the_articles_own_count(
    site: LocalStack, browser: Browser, errors: list[str]
) -> None:
    home = site.site_url + "/"
    article = site.site_url + ARTICLE
    first = read(browser, READERS[0], errors, article)
    # Before any log came in: the base figure, no online or most-read module, no view of the article.
    expect(first.locator("[data-stat=views]")).to_have_text(vi_number(BASE_VIEWS))
    expect(first.locator(".article-views")).to_have_text(f"Lượt xem: {vi_number(ARTICLE_BASE)}")
    assert first.locator(".module-online").is_hidden() and first.locator(".module-most-read").is_hidden()
    other = first.locator("section.related-older a").first.get_attribute("href")
    assert other and other.endswith(".html")
    # Reader one: the article again (a repeat within 30 minutes), another article, the home page.
    first.reload()
    first.wait_for_load_state("networkidle")
    for url in (site.site_url + other, home):
        first.goto(url)
        first.wait_for_load_state("networkidle")
    first.context.close()
    # Reader two, on a phone: the article.
    read(browser, READERS[1], errors, article).context.close()

    assert site.cdn is not None
    site.cdn.access_log.flush()  # what its 5-second flusher has not written yet (maybe nothing)
    site.process_queue()
    counted = json.loads(
        site.client("s3").get_object(Bucket=site.site_bucket, Key="stats.json")["Body"].read()
    )
    assert counted["views"] == BASE_VIEWS + 3  # the article by two readers, the other article by one
    assert counted["online"] == 2
    assert [line["views"] for line in counted["most_read"]["today"]] == [2, 1]

    time.sleep(int(re.findall(r"s-maxage=(\d+)", FIGURES_CACHE)[0]) + 1)  # the CDN's copy expires
    page = read(browser, READERS[0], errors, article)
    expect(page.locator("[data-stat=views]")).to_have_text(vi_number(BASE_VIEWS + 3))
    online = page.locator(".module-online")
    expect(online).to_be_visible()
    assert re.fullmatch(r"Hiện có 2 khách trực tuyến", online.locator("p").first.inner_text())
    assert re.fullmatch(r"lúc \d\d:\d\d", online.locator(".as-of").inner_text())
    today = page.locator("[data-most-read=today] li")
    expect(today).to_have_count(2)
    title = page.locator("h1").inner_text()
    assert today.first.inner_text() == f"{title} 2"  # the "· " before the count is CSS
    assert today.first.locator("a").get_attribute("href") == ARTICLE
    expect(page.locator(".article-views")).to_have_text(f"Lượt xem: {vi_number(ARTICLE_BASE + 2)}")
    target = os.environ.get("NEWSROOM_VIEWS_SCREENSHOT")
    top, bottom = (
        page.locator(".article-header").bounding_box(),
        page.locator(".module-most-read").bounding_box(),
    )
    assert top and bottom
    stats_box = page.locator(".module-stats").bounding_box()
    assert stats_box
    # The README's picture: the article's own count, then the three figure modules beside the text.
    shot = page.screenshot(
        full_page=True,
        clip={
            "x": 0,
            "y": stats_box["y"] - 24,
            "width": 1280,
            "height": bottom["y"] + bottom["height"] - stats_box["y"] + 48,
        },
    )
    assert shot[:8] == b"\x89PNG\r\n\x1a\n"
    if target:
        Path(target).write_bytes(shot)
    page.context.close()
    assert errors == []
