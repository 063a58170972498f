"""The fakes are ports: mypy checks each against its Protocol, and this test checks their signatures.

The use-case tests are worth something only if the fakes answer like the
adapters where the use cases rely on them, so the subtle conditions (a stale
version, a URL claimed or released, a waiting registration, the revision)
are checked here on the fakes themselves.
"""

from __future__ import annotations

import inspect
from dataclasses import replace
from datetime import UTC, datetime

import pytest
from newsroom.domain.article import Article
from newsroom.domain.errors import ConcurrentChange
from newsroom.domain.records import DELETED, PUBLISHED, IndexedArticle, Placement, StoredConfig, sort_key
from newsroom.domain.transitions import deleted, rejected
from newsroom.usecases import ports

from tests.support import fakes
from tests.support.fake_site import FakeSite, fake_site
from tests.support.fake_table import (
    FakeArticles,
    FakeConfiguration,
    FakeCounts,
    FakeFailures,
    FakeInvalidationRecords,
    FakeJobs,
    FakeListings,
    TableState,
)
from tests.support.fakes import (
    FakeInvalidations,
    FakeRedirects,
    FakeSchedules,
    FakeSearchTerms,
    FakeSiteBucket,
    FakeSourceBucket,
    FakeWorkQueue,
)

TZ = "Asia/Ho_Chi_Minh"
WHEN = datetime(2024, 6, 1, 1, 0, tzinfo=UTC)


def every_fake() -> list[tuple[type, object]]:
    """Each port with a fake of it; the annotations are what mypy checks structurally."""
    state = TableState()
    source = FakeSourceBucket()
    articles: ports.ArticleRecords = FakeArticles(state, TZ)
    listings: ports.ListingEntries = FakeListings(state, TZ)
    counts: ports.SiteCounts = FakeCounts(state)
    configuration: ports.ConfigurationRecord = FakeConfiguration(state)
    jobs: ports.JobRecords = FakeJobs(state)
    failures: ports.FailureRecords = FakeFailures(state)
    invalidation_records: ports.InvalidationRecords = FakeInvalidationRecords(state)
    source_files: ports.SourceFiles = source
    site_files: ports.SiteFiles = FakeSiteBucket(source)
    invalidations: ports.Invalidations = FakeInvalidations()
    queue: ports.WorkQueue = FakeWorkQueue()
    search: ports.SearchTerms = FakeSearchTerms()
    redirects: ports.Redirects = FakeRedirects()
    schedules: ports.Schedules = FakeSchedules()
    return [
        (ports.ArticleRecords, articles),
        (ports.ListingEntries, listings),
        (ports.SiteCounts, counts),
        (ports.ConfigurationRecord, configuration),
        (ports.Schedules, schedules),
        (ports.JobRecords, jobs),
        (ports.FailureRecords, failures),
        (ports.InvalidationRecords, invalidation_records),
        (ports.SourceFiles, source_files),
        (ports.SiteFiles, site_files),
        (ports.Invalidations, invalidations),
        (ports.WorkQueue, queue),
        (ports.SearchTerms, search),
        (ports.Redirects, redirects),
    ]


@pytest.mark.parametrize(("port", "fake"), every_fake(), ids=lambda p: getattr(p, "__name__", ""))
def test_each_fake_has_every_member_of_its_port_with_the_same_parameters(port: type, fake: object) -> None:
    members = [name for name in vars(port) if not name.startswith("_")]
    members += list(getattr(port, "__annotations__", {}))
    assert members, port
    for name in members:
        assert hasattr(fake, name), f"{type(fake).__name__} lacks {port.__name__}.{name}"
        wanted = getattr(port, name, None)
        if not callable(wanted):
            continue
        expected = [(p.name, p.kind, p.default) for p in inspect.signature(wanted).parameters.values()][1:]
        actual = [
            (p.name, p.kind, p.default) for p in inspect.signature(getattr(fake, name)).parameters.values()
        ]
        assert actual == expected, f"{type(fake).__name__}.{name}"


def test_the_wired_index_is_made_of_fakes() -> None:
    site: FakeSite = fake_site()
    assert type(site.index.articles) is FakeArticles and type(site.publisher.site) is FakeSiteBucket
    assert site.publisher.fanout is site.fanout and site.settings.timezone == TZ


def record(slug: str, version: int = 1, body: str = "<p>x</p>", when: datetime = WHEN) -> IndexedArticle:
    """A published record built by hand, as the publish use case would store it."""
    article = Article(
        source_key=f"articles/tin-tuc/{slug}.md",
        title=slug,
        slug=slug,
        category=("tin-tuc",),
        category_names=("Tin tức",),
        published_at=when,
        summary="",
        author="",
        image=None,
        tags=(),
        status=PUBLISHED,
        body_html=body,
    )
    placement = Placement(("tin-tuc",), sort_key(when, article.url))
    return IndexedArticle(article.source_key, PUBLISHED, version, when.isoformat(), article, placement, None)


