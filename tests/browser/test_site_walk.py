"""A reader's walk through the example site in chromium: home → category → article →
monthly archive → search, by clicking links and submitting the search box."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page

from local.stack import LocalStack

pytestmark = pytest.mark.browser


def arrive(page: Page, url: str) -> None:
    """Wait for the page and for what its script fetches (/stats.json): a reader reads before clicking on.

    Clicking on at once aborts that fetch, which the failed-request check would report as the site's fault.
    """
    page.wait_for_url(re.compile(url))
    page.wait_for_load_state("networkidle")


def test_home_category_article_archive_search(site: LocalStack, page: Page) -> None:
    page.goto(site.site_url + "/")
    page.wait_for_load_state("networkidle")
    assert page.locator("html").get_attribute("data-config-version") not in (None, "0")
    lead = page.locator(".home-lead h2 a").first
    assert lead.inner_text().strip()

    # Home → a category, through its section heading.
    page.get_by_role("link", name="Tin tức", exact=True).first.click()
    arrive(page, r"/tin-tuc/$")
    assert page.locator("h1").inner_text() == "Tin tức"
    teasers = page.locator("main .teasers a, main .teaser a")
    assert teasers.count() >= 5

    # Category → an article.
    title = teasers.first.inner_text().strip()
    teasers.first.click()
    arrive(page, r"/tin-tuc/.+\.html$")
    assert page.locator("h1").inner_text().strip() == title

    # Article → the category → one of its monthly archives.
    page.locator("nav.breadcrumb a", has_text="Tin tức").first.click()
    arrive(page, r"/tin-tuc/$")
    month = page.locator("a[href*='/tin-tuc/20']").first
    month_text = month.inner_text()
    month.click()
    arrive(page, r"/tin-tuc/\d{4}/\d{2}/$")
    assert page.locator("h1").inner_text().strip()
    assert month_text.split("(")[0].strip() in page.locator("h1").inner_text()
    assert page.locator("main li a[href$='.html']").count() >= 1

    # Archive → search, without diacritics, from the side search box.
    search = page.locator("aside input[name=q]").first
    search.fill("hoi nghi")
    search.press("Enter")
    arrive(page, r"/api/search\?q=hoi\+nghi")
    results = page.locator("main li a[href$='.html']")
    assert results.count() >= 1
    assert "Hội nghị" in results.first.inner_text()
    results.first.click()
    arrive(page, r"\.html$")
    assert "Hội nghị" in page.locator("h1").inner_text()
