"""What counts as a view: human GETs of article pages, a reader's repeat within 30 minutes once."""

from __future__ import annotations

import gzip
import io
from collections import Counter
from collections.abc import Sequence
from dataclasses import replace
from datetime import UTC, date, datetime, timedelta, timezone
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st
from newsroom.domain.access_logs import LogReport, Request, read_log
from newsroom.domain.view_counting import (
    article_url,
    count_views,
    is_bot,
    judge,
    reader_of,
    readers_online,
    views_among,
)

from tests.unit.test_access_logs import AWS_SAMPLE

HANOI = timezone(timedelta(hours=7))
ARTICLE = "/tin-tuc/hoat-dong-khcn/hoi-nghi.html"
BROWSER = "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120 Safari/537.36"
T0 = datetime(2024, 4, 28, 1, 0, tzinfo=UTC)


def salt(day: date) -> bytes:
    return f"salt-{day.isoformat()}".encode()


def hanoi_day(moment: datetime) -> date:
    return moment.astimezone(HANOI).date()


def request(
    at: datetime = T0, path: str = ARTICLE, client: str = "198.51.100.7", **changes: object
) -> Request:
    base = Request(at=at, client=client, method="GET", path=path, status=200, user_agent=BROWSER)
    return replace(base, **changes)  # type: ignore[arg-type]


def count(
    requests: list[Request], earlier: dict[tuple[str, str], Sequence[datetime]] | None = None
) -> dict[str, int]:
    return dict(count_views(requests, salt, earlier or {}, hanoi_day).views)


def test_the_aws_sample_with_article_paths_counts_its_one_human_reader_once() -> None:
    """AWS's sample: three hits of one browser in the same second, and 502s (one from curl)."""
    data = AWS_SAMPLE.replace(b"\t/index.html\t", f"\t{ARTICLE}\t".encode())
    data = data.replace(b"\t/\t", b"\t/so-huu-tri-tue/nhan-hieu.html\t").replace(
        b"\t/favicon.ico\t", b"\t/a/b.html\t"
    )
    report = LogReport()
    tally = count_views(read_log(io.BytesIO(gzip.compress(data)), report), salt, {}, hanoi_day)
    assert dict(tally.views) == {ARTICLE: 1}
    assert tally.skipped == {"repeat within 30 minutes": 2, "not answered 200 or 304": 3}
    assert dict(tally.by_day) == {(date(2019, 12, 5), ARTICLE): 1}  # 21:02 UTC is the 5th in Hà Nội
    curl_as_200 = data.replace(b"\t502\t-\tcurl/7.55.1", b"\t200\t-\tcurl/7.55.1")
    tally = count_views(read_log(io.BytesIO(gzip.compress(curl_as_200)), LogReport()), salt, {}, hanoi_day)
    assert tally.skipped["a bot"] == 1


def test_only_article_pages_are_views() -> None:
    assert article_url("/tin-tuc/h%E1%BB%99i-ngh%E1%BB%8B.html") == "/tin-tuc/hội-nghị.html"
    assert article_url("/tin-tuc/a/b/c.html") == "/tin-tuc/a/b/c.html"
    for path in (
        "/",
        "/index.html",
        "/tin-tuc/",
        "/tin-tuc/index.html",
        "/404.html",
        "/rss.xml",
        "/tin-tuc/rss.xml",
        "/sitemaps/2024-04.xml",
        "/assets/site.5845272720.css",
        "/media/hoi-nghi.jpg",
        "/media/x.html",
        "/api/search",
        "/a.html",  # no category: not an article URL
        "/tin-tuc/../etc/x.html",
        "//evil/x.html",
        "tin-tuc/x.html",
    ):
        assert article_url(path) is None, path


def test_only_gets_answered_200_or_304_count() -> None:
    views = [
        request(),
        request(client="203.0.113.1", status=304),
        request(client="203.0.113.2", method="HEAD"),
        request(client="203.0.113.3", status=301),
        request(client="203.0.113.4", status=404),
        request(client="203.0.113.5", status=206),  # a Range request: part of a page, not a view
        request(client="203.0.113.6", method="POST"),
    ]
    assert count(views) == {ARTICLE: 2}


def test_bots_scripts_and_headless_browsers_do_not_count() -> None:
    agents = (
        "curl/7.55.1",
        "python-requests/2.31.0",
        "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) HeadlessChrome/120.0 Safari/537.36",
        "Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)",
        "",
    )
    assert all(is_bot(agent) for agent in agents)
    assert not is_bot(BROWSER)
    assert not is_bot(
        "Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X) AppleWebKit/605.1.15 Mobile/15E148"
    )
    assert count([request(client=f"192.0.2.{i}", user_agent=a) for i, a in enumerate(agents)]) == {}


def test_a_reader_coming_back_within_30_minutes_counts_once_and_after_counts_again() -> None:
    views = [request(T0), request(T0 + timedelta(minutes=29)), request(T0 + timedelta(minutes=31))]
    assert count(views) == {ARTICLE: 2}
    other_article = request(T0 + timedelta(minutes=1), path="/tin-tuc/khac.html")
    other_reader = request(T0 + timedelta(minutes=1), client="198.51.100.8")
    assert count([request(T0), other_article, other_reader]) == {ARTICLE: 2, "/tin-tuc/khac.html": 1}


