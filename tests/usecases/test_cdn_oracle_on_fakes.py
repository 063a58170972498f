"""No reader sees a stale object once a batch's invalidation is applied, with at most 3 billed items.

Readers have every object of the site cached at the edge (with the tags it was
cached with, as CloudFront keeps them) before each batch; the batch publishes,
deletes, back-dates or moves articles; its invalidation items (``#tag`` or
path, as CloudFront matches them) are applied to that cache. Whatever stays
cached must be byte for byte what the bucket holds now, and nothing the batch
removed may stay. Any sequence of batches, on in-memory fakes.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from newsroom.domain.cache_tags import tags_of
from newsroom.domain.site_paths import invalidation_paths

from tests.support.fake_site import FakeSite, fake_site
from tests.usecases.pages import md

SLUGS = ["mot", "hai", "ba", "bon", "nam"]
CATEGORIES = ["tin-tuc", "tin-tuc/tin-vifotec", "chuyen-giao-cong-nghe"]
DATES = ["2024-03-30T08:00:00+07:00", "2024-04-01T08:00:00+07:00", "2024-04-15T09:00:00+07:00"]
DATES += ["2024-04-30T23:30:00+07:00", "2024-05-02T07:00:00+07:00", "2025-01-01T00:30:00+07:00"]


@dataclass(frozen=True)
class Cached:
    """One object as the edge cached it."""

    digest: str
    tags: frozenset[str]
    uris: tuple[str, ...]


def cache_everything(site: FakeSite) -> dict[str, Cached]:
    return {
        key: Cached(o.metadata["sha256"], frozenset(tags_of(o.metadata)), tuple(invalidation_paths(key)))
        for key, o in site.site.objects.items()
    }


def matches(item: str, entry: Cached) -> bool:
    if item.startswith("#"):
        return item[1:].lower() in entry.tags
    if item.endswith("*"):
        return any(uri.startswith(item[:-1]) for uri in entry.uris)
    return item in entry.uris


def apply(cache: dict[str, Cached], items: Iterable[str]) -> dict[str, Cached]:
    wanted = list(items)
    return {key: entry for key, entry in cache.items() if not any(matches(i, entry) for i in wanted)}


def key_of(slug: str, category: str) -> str:
    return f"articles/{category}/{slug}.md"


OPERATION = st.tuples(
    st.sampled_from(["upload", "delete"]),
    st.sampled_from(SLUGS),
    st.sampled_from(CATEGORIES),
    st.sampled_from(DATES),
)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.lists(OPERATION, min_size=1, max_size=3), min_size=1, max_size=8))
def test_after_every_batch_the_edge_holds_nothing_stale_and_the_batch_bills_at_most_3_items(
    batches: list[list[tuple[str, str, str, str]]],
) -> None:
    site = fake_site()
    site.upload_and_publish(key_of("dau", "tin-tuc"), md("Bài đầu", DATES[0]))  # assets and 404 are out
    for number, batch in enumerate(batches):
        cache = cache_everything(site)
        keys: list[str] = []
        for action, slug, category, date in batch:
            key = key_of(slug, category)
            if action == "upload":  # a new article, an edit, a back-dating or a date moved forward
                site.source.upload(key, md(f"Bài {slug} {number}", date, slug=f"{slug}-{category[:3]}"))
            elif site.source.versions.get(key):
                site.source.delete(key)
            keys.append(key)
        before = len(site.cdn.created)
        site.publish(*dict.fromkeys(keys))
        items = [item for _, paths in site.cdn.created[before:] for item in paths]
        assert len(site.cdn.created) - before <= 1
        assert len(items) <= 3, items
        left = apply(cache, items)
        stale = [
            key
            for key, entry in left.items()
            if key not in site.site.objects or site.site.objects[key].metadata["sha256"] != entry.digest
        ]
        assert not stale, f"batch {number} {batch}: still cached {stale} after {items}"
