"""Reasons: English for the tags and the table, the site's language for the status file.

A reason is a message id and its parameters: its text (it is a ``str``) is
the English every tag, record and older test reads; ``localized`` gives the
same sentence from a catalog, the parameters (user data) left as they are.
"""

from __future__ import annotations

import copy
import json
import pickle
from datetime import UTC, datetime

import pytest
from newsroom.configuration.site_yaml import RejectedConfig, parse_site_yaml
from newsroom.domain.article import parse_article
from newsroom.domain.errors import RejectedSource, UrlTaken
from newsroom.domain.feedback_tags import ERROR_TAG, STATUS_TAG, URL_TAG, Told, status_document, status_text
from newsroom.domain.reasons import N_, Reason, english, localized
from newsroom.domain.source_keys import classify
from newsroom.domain.word_losses import editor_warning
from newsroom.usecases.feedback import site_gettext, told
from newsroom.web.templating import translations
from newsroom_pictures import reasons as picture_reasons
from newsroom_pictures.variants import PictureRejected, prepare_picture

VI = translations("vi").gettext


def test_a_reason_is_its_english_text_and_translates_with_its_parameters_untouched() -> None:
    refusal = RejectedSource(N_("{name} must be an ISO 8601 date or date-time"), name="publish_at")
    assert refusal.reason == "publish_at must be an ISO 8601 date or date-time" == str(refusal)
    assert isinstance(refusal.reason, str) and refusal.reason.template.startswith("{name} must")
    assert refusal.localized(VI) == "publish_at phải là ngày hoặc ngày giờ theo định dạng ISO 8601"
    assert refusal.localized(english) == refusal.reason


def test_the_domains_refusals_keep_their_english_and_have_a_vietnamese_one() -> None:
    with pytest.raises(RejectedSource) as missing:
        parse_article(
            classify("articles/tin-tuc/a.md"),
            b"---\nauthor: X\n---\nText.\n",
            first_seen=datetime(2024, 4, 1, tzinfo=UTC),
            timezone="Asia/Ho_Chi_Minh",
        )
    assert missing.value.reason == "missing title: add 'title:' to the front matter or start with '# Title'"
    assert missing.value.localized(VI) == (
        "thiếu tiêu đề: hãy thêm 'title:' vào phần front matter hoặc mở đầu bài bằng '# Tiêu đề'"
    )
    taken = UrlTaken("/tin-tuc/a.html", "articles/tin-tuc/b.md")
    assert taken.reason == "the URL /tin-tuc/a.html is already used by articles/tin-tuc/b.md"
    assert taken.localized(VI) == "địa chỉ /tin-tuc/a.html đã được dùng cho articles/tin-tuc/b.md"


def test_nested_reasons_translate_with_the_sentence_around_them() -> None:
    with pytest.raises(RejectedConfig) as rejected:
        parse_site_yaml(b"name: Trang\nnmae: x\n")
    assert rejected.value.reason == (
        "site.yaml, line 2: unknown setting 'nmae' (did you mean 'name'? allowed: name, description,"
        " base_url, locale, timezone, menu, links, partners, statistics, video)"
    )
    assert rejected.value.localized(VI).startswith(
        "site.yaml, dòng 2: thiết lập 'nmae' không hợp lệ (có phải ý bạn là 'name'? chỉ được dùng: name,"
    )
    with pytest.raises(RejectedConfig) as locale:
        parse_site_yaml(b"locale: fr\n")
    assert locale.value.reason == "site.yaml, line 1: 'locale' must be vi or en, not 'fr'"
    assert locale.value.localized(VI) == "site.yaml, dòng 1: 'locale' phải là vi hoặc en, không phải 'fr'"


def test_what_a_word_file_loses_is_said_in_vietnamese_too() -> None:
    warning = editor_warning(
        "An unrecognised element was ignored: {http://schemas.openxmlformats.org/officeDocument/2006/math}oMath"
    )
    assert warning == "an equation was left out: type it as text or paste it as a picture"
    assert localized(warning or "", VI) == (
        "một công thức toán đã bị bỏ qua: hãy gõ lại dưới dạng văn bản hoặc dán dưới dạng ảnh"
    )
    assert localized("Something mammoth says one day", VI) == "Something mammoth says one day"  # kept as is


