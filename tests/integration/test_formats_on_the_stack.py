"""A Word article and its PDF on the local stack: the real publish, picture and PDF functions and the CDN.

The issue's demonstration: a ``.docx`` made with python-docx (Vietnamese
text, a heading, a table, two pictures with captions and alt text) is
published with its pictures, captions and table; its PDF is made after the
page and is the same, byte for byte, after ``make rebuild``.
"""

from __future__ import annotations

import json
import re
import subprocess
import unicodedata
from pathlib import Path

from tests.support.site import fetch, local_site, tags
from tests.support.word_files import ALTS, CAPTIONS, TABLE, TITLE, news_docx

KEY = "articles/tin-tuc/hoi-thao-chuyen-doi-so.docx"
PAGE = "/tin-tuc/hoi-thao-chuyen-doi-so.html"


def test_a_word_article_is_published_with_its_pictures_captions_table_and_a_reproducible_pdf(
    tmp_path: Path,
) -> None:
    with local_site() as stack:
        stack.upload(KEY, news_docx())
        stack.process_queue()  # publish, the pictures it uploads, the article sent back, its PDF
        tags_ = tags(stack, KEY)
        assert tags_["publish-status"] == "published" and "publish-error" not in tags_, tags_
        status, page = fetch(stack.site_url + PAGE)
        assert status == 200 and f'<h1 id="article-title">{TITLE}</h1>' in page
        figures = re.findall(r"<figure>(.*?)</figure>", page, re.S)
        assert len(figures) == 2
        for number, (figure, alt, caption) in enumerate(zip(figures, ALTS, CAPTIONS, strict=False), start=1):
            assert f'alt="{alt}"' in figure and f"<figcaption>Hình {number}: {caption}</figcaption>" in figure
            webp = re.search(r'srcset="(/media/word/tin-tuc/hoi-thao-chuyen-doi-so/[^" ]+\.webp) ', figure)
            assert webp is not None and fetch(stack.site_url + webp.group(1))[0] == 200
        assert all(cell in page for row in TABLE for cell in row)

        pdf_status, _ = fetch(stack.site_url + "/tin-tuc/hoi-thao-chuyen-doi-so.pdf")
        assert pdf_status == 200
        s3 = stack.client("s3")
        pdf = s3.get_object(Bucket=stack.site_bucket, Key="tin-tuc/hoi-thao-chuyen-doi-so.pdf")["Body"].read()
        path = tmp_path / "bai.pdf"
        path.write_bytes(pdf)
        text = subprocess.run(["pdftotext", path, "-"], capture_output=True, text=True, check=True).stdout
        assert TITLE in unicodedata.normalize("NFC", " ".join(text.split()))
        images = subprocess.run(
            ["pdfimages", "-list", path], capture_output=True, text=True, check=True
        ).stdout
        assert len(images.strip().splitlines()) - 2 == 2  # both pictures

        # What `make rebuild` does: the same PDF bytes afterwards.
        s3.delete_object(Bucket=stack.site_bucket, Key="tin-tuc/hoi-thao-chuyen-doi-so.pdf")
        stack.client("sqs").send_message(
            QueueUrl=stack.outputs["RenderQueueUrl"],
            MessageBody=json.dumps({"type": "plan", "job": "rebuild-formats", "media": True}),
        )
        stack.process_queue()
        again = s3.get_object(Bucket=stack.site_bucket, Key="tin-tuc/hoi-thao-chuyen-doi-so.pdf")[
            "Body"
        ].read()
        assert again == pdf

        # Deleting the document takes its pictures off the site too (the publish function deletes
        # its own uploads under media/word/, the picture function their variants).
        stack.client("s3").delete_object(Bucket=stack.source_bucket, Key=KEY)
        stack.process_queue()
        assert fetch(stack.site_url + PAGE)[0] == 404
        listed = s3.list_objects_v2(Bucket=stack.source_bucket, Prefix="media/word/").get("KeyCount")
        assert listed == 0
        assert fetch(stack.site_url + webp.group(1))[0] == 404
        site_keys = [o["Key"] for o in s3.list_objects_v2(Bucket=stack.site_bucket).get("Contents", [])]
        assert not [key for key in site_keys if key.startswith("media/word/")]
