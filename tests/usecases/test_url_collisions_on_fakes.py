"""A file refused because another holds its URL gets it when that file lets it go, on fakes.

Mirrors ``tests/integration/test_url_collisions.py``: the loser registers as
waiting only while the URL is held, and whoever releases the URL re-examines
every file waiting for it, in the same batch.
"""

from __future__ import annotations

import pytest
from newsroom.domain.source_objects import SourceObject

from tests.support.fake_site import FakeSite
from tests.usecases.pages import md

WINNER = "articles/tin-tuc/a.md"
LOSER = "articles/tin-tuc/b.md"
SECOND = "articles/tin-tuc/c.md"
URL = "/tin-tuc/hoi-nghi.html"
PAGE = "tin-tuc/hoi-nghi.html"


@pytest.fixture
def collided(site: FakeSite) -> FakeSite:
    """The winner holds the URL; the loser was refused for it and waits."""
    site.upload_and_publish(WINNER, md("Bài A", slug="hoi-nghi"))
    site.upload_and_publish(LOSER, md("Bài B", slug="hoi-nghi"))
    return site


def test_the_loser_is_told_who_holds_the_url_and_waits_for_it(collided: FakeSite) -> None:
    assert collided.source.tags_of(LOSER) == {
        "publish-status": "error",
        "publish-error": f"the URL {URL} is already used by {WINNER}",
    }
    assert collided.index.articles.waiting_for(URL) == [LOSER]
    assert "Bài A" in collided.site.body(PAGE)
    assert collided.index.counts.stats().articles == 1


def test_deleting_the_winner_publishes_the_file_that_waited_for_its_url(collided: FakeSite) -> None:
    batch = collided.delete_and_publish(WINNER)
    assert [again.key for again in batch.ingested[0].reexamined] == [LOSER]
    assert collided.source.tags_of(LOSER) == {"publish-status": "published", "publish-url": URL}
    assert "Bài B" in collided.site.body(PAGE)
    assert PAGE in batch.report.written and PAGE not in batch.report.removed
    assert collided.index.articles.url_owner(URL) == LOSER
    assert collided.index.articles.waiting_for(URL) == []
    assert collided.index.counts.stats().articles == 1
    assert collided.source.status_of(WINNER) is None


def test_a_winner_that_moves_or_becomes_a_draft_lets_the_next_one_in(collided: FakeSite) -> None:
    collided.upload_and_publish(SECOND, md("Bài C", slug="hoi-nghi"))
    assert collided.index.articles.waiting_for(URL) == [LOSER, SECOND]
    collided.upload_and_publish(WINNER, md("Bài A", slug="hoi-nghi-moi"))  # the winner moves away
    holder = collided.index.articles.url_owner(URL)
    assert holder == LOSER  # the waiting files are re-examined in key order
    assert collided.source.tags_of(LOSER)["publish-status"] == "published"
    assert collided.source.tags_of(SECOND)["publish-error"] == f"the URL {URL} is already used by {LOSER}"
    assert collided.index.articles.waiting_for(URL) == [SECOND]
    assert collided.redirects.targets == {}  # another article holds the old URL: no redirect to the moved one

    collided.upload_and_publish(LOSER, md("Nháp", slug="hoi-nghi", status="draft"))
    assert collided.index.articles.url_owner(URL) == SECOND
    assert collided.source.tags_of(SECOND)["publish-status"] == "published"
    assert "Bài C" in collided.site.body(PAGE)
    assert collided.index.counts.stats().articles == 2  # the moved winner and the one that waited


def test_a_release_committed_while_the_loser_registers_is_not_missed(
    collided: FakeSite, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Staged: the winner's delete commits between the loser's look at the owner and its write.

    The loser's registration then fails its condition (nobody holds the URL
    any more), and its retry finds the URL free.
    """
    collided.delete_and_publish(LOSER)
    other = collided.another_publisher()
    collided.source.upload(LOSER, md("Bài B lần hai", slug="hoi-nghi"))
    looked = collided.publisher.index.articles.url_owner

    def owner_then_release(url: str) -> str | None:
        owner = looked(url)
        if owner == WINNER and collided.source.head(WINNER) is not None:
            collided.source.delete(WINNER)
            collided.publish(WINNER, publisher=other)  # finds nobody waiting yet
        return owner

    monkeypatch.setattr(collided.publisher.index.articles, "url_owner", owner_then_release)
    collided.publish(LOSER)
    assert collided.source.tags_of(LOSER)["publish-status"] == "published"
    assert "Bài B lần hai" in collided.site.body(PAGE)
    assert collided.index.articles.url_owner(URL) == LOSER
    assert collided.index.articles.waiting_for(URL) == []


def test_a_release_whose_re_examination_failed_is_re_examined_on_redelivery(
    collided: FakeSite, monkeypatch: pytest.MonkeyPatch
) -> None:
    current = collided.source.current
    failures = iter([True])

    def flaky(key: str, limit: int) -> SourceObject | None:
        if key == LOSER and next(failures, False):
            raise ConnectionError("S3 timed out")
        return current(key, limit)

    monkeypatch.setattr(collided.source, "current", flaky)
    collided.source.delete(WINNER)
    with pytest.raises(ConnectionError):
        collided.publish(WINNER)
    assert collided.source.tags_of(LOSER)["publish-status"] == "error"
    collided.publish(WINNER)  # the redelivery: nothing left to apply for the winner
    assert collided.source.tags_of(LOSER)["publish-status"] == "published"
    assert "Bài B" in collided.site.body(PAGE)
