"""A whole deployment on fakes: the publish, fan-out and search use cases wired as ``wiring.assembly`` does.

Built from the same environment the settings tests use, so the use cases run
with the deployment's base URL, locale and timezone, and without moto or any
AWS client: a use-case test takes milliseconds.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime

from newsroom.configuration.settings import SearchSettings, Settings
from newsroom.usecases.fanout import ChunkReport, Fanout
from newsroom.usecases.ingest import Ingested
from newsroom.usecases.ports import ContentIndex
from newsroom.usecases.publish import BatchReport, Publisher
from newsroom.usecases.search import SearchService
from newsroom.usecases.site_render import ContextLoader

from tests.support.environment import SETTINGS_ENVIRONMENT
from tests.support.fake_table import TableState, fake_content_index
from tests.support.fakes import (
    FakeInvalidations,
    FakeRedirects,
    FakeSchedules,
    FakeSearchTerms,
    FakeSiteBucket,
    FakeSourceBucket,
    FakeWorkQueue,
    Journal,
)

MAX_DRAINED = 1000
"""Render-queue messages a drain runs at most (a plan that kept re-planning would loop)."""


@dataclass
class Batch:
    """What one publish batch did: as ``handle_batch`` runs it, ingest, then render, then tell."""

    ingested: list[Ingested]
    report: BatchReport
    untagged: list[str]


@dataclass
class FakeSite:
    """The fakes, and the use cases built on them (one container's worth)."""

    settings: Settings
    state: TableState
    index: ContentIndex
    source: FakeSourceBucket
    site: FakeSiteBucket
    cdn: FakeInvalidations
    queue: FakeWorkQueue
    search_terms: FakeSearchTerms
    redirects: FakeRedirects
    publisher: Publisher
    fanout: Fanout
    search: SearchService
    schedules: FakeSchedules = field(default_factory=FakeSchedules)
    journal: Journal = field(default_factory=list)

    def another_publisher(self) -> Publisher:
        """A second container's publisher on the same stores (its own clients, caches and references)."""
        index, _ = fake_content_index(self.settings.timezone, self.state)
        return _publisher(
            self.settings,
            index,
            self.source,
            self.site,
            self.cdn,
            self.fanout,
            self.redirects,
            self.search_terms,
            self.schedules,
        )

    def publish(self, *keys: str, publisher: Publisher | None = None, now: datetime | None = None) -> Batch:
        """Deliver one batch of events for ``keys``: ingest each, render once, then tag."""
        worker = publisher or self.publisher
        ingested = [worker.ingest(key, now=now) for key in keys]
        report = worker.render(ingested)
        return Batch(ingested, report, worker.tell(ingested))

    def upload_and_publish(self, key: str, body: bytes | str, tags: Mapping[str, str] | None = None) -> Batch:
        """An editor's upload and the batch its event starts."""
        self.source.upload(key, body, tags)
        return self.publish(key)

    def delete_and_publish(self, key: str) -> Batch:
        """An editor's delete and the batch its event starts."""
        self.source.delete(key)
        return self.publish(key)

    def fire_schedules(self, now: datetime) -> Batch:
        """Advance the scheduler's clock to ``now``: what fell due is delivered as one batch."""
        ingested = [
            self.publisher.ingest(key, now=max(now, at), version=version)
            for key, _, at, version in self.schedules.due(now)
        ]
        report = self.publisher.render(ingested)
        return Batch(ingested, report, self.publisher.tell(ingested))

    def drain_render_queue(self) -> list[ChunkReport]:
        """Run render-queue messages (plans, then the chunks they send) until none is left."""
        reports: list[ChunkReport] = []
        for _ in range(MAX_DRAINED):
            body = self.queue.receive()
            if body is None:
                return reports
            report = self.fanout.handle(body)
            if report is not None:
                reports.append(report)
        raise AssertionError(f"the render queue still held messages after {MAX_DRAINED}")


def _publisher(
    settings: Settings,
    index: ContentIndex,
    source: FakeSourceBucket,
    site: FakeSiteBucket,
    cdn: FakeInvalidations,
    fanout: Fanout,
    redirects: FakeRedirects,
    search: FakeSearchTerms,
    schedules: FakeSchedules,
) -> Publisher:
    """A publisher as ``build_publisher`` makes it, with its own configuration cache."""
    return Publisher(
        settings=settings,
        index=index,
        source=source,
        site=site,
        invalidator=cdn,
        fanout=fanout,
        context=ContextLoader(index, settings),
        redirects=redirects,
        search=search,
        schedules=schedules,
    )


def fake_site(environment: Mapping[str, str] = SETTINGS_ENVIRONMENT) -> FakeSite:
    """A deployment on fakes, configured from ``environment`` (default: the tests' complete one)."""
    settings = Settings.from_environment(environment)
    journal: Journal = []
    index, state = fake_content_index(settings.timezone)
    source = FakeSourceBucket(settings.source_bucket, journal)
    site = FakeSiteBucket(source, journal)
    cdn = FakeInvalidations(journal)
    queue = FakeWorkQueue()
    search_terms = FakeSearchTerms()
    redirects = FakeRedirects()
    schedules = FakeSchedules()
    context = ContextLoader(index, settings)
    fanout = Fanout(index, site, source, cdn, queue, context, search_terms, redirects=redirects)
    publisher = _publisher(settings, index, source, site, cdn, fanout, redirects, search_terms, schedules)
    search = SearchService(SearchSettings.from_environment(environment), index, search_terms)
    return FakeSite(
        settings=settings,
        state=state,
        index=index,
        source=source,
        site=site,
        cdn=cdn,
        queue=queue,
        search_terms=search_terms,
        redirects=redirects,
        publisher=publisher,
        fanout=fanout,
        search=search,
        schedules=schedules,
        journal=journal,
    )