def test_a_stale_before_or_a_taken_url_raises_and_moves_nothing() -> None:
    state = TableState()
    articles = FakeArticles(state, TZ)
    first = record("a")
    articles.apply(None, first)
    assert (state.revision, state.articles_count, state.url_owners) == (
        1,
        1,
        {"/tin-tuc/a.html": first.source_key},
    )
    with pytest.raises(ConcurrentChange):
        articles.apply(None, replace(first, version=2))  # it exists already
    with pytest.raises(ConcurrentChange):
        articles.apply(replace(first, version=7), replace(first, version=8))  # not the stored version
    thief = replace(record("a"), source_key="articles/tin-tuc/b.md")
    with pytest.raises(ConcurrentChange):
        articles.apply(None, thief)  # the URL is another file's
    assert (state.revision, state.articles_count, set(state.articles)) == (1, 1, {first.source_key})
    assert [e.source_key for e in FakeListings(state, TZ).latest((), 5)] == [first.source_key]


def test_a_waiting_file_registers_only_while_another_holds_the_url() -> None:
    state = TableState()
    articles = FakeArticles(state, TZ)
    winner = record("a")
    articles.apply(None, winner)
    loser = rejected(None, "articles/tin-tuc/b.md", "taken", WHEN.isoformat(), waiting_for="/tin-tuc/a.html")
    articles.apply(None, loser)
    assert articles.waiting_for("/tin-tuc/a.html") == [loser.source_key]
    gone = deleted(winner, winner.source_key, winner.first_seen)
    articles.apply(winner, gone)
    assert articles.url_owner("/tin-tuc/a.html") is None and gone.state == DELETED
    assert FakeCounts(state).stats().articles == 0 and FakeCounts(state).emptied_scopes() == [("tin-tuc",)]
    late = rejected(None, "articles/tin-tuc/c.md", "taken", WHEN.isoformat(), waiting_for="/tin-tuc/a.html")
    with pytest.raises(ConcurrentChange):
        articles.apply(None, late)  # nobody holds it any more: the retry must find it free
    assert articles.waiting_for("/tin-tuc/a.html") == [loser.source_key]


def test_a_configuration_put_on_a_stale_version_raises_and_a_good_one_moves_the_revision() -> None:
    state = TableState()
    configuration = FakeConfiguration(state)
    first = StoredConfig(1, b"name: A\n", None)
    configuration.put(None, first)
    with pytest.raises(ConcurrentChange):
        configuration.put(None, StoredConfig(1, b"name: B\n", None))
    with pytest.raises(ConcurrentChange):
        configuration.put(StoredConfig(5, None, None), StoredConfig(6, b"name: B\n", None))
    configuration.put(first, StoredConfig(2, b"name: B\n", None))
    assert (FakeCounts(state).revision(), configuration.current()) == (2, StoredConfig(2, b"name: B\n", None))


def test_tags_keep_the_editors_and_report_when_ours_do_not_fit() -> None:
    source = FakeSourceBucket()
    full = source.upload("articles/x.md", "x", {f"t{n}": "v" for n in range(9)})
    assert (
        source.tag("articles/x.md", full, {"publish-status": "published", "publish-url": "/x.html"}) is False
    )
    assert source.tags_of("articles/x.md") == {
        **{f"t{n}": "v" for n in range(9)},
        "publish-status": "published",
    }
    assert source.tag("articles/x.md", "no-such-version", {"publish-status": "error"}) is True
    with pytest.raises(ValueError, match="at most 10 tags"):
        source.upload("articles/y.md", "y", {f"t{n}": "v" for n in range(11)})


def test_a_term_read_is_bounded_and_reads_title_matches_first(monkeypatch: pytest.MonkeyPatch) -> None:
    """As the search table's query (descending, ``T#`` after ``B#``), capped at ``PER_TERM`` items."""
    search = FakeSearchTerms()
    in_title = record("hoi-nghi")
    in_body = record("khac", body="<p>hội nghị</p>", when=WHEN.replace(year=2025))  # newer
    search.sync(in_title)
    search.sync(in_body)
    assert [h.url for h in search.search(["nghi"])] == ["/tin-tuc/hoi-nghi.html", "/tin-tuc/khac.html"]
    monkeypatch.setattr(fakes, "PER_TERM", 1)
    assert [h.url for h in search.search(["nghi"])] == ["/tin-tuc/hoi-nghi.html"]