def test_the_picture_layers_reasons_translate_without_it_importing_the_core() -> None:
    with pytest.raises(PictureRejected) as rejected:
        prepare_picture(b"%PDF-1.7\n1 0 obj\n", name="media/a.jpg")
    reason = rejected.value.reason
    assert isinstance(reason, picture_reasons.Reason) and not isinstance(reason, Reason)
    assert (
        reason
        == "this file is not a picture we can publish (JPEG, PNG, WebP or HEIC): it looks like a PDF document"
    )
    assert localized(reason, VI) == (
        "tệp này không phải ảnh có thể xuất bản (JPEG, PNG, WebP hoặc HEIC): có vẻ đây là tài liệu PDF"
    )


def test_a_translation_that_does_not_fit_falls_back_to_english_and_so_does_an_unknown_locale() -> None:
    reason = Reason(N_("picture {number}"), number=3)
    assert reason.localized(lambda _: "ảnh {so}") == "picture 3"  # a placeholder the id does not have
    assert site_gettext("fr") is english
    answer = told({STATUS_TAG: "error", ERROR_TAG: reason}, "fr")
    assert (
        answer.text.locale == "en" and answer.text.error == "picture 3" and answer.text.summary == "Rejected"
    )


def test_a_template_without_parameters_is_taken_as_written_and_reasons_join() -> None:
    assert Reason("a {literal} brace") == "a {literal} brace"
    joined = Reason.joined([Reason(N_("picture {number}"), number=1), "a tool's own words"])
    assert joined == "picture 1; a tool's own words"
    assert joined.localized(VI) == "ảnh 1; a tool's own words"


def test_a_reason_survives_copies_and_pickles_and_serialises_as_its_text() -> None:
    reason = Reason(N_("unknown status '{status}' (use published or draft)"), status="{live}")
    for again in (copy.copy(reason), copy.deepcopy(reason), pickle.loads(pickle.dumps(reason))):
        assert again == reason and again.localized(VI) == reason.localized(VI)
    assert json.dumps({"error": reason}) == json.dumps(
        {"error": "unknown status '{live}' (use published or draft)"}
    )


def test_the_status_file_says_it_in_the_sites_language_and_keeps_the_english() -> None:
    tags = {STATUS_TAG: "error", URL_TAG: "/tin-tuc/a.html", ERROR_TAG: Reason(N_("syntax error"))}
    document = json.loads(status_document("articles/tin-tuc/a.md", "v1", told(tags, "vi"), tagged=False))
    assert document == {
        "source": "articles/tin-tuc/a.md",
        "version": "v1",
        "status": "error",
        "summary": "Bị từ chối – phiên bản trước vẫn được giữ tại /tin-tuc/a.html",
        "url": "/tin-tuc/a.html",
        "error": "lỗi cú pháp",
        "error_en": "syntax error",
        "locale": "vi",
        "tagged": False,
        "note": (
            "tệp đã có sẵn 10 thẻ (tag) riêng (mức tối đa S3 cho phép): hãy xóa bớt một thẻ"
            " để thấy cả các thẻ publish-* ngay trên tệp"
        ),
    }
    plain = json.loads(
        status_document("media/a.jpg", None, {STATUS_TAG: "published", URL_TAG: "/media/a.jpg"}, True)
    )
    assert plain == {
        "source": "media/a.jpg",
        "status": "published",
        "summary": "Published at /media/a.jpg",  # tags without their words: English
        "url": "/media/a.jpg",
        "locale": "en",
        "tagged": True,
    }


@pytest.mark.parametrize(
    ("tags", "at", "summary"),
    [
        ({STATUS_TAG: "published", URL_TAG: "/a.html"}, None, "Đã xuất bản tại /a.html"),
        ({STATUS_TAG: "draft", URL_TAG: "/preview/x.html"}, None, "Bản nháp – xem trước tại /preview/x.html"),
        (
            {STATUS_TAG: "scheduled", URL_TAG: "/preview/x.html"},
            "2024-05-01 08:00",
            "Đã lên lịch xuất bản lúc 2024-05-01 08:00 – xem trước tại /preview/x.html",
        ),
        ({STATUS_TAG: "error", ERROR_TAG: "x"}, None, "Bị từ chối"),
        (
            {STATUS_TAG: "published", "publish-config-version": "4"},
            None,
            "Đã áp dụng: cấu hình trang web hiện là phiên bản 4",
        ),
    ],
)
def test_each_status_has_a_line_in_vietnamese(tags: dict[str, str], at: str | None, summary: str) -> None:
    assert status_text(tags, "vi", VI, at=at).summary == summary
    assert isinstance(told(tags, "vi", at=at), Told)
