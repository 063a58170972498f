"""Word articles on the publish path: the document's fields, figures with captions and alt text, its table.

The pictures inside the ``.docx`` are uploaded to ``media/word/…`` in the
source bucket, where the picture function makes their variants like any
upload; a sidecar ``x.yaml`` overrides the document's own fields.
"""

from __future__ import annotations

import re

from newsroom.usecases.pictures import PictureWorker

from tests.support.fake_site import FakeSite
from tests.support.word_files import ALTS, AUTHOR, CAPTIONS, HEADING, TABLE, TITLE, news_docx
from tests.usecases.test_picture_worker import sent_back, worker  # noqa: F401 (the fixture)

KEY = "articles/tin-tuc/hoi-thao-chuyen-doi-so.docx"
PAGE = "tin-tuc/hoi-thao-chuyen-doi-so.html"


def test_a_word_document_is_published_with_its_figures_captions_alt_text_and_table(
    site: FakeSite,
    worker: PictureWorker,  # noqa: F811 (the fixture)
) -> None:
    site.upload_and_publish(KEY, news_docx())
    tags = site.source.tags_of(KEY)
    assert tags["publish-status"] == "published", tags
    assert "appears within a minute" in tags["publish-error"]  # its pictures are on their way
    for number, picture in enumerate(site.source.keys("media/word/")):  # the picture function's events
        worker.handle(picture, f"m#{number}")
    assert sent_back(worker) == [KEY, KEY]
    site.publish(KEY)
    assert "publish-error" not in site.source.tags_of(KEY)
    page = site.site.body(PAGE)
    assert f'<h1 id="article-title">{TITLE}</h1>' in page
    assert AUTHOR in page  # from the document's core properties, like its date:
    assert '<time datetime="2026-11-30T23:15:00+00:00">Thứ ba, 1 Tháng 12 2026 06:15</time>' in page
    assert f"<h2>{HEADING}</h2>" in page  # Heading 1 under the page's own h1
    figures = re.findall(r"<figure>(.*?)</figure>", page, re.S)
    assert len(figures) == 2
    pictures = site.source.keys("media/word/tin-tuc/hoi-thao-chuyen-doi-so/")
    assert len(pictures) == 2 and all(re.fullmatch(r".*/[0-9a-f]{16}\.png", key) for key in pictures)
    for number, (figure, alt, caption) in enumerate(zip(figures, ALTS, CAPTIONS, strict=False), start=1):
        assert f'alt="{alt}"' in figure
        assert f"<figcaption>Hình {number}: {caption}</figcaption>" in figure  # its number kept
        assert re.search(
            r'srcset="/media/word/tin-tuc/hoi-thao-chuyen-doi-so/[0-9a-f]{16}\.[0-9a-f]{16}\.', figure
        )
    table = re.search(r"<table>.*?</table>", page, re.S)
    assert table is not None
    assert all(cell in table.group(0) for row in TABLE for cell in row)

    site.publish(KEY)  # a second delivery uploads nothing again (the pictures' names are their hashes)
    assert len(site.source.keys("media/word/")) == 2


def test_a_sidecar_overrides_the_documents_fields_and_answers_for_itself(site: FakeSite) -> None:
    site.upload_and_publish(KEY, news_docx())
    sidecar = KEY.replace(".docx", ".yaml")
    site.upload_and_publish(
        sidecar, "title: Chuyển đổi số ở Huế\nauthor: Ban biên tập\nslug: chuyen-doi-so\n"
    )
    assert site.source.tags_of(sidecar)["publish-url"] == "/tin-tuc/chuyen-doi-so.html"
    page = site.site.body("tin-tuc/chuyen-doi-so.html")
    assert '<h1 id="article-title">Chuyển đổi số ở Huế</h1>' in page and "Ban biên tập" in page
    assert PAGE not in site.site.objects  # moved: the old URL redirects


def test_what_a_word_file_loses_reaches_the_editor_and_a_broken_one_gets_its_reason(site: FakeSite) -> None:
    site.upload_and_publish(KEY, news_docx(vector="wmf"))
    tags = site.source.tags_of(KEY)
    assert tags["publish-status"] == "published"
    assert "WMF" in tags["publish-error"]

    old = "articles/tin-tuc/cu.docx"
    site.upload_and_publish(old, b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(504))
    assert "Word 97" in site.source.tags_of(old)["publish-error"]
    lonely = "articles/tin-tuc/le-loi.yaml"
    site.upload_and_publish(lonely, "title: Lẻ loi\n")
    assert "upload le-loi.docx beside it" in site.source.tags_of(lonely)["publish-error"]


def test_a_word_files_pictures_leave_the_site_with_it_and_with_the_edit_that_drops_them(
    site: FakeSite,
    worker: PictureWorker,  # noqa: F811 (the fixture)
) -> None:
    site.upload_and_publish(KEY, news_docx())
    pictures = site.source.keys("media/word/")
    for number, picture in enumerate(pictures):
        worker.handle(picture, f"m#{number}")
    site.publish(KEY)
    assert all(any(key.startswith(p.rsplit(".", 1)[0]) for key in site.site.objects) for p in pictures)

    site.upload_and_publish(KEY, news_docx(pictures=1))  # the edit keeps the first picture only
    kept = site.source.keys("media/word/")
    assert len(kept) == 1 and kept[0] in pictures
    dropped = next(p for p in pictures if p not in kept)
    worker.handle(dropped, "m#drop")  # its delete event: the picture function removes the variants
    assert not any(key.startswith(dropped.rsplit(".", 1)[0]) for key in site.site.objects)
    assert sent_back(worker) == [KEY, KEY]  # the two first uploads' user; the dropped one has none

    site.delete_and_publish(KEY)
    assert site.source.keys("media/word/") == []
    worker.handle(kept[0], "m#gone")
    assert not any(key.startswith("media/word/") for key in site.site.objects)
