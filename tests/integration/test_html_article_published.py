"""An HTML article through the real publish path: its page and its listing."""

from __future__ import annotations

from tests.integration.test_view_figures import Site, site  # noqa: F401 (the fixture)
from tests.unit.test_html_articles import PAGE


def test_an_uploaded_html_page_is_published_cleaned_in_the_sites_layout(site: Site) -> None:  # noqa: F811
    site.publish("articles/tin-tuc/hoi-nghi.html", PAGE.encode())
    bucket = site.settings.site_bucket
    page = site.clients.s3.get_object(Bucket=bucket, Key="tin-tuc/hoi-nghi.html")["Body"].read().decode()
    assert '<h1 id="article-title">Hội nghị tổng kết &amp; triển khai</h1>' in page
    assert "<figcaption>Toàn cảnh hội nghị</figcaption>" in page
    assert "evil.example" not in page and "document.cookie" not in page and 'alert("head")' not in page
    listing = site.clients.s3.get_object(Bucket=bucket, Key="tin-tuc/index.html")["Body"].read().decode()
    assert 'href="/tin-tuc/hoi-nghi.html"' in listing
