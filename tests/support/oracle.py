"""What the oracles share: the editors' material and what the table must say afterwards.

The table is checked against the source bucket alone (what a rebuild of the
index from scratch would store): the published set and URLs, the site count,
every category's count, the months of home and the home listing.
"""

from __future__ import annotations

import json
import unicodedata
from collections import Counter
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any
from urllib.parse import quote_plus

from hypothesis import strategies as st
from newsroom.configuration.settings import Settings
from newsroom.domain.article import parse_article
from newsroom.domain.records import month_of, scopes, sort_key
from newsroom.domain.source_keys import classify
from newsroom.usecases.ports import ContentIndex
from newsroom.wiring.assembly import Clients

# The third is named as a Mac saves it (NFD, with a space): S3 events carry it
# form-encoded, and it must be read back exactly as stored.
KEYS = (
    "articles/tin-tuc/a.md",
    "articles/tin-tuc/b.md",
    unicodedata.normalize("NFD", "articles/chuyen-giao/Hội thảo c.md"),
)
DATES = ("2024-05-30T08:00:00+07:00", "2024-06-02T08:00:00+07:00", "2024-06-20T08:00:00+07:00")
CATEGORIES_YAML = (
    b"- {slug: tin-tuc, name: Tin t\xe1\xbb\xa9c}\n",
    b"- {slug: chuyen-giao, name: Chuy\xe1\xbb\x83n giao}\n- {slug: tin-tuc, name: Tin}\n",
)
FIRST_SEEN = datetime(2024, 1, 1, tzinfo=UTC)


def article(key: str, title: int, date: int, moved: bool, renamed: bool, draft: bool) -> bytes:
    """An article of one of the test's keys, in any of the forms the oracles upload."""
    stem = key.rsplit("/", 1)[1].removesuffix(".md")
    fields = [f"title: {json.dumps(['Hội nghị', 'Tập huấn'][title] + ' ' + stem, ensure_ascii=False)}"]
    fields.append(f"date: {DATES[date]}")
    if moved:
        fields.append("category: Sở hữu trí tuệ")
    if renamed:
        fields.append(f"slug: {stem}-moi")
    if draft:
        fields.append("status: draft")
    return ("---\n" + "\n".join(fields) + "\n---\nNội dung bài viết.\n").encode()


@dataclass
class Message:
    """One SQS message carrying one S3 event."""

    id: str
    key: str
    sequencer: str
    receives: int = 0

    def record(self, bucket: str) -> dict[str, Any]:
        self.receives += 1
        body = {
            "Records": [
                {
                    "eventVersion": "2.1",
                    "eventSource": "aws:s3",
                    "eventName": "ObjectCreated:Put",
                    "s3": {
                        "bucket": {"name": bucket},
                        "object": {"key": quote_plus(self.key, safe="/"), "sequencer": self.sequencer},
                    },
                }
            ]
        }
        return {
            "messageId": self.id,
            "receiptHandle": self.id,
            "body": json.dumps(body),
            "attributes": {"ApproximateReceiveCount": str(self.receives)},
            "messageAttributes": {},
            "md5OfBody": "",
            "eventSource": "aws:sqs",
            "eventSourceARN": "arn:aws:sqs:us-east-1:123456789012:publish",
            "awsRegion": "us-east-1",
        }


edit = st.one_of(
    st.tuples(
        st.just("put"),
        st.sampled_from(KEYS),
        st.integers(0, 1),
        st.integers(0, 2),
        st.booleans(),
        st.booleans(),
        st.booleans(),
    ),
    st.tuples(st.just("delete"), st.sampled_from(KEYS)),
    st.tuples(st.just("config"), st.integers(0, 1)),
)
"""An editor's change: (re-)upload one of the keys in some form, delete it, or change categories.yaml."""


def assert_table_matches_source(index: ContentIndex, clients: Clients, settings: Settings) -> None:
    """The table holds exactly what parsing the source bucket's articles gives."""
    s3 = clients.s3
    expected: dict[str, str] = {}
    categories: Counter[tuple[str, ...]] = Counter()
    months: Counter[str] = Counter()
    for key in KEYS:
        try:
            body = s3.get_object(Bucket=settings.source_bucket, Key=key)["Body"].read()
        except s3.exceptions.NoSuchKey:
            continue
        parsed = parse_article(classify(key), body, first_seen=FIRST_SEEN, timezone=settings.timezone)
        if parsed.status != "published":
            continue
        expected[key] = parsed.url
        categories.update(scope for scope in scopes(parsed.category) if scope)
        months[month_of(sort_key(parsed.published_at, parsed.url), settings.timezone)] += 1
    published = {}
    for key in KEYS:
        record = index.articles.get(key)
        if record is not None and record.state == "published" and record.article is not None:
            published[key] = record.article.url
    assert published == expected
    assert index.counts.stats().articles == len(expected)
    assert index.counts.scope_counts() == dict(categories)
    assert dict(index.counts.months(())) == dict(months)
    assert sorted(e.source_key for e in index.listings.latest((), 50)) == sorted(expected)
