"""What one publish costs, in a small site and a large one, measured side by side.

For each site size, the site is built (the index of every article, and the
pages a publish can touch) on in-process moto (resources created from
template.yaml), then one new article, the
newest, is published into the same category (and unpublished again, so every
measured publish meets the same site). We report the objects written, the invalidation paths, the AWS
calls by operation and the wall time of that one publish. The claim under
test: the first three are the same for 25 and for 2,500 articles.

Run: ``make bench`` (or ``.venv/bin/python bench/publish_cost.py --sizes 25 2500``).
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from collections import Counter
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "layers" / "newsroom"))
sys.path.insert(0, str(ROOT))

import boto3  # noqa: E402
from moto import mock_aws  # noqa: E402
from newsroom.configuration.settings import Settings  # noqa: E402
from newsroom.domain.archive_pages import starts_page  # noqa: E402
from newsroom.domain.planner import RADIUS  # noqa: E402
from newsroom.domain.records import sort_key  # noqa: E402
from newsroom.domain.source_keys import classify  # noqa: E402
from newsroom.usecases.publish import Ingested, Publisher  # noqa: E402
from newsroom.wiring.assembly import Clients, build_publisher  # noqa: E402

import local.provision  # noqa: E402
from local.template import Template  # noqa: E402

CATEGORY = "articles/tin-tuc/tin-vifotec"
SERVICES = ("s3", "dynamodb", "cloudfront", "sqs")
START = datetime(2020, 1, 1, 1, 0, tzinfo=UTC)
# Six hours apart: 2,500 articles end in 2021, never ahead of the clock (a future date is scheduled,
# more than a year ahead refused, and the measured publish would write nothing).
GAP = timedelta(hours=6)


def article(n: int, when: datetime) -> bytes:
    """A realistic article: front matter, a few paragraphs, one figure."""
    body = "\n\n".join(f"Đoạn {p} của bài {n}: hội nghị khoa học và công nghệ tỉnh." * 4 for p in range(6))
    return (
        f"---\ntitle: Hội nghị khoa học số {n}\ndate: {when.isoformat()}\nauthor: Phóng viên\n---\n"
        f'{body}\n\n![Ảnh hội nghị](/media/hoi-nghi.jpg "Toàn cảnh hội nghị số {n}")\n'
    ).encode()


class CallCounter:
    """Counts AWS API calls per operation, and the time spent in them, through botocore's hooks.

    The time inside the calls is moto's time here, not AWS's: it tells how
    much of a publish's wall time is the stand-in rather than our code.
    """

    def __init__(self, clients: Clients) -> None:
        self.calls: Counter[str] = Counter()
        self.seconds: Counter[str] = Counter()
        self._started: dict[str, float] = {}
        self.clients = (clients.s3, clients.dynamodb, clients.cloudfront, clients.sqs)
        for client in self.clients:
            client.meta.events.register("before-call.*.*", self._before)
            client.meta.events.register("after-call.*.*", self._after)

    @staticmethod
    def _name(model: Any) -> str:
        return f"{model.service_model.service_name}:{model.name}"

    def _before(self, model: Any, **_: Any) -> None:
        self.calls[self._name(model)] += 1
        self._started[self._name(model)] = time.perf_counter()

    def _after(self, model: Any, **_: Any) -> None:
        self.seconds[self._name(model)] += time.perf_counter() - self._started.pop(self._name(model))

    def stop(self) -> tuple[Counter[str], Counter[str]]:
        for client in self.clients:
            client.meta.events.unregister("before-call.*.*", self._before)
            client.meta.events.unregister("after-call.*.*", self._after)
        return Counter(self.calls), Counter(self.seconds)


def in_process_client(service: str, endpoint_url: str, region: str = "us-east-1") -> Any:
    """Provisioning clients that moto's in-process mock intercepts (no endpoint, no HTTP)."""
    return boto3.client(service, region_name=region)


def build_site(size: int) -> tuple[Publisher, Clients, Settings]:
    """Create the template's resources in moto, then publish ``size`` articles into one category.

    In-process moto, not the moto server: moto's own per-call cost grows with
    the table (its transactions copy it), and through HTTP that swamps what
    is measured here.
    """
    local.provision.client = in_process_client  # type: ignore[assignment]
    template = Template.load(ROOT / "template.yaml", stack_name=f"bench{size}")
    provisioned = local.provision.provision(template, "http://moto.invalid")
    environment = provisioned.environment()
    # The publish function sends its redirect changes to the redirects function's queue (one
    # SendMessage a batch); that function's two KeyValueStore calls are not in these counts.
    settings = Settings.from_environment(environment)
    clients = Clients(
        **{name: boto3.client(name, region_name="us-east-1") for name in (*SERVICES, "scheduler")}
    )
    publisher = build_publisher(settings, clients)
    s3 = clients.s3
    records = []
    counters: Counter[tuple[str, str]] = Counter()
    for n in range(size):
        key = f"{CATEGORY}/bai-{n:05d}.md"
        s3.put_object(Bucket=settings.source_bucket, Key=key, Body=article(n, START + GAP * n))
        records.append(seed(publisher, clients, settings, key, counters))
    for (pk, sk), count in counters.items():
        clients.dynamodb.put_item(
            TableName=settings.content_table,
            Item={"pk": {"S": pk}, "sk": {"S": sk}, "articles": {"N": str(count)}},
        )
    # Render what the measured publish can touch: the newest articles'
    # neighbourhoods, their listings, months and feeds, and the site-wide
    # files. Older pages are never read or written by it (the plan is
    # bounded), and moto's queries slow down with the table, so rendering
    # the whole 2,500-article site first would only cost the bench an hour.
    publisher.render(records[-4 * RADIUS :])
    return publisher, clients, settings


