"""The publisher's decisions as a specification: what a record becomes, which counts move."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime, timedelta, timezone

from newsroom.domain.article import Article
from newsroom.domain.records import DELETED, PUBLISHED, REJECTED, IndexedArticle, Placement
from newsroom.domain.transitions import (
    MAX_ALIASES,
    articles_delta,
    count_moves,
    deleted,
    error_tags,
    feedback_tags,
    is_older,
    latest,
    left_url,
    rejected,
    released_url,
    uploaded,
)

TZ = "Asia/Ho_Chi_Minh"
HANOI = timezone(timedelta(hours=7))
KEY = "articles/tin-tuc/hoat-dong/a.md"
SEEN = "2024-04-01T00:00:00+00:00"


def article(
    slug: str = "a",
    category: tuple[str, ...] = ("tin-tuc", "hoat-dong"),
    when: datetime = datetime(2024, 4, 28, 8, 30, tzinfo=HANOI),
    status: str = PUBLISHED,
) -> Article:
    names = tuple(part.title() for part in category)
    return Article(KEY, "Hội nghị", slug, category, names, when, "", "", None, (), status, "<p>x</p>")


def test_a_first_upload_is_listed_where_its_category_and_date_put_it() -> None:
    record = uploaded(None, KEY, article(), SEEN)
    assert (record.state, record.version, record.first_seen) == (PUBLISHED, 1, SEEN)
    assert record.placement == Placement(
        ("tin-tuc", "hoat-dong"), "2024-04-28T01:30:00Z#/tin-tuc/hoat-dong/a.html"
    )
    assert (record.previous, record.aliases, record.error) == (None, (), None)


def test_a_draft_is_recorded_but_listed_nowhere() -> None:
    record = uploaded(None, KEY, article(status="draft"), SEEN)
    assert (record.state, record.placement) == ("draft", None)
    assert record.article is not None


def test_a_move_remembers_the_old_place_and_redirects_the_old_url() -> None:
    first = uploaded(None, KEY, article(), SEEN)
    moved = uploaded(first, KEY, article(slug="b", category=("tin-tuc",)), SEEN)
    assert moved.version == 2
    assert moved.previous == first.placement
    assert moved.aliases == ("/tin-tuc/hoat-dong/a.html",)
    back = uploaded(moved, KEY, article(), SEEN)  # moved back: its URL is no alias of itself
    assert back.aliases == ("/tin-tuc/b.html",)


def test_aliases_are_capped_oldest_first() -> None:
    record = uploaded(None, KEY, article(slug="s0"), SEEN)
    for n in range(1, MAX_ALIASES + 5):
        record = uploaded(record, KEY, article(slug=f"s{n}"), SEEN)
    assert len(record.aliases) == MAX_ALIASES
    assert record.aliases[-1] == f"/tin-tuc/hoat-dong/s{MAX_ALIASES + 3}.html"
    assert "/tin-tuc/hoat-dong/s0.html" not in record.aliases


def test_an_edit_in_place_keeps_the_placement_and_the_previous_one() -> None:
    first = uploaded(None, KEY, article(), SEEN)
    moved = uploaded(first, KEY, article(slug="b"), SEEN)
    edited = uploaded(moved, KEY, replace(article(slug="b"), title="Hội nghị (sửa)"), SEEN)
    assert edited.placement == moved.placement
    assert edited.previous == first.placement  # a retry still repairs the old neighbourhood


def test_a_delete_unlists_and_remembers_where_the_article_was() -> None:
    first = uploaded(None, KEY, article(), SEEN)
    gone = deleted(first, KEY, first.first_seen)
    assert (gone.state, gone.placement, gone.article, gone.version) == (DELETED, None, None, 2)
    assert gone.previous == first.placement


def test_a_broken_re_upload_keeps_the_published_page_and_says_why() -> None:
    first = uploaded(None, KEY, article(), SEEN)
    broken = rejected(first, KEY, "the front matter is not YAML", SEEN)
    assert (broken.state, broken.placement, broken.article) == (PUBLISHED, first.placement, first.article)
    assert (broken.version, broken.error) == (2, "the front matter is not YAML")
    assert feedback_tags(broken) == {
        "publish-status": "error",
        "publish-url": "/tin-tuc/hoat-dong/a.html",
        "publish-error": "the front matter is not YAML",
    }


def test_a_file_refused_from_the_start_is_rejected_and_may_wait_for_a_url() -> None:
    refused = rejected(None, KEY, "the URL /a.html is already used by b.md", SEEN, waiting_for="/a.html")
    assert (refused.state, refused.placement, refused.waiting_for) == (REJECTED, None, "/a.html")
    assert feedback_tags(refused) == {"publish-status": "error", "publish-error": refused.error}
    assert error_tags("bad") == {"publish-status": "error", "publish-error": "bad"}


def test_counts_move_for_every_scope_and_month_and_net_out_on_an_edit() -> None:
    first = uploaded(None, KEY, article(), SEEN)
    assert count_moves(None, first, TZ) == {
        ((), "2024-04"): 1,
        (("tin-tuc",), "2024-04"): 1,
        (("tin-tuc", "hoat-dong"), "2024-04"): 1,
        (("tin-tuc",), None): 1,
        (("tin-tuc", "hoat-dong"), None): 1,
    }
    edited = uploaded(first, KEY, replace(article(), title="Khác"), SEEN)
    assert count_moves(first, edited, TZ) == {}
    assert articles_delta(first, edited) == 0


def test_a_move_across_categories_and_months_moves_only_what_changed() -> None:
    first = uploaded(None, KEY, article(), SEEN)
    later = datetime(2024, 5, 1, 0, 30, tzinfo=HANOI)  # still April in UTC: May in the site's calendar
    moved = uploaded(first, KEY, article(category=("tin-tuc", "khac"), when=later), SEEN)
    assert count_moves(first, moved, TZ) == {
        ((), "2024-04"): -1,
        (("tin-tuc",), "2024-04"): -1,
        (("tin-tuc", "hoat-dong"), "2024-04"): -1,
        (("tin-tuc", "hoat-dong"), None): -1,
        ((), "2024-05"): 1,
        (("tin-tuc",), "2024-05"): 1,
        (("tin-tuc", "khac"), "2024-05"): 1,
        (("tin-tuc", "khac"), None): 1,
    }


def test_the_article_count_moves_only_when_an_article_appears_or_disappears() -> None:
    first = uploaded(None, KEY, article(), SEEN)
    assert articles_delta(None, first) == 1
    assert articles_delta(first, deleted(first, KEY, SEEN)) == -1
    assert articles_delta(first, rejected(first, KEY, "x", SEEN)) == 0
    assert articles_delta(None, uploaded(None, KEY, article(status="draft"), SEEN)) == 0


def test_the_url_a_change_releases() -> None:
    first = uploaded(None, KEY, article(), SEEN)
    moved = uploaded(first, KEY, article(slug="b"), SEEN)
    assert released_url(first, moved) == "/tin-tuc/hoat-dong/a.html"
    assert released_url(first, deleted(first, KEY, SEEN)) == "/tin-tuc/hoat-dong/a.html"
    assert (
        released_url(first, uploaded(first, KEY, article(status="draft"), SEEN))
        == "/tin-tuc/hoat-dong/a.html"
    )
    assert released_url(first, replace(moved, placement=first.placement)) is None
    assert released_url(None, first) is None
    assert left_url(moved) == "/tin-tuc/hoat-dong/a.html"  # a redelivery finds it from the record alone
    assert left_url(first) is None


def test_event_order_follows_s3_sequencers() -> None:
    assert is_older("0066D2F4A1B2C3D4E4", "0066D2F4A1B2C3D4E5")
    assert not is_older("0066D2F4A1B2C3D4E5", "0066D2F4A1B2C3D4E5")
    assert is_older("0066D2F4A1B2C3D4E5", "0066D2F4A1B2C3D4E501")  # shorter: padded with zeros
    assert not is_older(None, "0066D2F4A1B2C3D4E5")
    record = IndexedArticle(KEY, PUBLISHED, 1, SEEN, None, None, None, sequencer="0066D2F4A1B2C3D4E5")
    assert latest("0066D2F4A1B2C3D4E6", record) == "0066D2F4A1B2C3D4E6"
    assert latest("0066D2F4A1B2C3D4E4", record) == "0066D2F4A1B2C3D4E5"
    assert latest(None, record) == "0066D2F4A1B2C3D4E5"
    assert latest("0066D2F4A1B2C3D4E4", None) == "0066D2F4A1B2C3D4E4"
