"""Hostile editors: a corpus of classic XSS vectors published through the real pipeline comes out inert.

Every vector in ``xss_vectors.txt`` goes, ten to an article, into the Markdown body (as raw HTML,
as a link text and as an image's alt text and title), the front matter ``title``, ``summary`` and
``author``; ten to an HTML article too (the body, the ``<title>`` and ``<meta>`` contents, a link's
text); and each vector also becomes the file name of an article of its own. Then chromium opens
every page that came out, the home page, the category pages and search results, and nothing of the
editor's may run: no dialog, no ``window.__xss``, no ``document.title = 'XSS'``, no foreign script
element, no ``on*`` attribute, no script URL.
"""

from __future__ import annotations

import json
import time
import urllib.parse
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from playwright.sync_api import Browser, BrowserContext, Dialog, Page

from local.stack import LocalStack
from tests.support.site import article_md, local_site, tags

pytestmark = pytest.mark.browser

ROOT = Path(__file__).resolve().parents[2]
VECTORS = [
    line
    for line in (Path(__file__).parent / "xss_vectors.txt").read_text(encoding="utf-8").splitlines()
    if line.strip()
]
BATCH = 10
BATCH_CATEGORY = "Xss corpus"
KEY_CATEGORY = "Xss khoa"
IMAGE = "/media/xss.jpg"

# Runs before any page script, in every frame: records title writes and fails nothing by itself.
WATCH = """
window.__titleWrites = [];
(() => {
  const d = Object.getOwnPropertyDescriptor(Document.prototype, 'title');
  Object.defineProperty(Document.prototype, 'title', {
    configurable: true,
    get() { return d.get.call(this); },
    set(v) { window.__titleWrites.push(String(v)); d.set.call(this, v); },
  });
})();
"""

# What an executed vector or a live injection would leave in the DOM.
INSPECT = """
() => {
  const found = [];
  const urlAttrs = ['href', 'src', 'action', 'formaction', 'xlink:href', 'data', 'poster', 'background'];
  const scheme = /^(javascript:|vbscript:|data:text\\/html)/;
  const what = (el) => el.outerHTML.slice(0, 160);
  for (const el of document.querySelectorAll('*')) {
    for (const a of el.attributes) {
      const name = a.name.toLowerCase();
      if (name.startsWith('on')) found.push('event handler attribute: ' + what(el));
      // Browsers drop tabs and newlines anywhere in a URL and C0 controls or spaces before it.
      const value = a.value.replace(/[\\t\\n\\r]/g, '').replace(/^[\\u0000-\\u0020]+/, '').toLowerCase();
      if (urlAttrs.includes(name) && scheme.test(value)) found.push('script URL: ' + what(el));
      if (name === 'srcdoc') found.push('srcdoc attribute: ' + what(el));
    }
  }
  for (const s of document.querySelectorAll('script')) {
    const type = (s.getAttribute('type') || '').toLowerCase();
    const src = s.getAttribute('src') || '';
    if (type === 'application/ld+json') continue;
    if (src.startsWith('/assets/') && !s.textContent.trim()) continue;
    found.push('foreign script: ' + what(s));
  }
  for (const el of document.querySelectorAll('base, meta[http-equiv], iframe, object, embed, frame')) {
    found.push('active element: ' + what(el));
  }
  return {
    found,
    xss: typeof window.__xss,
    title: document.title,
    titleWrites: window.__titleWrites || [],
  };
}
"""


@dataclass
class Hostile:
    """The stack with the hostile articles, and what became of them."""

    stack: LocalStack
    pages: list[str] = field(default_factory=list)
    vectors_on_pages: set[int] = field(default_factory=set)
    key_outcomes: dict[int, str] = field(default_factory=dict)
    search_words: list[str] = field(default_factory=list)


def _q(value: str) -> str:
    """A front matter value YAML reads back exactly: a JSON string is a YAML double-quoted scalar."""
    return json.dumps(value)