def seed(
    publisher: Publisher, clients: Clients, settings: Settings, key: str, counters: Counter[tuple[str, str]]
) -> Ingested:
    """Write exactly the items a first publish of ``key`` writes, without a transaction.

    moto copies every table on each TransactWriteItems, which makes building
    a 1,000-article site through the publish path take an hour; the items are
    the same (the ``Put`` actions of ``ContentIndex.transaction``, and its
    counter ``ADD``s summed into ``counters``), and the measured publish
    below goes through the real path.
    """
    source_key = classify(key)
    current = publisher.source.current(key, settings.max_source_bytes)
    record, _ = publisher.ingestion._next(None, source_key, current, datetime.now(UTC))
    actions = publisher.index.articles.transaction(None, record)
    puts = [a["Put"]["Item"] for a in actions if "Put" in a]
    for action in actions:
        if "Update" in action:
            item_key, values = action["Update"]["Key"], action["Update"]["ExpressionAttributeValues"]
            if ":d" in values:  # an article counter; the revision (":one" alone) moves with the real publish
                counters[(item_key["pk"]["S"], item_key["sk"]["S"])] += int(values[":d"]["N"])
    for start in range(0, len(puts), 25):
        clients.dynamodb.batch_write_item(
            RequestItems={
                settings.content_table: [{"PutRequest": {"Item": i}} for i in puts[start : start + 25]]
            }
        )
    return Ingested(key, record=record)


def publish_one(publisher: Publisher, clients: Clients, settings: Settings, size: int) -> dict[str, Any]:
    counter = CallCounter(clients)
    key = f"{CATEGORY}/bai-moi.md"
    newest = START + GAP * size  # today's news: newer than everything on the site
    # The same kind of change at every size: an article that does not start an archive page (one in
    # 20 does, and also rewrites the page before it), whatever the size puts its date at.
    while starts_page(sort_key(newest, f"/{CATEGORY.removeprefix('articles/')}/bai-moi.html")):
        newest += timedelta(minutes=1)
    clients.s3.put_object(Bucket=settings.source_bucket, Key=key, Body=article(size, newest))
    started = time.perf_counter()
    report = publisher.render([publisher.ingest(key)])
    elapsed = time.perf_counter() - started
    if not report.written:
        raise SystemExit(f"size {size}: the measured publish wrote nothing; its status: {report}")
    calls, in_calls = counter.stop()
    return {
        "written": sorted(report.written),
        "invalidated": report.invalidated,
        "calls": calls,
        "seconds": elapsed,
        "in_calls": in_calls,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--sizes", type=int, nargs="+", default=[25, 2500])
    parser.add_argument("--repeat", type=int, default=3, help="publishes measured per size (median kept)")
    args = parser.parse_args()
    results: dict[int, dict[str, Any]] = {}
    os.environ.update(
        AWS_ACCESS_KEY_ID="bench", AWS_SECRET_ACCESS_KEY="bench", AWS_DEFAULT_REGION="us-east-1"
    )
    for size in args.sizes:
        with mock_aws():
            built = time.perf_counter()
            publisher, clients, settings = build_site(size)
            print(f"built a site of {size} articles in {time.perf_counter() - built:.1f} s", flush=True)
            runs = []
            for _ in range(args.repeat):
                # unpublish it again, so that every measured publish meets the same site
                runs.append(publish_one(publisher, clients, settings, size))
                clients.s3.delete_object(Bucket=settings.source_bucket, Key=f"{CATEGORY}/bai-moi.md")
                publisher.render([publisher.ingest(f"{CATEGORY}/bai-moi.md")])
            runs.sort(key=lambda x: x["seconds"])
            results[size] = runs[len(runs) // 2]
    print()
    header = (
        "site size",
        "objects written",
        "invalidation paths",
        "AWS calls",
        "seconds",
        "outside AWS calls",
    )
    print("".join(f"{h:>19}" for h in header))
    for size, res in results.items():
        row = (size, len(res["written"]), len(res["invalidated"]), sum(res["calls"].values()))
        ours = res["seconds"] - sum(res["in_calls"].values())
        print("".join(f"{v:>19}" for v in row) + f"{res['seconds']:>19.3f}{ours:>19.3f}")
    sizes = list(results)
    if len(sizes) >= 2:
        small, large = results[sizes[0]], results[sizes[-1]]
        print(f"\ntime ratio {sizes[-1]}/{sizes[0]}: {large['seconds'] / small['seconds']:.2f}")
        ours_small = small["seconds"] - sum(small["in_calls"].values())
        ours_large = large["seconds"] - sum(large["in_calls"].values())
        print(f"time ratio outside the AWS calls (our code): {ours_large / ours_small:.2f}")
        slowest = large["in_calls"].most_common(3)
        print("slowest calls in the large site (moto):", ", ".join(f"{k} {v:.3f} s" for k, v in slowest))
        print("same objects written:", len(small["written"]) == len(large["written"]))
        print("same invalidation paths count:", len(small["invalidated"]) == len(large["invalidated"]))
        print("same AWS calls by operation:", small["calls"] == large["calls"])
    for size, res in results.items():
        print(f"\nsize {size}: objects written: {res['written']}")
        print(f"size {size}: invalidation paths: {res['invalidated']}")
        print(f"size {size}: calls: {dict(sorted(res['calls'].items()))}")


if __name__ == "__main__":
    main()