def test_a_repeat_is_judged_by_what_earlier_files_counted() -> None:
    first = count_views([request(T0)], salt, {}, hanoi_day)
    later = [request(T0 + timedelta(minutes=10)), request(T0 + timedelta(minutes=45))]
    assert count(later, first.seen) == {ARTICLE: 1}


def test_lines_out_of_time_order_are_counted_in_time_order() -> None:
    views = [request(T0 + timedelta(minutes=20)), request(T0), request(T0 + timedelta(minutes=40))]
    assert count(views) == {ARTICLE: 2}  # 00, then 40; 20 is a repeat of 00


def test_readers_are_salted_hashes_and_the_salt_changes_daily() -> None:
    one = request()
    reader = reader_of(one, salt(T0.date()))
    assert one.client not in reader and len(reader) == 24
    assert reader == reader_of(replace(one, path="/x/y.html"), salt(T0.date()))
    assert reader != reader_of(one, salt(T0.date() + timedelta(days=1)))
    assert reader != reader_of(replace(one, user_agent=BROWSER + " Edg/120"), salt(T0.date()))


def test_readers_online_are_those_of_the_15_minutes_before_the_newest_line() -> None:
    views = [
        request(T0, client="192.0.2.1"),
        request(T0 + timedelta(minutes=50), client="192.0.2.2"),
        request(T0 + timedelta(minutes=58), client="192.0.2.3"),
        request(T0 + timedelta(minutes=60), client="192.0.2.3", path="/tin-tuc/khac.html"),
    ]
    tally = count_views(views, salt, {}, hanoi_day)
    assert tally.newest == T0 + timedelta(minutes=60)
    assert readers_online(tally.last_seen, tally.newest) == 2


@given(st.lists(st.tuples(st.integers(0, 3), st.integers(0, 2), st.integers(0, 24 * 60)), max_size=40))
def test_each_reader_and_article_counts_at_most_once_per_half_hour(
    events: list[tuple[int, int, int]],
) -> None:
    views = [
        request(T0 + timedelta(minutes=minute), path=f"/tin-tuc/a{article}.html", client=f"192.0.2.{reader}")
        for reader, article, minute in events
    ]
    counted = count(views)
    for article in range(3):
        url = f"/tin-tuc/a{article}.html"
        for reader in range(4):
            minutes = sorted(m for r, a, m in events if (r, a) == (reader, article))
            expected, last = 0, None
            for minute in minutes:
                if last is None or minute - last >= 30:
                    expected, last = expected + 1, minute
            counted[url] = counted.get(url, 0) - expected
        assert counted.get(url, 0) == 0


def test_paths_no_article_of_ours_can_have_are_not_views() -> None:
    """An overlong path would exceed DynamoDB's 1,024-byte sort key and block its whole file."""
    from newsroom.domain.view_counting import MAX_URL_BYTES, article_url  # noqa: PLC0415

    long_slug = "a" * MAX_URL_BYTES
    assert article_url(f"/tin-tuc/{long_slug}.html") is None
    assert article_url("/tin-tuc/h%00i.html") is None
    assert article_url("/tin-tuc/h%FFi.html") is None
    assert article_url("/tin-tuc/h%E1%BB%99i.html") == "/tin-tuc/hội.html"


def test_a_late_request_never_takes_a_view_away_and_the_chain_is_judged_whole() -> None:
    """Requests at 0, 20 and 40 minutes are two views however they arrive (a chain, not pairs)."""
    minutes = [T0 + timedelta(minutes=m) for m in (0, 20, 40)]
    assert views_among(minutes) == [minutes[0], minutes[2]]
    pair = ("reader", ARTICLE)
    seen: dict[tuple[str, str], tuple[datetime, ...]] = {}
    added = []
    for moment in (minutes[1], minutes[0], minutes[2]):  # 20 first: alone it is a view
        tally = judge({pair: [moment]}, seen, hanoi_day)
        added.append(tally.views[ARTICLE])
        seen = tally.seen
    assert added == [1, 0, 1]


@settings(max_examples=300, deadline=None)
@given(
    st.lists(st.integers(0, 6 * 60), min_size=1, max_size=30),
    st.randoms(use_true_random=False),
    st.integers(1, 5),
)
def test_any_split_and_order_of_the_requests_adds_up_to_the_views_of_them_all(
    minutes: list[int], rng: Any, files: int
) -> None:
    times = [T0 + timedelta(minutes=m) for m in minutes]
    split: list[list[datetime]] = [[] for _ in range(files)]
    for moment in times:
        split[rng.randrange(files)].append(moment)
    rng.shuffle(split)
    pair = ("reader", ARTICLE)
    seen: dict[tuple[str, str], tuple[datetime, ...]] = {}
    total, days = 0, Counter[date]()
    for part in split:
        tally = judge({pair: part} if part else {}, seen, hanoi_day)
        assert all(n >= 0 for n in tally.views.values())
        total += tally.views[ARTICLE]
        days.update({day: n for (day, _url), n in tally.by_day.items()})
        seen = tally.seen or seen
    expected = views_among(times)
    assert total == len(expected)
    assert +days == Counter(hanoi_day(moment) for moment in expected)
