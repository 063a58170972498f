"""Log files counted into the content table once: duplicates, retries and concurrent twins move nothing twice."""

from __future__ import annotations

import gzip
import threading
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from typing import Any

import boto3
import pytest
from newsroom.configuration.settings import Settings
from newsroom.usecases.count_views import ViewCounter
from newsroom.wiring.assembly import Clients, build_view_counter

from tests.support.in_process import in_process_site
from tests.unit.test_access_logs import AWS_SAMPLE

LOGS = "newsroom-test-logs"
ARTICLE = "/tin-tuc/hoat-dong-khcn/hoi-nghi.html"
BROWSER = (
    "Mozilla/5.0%20(Windows%20NT%2010.0;%20Win64;%20x64)%20AppleWebKit/537.36%20Chrome/120%20Safari/537.36"
)
HEADER = b"".join(AWS_SAMPLE.splitlines(keepends=True)[:2])


@pytest.fixture
def site(monkeypatch: pytest.MonkeyPatch) -> Iterator[tuple[Settings, Clients]]:
    with in_process_site(monkeypatch, stack_name="views") as (settings, clients):
        clients.s3.create_bucket(Bucket=LOGS)
        yield settings, clients


def counter(settings: Settings, clients: Clients) -> ViewCounter:
    return build_view_counter(settings.content_table, LOGS, "Asia/Ho_Chi_Minh", clients.dynamodb, clients.s3)


def line(
    at: datetime, path: str, client: str = "198.51.100.7", status: int = 200, agent: str = BROWSER
) -> bytes:
    fields = ["-"] * 33
    fields[0], fields[1] = at.strftime("%Y-%m-%d"), at.strftime("%H:%M:%S")
    fields[2], fields[3], fields[4], fields[5] = "HAN50-C1", "1200", client, "GET"
    fields[6], fields[7], fields[8], fields[10] = "d111111abcdef8.cloudfront.net", path, str(status), agent
    return "\t".join(fields).encode() + b"\n"


def upload(clients: Clients, key: str, lines: list[bytes]) -> None:
    clients.s3.put_object(Bucket=LOGS, Key=key, Body=gzip.compress(HEADER + b"".join(lines)))


def test_the_aws_sample_is_counted_once_however_often_it_arrives(site: tuple[Settings, Clients]) -> None:
    settings, clients = site
    data = AWS_SAMPLE.replace(b"\t/index.html\t", f"\t{ARTICLE}\t".encode())
    clients.s3.put_object(Bucket=LOGS, Key="cf/E1.2019-12-04-21.a.gz", Body=gzip.compress(data))
    views = counter(settings, clients)
    first = views.count("cf/E1.2019-12-04-21.a.gz")
    assert (first.views, first.log.requests, dict(first.tally.skipped)) == (
        1,
        6,
        {"repeat within 30 minutes": 2, "not answered 200 or 304": 3},
    )
    again = counter(settings, clients).count("cf/E1.2019-12-04-21.a.gz")  # delivered twice
    assert again.views == 0 and again.parts_committed == 0
    assert views.views.site_views() == 1
    assert views.views.article_views([ARTICLE, "/x/y.html"]) == {ARTICLE: 1}
    assert views.views.most_read([date(2019, 12, 5)], 5) == [(ARTICLE, 1)]


def test_repeats_across_files_count_once_and_readers_online_follow_the_newest_line(
    site: tuple[Settings, Clients],
) -> None:
    settings, clients = site
    t0 = datetime(2024, 4, 28, 7, 0, tzinfo=UTC)
    upload(clients, "cf/1.gz", [line(t0, ARTICLE), line(t0, ARTICLE, client="203.0.113.9")])
    upload(
        clients,
        "cf/2.gz",
        [line(t0 + timedelta(minutes=10), ARTICLE), line(t0 + timedelta(minutes=40), ARTICLE)],
    )
    views = counter(settings, clients)
    views.count("cf/1.gz")
    views.count("cf/2.gz")
    assert views.views.site_views() == 3  # the first reader at 07:00 and 07:40, the second at 07:00
    assert views.views.online(timedelta(minutes=15)) == (1, t0 + timedelta(minutes=40))


def test_a_file_of_many_articles_is_committed_in_parts_and_a_retry_finishes_it(
    site: tuple[Settings, Clients], monkeypatch: pytest.MonkeyPatch
) -> None:
    settings, clients = site
    t0 = datetime(2024, 4, 28, 7, 0, tzinfo=UTC)
    upload(
        clients, "cf/big.gz", [line(t0, f"/tin-tuc/a{n:03d}.html") for n in range(120)]
    )  # 120 pairs: 2 claim parts; 241 ADDs: 3 counter parts
    real = clients.dynamodb.transact_write_items
    calls = {"n": 0}

    def fail_the_second_part(**request: Any) -> Any:
        markers = [a["Put"]["Item"]["sk"]["S"] for a in request["TransactItems"] if "Put" in a]
        if any(m.endswith("#counts#1") for m in markers) and not calls["n"]:
            calls["n"] += 1  # the second counter part, once: after both claim parts and the first
            raise RuntimeError("the network went away (injected)")
        return real(**request)

    monkeypatch.setattr(clients.dynamodb, "transact_write_items", fail_the_second_part)
    with pytest.raises(RuntimeError):
        counter(settings, clients).count("cf/big.gz")
    monkeypatch.setattr(clients.dynamodb, "transact_write_items", real)
    retry = counter(settings, clients).count("cf/big.gz")
    assert retry.parts_committed == 2  # the first part was already in
    views = counter(settings, clients).views
    assert views.site_views() == 120
    assert set(views.article_views(f"/tin-tuc/a{n:03d}.html" for n in range(120)).values()) == {1}


