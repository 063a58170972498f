"""The view counters' oracle: however log files are delivered, the counts are a serial count of the distinct files.

Hypothesis makes log files (views of several articles by several readers,
bots, errors, repeats) and delivers them duplicated, in any order, two at a
time on threads, with faults injected around the transactions and the state
writes (a call that fails before it reaches DynamoDB, and one that fails
after DynamoDB applied it: the caller cannot tell them apart). A failed
delivery is retried, as SQS does. The counters must then equal those of one
counter that read each distinct file once, newest file first.

The files overlap in time (each starts 20 minutes after the one before and
spans up to an hour, as edge locations' files do), so a reader's repeats and
chains of requests straddle files: the counts must not depend on the order
files are read in, and a late file must never take a view away.
"""

from __future__ import annotations

import gzip
import random
import threading
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

import boto3
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from newsroom.configuration.settings import Settings
from newsroom.domain.view_counting import views_among
from newsroom.wiring.assembly import Clients, build_view_counter

from tests.integration.test_view_counts import HEADER, line
from tests.support.in_process import in_process_site
from tests.support.summary import count, note

EXAMPLES = 25
LOGS = "newsroom-oracle-logs"
ARTICLES = [f"/tin-tuc/bai-{n}.html" for n in range(4)] + ["/tin-tuc/", "/rss.xml"]
AGENTS = [
    "Mozilla/5.0%20(Windows%20NT%2010.0;%20Win64;%20x64)%20Chrome/120%20Safari/537.36",
    "Mozilla/5.0%20(iPhone;%20CPU%20iPhone%20OS%2017_0%20like%20Mac%20OS%20X)%20Mobile/15E148",
    "curl/8.5.0",
    "Mozilla/5.0%20(compatible;%20Googlebot/2.1;%20+http://www.google.com/bot.html)",
]
START = datetime(2024, 4, 28, 0, 0, tzinfo=UTC)

request = st.tuples(
    st.integers(0, 4),  # reader (address)
    st.sampled_from(range(len(AGENTS))),
    st.sampled_from(range(len(ARTICLES))),
    st.integers(0, 59),  # minute within the file: files overlap, repeats straddle them
    st.sampled_from([200, 200, 200, 304, 404, 502]),
)
log_file = st.lists(request, min_size=1, max_size=25)


class Faults:
    """Makes a DynamoDB call fail now and then: before it is sent, or after it was applied."""

    def __init__(self, rng: random.Random, rate: float) -> None:
        self.rng, self.rate, self.injected = rng, rate, 0
        self.lock = threading.Lock()

    def wrap(self, call: Callable[..., Any]) -> Callable[..., Any]:
        def faulty(**request: Any) -> Any:
            with self.lock:
                roll = self.rng.random()
            if roll < self.rate / 2:
                self.injected += 1
                raise ConnectionError("the network went away before the call (injected)")
            result = call(**request)
            if roll < self.rate:
                self.injected += 1
                raise ConnectionError("the answer was lost after DynamoDB applied the call (injected)")
            return result

        return faulty


def body(index: int, requests: list[tuple[int, int, int, int, int]]) -> bytes:
    at = START + timedelta(minutes=20 * index)
    lines = [
        line(at + timedelta(minutes=minute), ARTICLES[article], f"198.51.100.{reader}", status, AGENTS[agent])
        for reader, agent, article, minute, status in requests
    ]
    return gzip.compress(HEADER + b"".join(lines))


def model(files: list[list[tuple[int, int, int, int, int]]]) -> tuple[int, dict[str, int]]:
    """The rule applied to every request of every file at once: no store, no order, no delivery."""
    times: dict[tuple[int, int, str], list[datetime]] = {}
    for index, requests in enumerate(files):
        for reader, agent, article, minute, status in requests:
            url = ARTICLES[article]
            if status in (200, 304) and url.endswith(".html") and agent < 2:  # agents 2 and 3 are bots
                at = START + timedelta(minutes=20 * index + minute)
                times.setdefault((reader, agent, url), []).append(at)
    per_article: dict[str, int] = {}
    for (_reader, _agent, url), moments in times.items():
        per_article[url] = per_article.get(url, 0) + len(views_among(moments))
    return sum(per_article.values()), per_article


def figures(settings_: Settings, clients: Clients) -> tuple[int, dict[str, int]]:
    views = build_view_counter(
        settings_.content_table, LOGS, "Asia/Ho_Chi_Minh", clients.dynamodb, clients.s3
    ).views
    return views.site_views(), views.article_views(ARTICLES)


@settings(
    max_examples=EXAMPLES,
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(files=st.lists(log_file, min_size=1, max_size=5), seed=st.integers(0, 2**16))
def test_any_delivery_of_log_files_counts_what_a_serial_count_counts(
    monkeypatch: pytest.MonkeyPatch, files: list[list[tuple[int, int, int, int, int]]], seed: int
) -> None:
    rng = random.Random(seed)
    keys = [f"cdn/E1.2024-04-28-{hour:02d}.{hour:04x}.gz" for hour in range(len(files))]
    # The serial count: one counter, each distinct file once, newest first, no faults.
    with in_process_site(monkeypatch, stack_name="serial") as (settings_, clients):
        clients.s3.create_bucket(Bucket=LOGS)
        serial = build_view_counter(
            settings_.content_table, LOGS, "Asia/Ho_Chi_Minh", clients.dynamodb, clients.s3
        )
        for hour, (key, requests) in reversed(list(enumerate(zip(keys, files, strict=True)))):
            clients.s3.put_object(Bucket=LOGS, Key=key, Body=body(hour, requests))
            serial.count(key)
        expected = figures(settings_, clients)
    assert expected == model(files), "the counters are not what the rule makes of all the requests"
    # The same files delivered duplicated, shuffled, two at a time, with faults; each retried until done.
    with in_process_site(monkeypatch, stack_name="delivered") as (settings_, clients):
        clients.s3.create_bucket(Bucket=LOGS)
        for hour, (key, requests) in enumerate(zip(keys, files, strict=True)):
            clients.s3.put_object(Bucket=LOGS, Key=key, Body=body(hour, requests))
        deliveries = [key for key in keys for _ in range(rng.randint(1, 3))]
        rng.shuffle(deliveries)
        faults = Faults(rng, rate=0.15)
        workers = []
        for _ in range(2):
            dynamodb = boto3.client("dynamodb", region_name="us-east-1")
            s3 = boto3.client("s3", region_name="us-east-1")
            for name in ("transact_write_items", "batch_write_item", "batch_get_item"):
                monkeypatch.setattr(dynamodb, name, faults.wrap(getattr(dynamodb, name)))
            workers.append(
                build_view_counter(settings_.content_table, LOGS, "Asia/Ho_Chi_Minh", dynamodb, s3)
            )
        failures = [0]

        def deliver(worker: Any, queue: list[str]) -> None:
            for key in queue:
                for _attempt in range(50):  # SQS redelivers until the file goes through
                    try:
                        worker.count(key)
                        break
                    except Exception:
                        failures[0] += 1
                else:
                    raise AssertionError(f"{key} never went through")

        threads = [
            threading.Thread(target=deliver, args=(worker, deliveries[n::2]))
            for n, worker in enumerate(workers)
        ]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        assert figures(settings_, clients) == expected
    count(
        "views oracle",
        examples=1,
        files=len(files),
        deliveries=len(deliveries),
        injected_faults=faults.injected,
    )
    count("views oracle", failed_deliveries=failures[0], views=expected[0])
    note("views oracle", workers=2)
