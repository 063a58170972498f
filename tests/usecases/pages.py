"""Reading pages the use cases wrote, and writing the sources they read: small helpers for the tests."""

from __future__ import annotations

import re


def md(
    title: str, date: str = "2024-04-01T08:00:00+07:00", body: str = "Nội dung bài viết.", **fields: str
) -> str:
    """A Markdown article with front matter (``fields``: slug, status, category…)."""
    extra = "".join(f"{k}: {v}\n" for k, v in fields.items())
    return f"---\ntitle: {title}\ndate: {date}\n{extra}---\n{body}\n"


def h1(html: str) -> str:
    """The page's headline."""
    found = re.search(r"<h1[^>]*>(.*?)</h1>", html, re.S)
    assert found is not None, "the page has no <h1>"
    return found.group(1).strip()


def related(html: str, which: str) -> list[str]:
    """The titles of an article page's ``newer`` or ``older`` list, nearest first."""
    section = re.search(rf'<section class="related related-{which}".*?</section>', html, re.S)
    if section is None:
        return []
    return re.findall(r'<li><a href="[^"]+">([^<]+)</a>', section.group(0))


def result_urls(html: str) -> list[str]:
    """The article URLs a search results page lists, in order."""
    return re.findall(r'<li>\s*<a href="([^"]+\.html)">', html)
