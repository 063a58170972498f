"""Article pages offer the picture function's variants; a picture they lack is reported on the article."""

from __future__ import annotations

from newsroom.domain.pictures import PictureInfo

from tests.support.fake_site import FakeSite
from tests.usecases.pages import md

KEY = "articles/tin-tuc/cau-moi.md"
PAGE = "tin-tuc/cau-moi.html"
CAU = PictureInfo("media/anh/cau.jpg", "0123456789abcdef", 2000, 3000, "jpg", (480, 960, 1600, 2000))
BODY = "![Cầu mới](/media/anh/cau.jpg)\n\nĐoạn một.\n\n![Toàn cảnh](/media/anh/toan-canh.png)\n"


def test_a_known_picture_gets_webp_and_jpeg_variants_with_its_size_and_the_second_loads_lazily(
    site: FakeSite,
) -> None:
    site.state.pictures[CAU.source_key] = CAU
    site.state.pictures["media/anh/toan-canh.png"] = PictureInfo(
        "media/anh/toan-canh.png", "fedcba9876543210", 700, 350, "png", (480, 700)
    )
    site.upload_and_publish(KEY, md("Cầu mới", body=BODY))
    page = site.site.body(PAGE)
    assert (
        '<picture><source type="image/webp" srcset="/media/anh/cau.0123456789abcdef.480.webp 480w,'
        " /media/anh/cau.0123456789abcdef.960.webp 960w, /media/anh/cau.0123456789abcdef.1600.webp 1600w,"
        ' /media/anh/cau.0123456789abcdef.2000.webp 2000w" sizes="(max-width: 800px) 100vw, 760px">'
    ) in page
    assert (
        '<img src="/media/anh/cau.0123456789abcdef.2000.jpg" alt="Cầu mới" width="2000" height="3000"' in page
    )
    assert 'loading="eager"' in page.split("toan-canh")[0]  # the lead loads at once
    second = page[page.index("toan-canh") - 300 :]
    assert 'loading="lazy"' in second and "/media/anh/toan-canh.fedcba9876543210.700.png 700w" in second
    assert site.state.uses == {"media/anh/cau.jpg": {KEY}, "media/anh/toan-canh.png": {KEY}}
    assert '<meta name="robots" content="max-image-preview:large">' in page  # Google Discover's large preview
    assert "publish-error" not in site.source.tags_of(KEY)


def test_a_missing_picture_is_reported_on_the_article_which_stays_published(site: FakeSite) -> None:
    site.state.pictures[CAU.source_key] = CAU
    site.upload_and_publish(KEY, md("Cầu mới", body=BODY))
    tags = site.source.tags_of(KEY)
    assert tags["publish-status"] == "published"
    assert tags["publish-error"].startswith("picture /media/anh/toan-canh.png not on the site")
    page = site.site.body(PAGE)
    assert '<img src="/media/anh/toan-canh.png" alt="Toàn cảnh" decoding="async" loading="lazy">' in page

    # The editor deleted it; the picture function sends the article back.
    site.state.pictures.pop(CAU.source_key)
    site.publish(KEY)
    assert (
        "picture /media/anh/cau.jpg and 1 more not on the site" in site.source.tags_of(KEY)["publish-error"]
    )
    status = site.source.status_of(KEY)  # the reason unfolded, in English and in the site's language
    assert status is not None and "take it out of the article; a picture uploaded" in status["error_en"]
    assert status["error"].startswith("ảnh /media/anh/cau.jpg và 1 ảnh khác chưa có trên trang web")
    assert "cau.0123456789abcdef" not in site.site.body(PAGE)

    site.upload_and_publish(KEY, md("Cầu mới", body="Không còn ảnh."))
    assert "publish-error" not in site.source.tags_of(KEY)
    assert site.state.uses == {"media/anh/cau.jpg": set(), "media/anh/toan-canh.png": set()}
