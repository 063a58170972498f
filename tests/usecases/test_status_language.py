"""The status file tells the editor in the site's language; the tags keep their English.

The reference site is Vietnamese (``SITE_LOCALE=vi``): a refused Markdown
file, what a Word file lost, a refused ``site.yaml`` and a refused picture
are explained in Vietnamese in ``status/<key>.json``, the English reason
beside it (``error_en``) and on the ``publish-error`` tag as before. A
``site.yaml`` that sets ``locale: en`` switches the status files to English
from then on.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from newsroom.domain.records import StoredConfig
from newsroom.usecases.feedback import SiteLocale
from newsroom.usecases.pictures import PictureWorker
from newsroom_pictures.variants import prepare_picture

from tests.support.fake_site import FakeSite
from tests.support.fake_table import FakePictures
from tests.support.fakes import FakeWorkQueue
from tests.support.word_files import news_docx

UNTITLED = "articles/tin-tuc/khong-tieu-de.md"
WORD = "articles/tin-tuc/hoi-thao.docx"
MISSING_TITLE = "missing title: add 'title:' to the front matter or start with '# Title'"


def test_a_markdown_file_without_a_title_is_refused_in_vietnamese_and_tagged_in_english(
    site: FakeSite,
) -> None:
    version = site.source.upload(UNTITLED, "---\nauthor: Phòng Văn hóa\n---\nChỉ có nội dung.\n".encode())
    site.publish(UNTITLED)
    assert site.source.tags_of(UNTITLED) == {
        "publish-status": "error",
        "publish-error": "missing title: add title: to the front matter or start with Title",  # folded for S3
    }
    record = site.index.articles.get(UNTITLED)
    assert record is not None and record.error == MISSING_TITLE  # the table keeps the English
    assert site.source.status_of(UNTITLED) == {
        "source": UNTITLED,
        "version": version,
        "status": "error",
        "summary": "Bị từ chối",
        "error": "thiếu tiêu đề: hãy thêm 'title:' vào phần front matter hoặc mở đầu bài bằng '# Tiêu đề'",
        "error_en": MISSING_TITLE,
        "locale": "vi",
        "tagged": True,
    }
    site.publish(UNTITLED)  # delivered again: the stored refusal is found again, and still translated
    status = site.source.status_of(UNTITLED)
    assert status is not None and status["error"].startswith("thiếu tiêu đề")


def test_what_a_word_file_loses_is_told_in_vietnamese_while_it_is_published(site: FakeSite) -> None:
    site.upload_and_publish(WORD, news_docx(vector="wmf", pictures=0))
    tags = site.source.tags_of(WORD)
    assert tags["publish-status"] == "published"
    assert tags["publish-error"] == (
        "picture 1 So do to chuc is a WMF drawing which browsers cannot show: it was left out paste it as PNG or JPEG"
    )
    status = site.source.status_of(WORD)
    assert status is not None
    assert status["summary"] == "Đã xuất bản tại /tin-tuc/hoi-thao.html, kèm cảnh báo (xem mục error)"
    assert status["error"] == (
        "ảnh 1 ('Sơ đồ tổ chức') là hình vẽ WMF, trình duyệt không hiển thị được: đã bị bỏ qua;"
        " hãy dán lại dưới dạng PNG hoặc JPEG"
    )
    assert status["error_en"] == (
        "picture 1 ('Sơ đồ tổ chức') is a WMF drawing, which browsers cannot show: it was left out;"
        " paste it as PNG or JPEG"
    )


def test_a_scheduled_article_is_told_when_it_goes_live_in_the_sites_time(site: FakeSite) -> None:
    soon = (datetime.now(UTC) + timedelta(days=30)).replace(microsecond=0)
    key = "articles/tin-tuc/sap-dang.md"
    site.upload_and_publish(key, f"---\ntitle: Sắp đăng\npublish_at: '{soon.isoformat()}'\n---\nNội dung.\n")
    assert site.source.tags_of(key)["publish-status"] == "scheduled"
    status = site.source.status_of(key)
    assert status is not None and "error" not in status
    local = soon.astimezone(ZoneInfo("Asia/Ho_Chi_Minh")).strftime("%Y-%m-%d %H:%M")
    assert status["summary"] == f"Đã lên lịch xuất bản lúc {local} – xem trước tại {status['url']}"


def test_the_configurations_locale_decides_the_language_of_the_next_status_files(site: FakeSite) -> None:
    site.upload_and_publish("site/site.yaml", "nmae: Cổng thông tin\n")
    refused = site.source.status_of("site/site.yaml")
    assert refused is not None and refused["error"].startswith(
        "site.yaml, dòng 1: thiết lập 'nmae' không hợp lệ (có phải ý bạn là 'name'?"
    )
    assert refused["error_en"].startswith("site.yaml, line 1: unknown setting 'nmae' (did you mean 'name'?")

    site.upload_and_publish("site/site.yaml", "name: Cổng thông tin\nlocale: en\n")
    accepted = site.source.status_of("site/site.yaml")
    assert accepted is not None and accepted["locale"] == "en"
    assert accepted["summary"] == "Applied: the site's configuration is now version 1"
    site.upload_and_publish(UNTITLED, "---\nauthor: Phòng Văn hóa\n---\nChỉ có nội dung.\n")
    status = site.source.status_of(UNTITLED)
    assert status is not None and (status["summary"], status["error"]) == ("Rejected", MISSING_TITLE)


def test_the_picture_function_tells_in_the_sites_language_too(site: FakeSite) -> None:
    worker = PictureWorker(
        source=site.source,
        site=site.site,
        pictures=FakePictures(site.state),
        invalidator=site.cdn,
        publish_queue=FakeWorkQueue(),
        prepare=lambda data, name: prepare_picture(data, name=name),
        locale=SiteLocale(site.index.configuration, "vi"),
    )
    site.source.upload("media/anh/bao-cao.jpg", b"%PDF-1.7\n1 0 obj\n")
    assert worker.handle("media/anh/bao-cao.jpg", "m#0").status == "error"
    assert "it looks like a PDF document" in site.source.tags_of("media/anh/bao-cao.jpg")["publish-error"]
    status = site.source.status_of("media/anh/bao-cao.jpg")
    assert status is not None and status["summary"] == "Bị từ chối"
    assert status["error"] == (
        "tệp này không phải ảnh có thể xuất bản (JPEG, PNG, WebP hoặc HEIC): có vẻ đây là tài liệu PDF"
    )


def test_the_status_files_language_costs_no_read_of_its_own(
    site: FakeSite, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The words are made when the editor is told, in the configuration the batch rendered with."""
    keys = [f"articles/tin-tuc/bai-{n}.md" for n in range(5)]
    for n, key in enumerate(keys):
        site.source.upload(key, f"---\ntitle: Bài {n}\n---\nNội dung.\n".encode())
    reads: list[int] = []
    configuration = site.index.configuration
    original = configuration.current

    def counted() -> StoredConfig | None:
        reads.append(1)
        return original()

    monkeypatch.setattr(configuration, "current", counted)
    batch = site.publish(*keys)
    assert len(reads) == batch.report.passes  # one per render pass, none per file
    for key in keys:
        status = site.source.status_of(key)
        assert status is not None and status["summary"].startswith("Đã xuất bản tại")
