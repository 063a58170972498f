"""The figures a log batch publishes: /stats.json and the shard files, beside what a publish writes there."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from aws_lambda_powertools import Metrics
from newsroom.configuration.settings import HitsSettings, Settings
from newsroom.domain.site_paths import VIEW_SHARD_FILES, views_shard, views_shard_key
from newsroom.usecases.hits_batch import handle_hits_batch
from newsroom.usecases.publish import Publisher
from newsroom.web.figure_outputs import FIGURES_CACHE
from newsroom.wiring.assembly import Clients, HitsWorker, build_hits, build_publisher

from tests.integration.test_view_counts import BROWSER, HEADER
from tests.integration.test_view_counts import line as log_line
from tests.support.in_process import in_process_site
from tests.support.oracle import Message

LOGS = "newsroom-figures-logs"
T0 = datetime(2026, 12, 2, 6, 0, tzinfo=UTC)  # 13:00 in Hà Nội
A, B, C, D = (f"/tin-tuc/{slug}.html" for slug in ("bai-a", "bai-b", "bai-c", "bai-d"))


def article(title: str, slug: str) -> bytes:
    return f"---\ntitle: {title}\ndate: 2026-12-01T08:00:00+07:00\nslug: {slug}\n---\nNội dung.\n".encode()


class Site:
    def __init__(self, settings: Settings, clients: Clients) -> None:
        self.settings, self.clients = settings, clients
        self.publisher: Publisher = build_publisher(settings, clients)
        hits = HitsSettings(
            settings.content_table, LOGS, settings.timezone, settings.site_bucket, settings.base_url, "vi"
        )
        self.hits: HitsWorker = build_hits(hits, clients.dynamodb, clients.s3)
        self.messages = 0

    def publish(self, key: str, body: bytes | None) -> None:
        if body is None:
            self.clients.s3.delete_object(Bucket=self.settings.source_bucket, Key=key)
        else:
            self.clients.s3.put_object(Bucket=self.settings.source_bucket, Key=key, Body=body)
        self.publisher.render([self.publisher.ingest(key)])

    def deliver_log(self, key: str, lines: list[bytes] | None = None) -> dict[str, Any]:
        import gzip  # noqa: PLC0415

        if lines is not None:
            self.clients.s3.put_object(Bucket=LOGS, Key=key, Body=gzip.compress(HEADER + b"".join(lines)))
        self.messages += 1
        record = Message(f"m{self.messages}", key, f"{self.messages:04d}").record(LOGS)
        metrics = Metrics(namespace="T", service="t")
        return handle_hits_batch(
            {"Records": [record]}, self.hits.counter, self.hits.failures, metrics, self.hits.figures
        )

    def json(self, key: str) -> Any:
        return json.loads(
            self.clients.s3.get_object(Bucket=self.settings.site_bucket, Key=key)["Body"].read()
        )

    def invalidations(self) -> int:
        distribution = self.settings.distribution_id
        listed = self.clients.cloudfront.list_invalidations(DistributionId=distribution)["InvalidationList"]
        return int(listed["Quantity"])


@pytest.fixture
def site(monkeypatch: pytest.MonkeyPatch) -> Iterator[Site]:
    with in_process_site(monkeypatch, stack_name="figures") as (settings, clients):
        clients.s3.create_bucket(Bucket=LOGS)
        yield Site(settings, clients)


def readers(url: str, count: int, at: datetime, first: int = 1) -> list[bytes]:
    return [log_line(at, url, client=f"198.51.100.{first + n}") for n in range(count)]


def test_a_log_batch_publishes_totals_online_most_read_and_the_shards_without_invalidating(
    site: Site,
) -> None:
    site.clients.s3.put_object(
        Bucket=site.settings.source_bucket, Key="site/site.yaml", Body=b"statistics:\n  views: 7699601\n"
    )
    site.publisher.render([site.publisher.ingest("site/site.yaml")])
    for title, slug in (("Bài A", "bai-a"), ("Bài B", "bai-b"), ("Bài C", "bai-c"), ("Bài D", "bai-d")):
        site.publish(f"articles/tin-tuc/{slug}.md", article(title, slug))
    site.publish("articles/tin-tuc/bai-d.md", None)  # deleted before its log arrives
    before = site.invalidations()
    lines = readers(A, 3, T0) + readers(B, 2, T0 + timedelta(minutes=1)) + readers(C, 1, T0, first=9)
    lines += readers(D, 4, T0, first=20)  # views of the deleted article: counted, not listed
    lines.append(log_line(T0, A, client="203.0.113.5", agent="curl/8.5.0"))  # a bot
    lines.append(log_line(T0 - timedelta(days=2), C, client="192.0.2.77"))  # earlier this week
    assert site.deliver_log("cdn/E1.2026-12-02-06.a.gz", lines) == {"batchItemFailures": []}

    stats = site.json("stats.json")
    assert stats["views"] == 7_699_601 + 11
    assert (stats["articles"], stats["online"], stats["online_as_of"]) == (
        3,
        8,
        "2026-12-02T06:01:00+00:00",
    )  # B's readers also read A
    assert stats["most_read"]["today"] == [
        {"title": "Bài A", "url": A, "views": 3},
        {"title": "Bài B", "url": B, "views": 2},
        {"title": "Bài C", "url": C, "views": 1},
    ]
    assert [(line["url"], line["views"]) for line in stats["most_read"]["week"]] == [(A, 3), (B, 2), (C, 2)]
    shards = {views_shard(url) for url in (A, B, C, D)}
    written = {shard: site.json(views_shard_key(shard)) for shard in shards}
    assert {url: n for files in written.values() for url, n in files.items()} == {A: 3, B: 2, C: 2, D: 4}
    assert stats["view_shards"] == sorted(shards), "the browser asks only for shard files that exist"
    head = site.clients.s3.head_object(Bucket=site.settings.site_bucket, Key="stats.json")
    assert head["CacheControl"] == FIGURES_CACHE
    assert site.invalidations() == before, "counting views must never invalidate the CDN"
    assert len(shards) <= VIEW_SHARD_FILES

    # The same file again: the same figures, no shard file rewritten.
    assert site.hits.figures.publish([A, B, C, D]).shards_written == 0
    assert site.deliver_log("cdn/E1.2026-12-02-06.a.gz") == {"batchItemFailures": []}
    assert site.json("stats.json") == stats


def test_a_publish_keeps_the_view_figures_and_drops_an_article_it_removed(site: Site) -> None:
    for title, slug in (("Bài A", "bai-a"), ("Bài B", "bai-b")):
        site.publish(f"articles/tin-tuc/{slug}.md", article(title, slug))
    site.deliver_log("cdn/E1.a.gz", readers(A, 2, T0) + readers(B, 1, T0))
    counted = site.json("stats.json")
    assert (counted["articles"], counted["views"], counted["online"]) == (2, 3, 2)  # two readers

    site.publish("articles/tin-tuc/bai-c.md", article("Bài C", "bai-c"))  # the publish path's stats.json
    after_publish = site.json("stats.json")
    assert after_publish == counted | {"articles": 3}, "a publish erased the view figures"

    site.publish("articles/tin-tuc/bai-a.md", None)
    after_delete = site.json("stats.json")
    assert after_delete["articles"] == 2 and after_delete["views"] == 3
    assert [line["url"] for line in after_delete["most_read"]["today"]] == [B]


def test_an_article_page_names_its_shard_and_carries_no_figure(site: Site) -> None:
    site.publish("articles/tin-tuc/bai-a.md", article("Bài A", "bai-a"))
    before = site.clients.s3.get_object(Bucket=site.settings.site_bucket, Key="tin-tuc/bai-a.html")
    page = before["Body"].read().decode()
    shard = views_shard(A)
    assert f'data-article-views="/{views_shard_key(shard)}" data-shard="{shard}" data-url="{A}"' in page
    site.deliver_log("cdn/E1.a.gz", readers(A, 5, T0, first=30))
    after = site.clients.s3.get_object(Bucket=site.settings.site_bucket, Key="tin-tuc/bai-a.html")
    assert after["ETag"] == before["ETag"], "a view re-rendered a page"
    assert BROWSER  # the readers above are browsers, not bots
    assert site.json(views_shard_key(views_shard(A))) == {A: 5}


def test_figures_that_fail_to_publish_send_the_batch_back_with_the_reason(
    site: Site, monkeypatch: pytest.MonkeyPatch
) -> None:
    site.publish("articles/tin-tuc/bai-a.md", article("Bài A", "bai-a"))

    def refused(**request: Any) -> Any:
        raise RuntimeError("AccessDenied (injected)")

    real = site.clients.s3.put_object
    monkeypatch.setattr(site.clients.s3, "put_object", refused)
    import gzip  # noqa: PLC0415

    real(Bucket=LOGS, Key="cdn/E1.f.gz", Body=gzip.compress(HEADER + b"".join(readers(A, 2, T0))))
    assert site.deliver_log("cdn/E1.f.gz") == {"batchItemFailures": [{"itemIdentifier": "m1"}]}
    failure = site.hits.failures.get("m1")
    assert failure is not None and failure.reason.startswith("figures: RuntimeError: AccessDenied")
    monkeypatch.setattr(site.clients.s3, "put_object", real)
    assert site.deliver_log("cdn/E1.f.gz") == {"batchItemFailures": []}  # redelivered: counted once
    assert site.json("stats.json")["views"] == 2
