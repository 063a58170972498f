"""Source keys from events, and editor feedback tags."""

from __future__ import annotations

import pytest
from newsroom.domain.errors import RejectedSource
from newsroom.domain.feedback_tags import MAX_TAGS, merge_tags, tag_value
from newsroom.domain.source_keys import SourceKind, classify, decode_event_key


def test_event_keys_are_form_decoded_and_otherwise_kept_exactly() -> None:
    assert (
        decode_event_key("articles%2Ftin-tuc%2FH%E1%BB%99i+ngh%E1%BB%8B.md") == "articles/tin-tuc/Hội nghị.md"
    )
    nfd = "articles/Ho\u0302\u0323i.md"  # as a Mac saves it: S3 stores (and finds) exactly these code points
    assert decode_event_key("articles/Ho%CC%82%CC%A3i.md") == nfd
    assert decode_event_key("articles/a%2Bb.md") == "articles/a+b.md"


@pytest.mark.parametrize(
    ("key", "reason"),
    [
        ("articles/../site/x.md", "'..'"),
        ("articles//x.md", "empty"),
        ("articles/./x.md", "'.'"),
        ("articles/.hidden.md", "hidden"),
        ("articles\\x.md", "backslash"),
        ("articles/x\u202e.md", "control"),
        ("other/x.md", "outside"),
        ("articles/x.doc", "Word"),
        ("media/x.svg", "unsupported media"),
        ("articles", "folder"),
    ],
)
def test_keys_that_escape_or_do_not_fit_are_refused(key: str, reason: str) -> None:
    with pytest.raises(RejectedSource, match=reason):
        classify(key)


def test_classify_kinds() -> None:
    assert classify("articles/tin-tuc/a.md").kind is SourceKind.ARTICLE
    assert classify("media/a.JPG").kind is SourceKind.MEDIA
    assert classify("site/site.yaml").kind is SourceKind.SITE


def test_tag_values_hold_only_what_s3_accepts() -> None:
    value = tag_value('Ngày "x" <script>alert(1)</script> sai: /tin-tuc/a.html ' + "z" * 400)
    assert value.startswith("Ngay x script alert 1 /script sai: /tin-tuc/a.html")
    assert len(value) <= 256
    assert all(ch.isalnum() or ch in " _.:/=+-@" for ch in value)


def test_editor_tags_are_kept_and_ours_replaced() -> None:
    existing = [{"Key": "owner", "Value": "lan"}, {"Key": "publish-status", "Value": "error"}]
    merged = merge_tags(existing, {"publish-status": "published", "publish-url": "/a.html"})
    assert merged == [
        {"Key": "owner", "Value": "lan"},
        {"Key": "publish-status", "Value": "published"},
        {"Key": "publish-url", "Value": "/a.html"},
    ]


def test_a_full_tag_set_keeps_every_editor_tag() -> None:
    existing = [{"Key": f"k{i}", "Value": "v"} for i in range(9)]
    merged = merge_tags(existing, {"publish-status": "error", "publish-url": "/a", "publish-error": "x"})
    assert len(merged) == MAX_TAGS
    assert merged[-1] == {"Key": "publish-status", "Value": "error"}
