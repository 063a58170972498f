"""S3 events arrive in any order: the last applied sequencer per key wins, and without
sequencers (moto) the key's current state decides."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from newsroom.domain.transitions import is_older, latest, sequencer_order

from local.stack import LocalStack
from tests.support.site import article_md, fetch, local_site, publisher_for

KEY = "articles/tin-tuc/thu-tu.md"
URL = "/tin-tuc/thu-tu.html"


@pytest.fixture
def stack() -> Iterator[LocalStack]:
    with local_site() as s:
        yield s


def test_sequencers_compare_after_padding_the_shorter_with_zeros_on_the_right() -> None:
    assert sequencer_order("0A") == sequencer_order("0A00")
    assert is_older("0A", "0A1")  # 0A0 < 0A1
    assert not is_older("0B", "0A1F")
    assert not is_older("0055", "0055")  # the same event again is not older: it is re-applied
    assert not is_older(None, "0055") and not is_older("0055", None)
    assert latest("0066", None) == "0066"


def test_an_old_put_delivered_after_the_delete_does_not_resurrect_the_article(stack: LocalStack) -> None:
    publisher = publisher_for(stack)
    stack.client("s3").put_object(
        Bucket=stack.source_bucket, Key=KEY, Body=article_md("Bài", "2024-06-01").encode()
    )
    publisher.render([publisher.ingest(KEY, "005F0A1B2C")])
    assert fetch(stack.site_url + URL)[0] == 200
    stack.client("s3").delete_object(Bucket=stack.source_bucket, Key=KEY)
    publisher.render([publisher.ingest(KEY, "005F0A1B2D")])
    assert fetch(stack.site_url + URL)[0] == 404

    # The PUT's event again, late: dropped on its sequencer, without reading S3.
    late = publisher.ingest(KEY, "005F0A1B2C")
    assert late.stale and late.record is None
    publisher.render([late])
    assert fetch(stack.site_url + URL)[0] == 404
    record = publisher.index.articles.get(KEY)
    assert record is not None and record.state == "deleted" and record.sequencer == "005F0A1B2D"


def test_without_sequencers_the_current_state_decides_in_any_order(stack: LocalStack) -> None:
    publisher = publisher_for(stack)
    s3 = stack.client("s3")
    s3.put_object(Bucket=stack.source_bucket, Key=KEY, Body=article_md("Bài", "2024-06-01").encode())
    s3.delete_object(Bucket=stack.source_bucket, Key=KEY)
    # Both events, delete first then put (reordered), no sequencer: the key is deleted, so nothing appears.
    publisher.render([publisher.ingest(KEY), publisher.ingest(KEY)])
    assert fetch(stack.site_url + URL)[0] == 404
    assert publisher.index.articles.get(KEY) is None  # a delete of something never published
