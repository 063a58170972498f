"""The picture function's use case on fakes, with the real picture layer (Pillow): a phone photo in, variants out.

The issue's demonstration: a 3000×2000 phone photo stored sideways (EXIF
orientation 6) with its GPS position becomes 2000×3000 variants at 480, 960,
1600 and 2000 px, WebP and JPEG, none holding GPS or any EXIF; the article
that shows it is sent back to the publish path and offers them in ``srcset``.
"""

from __future__ import annotations

import io
import json
import re

import pytest
from newsroom.usecases.pictures import PictureWorker
from newsroom_pictures.variants import prepare_picture
from PIL import Image

from tests.support.fake_site import FakeSite
from tests.support.fake_table import FakePictures
from tests.support.fakes import FakeWorkQueue
from tests.support.photos import exif_of, gps_in, heic_photo, phone_photo, tiny_image
from tests.usecases.pages import md

PHOTO = "media/anh/cau-moi.jpg"
ARTICLE = "articles/tin-tuc/cau-moi.md"


@pytest.fixture
def worker(site: FakeSite) -> PictureWorker:
    return PictureWorker(
        source=site.source,
        site=site.site,
        pictures=FakePictures(site.state),
        invalidator=site.cdn,
        publish_queue=FakeWorkQueue(),
        prepare=lambda data, name: prepare_picture(data, name=name),
    )


def sent_back(worker: PictureWorker) -> list[str]:
    queue = worker.publish_queue
    assert isinstance(queue, FakeWorkQueue)
    return [message["key"] for message in queue.messages() if message.get("newsroom") == "look-again"]


def test_a_phone_photo_becomes_exif_free_variants_and_its_article_offers_them(
    site: FakeSite, worker: PictureWorker
) -> None:
    site.upload_and_publish(ARTICLE, md("Cầu mới", body=f"![Cầu mới khánh thành](/{PHOTO})\n\nNội dung."))
    assert "not on the site" in site.source.tags_of(ARTICLE)["publish-error"]  # uploaded before the photo

    site.source.upload(PHOTO, phone_photo())
    result = worker.handle(PHOTO, "m1#0")
    info = site.state.pictures[PHOTO]
    assert (info.width, info.height, info.widths) == (2000, 3000, (480, 960, 1600, 2000))
    variants = sorted(k for k in site.site.objects if k.startswith("media/anh/cau-moi.") and k != PHOTO)
    assert variants == sorted(
        f"media/anh/cau-moi.{info.digest}.{w}.{suffix}" for w in info.widths for suffix in ("jpg", "webp")
    )
    for key in (*variants, PHOTO):
        stored = site.site.objects[key]
        picture = Image.open(io.BytesIO(stored.body))
        assert not gps_in(stored.body), key
        assert exif_of(stored.body) == {}, key
        assert picture.height > picture.width  # turned upright
        assert picture.info.get("icc_profile"), key  # the colour profile is kept
    assert site.site.objects[variants[0]].cache_control == "public, max-age=31536000, immutable"
    assert site.site.objects[PHOTO].content_type == "image/jpeg"
    assert site.source.tags_of(PHOTO) == {"publish-status": "published", "publish-url": f"/{PHOTO}"}
    assert result.users == (ARTICLE,) and sent_back(worker) == [ARTICLE]
    gallery = json.loads(site.site.body("gallery.json"))  # the random-picture module's library
    assert gallery == {
        "pictures": [
            {
                "href": f"/{PHOTO}",
                "src": f"/media/anh/cau-moi.{info.digest}.480.jpg",
                "webp": f"/media/anh/cau-moi.{info.digest}.480.webp",
                "width": 480,
                "height": 720,
            }
        ]
    }
    assert ("m1#0", [f"/{PHOTO}"]) in site.cdn.created

    batch = site.publish(ARTICLE)  # the look-again message, on the publish path
    page = site.site.body("tin-tuc/cau-moi.html")
    srcset = re.search(r'<source type="image/webp" srcset="([^"]+)"', page)
    assert srcset is not None
    assert srcset.group(1) == ", ".join(
        f"/media/anh/cau-moi.{info.digest}.{w}.webp {w}w" for w in info.widths
    )
    assert (
        f'src="/media/anh/cau-moi.{info.digest}.2000.jpg" alt="Cầu mới khánh thành" width="2000" height="3000"'
        in page
    )
    assert "publish-error" not in site.source.tags_of(ARTICLE)
    assert "tin-tuc/cau-moi.html" in batch.report.written


def test_a_deleted_photo_takes_its_variants_and_the_article_is_told(
    site: FakeSite, worker: PictureWorker
) -> None:
    site.source.upload(PHOTO, phone_photo(1600, 1200, orientation=1))
    worker.handle(PHOTO, "m1#0")
    site.upload_and_publish(ARTICLE, md("Cầu mới", body=f"![Cầu](/{PHOTO})"))
    site.source.delete(PHOTO)
    result = worker.handle(PHOTO, "m2#0")
    assert result.status == "deleted" and result.users == (ARTICLE,)
    assert not [k for k in site.site.objects if k.startswith("media/")]
    assert PHOTO not in site.state.pictures
    assert json.loads(site.site.body("gallery.json")) == {"pictures": []}
    site.publish(ARTICLE)
    assert site.source.tags_of(ARTICLE)["publish-error"].startswith(f"picture /{PHOTO} not on the site")


def test_files_that_are_no_pictures_or_too_small_to_lead_get_their_reason(
    site: FakeSite, worker: PictureWorker
) -> None:
    site.source.upload("media/anh/bao-cao.jpg", b"%PDF-1.7\n1 0 obj\n")
    assert worker.handle("media/anh/bao-cao.jpg", "m#0").status == "error"
    tags = site.source.tags_of("media/anh/bao-cao.jpg")
    assert tags["publish-status"] == "error" and "PDF" in tags["publish-error"]
    assert not [k for k in site.site.objects if "bao-cao" in k]

    site.source.upload("media/anh/nho.png", tiny_image(800, 600))
    worker.handle("media/anh/nho.png", "m#1")
    tags = site.source.tags_of("media/anh/nho.png")
    assert tags["publish-status"] == "published"
    assert "too small to lead an article" in tags["publish-error"] and "1200" in tags["publish-error"]

    site.source.upload("media/tai-lieu.pdf", b"%PDF-1.7 report")
    assert worker.handle("media/tai-lieu.pdf", "m#2").status == "published"
    assert site.site.objects["media/tai-lieu.pdf"].body == b"%PDF-1.7 report"  # other media: copied


def test_a_heic_keeps_its_address_served_as_the_jpeg_every_browser_shows(
    site: FakeSite, worker: PictureWorker
) -> None:
    heic = "media/anh/IMG_0042.HEIC"
    site.source.upload(heic, heic_photo())
    assert worker.handle(heic, "m#heic").status == "published"
    copy = site.site.objects[heic]
    assert copy.content_type == "image/jpeg" and copy.body.startswith(b"\xff\xd8\xff")
    assert not gps_in(copy.body)
    assert site.source.tags_of(heic)["publish-url"] == "/" + heic
