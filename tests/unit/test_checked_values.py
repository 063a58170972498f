"""What the configuration and the front matter accept, the page can show.

Pictures outside ``/media/`` and the deployment's ``ImageHosts`` are blocked by
the CSP (``img-src 'self' data:`` plus those hosts), links must be https, the
figures Markdown makes are not the editor's raw HTML, and the 1900-2100
range is the site's calendar, not the front matter's offset.
"""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from newsroom.configuration.settings import Settings
from newsroom.configuration.site_yaml import RejectedConfig, parse_site_yaml
from newsroom.domain.article import parse_article
from newsroom.domain.editor_urls import image_problem, parse_image_hosts
from newsroom.domain.errors import RejectedSource
from newsroom.domain.markdown import MAX_RAW_HTML_TAGS, render_markdown
from newsroom.domain.source_keys import classify

TZ = "Asia/Ho_Chi_Minh"
HOSTS = frozenset({"anh.example.vn"})


def article(
    front: str,
    body: str = "Nội dung.",
    hosts: frozenset[str] = frozenset(),
    first_seen: datetime = datetime(2024, 1, 1, tzinfo=UTC),
) -> object:
    data = f"---\ntitle: Bài\n{front}\n---\n{body}\n".encode()
    key = classify("articles/tin-tuc/bai.md")
    return parse_article(key, data, first_seen=first_seen, timezone=TZ, image_hosts=hosts)


@pytest.mark.parametrize(
    ("image", "reason"),
    [
        ("../../etc/passwd", "must be a picture under /media/ like /media/anh.jpg, or an https:// URL"),
        ("/media/../secret.jpg", "must be a picture under /media/ like /media/anh.jpg, or an https:// URL"),
        ("/media/%2e%2e/x.jpg", "must be a picture under /media/ like /media/anh.jpg, or an https:// URL"),
        ("/tin-tuc/anh.jpg", "must be a picture under /media/ like /media/anh.jpg, or an https:// URL"),
        ("anh.jpg", "must be a picture under /media/ like /media/anh.jpg, or an https:// URL"),
        ("//evil.example/x.png", "must be a picture under /media/ like /media/anh.jpg, or an https:// URL"),
        ("javascript:alert(1)", "must be a picture under /media/ like /media/anh.jpg, or an https:// URL"),
        (
            "data:image/png;base64,AAAA",
            "must be a picture under /media/ like /media/anh.jpg, or an https:// URL",
        ),
        (
            "http://evil.example/x.png",
            "uses http://, which readers' browsers block on an https site:"
            " upload the picture under media/ and write /media/…",
        ),
        (
            "https://evil.example/x.png",
            "is on evil.example, a host the site does not show pictures from (ImageHosts: none are allowed):"
            " upload the picture under media/ and write /media/…",
        ),
        (
            "https://user@anh.example.vn/x.png",
            "must be a picture under /media/ like /media/anh.jpg, or an https:// URL",
        ),
    ],
)
def test_a_front_matter_image_the_page_cannot_show_is_refused_with_why(image: str, reason: str) -> None:
    assert image_problem(image, frozenset()) == reason
    with pytest.raises(RejectedSource) as refused:
        article(f"image: '{image}'")
    assert refused.value.reason == f"front matter field 'image' {reason}"


@pytest.mark.parametrize("image", ["/media/anh.jpg", "/media/2024/04/hội nghị.jpg"])
def test_a_picture_under_media_is_kept(image: str) -> None:
    assert article(f"image: '{image}'").image == image  # type: ignore[attr-defined]


def test_an_https_picture_on_an_allowed_host_is_kept_and_only_there() -> None:
    url = "https://anh.example.vn/2024/a.jpg"
    assert article(f"image: {url}", hosts=HOSTS).image == url  # type: ignore[attr-defined]
    with pytest.raises(RejectedSource, match=r"\(ImageHosts: allowed: anh\.example\.vn\)"):
        article("image: https://other.example.vn/a.jpg", hosts=HOSTS)


def test_the_lead_picture_taken_from_the_body_is_one_the_page_can_show() -> None:
    body = "![a](http://evil.example/a.png)\n\n![b](/media/b.jpg)\n"
    assert article("", body).image == "/media/b.jpg"  # type: ignore[attr-defined]
    assert article("", "![a](//evil.example/a.png)\n").image is None  # type: ignore[attr-defined]


def test_partner_banners_must_be_pictures_the_csp_lets_through() -> None:
    banner = (
        "partners:\n  - {title: VIFOTEC, url: 'https://vifotec.vn', image: 'https://anh.example.vn/b.png'}\n"
    )
    with pytest.raises(RejectedConfig) as refused:
        parse_site_yaml(banner.encode(), frozenset())
    assert refused.value.reason == (
        "site.yaml, line 2: partner 1: 'image' is on anh.example.vn, a host the site does not show pictures"
        " from (ImageHosts: none are allowed): upload the picture under media/ and write /media/…"
    )
    assert parse_site_yaml(banner.encode(), HOSTS)["partners"][0].image == "https://anh.example.vn/b.png"


