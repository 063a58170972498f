"""Home and category pages link their newest twelve months and the year page of older ones; year pages,
linked year to year, follow months appearing and emptying, and a rebuild finds nothing to change."""

from __future__ import annotations

import re

from newsroom.usecases.site_render import MONTH_LINKS

from tests.support.fake_site import FakeSite
from tests.usecases.pages import md

MONTHS = [f"{year}-{month:02d}" for year in (2022, 2023, 2024) for month in range(1, 13)][6:30]
"""24 months, July 2022 to June 2024."""


def key(month: str) -> str:
    return f"articles/tin-tuc/bai-{month}.md"


def links(html: str, css: str) -> list[str]:
    block = re.search(rf'<nav class="{css}".*?</nav>', html, re.S)
    return re.findall(r'href="([^"]+)"', block.group(0)) if block else []


def rebuild_changes_nothing(site: FakeSite) -> None:
    site.fanout.request(f"rebuild-{len(site.cdn.created)}")
    changed = [k for r in site.drain_render_queue() for k in r.written + r.removed]
    assert not changed, changed


def test_listings_show_their_newest_months_and_year_pages_reach_the_rest(site: FakeSite) -> None:
    for month in MONTHS:
        site.source.upload(key(month), md(f"Bài {month}", f"{month}-10T08:00:00+07:00"))
    site.publish(*(key(m) for m in MONTHS))

    home = site.site.body("index.html")
    shown = links(home, "months")
    assert shown[:MONTH_LINKS] == [f"/{m[:4]}/{m[5:]}/" for m in reversed(MONTHS[-MONTH_LINKS:])]
    assert shown[MONTH_LINKS:] == ["/2023/"], "then the year of the next older month"
    assert links(site.site.body("tin-tuc/index.html"), "months")[MONTH_LINKS:] == ["/tin-tuc/2023/"]

    year = site.site.body("2023/index.html")
    assert links(year, "months") == [f"/2023/{n:02d}/" for n in range(12, 0, -1)]
    assert links(year, "pager") == ["/2024/", "/2022/"]
    assert links(site.site.body("2022/index.html"), "months") == [f"/2022/{n:02d}/" for n in range(12, 6, -1)]
    assert links(site.site.body("2022/index.html"), "pager") == ["/2023/"]
    assert "tin-tuc/2024/index.html" in site.site.objects
    rebuild_changes_nothing(site)

    # A publish inside an existing month leaves the year pages alone.
    site.source.upload(key("x"), md("Bài thêm", "2023-05-20T08:00:00+07:00"))
    batch = site.publish(key("x"))
    assert not [k for k in batch.report.written if re.fullmatch(r"(tin-tuc/)?\d{4}/index\.html", k)]

    # 2022 empties: its pages go, and 2023's no longer link to it.
    for month in MONTHS[:6]:
        site.delete_and_publish(key(month))
    assert "2022/index.html" not in site.site.objects and "tin-tuc/2022/index.html" not in site.site.objects
    assert links(site.site.body("2023/index.html"), "pager") == ["/2024/"]
    rebuild_changes_nothing(site)

    # A back-dated article brings 2021 back, linked from 2023 (the next year that holds any).
    site.source.upload(key("old"), md("Bài cũ", "2021-03-10T08:00:00+07:00"))
    site.publish(key("old"))
    assert links(site.site.body("2021/index.html"), "months") == ["/2021/03/"]
    assert links(site.site.body("2021/index.html"), "pager") == ["/2023/"]
    assert links(site.site.body("2023/index.html"), "pager") == ["/2024/", "/2021/"]
    rebuild_changes_nothing(site)


def test_a_young_site_links_every_month_and_nothing_more(site: FakeSite) -> None:
    for month in MONTHS[-3:]:
        site.source.upload(key(month), md(f"Bài {month}", f"{month}-10T08:00:00+07:00"))
    site.publish(*(key(m) for m in MONTHS[-3:]))
    assert links(site.site.body("index.html"), "months") == ["/2024/06/", "/2024/05/", "/2024/04/"]


def test_a_batch_that_opens_a_month_with_several_articles_writes_its_year_page(site: FakeSite) -> None:
    site.source.upload(key("2024-06"), md("Bài 2024-06", "2024-06-10T08:00:00+07:00"))
    site.publish(key("2024-06"))
    batch = [f"2026-02-{day:02d}" for day in range(1, 11)]  # one batch of ten, all in a new month
    for day in batch:
        site.source.upload(key(day), md(f"Bài {day}", f"{day}T08:00:00+07:00"))
    site.publish(*(key(day) for day in batch))
    assert links(site.site.body("2026/index.html"), "months") == ["/2026/02/"]
    assert links(site.site.body("2024/index.html"), "pager") == ["/2026/"]
    rebuild_changes_nothing(site)