def test_two_deliveries_of_one_file_at_once_count_it_once(site: tuple[Settings, Clients]) -> None:
    settings, clients = site
    t0 = datetime(2024, 4, 28, 7, 0, tzinfo=UTC)
    upload(
        clients, "cf/twin.gz", [line(t0, f"/tin-tuc/a{n:03d}.html", client=f"192.0.2.{n}") for n in range(60)]
    )
    errors: list[BaseException] = []

    def deliver() -> None:
        own = Clients(
            *(boto3.client(name, region_name="us-east-1") for name in ("s3", "dynamodb", "cloudfront", "sqs"))
        )
        try:
            counter(settings, own).count("cf/twin.gz")
        except Exception as exc:  # a concurrent twin may lose a part's race: its retry finds the marker
            errors.append(exc)

    threads = [threading.Thread(target=deliver) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    if errors:
        counter(settings, clients).count("cf/twin.gz")  # SQS redelivers the loser
    assert counter(settings, clients).views.site_views() == 60


def test_a_file_judged_on_state_a_concurrent_file_moved_judges_again(
    site: tuple[Settings, Clients], monkeypatch: pytest.MonkeyPatch
) -> None:
    """Two files of one reader's requests 5 minutes apart, the second judged before the first landed."""
    from newsroom.adapters.content_table.view_commit import ViewCommit  # noqa: PLC0415

    settings, clients = site
    t0 = datetime(2024, 4, 28, 7, 0, tzinfo=UTC)
    upload(clients, "cf/a.gz", [line(t0, ARTICLE)])
    upload(clients, "cf/b.gz", [line(t0 + timedelta(minutes=5), ARTICLE)])
    counter(settings, clients).count("cf/a.gz")
    real, stale = ViewCommit._seen, {"reads": 0}

    def read_before_a_landed(self: ViewCommit, pairs: Any) -> Any:
        stale["reads"] += 1
        return {} if stale["reads"] == 1 else real(self, pairs)  # the first read: as if a were not in yet

    monkeypatch.setattr(ViewCommit, "_seen", read_before_a_landed)
    report = counter(settings, clients).count("cf/b.gz")
    assert stale["reads"] == 2, "the stale judgement was not refused and judged again"
    assert report.views == 0 and dict(report.tally.skipped) == {"repeat within 30 minutes": 1}
    assert counter(settings, clients).views.site_views() == 1


def test_the_readers_day_is_the_sites_and_a_deleted_salt_is_never_made_again(
    site: tuple[Settings, Clients],
) -> None:
    settings, clients = site
    midnight_utc = datetime(2024, 4, 29, 0, 0, tzinfo=UTC)  # 07:00 in Hà Nội: the same site day
    upload(clients, "cf/m1.gz", [line(midnight_utc - timedelta(minutes=10), ARTICLE)])
    upload(clients, "cf/m2.gz", [line(midnight_utc + timedelta(minutes=10), ARTICLE)])
    views = counter(settings, clients)
    views.count("cf/m1.gz")
    assert views.count("cf/m2.gz").views == 0, "a reader became another one at UTC midnight"
    # The salt of that day is deleted (its 48 hours are over): a late file of the day is skipped, not
    # judged with a new salt that would make its readers new ones.
    clients.dynamodb.delete_item(
        TableName=settings.content_table, Key={"pk": {"S": "SALT"}, "sk": {"S": "2024-04-29"}}
    )
    upload(clients, "cf/m3.gz", [line(midnight_utc + timedelta(hours=2), ARTICLE)])
    late = views.count("cf/m3.gz")
    assert late.views == 0 and dict(late.tally.skipped) == {"older than its readers' salt (48 hours)": 1}
    assert views.views.site_views() == 1


def test_a_salt_made_by_a_twin_between_two_reads_is_used_not_taken_for_deleted(
    site: tuple[Settings, Clients], monkeypatch: pytest.MonkeyPatch
) -> None:
    from newsroom.adapters.content_table.table import Table  # noqa: PLC0415

    settings, clients = site
    twin = counter(settings, clients).views
    real, reads = Table.get, {"n": 0}

    def twin_makes_it_meanwhile(self: Table, pk: str, sk: str, **options: Any) -> Any:
        found = real(self, pk, sk, **options)
        if pk == "SALT" and sk == "2024-04-28" and not reads["n"]:
            reads["n"] += 1
            monkeypatch.setattr(Table, "get", real)
            twin.salt(date(2024, 4, 28))  # the twin makes salt and tombstone right after our first read
            monkeypatch.setattr(Table, "get", twin_makes_it_meanwhile)
        return found

    monkeypatch.setattr(Table, "get", twin_makes_it_meanwhile)
    mine = counter(settings, clients).views.salt(date(2024, 4, 28))
    monkeypatch.setattr(Table, "get", real)
    assert reads["n"] == 1 and mine is not None and mine == twin.salt(date(2024, 4, 28))
