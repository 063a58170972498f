"""Raw HTML that would make the sanitizer's tree builder quadratic is refused, cheaply.

html5ever (inside nh3) scans its stack of open elements for each block start
tag: 50,000 unclosed ``<div>``s (250 KB) took 15 s to sanitize. The checks
here run before it, in one linear pass, and must not refuse sloppy but
ordinary HTML (unclosed ``<p>``, ``<li>`` and table cells).
"""

from __future__ import annotations

import newsroom.domain.markdown
import pytest
from newsroom.domain.errors import RejectedSource
from newsroom.domain.markdown import MAX_HTML_DEPTH, MAX_RAW_HTML_TAGS, check_nesting, render_markdown

DEEP = f"more than {MAX_HTML_DEPTH} elements deep"


def test_nesting_up_to_the_limit_passes_and_one_more_is_refused() -> None:
    check_nesting("<div>" * MAX_HTML_DEPTH)
    with pytest.raises(RejectedSource, match=DEEP):
        check_nesting("<div>" * (MAX_HTML_DEPTH + 1))


@pytest.mark.parametrize(
    "html",
    [
        pytest.param("<p>một" * 5000, id="unclosed-paragraphs"),
        pytest.param("<ul>" + "<li>mục" * 5000 + "</ul>", id="unclosed-list-items"),
        pytest.param("<table>" + "<tr><td>a<td>b<th>c" * 2000 + "</table>", id="unclosed-cells-and-rows"),
        pytest.param("<dl>" + "<dt>a<dd>b" * 2000 + "</dl>", id="unclosed-definitions"),
        pytest.param("<div><span>a</div>" * 5000, id="inline-closed-by-its-block"),
        pytest.param("<i><p>a</i></p>" * 5000, id="formatting-misnested-across-a-paragraph"),
        pytest.param("<b>" + "<p>a" * 5000, id="paragraphs-inside-bold"),
        pytest.param("<br><img src=x><hr>" * 5000, id="void-elements"),
        pytest.param("<DIV>a</Div>" * 5000, id="any-case"),
    ],
)
def test_sloppy_but_ordinary_html_passes(html: str) -> None:
    check_nesting(html)


@pytest.mark.parametrize(
    "unit",
    [
        pytest.param("<div>", id="unclosed-blocks"),
        pytest.param("<div/>", id="self-closing-syntax-opens-a-div"),
        pytest.param("<div\n>", id="newline-in-the-tag"),
        pytest.param("<span><div></span>", id="inline-end-tag-ignored-under-a-block"),
        pytest.param("<b><div></b>", id="adoption-agency-leaves-the-block-open"),
        pytest.param("<a><div></a>", id="link-around-a-block"),
        pytest.param("<form><div></form>", id="form-end-tag-removes-only-the-form"),
        pytest.param("<ul><li><div></li>", id="list-item-end-ignored-under-a-block"),
        pytest.param("<div></p>", id="stray-paragraph-end"),
    ],
)
def test_patterns_that_grow_the_tree_are_refused(unit: str) -> None:
    with pytest.raises(RejectedSource, match=DEEP):
        check_nesting(unit * (MAX_HTML_DEPTH + 1))


def test_only_the_editors_own_tags_count_against_the_tag_limit() -> None:
    markdown_only = "Đoạn **đậm** và *nghiêng* với [liên kết](/a.html).\n\n" * MAX_RAW_HTML_TAGS
    render_markdown(markdown_only)  # Markdown's tags are well formed and not counted
    render_markdown("Nội <b>dung</b> " * (MAX_RAW_HTML_TAGS // 2))
    with pytest.raises(RejectedSource, match=f"{MAX_RAW_HTML_TAGS + 2:,} HTML tags"):
        render_markdown("Nội <b>dung</b> " * (MAX_RAW_HTML_TAGS // 2 + 1))


def test_a_refused_body_is_refused_before_the_sanitizer_runs(monkeypatch: pytest.MonkeyPatch) -> None:
    def sanitizer_must_not_run(fragment: str) -> str:
        raise AssertionError("the sanitizer ran on a refused body")

    monkeypatch.setattr(newsroom.domain.markdown, "sanitize", sanitizer_must_not_run)
    with pytest.raises(RejectedSource, match=DEEP):
        render_markdown("<div>" * 5_000)  # under the tag limit: the depth check refuses it