def _batch_article(number: int, batch: list[str]) -> str:
    body = []
    for vector in batch:
        body.append(vector)
        body.append(f"Trước {vector} sau.")
        body.append(f"[{vector}](/xss-corpus/)")
        body.append(f'![{vector}]({IMAGE} "{vector}")')
    return article_md(
        _q(f"Vecto{number:02d} " + " ".join(batch)),
        f"2024-05-01T08:{number:02d}:00+07:00",
        "\n\n".join(body),
        summary=_q(" ".join(batch)),
        author=_q(" ".join(batch)),
        category=_q(BATCH_CATEGORY),
        tags=_q(", ".join(batch)),
    )


def _html_article(number: int, batch: list[str]) -> str:
    def attribute(value: str) -> str:
        return value.replace("&", "&amp;").replace('"', "&quot;")

    joined = " ".join(batch)
    body = "\n".join(f'<p>Trước {v} sau.</p>\n{v}\n<p><a href="/xss-corpus/">{v}</a></p>' for v in batch)
    return (
        f"<!DOCTYPE html><html><head><title>Html{number:02d} {joined}</title>"
        f'<meta name="description" content="{attribute(joined)}">'
        f'<meta name="author" content="{attribute(joined)}">'
        f'<meta name="category" content="{BATCH_CATEGORY}">'
        f'<meta name="date" content="2024-05-02T08:{number:02d}:00+07:00">'
        f"</head><body>{body}</body></html>"
    )


@pytest.fixture(scope="module")
def hostile() -> Iterator[Hostile]:
    with local_site() as stack:
        stack.upload(IMAGE.lstrip("/"), (ROOT / "examples/media/giai-thuong.jpg").read_bytes())
        batches: dict[str, list[int]] = {}
        for number, start in enumerate(range(0, len(VECTORS), BATCH)):
            indexes = list(range(start, min(start + BATCH, len(VECTORS))))
            key = f"articles/xss-corpus/vecto-{number:02d}.md"
            stack.upload(key, _batch_article(number, [VECTORS[i] for i in indexes]))
            batches[key] = indexes
            html_key = f"articles/xss-corpus/html-{number:02d}.html"
            stack.upload(html_key, _html_article(number, [VECTORS[i] for i in indexes]))
            batches[html_key] = indexes
        named: dict[str, int] = {}
        # Every vector is in every field of a batch article; as a file name, every 4th one is
        # enough (a file name only reaches a slug, an S3 key and a tag), and keeps the run short.
        for index, vector in list(enumerate(VECTORS))[::4]:
            # The number goes last: a '/' in the vector makes folders, and the slug comes from the last part.
            key = f"articles/xss-khoa/{vector}-k{index:03d}.md"
            stack.upload(
                key,
                article_md(
                    _q(f"Khoa{index:03d}"), "2024-04-01T08:00:00+07:00", "Tên tệp.", category=_q(KEY_CATEGORY)
                ),
            )
            named[key] = index
        stack.process_queue(timeout=300)

        hostile = Hostile(stack)
        for key, indexes in batches.items():
            feedback = tags(stack, key)
            assert feedback.get("publish-status") == "published", (key, feedback)
            hostile.pages.append(feedback["publish-url"])
            hostile.vectors_on_pages.update(indexes)
        for key, index in named.items():
            feedback = tags(stack, key)
            status = feedback.get("publish-status", "")
            # A key the validator refuses is an error the editor sees; any other is published.
            assert status in ("published", "error"), (VECTORS[index], feedback)
            hostile.key_outcomes[index] = status
            if status == "published":
                hostile.pages.append(feedback["publish-url"])
        hostile.pages += ["/", "/xss-corpus/", "/xss-khoa/"]
        markdown_batches = sum(1 for key in batches if key.endswith(".md"))
        hostile.search_words = [f"Vecto{n:02d}" for n in range(markdown_batches)]
        hostile.search_words += ["Html00", "Khoa000", *VECTORS[:5]]
        yield hostile


