"""The oracle: random uploads, re-uploads, deletes and configuration changes, delivered
late, twice and out of order to two interleaved workers, end in the site a rebuild
from scratch produces, and in an index that says what the source bucket says.

Hypothesis chooses the operations, which events each delivery carries (any of
those sent so far, so duplicates and reordering), their order, and which of
two workers (two publishers, each with its own caches) takes the batch. It
runs over in-process moto, so a failing example replays exactly.
``NEWSROOM_ORACLE_EXAMPLES`` sets how many examples run (default 30, about a minute; CI can raise it).
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st
from newsroom.configuration.settings import Settings
from newsroom.usecases.fanout import Fanout
from newsroom.usecases.publish import Publisher
from newsroom.wiring.assembly import Clients, build_fanout, build_publisher

from tests.support.in_process import drain_render_queue, in_process_site, rebuilt_from_scratch, site_objects
from tests.support.oracle import CATEGORIES_YAML, article, assert_table_matches_source, edit
from tests.support.summary import count, note

ROOT = Path(__file__).resolve().parents[2]
EXAMPLES = int(os.environ.get("NEWSROOM_ORACLE_EXAMPLES", "30"))


@dataclass
class World:
    """The source bucket's history and the events it sent."""

    settings: Settings
    clients: Clients
    workers: tuple[Publisher, Publisher]
    fanout: Fanout
    events: list[tuple[str, str | None]] = field(default_factory=list)
    undelivered: set[int] = field(default_factory=set)
    sequencers: dict[str, int] = field(default_factory=dict)

    def change(self, key: str, body: bytes | None) -> None:
        s3 = self.clients.s3
        if body is None:
            s3.delete_object(Bucket=self.settings.source_bucket, Key=key)
        else:
            s3.put_object(Bucket=self.settings.source_bucket, Key=key, Body=body)
        self.sequencers[key] = self.sequencers.get(key, 0) + 1
        self.events.append((key, f"{self.sequencers[key]:016X}"))
        self.undelivered.add(len(self.events) - 1)

    def deliver(self, picks: list[int], worker: int) -> None:
        if not self.events:
            return
        chosen = [pick % len(self.events) for pick in picks]
        self.undelivered.difference_update(chosen)
        publisher = self.workers[worker]
        publisher.render([publisher.ingest(*self.events[i]) for i in chosen])
        self.drain_render_queue()

    def drain_render_queue(self) -> None:
        drain_render_queue(self.fanout, self.clients, self.settings)

    def site(self) -> dict[str, bytes]:
        return site_objects(self.clients, self.settings)


operation = st.one_of(
    edit,
    st.tuples(st.just("deliver"), st.lists(st.integers(0, 99), min_size=1, max_size=6), st.integers(0, 1)),
)


@settings(
    max_examples=EXAMPLES,
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(steps=st.lists(operation, min_size=2, max_size=14), last_order=st.randoms(use_true_random=False))
def test_any_delivery_ends_in_the_site_a_rebuild_produces(
    monkeypatch: pytest.MonkeyPatch, steps: list[tuple[Any, ...]], last_order: Any
) -> None:
    # With no change at all no function ever runs, and there is no site to compare.
    assume(any(step[0] != "deliver" for step in steps))
    with in_process_site(monkeypatch) as (settings_, clients):
        world = World(
            settings_,
            clients,
            (build_publisher(settings_, clients), build_publisher(settings_, clients)),
            build_fanout(settings_, clients),
        )
        for step in steps:
            if step[0] == "put":
                world.change(step[1], article(*step[1:]))
            elif step[0] == "delete":
                world.change(step[1], None)
            elif step[0] == "config":
                world.change("site/categories.yaml", CATEGORIES_YAML[step[1]])
            else:
                world.deliver(step[1], step[2])
        # Every event reaches some worker at least once, in an order hypothesis chose.
        rest = sorted(world.undelivered)
        last_order.shuffle(rest)
        if rest:
            world.deliver(rest, 0)
        world.drain_render_queue()

        # 1. The table says what the source bucket says.
        assert_table_matches_source(world.workers[0].index, clients, settings_)

        # 2. The site is what a rebuild from scratch produces, byte for byte.
        incremental = world.site()
        assert rebuilt_from_scratch(clients, settings_, "rebuild-oracle") == incremental
        note("batch-interleaved oracle", workers=len(world.workers))
        count("batch-interleaved oracle", examples=1, steps=len(steps))
