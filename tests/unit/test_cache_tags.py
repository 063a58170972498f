"""The few items that invalidate a batch: ``#lists``, its article tags or ``#pages``, untagged paths."""

from __future__ import annotations

from newsroom.domain.cache_tags import article_tag, invalidation_items, tag_metadata, tags_of


def test_an_article_page_is_tagged_by_category_and_month_and_every_page_tag_is_valid() -> None:
    tag = article_tag(("tin-tuc", "tin-vifotec"), "2024-06")
    assert tag == "a:tin-tuc/tin-vifotec:2024-06"
    assert all(33 <= ord(c) <= 126 and c != "," for c in tag) and len(tag) <= 256
    assert tags_of(tag_metadata(tag, "pages")) == {tag, "pages"}
    assert tags_of({"cache-tag": " Lists , pages,"}) == {"lists", "pages"}  # case-insensitive, as CloudFront


def test_a_batch_sends_lists_and_up_to_two_article_tags_then_pages_instead() -> None:
    one, two, three = (article_tag(("tin-tuc",), month) for month in ("2024-04", "2024-05", "2024-06"))
    assert invalidation_items({"lists", one, "pages"}, []) == ["#a:tin-tuc:2024-04", "#lists"]
    assert invalidation_items({"lists", one, two, "pages"}, []) == [f"#{one}", f"#{two}", "#lists"]
    assert invalidation_items({"lists", one, two, three, "pages"}, []) == ["#lists", "#pages"]
    assert invalidation_items({"lists"}, ["/404.html"]) == ["#lists", "/404.html"]
    assert invalidation_items(set(), []) == []
