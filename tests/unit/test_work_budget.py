"""One file cannot eat a batch's time: parsing and rendering stop at a CPU budget.

1 MB of one repeated unit under the size limit took 14 to 30 s in
markdown-it (``![[``, ``*a``, ``**a``, ``[a](``, ``_a``); the budget stops
each within milliseconds of its limit, with the limit in the reason.
"""

from __future__ import annotations

import gc
import time
from datetime import UTC, datetime

import pytest
from newsroom.domain.article import MAX_FRONT_MATTER_BYTES, parse_article, split_front_matter
from newsroom.domain.errors import RejectedSource
from newsroom.domain.markdown import MAX_RENDER_SECONDS, WorkBudget, collected_seconds, render_markdown
from newsroom.domain.source_keys import classify

MEGABYTE = 1_000_000
LIMIT = 0.25  # a small budget keeps the test fast; the default is measured the same way


def repeated(unit: str, size: int = MEGABYTE) -> str:
    return (unit * (size // len(unit) + 1))[:size]


@pytest.mark.parametrize(
    "unit", ["![[", "*a", "**a", "[a](", "_a", "a\n", "- a\n", "1. a\n", "# a\n", "<http://a.b>", "> a\n"]
)
def test_a_pathological_megabyte_stops_at_its_budget(unit: str) -> None:
    budget = WorkBudget(LIMIT)
    with pytest.raises(RejectedSource, match=r"over 0\.25 s of processing, the limit per file"):
        render_markdown(repeated(unit), budget)
    # Stopped within a few parser steps of the limit. The slack is the limit again: on a shared
    # 2-vCPU machine a hyperthread sibling's load inflates the thread's own CPU time per step.
    assert budget.spent < 2 * LIMIT


def test_garbage_collection_is_not_charged_to_the_file() -> None:
    """A full collection of a big heap (seen: 6 s in the test run) is not the file's work."""
    readings = iter([0.0, 5.0, 5.0])
    collected = iter([0.0, 4.5, 4.5])
    budget = WorkBudget(1.0, clock=readings.__next__, collected=collected.__next__)
    budget.check()  # 5 s of CPU, 4.5 of them collecting: 0.5 s charged, under the limit
    assert budget.spent == 0.5
    before = collected_seconds()
    cycles = [[] for _ in range(200_000)]
    for cycle in cycles:
        cycle.append(cycle)
    del cycles
    gc.collect()
    assert collected_seconds() > before  # this thread's collections are measured


def test_the_budget_reason_names_the_default_limit() -> None:
    with pytest.raises(RejectedSource) as refused:
        WorkBudget(clock=iter([0.0, MAX_RENDER_SECONDS + 0.1]).__next__, collected=lambda: 0.0).check()
    assert refused.value.reason.startswith(
        f"the article takes too long to render: over {MAX_RENDER_SECONDS:g} s of processing"
    )


def test_the_clock_is_read_only_every_so_many_steps() -> None:
    readings: list[float] = []

    def clock() -> float:
        readings.append(0.0)
        return 0.0

    budget = WorkBudget(1.0, clock=clock, collected=lambda: 0.0)
    for _ in range(1000):
        budget.step()
    assert 1 < len(readings) < 20


def test_a_long_ordinary_article_renders_well_inside_the_default_budget() -> None:
    paragraph = "Hội nghị *tổng kết* năm 2023 tại [Sở](https://sokhcn.vn) với nhiều đại biểu tham dự. " * 8
    body = "\n\n".join(f"## Phần {n}\n\n{paragraph}\n\n- một\n- hai" for n in range(250))  # ~200 KB
    started = time.thread_time()
    rendered = render_markdown(body)
    assert rendered.html.count("<h3>") == 250
    assert time.thread_time() - started < MAX_RENDER_SECONDS / 2


def test_the_budget_covers_the_whole_article_through_parse_article() -> None:
    key = classify("articles/tin-tuc/dai.md")
    data = ("---\ntitle: Dài\n---\n" + repeated("*a")).encode()
    with pytest.raises(RejectedSource, match="too long to render"):
        parse_article(key, data, first_seen=datetime(2024, 1, 1, tzinfo=UTC), timezone="Asia/Ho_Chi_Minh")


def test_front_matter_over_its_size_limit_is_refused_before_yaml_reads_it() -> None:
    big = "---\ntags: [" + "x, " * (MAX_FRONT_MATTER_BYTES // 3) + "x]\n---\nBody"
    started = time.thread_time()
    with pytest.raises(RejectedSource, match=f"over the limit of {MAX_FRONT_MATTER_BYTES:,}"):
        split_front_matter(big)
    assert time.thread_time() - started < 0.1


def test_front_matter_nested_past_the_parsers_recursion_is_refused_by_name() -> None:
    with pytest.raises(RejectedSource, match="nests too deeply"):
        split_front_matter("---\na: " + "[" * 5000 + "\n---\nBody")
