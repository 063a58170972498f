"""A file refused because another holds its URL gets the URL when that file lets it go.

Before, the loser stayed ``error`` ("used by" a file that no longer exists)
and the URL answered 404 until someone re-uploaded it by hand. Now the
file that releases a URL (deleted, moved, made a draft) re-examines every
file waiting for it, in the same batch, and a rebuild from scratch agrees.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from aws_lambda_powertools import Metrics
from newsroom.configuration.settings import Settings
from newsroom.usecases.batch import handle_batch
from newsroom.usecases.publish import Publisher
from newsroom.wiring.assembly import build_publisher

from tests.support.in_process import in_process_site, new_clients, rebuilt_from_scratch, site_objects
from tests.support.oracle import Message

WINNER = "articles/tin-tuc/a.md"
LOSER = "articles/tin-tuc/b.md"
SECOND = "articles/tin-tuc/c.md"
PAGE = "tin-tuc/hoi-nghi.html"


def md(title: str, slug: str = "hoi-nghi", status: str = "published") -> bytes:
    return f"---\ntitle: {title}\nslug: {slug}\nstatus: {status}\ndate: 2024-04-01T08:00:00+07:00\n---\nBài.\n".encode()


class Site:
    def __init__(self, settings: Settings, clients: Any) -> None:
        self.settings, self.clients = settings, clients
        self.publisher = build_publisher(settings, clients)
        self.count = 0

    def put(self, key: str, body: bytes) -> None:
        self.clients.s3.put_object(Bucket=self.settings.source_bucket, Key=key, Body=body)

    def delete(self, key: str) -> None:
        self.clients.s3.delete_object(Bucket=self.settings.source_bucket, Key=key)

    def deliver(self, *keys: str, publisher: Publisher | None = None) -> dict[str, Any]:
        messages = []
        for key in keys:
            self.count += 1
            messages.append(
                Message(f"m{self.count}", key, f"{self.count:04X}").record(self.settings.source_bucket)
            )
        return handle_batch(
            {"Records": messages}, publisher or self.publisher, Metrics(namespace="T", service="t")
        )

    def tags(self, key: str) -> dict[str, str]:
        tag_set = self.clients.s3.get_object_tagging(Bucket=self.settings.source_bucket, Key=key)["TagSet"]
        return {t["Key"]: t["Value"] for t in tag_set}

    def page(self) -> str:
        return site_objects(self.clients, self.settings)[PAGE].decode()


@pytest.fixture
def site(monkeypatch: pytest.MonkeyPatch) -> Iterator[Site]:
    with in_process_site(monkeypatch, "collide") as (settings, clients):
        site = Site(settings, clients)
        site.put(WINNER, md("Bài A"))
        site.deliver(WINNER)
        site.put(LOSER, md("Bài B"))
        site.deliver(LOSER)
        assert site.tags(LOSER)["publish-error"] == f"the URL /{PAGE} is already used by {WINNER}"
        yield site


def test_deleting_the_winner_publishes_the_file_that_waited_for_its_url(site: Site) -> None:
    site.delete(WINNER)
    assert site.deliver(WINNER) == {"batchItemFailures": []}
    assert site.tags(LOSER) == {"publish-status": "published", "publish-url": f"/{PAGE}"}
    assert "Bài B" in site.page()
    assert site.publisher.index.articles.url_owner(f"/{PAGE}") == LOSER
    assert site.publisher.index.counts.stats().articles == 1
    assert site.publisher.index.articles.waiting_for(f"/{PAGE}") == []
    assert rebuilt_from_scratch(site.clients, site.settings) == site_objects(site.clients, site.settings)


def test_a_winner_that_moves_or_becomes_a_draft_lets_the_next_one_in(site: Site) -> None:
    site.put(SECOND, md("Bài C"))
    site.deliver(SECOND)
    assert sorted(site.publisher.index.articles.waiting_for(f"/{PAGE}")) == [LOSER, SECOND]
    site.put(WINNER, md("Bài A", slug="hoi-nghi-moi"))  # the winner moves to another URL
    site.deliver(WINNER)
    # One of the two takes the URL; the other now waits for it, refused in the new holder's name.
    holder = site.publisher.index.articles.url_owner(f"/{PAGE}")
    other = SECOND if holder == LOSER else LOSER
    assert site.tags(holder)["publish-status"] == "published"
    assert site.tags(other)["publish-error"] == f"the URL /{PAGE} is already used by {holder}"
    site.put(holder, md("Nháp", status="draft"))
    site.deliver(holder)
    assert site.tags(other)["publish-status"] == "published"
    assert site.publisher.index.articles.url_owner(f"/{PAGE}") == other
    assert site.publisher.index.counts.stats().articles == 2  # the moved winner and the one that waited


def test_a_release_committed_while_the_loser_registers_is_not_missed(site: Site) -> None:
    """Staged: the winner's delete commits between the loser's look at the owner and its write."""
    site.delete(LOSER)
    site.deliver(LOSER)
    other = build_publisher(site.settings, new_clients())
    site.put(LOSER, md("Bài B lần hai"))
    looked = site.publisher.index.articles.url_owner

    def owner_then_release(url: str) -> str | None:
        owner = looked(url)
        if owner == WINNER and site.clients.s3.list_objects_v2(
            Bucket=site.settings.source_bucket, Prefix=WINNER
        ).get("Contents"):
            site.delete(WINNER)
            site.deliver(WINNER, publisher=other)  # finds nobody waiting yet
        return owner

    site.publisher.index.articles.url_owner = owner_then_release  # type: ignore[method-assign]
    assert site.deliver(LOSER) == {"batchItemFailures": []}
    assert site.tags(LOSER)["publish-status"] == "published"
    assert "Bài B lần hai" in site.page()


def test_a_release_whose_re_examination_failed_is_re_examined_on_redelivery(
    site: Site, monkeypatch: pytest.MonkeyPatch
) -> None:
    current = site.publisher.source.current
    failures = iter([True])

    def flaky(key: str, limit: int) -> Any:
        if key == LOSER and next(failures, False):
            raise ConnectionError("S3 timed out")
        return current(key, limit)

    monkeypatch.setattr(site.publisher.source, "current", flaky)
    site.delete(WINNER)
    first = site.deliver(WINNER)
    assert first != {"batchItemFailures": []}  # the winner's message is retried
    assert site.tags(LOSER)["publish-status"] == "error"
    second = site.deliver(WINNER)  # the redelivery: nothing left to apply for the winner
    assert second == {"batchItemFailures": []}
    assert site.tags(LOSER)["publish-status"] == "published"
    assert "Bài B" in site.page()