def test_menu_links_must_be_https_as_the_hint_says() -> None:
    with pytest.raises(RejectedConfig) as refused:
        parse_site_yaml(b"menu:\n  - {title: Cu, url: 'http://old.example.vn/'}\n")
    assert refused.value.reason == (
        "site.yaml, line 2: menu item 1: 'url' must be a site path like /tin-tuc/ or an https:// URL"
    )


def test_image_hosts_come_from_the_deployment_as_https_origins() -> None:
    assert parse_image_hosts("https://anh.example.vn  https://CDN.example.com:8443") == {
        "anh.example.vn",
        "cdn.example.com:8443",
    }
    for bad in ("http://anh.example.vn", "anh.example.vn", "https://a.vn/path", "https://u@a.vn"):
        with pytest.raises(ValueError, match="not an https origin"):
            parse_image_hosts(bad)
    environment = {
        "SOURCE_BUCKET_NAME": "s",
        "SITE_BUCKET_NAME": "w",
        "CONTENT_TABLE_NAME": "t",
        "DISTRIBUTION_ID": "d",
        "SITE_BASE_URL": "https://x.vn",
        "SITE_LOCALE": "vi",
        "SITE_TIMEZONE": TZ,
        "MAX_SOURCE_BYTES": "1",
        "RENDER_QUEUE_URL": "q",
        "SEARCH_TABLE_NAME": "st",
    }
    assert Settings.from_environment(environment).image_hosts == frozenset()
    settings = Settings.from_environment({**environment, "IMAGE_HOSTS": "https://anh.example.vn"})
    assert settings.image_hosts == HOSTS


def test_many_pictures_are_not_counted_as_the_editors_raw_html() -> None:
    body = "\n\n".join(f'![Ảnh {n}](/media/a{n}.jpg "Chú thích {n}")' for n in range(3400))
    rendered = render_markdown(body)
    assert rendered.html.count("<figure>") == 3400
    assert len(rendered.images) == 3400 and rendered.images[0] == "/media/a0.jpg"
    with pytest.raises(RejectedSource, match=f"over the limit of {MAX_RAW_HTML_TAGS:,}"):
        render_markdown(body + "\n\n" + "<b>x</b> " * (MAX_RAW_HTML_TAGS // 2 + 1))


@pytest.mark.parametrize(
    ("date", "local"),
    [("2100-12-31T23:00:00-05:00", "2101-01-01"), ("1900-01-01T00:00:00+14:00", "1899-12-31")],
)
def test_the_year_range_is_checked_in_the_sites_time_zone(date: str, local: str) -> None:
    with pytest.raises(RejectedSource) as refused:
        article(f"date: '{date}'")
    assert refused.value.reason == (
        f"date {datetime.fromisoformat(date).isoformat()} is {local} in the site's time zone ({TZ}):"
        " it is out of range: use a year from 1900 to 2100"
    )


def test_the_edges_of_the_range_in_the_sites_time_zone_are_accepted() -> None:
    late = datetime(2100, 6, 1, tzinfo=UTC)  # first uploaded that year: the date is not a year ahead
    end = article("date: '2100-12-31T23:59:00+07:00'", first_seen=late)
    assert end.published_at.year == 2100  # type: ignore[attr-defined]
    assert article("date: '1900-01-01T00:00:00+07:00'").published_at.year == 1900  # type: ignore[attr-defined]


def test_a_configuration_read_back_to_render_is_not_checked_against_todays_image_hosts() -> None:
    """Accepted when ImageHosts allowed it; a redeploy that narrows ImageHosts must not break the site."""
    from newsroom.configuration.site_yaml import build_config  # noqa: PLC0415

    banner = b"partners:\n  - {title: V, url: 'https://v.vn', image: 'https://anh.example.vn/b.png'}\n"
    with pytest.raises(RejectedConfig):
        build_config(banner, None, "vi")  # accepting a file: no hosts unless the deployment names them
    assert build_config(banner, None, "vi", None).partners[0].image == "https://anh.example.vn/b.png"


def test_a_date_more_than_a_year_ahead_of_the_first_upload_is_refused_as_a_likely_typo() -> None:
    with pytest.raises(RejectedSource) as refused:
        article("date: 2099-12-31")
    assert refused.value.reason == (
        "date 2099-12-31 is more than a year after the file was first uploaded (2024-01-01): is it a typo?"
    )
    assert article("date: 2024-12-20").published_at.year == 2024  # type: ignore[attr-defined]