@pytest.fixture
def context(browser: Browser) -> Iterator[BrowserContext]:
    context = browser.new_context(locale="vi-VN", timezone_id="Asia/Ho_Chi_Minh")
    context.add_init_script(WATCH)
    yield context
    context.close()


def _check(page: Page, url: str, dialogs: list[str], problems: list[str]) -> None:
    response = page.goto(url, wait_until="load")
    assert response is not None
    assert response.status == 200, (url, response.status)
    # Long enough for autofocus, animations, media errors and a zero-second meta refresh.
    page.wait_for_timeout(150)
    if page.url != url:
        problems.append(f"{url}: navigated away to {page.url}")
    for frame in page.frames:
        try:
            seen = frame.evaluate(INSPECT)
        except Exception as error:  # a cross-origin frame would itself be a finding
            problems.append(f"{url}: frame {frame.url} not inspectable: {error}")
            continue
        problems += [f"{url} [{frame.url}]: {f}" for f in seen["found"]]
        if seen["xss"] != "undefined":
            problems.append(f"{url}: window.__xss is {seen['xss']}")
        if seen["title"] == "XSS" or "XSS" in seen["titleWrites"]:
            problems.append(f"{url}: document.title set to XSS ({seen['titleWrites']})")
    if dialogs:
        problems.append(f"{url}: dialogs {dialogs}")
        dialogs.clear()


def test_hostile_vectors_come_out_inert(hostile: Hostile, context: BrowserContext) -> None:
    started = time.monotonic()
    page = context.new_page()
    dialogs: list[str] = []
    csp_reports: list[str] = []

    def on_dialog(dialog: Dialog) -> None:
        dialogs.append(f"{dialog.type}: {dialog.message}")
        dialog.dismiss()

    page.on("dialog", on_dialog)
    # The site's CSP forbids inline scripts: "Refused to ..." console messages would prove it held.
    # They are counted, not failed; anything that ran is caught by the checks below instead.
    page.on("console", lambda m: csp_reports.append(m.text) if "Refused to" in m.text else None)

    problems: list[str] = []
    base = hostile.stack.site_url
    for path in hostile.pages:
        _check(page, base + path, dialogs, problems)
    for word in hostile.search_words:
        url = f"{base}/api/search?q={urllib.parse.quote_plus(word)}"
        _check(page, url, dialogs, problems)
        if word.startswith(("Vecto", "Html")):
            assert page.locator("main a[href$='.html']").count() >= 1, f"no result for {word}"

    tested = len(hostile.vectors_on_pages)
    refused = sorted(i for i, s in hostile.key_outcomes.items() if s == "error")
    print(
        f"\n{tested} vectors on {len(hostile.pages)} pages and {len(hostile.search_words)} searches;"
        f" as file names {len(hostile.key_outcomes) - len(refused)} published, {len(refused)} refused"
        f" ({', '.join(map(str, refused))}); {len(csp_reports)} CSP refusals;"
        f" browser checks {time.monotonic() - started:.1f} s"
    )
    assert problems == []
    assert tested >= 100

    # The checks are not vacuous: the same vectors on a page without the site's escaping and CSP are caught.
    control = [
        "<img src=x onerror=alert(1)>",
        "<script>window.__xss=1</script>",
        "<script>document.title='XSS'</script>",
        '<a href="javascript:alert(1)">click</a>',
    ]
    assert all(v in VECTORS for v in control)
    page.goto("about:blank")  # set_content on a site page would keep that page's CSP
    page.set_content("<body>" + "".join(control) + "</body>")
    page.wait_for_timeout(150)
    caught = page.evaluate(INSPECT)
    assert dialogs, "the dialog listener saw no alert(1)"
    assert caught["xss"] != "undefined"
    assert "XSS" in caught["titleWrites"]
    assert any(f.startswith("event handler attribute") for f in caught["found"])
    assert any(f.startswith("script URL") for f in caught["found"])
    assert any(f.startswith("foreign script") for f in caught["found"])
