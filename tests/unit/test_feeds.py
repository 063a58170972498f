"""Feeds and crawler files: valid, escaped, deterministic, free of the clock."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from dataclasses import replace
from datetime import UTC, datetime, timedelta, timezone

import feedparser
import pytest
from newsroom.web.feeds import (
    NEWS_NS,
    SITEMAP_NS,
    FeedItem,
    clean_xml_text,
    news_sitemap,
    robots_txt,
    rss_feed,
    sitemap_index,
    sitemap_urlset,
)

ICT = timezone(timedelta(hours=7))
BASE = "https://skhcn.example.vn"
TITLE = "Hội nghị tổng kết hoạt động khoa học và công nghệ năm 2023"
ATOM = "{http://www.w3.org/2005/Atom}"
MEDIA = "{http://search.yahoo.com/mrss/}"
SM = "{" + SITEMAP_NS + "}"
NEWS = "{" + NEWS_NS + "}"


def item(n: int, **changes: object) -> FeedItem:
    values: dict[str, object] = {
        "title": f"Tin số {n}: đổi mới sáng tạo",
        "url": f"{BASE}/tin-tuc/tin-so-{n}.html",
        "published": datetime(2024, 4, 20 + n, 16, 0, tzinfo=ICT),
        "summary": f"Tóm tắt tin số {n} & <b>không</b> phải HTML.",
        "categories": ("Tin tức",),
        "image_url": f"{BASE}/media/tin-{n}.jpg" if n % 2 else None,
    }
    values.update(changes)
    return FeedItem(**values)  # type: ignore[arg-type]


ITEMS = [item(3), item(1, title=TITLE), item(2)]


def make_feed(items: list[FeedItem] | None = None, **changes: str) -> bytes:
    values = {
        "title": "Sở Khoa học và Công nghệ: Tin tức",
        "link": f"{BASE}/tin-tuc/",
        "description": "Tin hoạt động khoa học & công nghệ",
        "language": "vi",
        "self_url": f"{BASE}/tin-tuc/rss.xml",
        "generator": "Newsroom (configuration 7)",
    }
    values.update(changes)
    return rss_feed(items=ITEMS if items is None else items, **values)


# --- RSS --------------------------------------------------------------------------


def test_rss_parses_cleanly_with_every_field() -> None:
    body = make_feed()
    parsed = feedparser.parse(body)
    assert parsed.bozo == 0, parsed.get("bozo_exception")
    assert parsed.version == "rss20"
    assert parsed.encoding.lower() == "utf-8"
    feed = parsed.feed
    assert feed.title == "Sở Khoa học và Công nghệ: Tin tức"
    assert feed.link == f"{BASE}/tin-tuc/"
    assert feed.subtitle == "Tin hoạt động khoa học & công nghệ"
    assert feed.language == "vi"
    assert feed.generator == "Newsroom (configuration 7)"
    assert [(link.rel, link.href) for link in feed.links if link.rel == "self"] == [
        ("self", f"{BASE}/tin-tuc/rss.xml")
    ]
    entries = parsed.entries
    assert [e.title for e in entries] == [i.title for i in ITEMS]
    assert entries[1].title == TITLE, "Vietnamese survives intact"
    for entry, source in zip(entries, ITEMS, strict=True):
        assert entry.link == source.url
        assert entry.id == source.url
        assert entry.summary == source.summary
        assert datetime(*entry.published_parsed[:6], tzinfo=UTC) == source.published
        assert [t.term for t in entry.tags] == ["Tin tức"]
    assert entries[0].media_content == [{"url": f"{BASE}/media/tin-3.jpg", "medium": "image"}]
    assert "media_content" not in entries[2]


def test_rss_structure_and_dates() -> None:
    root = ET.fromstring(make_feed())
    assert (root.tag, root.attrib) == ("rss", {"version": "2.0"})
    channel = root.find("channel")
    assert channel is not None
    # lastBuildDate is the newest item's time (item 3: 23 Apr 16:00 +07:00), not now
    assert channel.findtext("lastBuildDate") == "Tue, 23 Apr 2024 09:00:00 GMT"
    self_link = channel.find(f"{ATOM}link")
    assert self_link is not None
    assert self_link.attrib == {
        "href": f"{BASE}/tin-tuc/rss.xml",
        "rel": "self",
        "type": "application/rss+xml",
    }
    first = channel.findall("item")[0]
    assert first.findtext("pubDate") == "Tue, 23 Apr 2024 09:00:00 GMT"
    guid = first.find("guid")
    assert guid is not None
    assert guid.attrib == {"isPermaLink": "true"}
    assert first.find(f"{MEDIA}content") is not None
    assert first.find("enclosure") is None, "RSS enclosures need a byte length we do not have"


def test_empty_feed_is_valid_and_has_no_build_date() -> None:
    body = make_feed([])
    parsed = feedparser.parse(body)
    assert parsed.bozo == 0
    assert parsed.entries == []
    assert b"lastBuildDate" not in body
    assert b"<item>" not in body


def test_rss_escapes_markup_and_drops_characters_xml_cannot_hold() -> None:
    nasty = "A <b>bold</b> & ]]> \"quoted\" 'x' \x00\x01\x08\x0b\x0c\x1b\ufffe\uffff\ud800 kết\tthúc\r\nend"
    body = make_feed(
        [item(1, title=nasty, summary=nasty, categories=(nasty,))],
        title=nasty,
        description=nasty,
        generator=nasty,
    )
    parsed = feedparser.parse(body)
    assert parsed.bozo == 0, parsed.get("bozo_exception")
    root = ET.fromstring(body)
    expected = "A <b>bold</b> & ]]> \"quoted\" 'x'  kết\tthúc\r\nend"
    channel = root.find("channel")
    assert channel is not None
    assert channel.findtext("title") == expected
    assert channel.findtext("item/title") == expected
    assert channel.findtext("item/description") == expected
    assert channel.findtext("item/category") == expected
    assert parsed.entries[0].title == "A <b>bold</b> & ]]> \"quoted\" 'x'  kết\tthúc\nend"


def test_clean_xml_text_keeps_text_and_whitespace() -> None:
    assert clean_xml_text("Chủ nhật\t28\nTháng 4\r\n2024 😀") == "Chủ nhật\t28\nTháng 4\r\n2024 😀"
    assert clean_xml_text("a\x00b\x1fc\x7fd\ufffee") == "abc\x7fde"


def test_rss_rejects_naive_times_and_relative_urls() -> None:
    with pytest.raises(ValueError, match="naive"):
        make_feed([item(1, published=datetime(2024, 4, 21, 16, 0))])
    with pytest.raises(ValueError, match="absolute"):
        make_feed([item(1, url="/tin-tuc/tin-so-1.html")])
    with pytest.raises(ValueError, match="absolute"):
        make_feed(self_url="https://x.example/rss.xml\nX-Injected: 1")


def test_rss_language_codes() -> None:
    assert feedparser.parse(make_feed(language="en")).feed.language == "en"
    assert feedparser.parse(make_feed(language="en_US")).feed.language == "en-us"


# --- sitemaps -----------------------------------------------------------------------


def test_sitemap_urlset_is_well_formed_in_the_sitemaps_namespace() -> None:
    urls: list[tuple[str, str | None]] = [
        (f"{BASE}/", None),
        (f"{BASE}/tin-tuc/tin-so-1.html?a=1&b=2", "2024-04-21T09:00:00+00:00"),
    ]
    body = sitemap_urlset(urls)
    assert body.startswith(b'<?xml version="1.0" encoding="UTF-8"?>\n<urlset xmlns="')
    root = ET.fromstring(body)
    assert root.tag == f"{SM}urlset"
    entries = root.findall(f"{SM}url")
    assert [e.findtext(f"{SM}loc") for e in entries] == [u for u, _ in urls]
    assert [e.findtext(f"{SM}lastmod") for e in entries] == [None, "2024-04-21T09:00:00+00:00"]
    assert b"a=1&amp;b=2" in body
    empty = ET.fromstring(sitemap_urlset([]))
    assert (empty.tag, list(empty)) == (f"{SM}urlset", [])


def test_sitemap_index_lists_shards() -> None:
    shards: list[tuple[str, str | None]] = [
        (f"{BASE}/sitemaps/sections.xml", None),
        (f"{BASE}/sitemaps/2024-04.xml", "2024-04-28T16:00:00+07:00"),
    ]
    root = ET.fromstring(sitemap_index(shards))
    assert root.tag == f"{SM}sitemapindex"
    found = [(s.findtext(f"{SM}loc"), s.findtext(f"{SM}lastmod")) for s in root.findall(f"{SM}sitemap")]
    assert found == shards


def test_sitemaps_refuse_more_urls_than_the_protocol_allows() -> None:
    with pytest.raises(ValueError, match="50000"):
        sitemap_urlset([(f"{BASE}/{n}.html", None) for n in range(50_001)])


def test_news_sitemap_uses_the_google_news_namespace() -> None:
    items = [
        (f"{BASE}/tin-tuc/tin-so-1.html", TITLE, datetime(2024, 4, 28, 16, 0, 5, 123456, tzinfo=ICT)),
        (f"{BASE}/tin-tuc/tin-so-2.html", "A & B <c>", datetime(2024, 4, 27, 2, 0, tzinfo=UTC)),
    ]
    body = news_sitemap(publication_name="Sở Khoa học & Công nghệ", language="vi", items=items)
    assert f'xmlns:news="{NEWS_NS}"'.encode() in body
    root = ET.fromstring(body)
    assert root.tag == f"{SM}urlset"
    urls = root.findall(f"{SM}url")
    assert [u.findtext(f"{SM}loc") for u in urls] == [i[0] for i in items]
    news = [u.find(f"{NEWS}news") for u in urls]
    assert all(n is not None for n in news)
    first = news[0]
    assert first is not None
    assert first.findtext(f"{NEWS}publication/{NEWS}name") == "Sở Khoa học & Công nghệ"
    assert first.findtext(f"{NEWS}publication/{NEWS}language") == "vi"
    assert first.findtext(f"{NEWS}publication_date") == "2024-04-28T16:00:05+07:00"
    assert first.findtext(f"{NEWS}title") == TITLE
    second = news[1]
    assert second is not None
    assert second.findtext(f"{NEWS}title") == "A & B <c>"
    assert second.findtext(f"{NEWS}publication_date") == "2024-04-27T02:00:00+00:00"
    english = ET.fromstring(news_sitemap(publication_name="x", language="en", items=items[:1]))
    assert english.findtext(f"{SM}url/{NEWS}news/{NEWS}publication/{NEWS}language") == "en"
    with pytest.raises(ValueError, match="naive"):
        news_sitemap(publication_name="x", language="vi", items=[(items[0][0], "t", datetime(2024, 1, 1))])


# --- robots.txt ----------------------------------------------------------------------


def test_robots_allows_all_but_the_api_and_lists_sitemaps() -> None:
    body = robots_txt([f"{BASE}/sitemap.xml", f"{BASE}/sitemap-news.xml"])
    assert body.decode("utf-8") == (
        "User-agent: *\n"
        "Allow: /\n"
        "Disallow: /api/\n"
        "\n"
        f"Sitemap: {BASE}/sitemap.xml\n"
        f"Sitemap: {BASE}/sitemap-news.xml\n"
    )
    assert robots_txt([]) == b"User-agent: *\nAllow: /\nDisallow: /api/\n"
    with pytest.raises(ValueError, match="absolute"):
        robots_txt(["/sitemap.xml"])
    with pytest.raises(ValueError, match="absolute"):
        robots_txt([f"{BASE}/sitemap.xml\nDisallow: /"])


# --- determinism -----------------------------------------------------------------------


def all_outputs() -> list[bytes]:
    return [
        make_feed(),
        make_feed([]),
        sitemap_urlset([(f"{BASE}/", "2024-04-21T09:00:00+00:00")]),
        sitemap_index([(f"{BASE}/sitemaps/2024-04.xml", None)]),
        news_sitemap(
            publication_name="Sở", language="vi", items=[(f"{BASE}/a.html", TITLE, ITEMS[0].published)]
        ),
        robots_txt([f"{BASE}/sitemap.xml"]),
    ]


def test_outputs_are_deterministic_utf8_and_hold_no_clock_value() -> None:
    first = all_outputs()
    assert all_outputs() == first
    today = datetime.now(UTC)
    clock_marks = {
        today.strftime("%d %b %Y"),
        today.date().isoformat(),
        (today - timedelta(days=1)).date().isoformat(),
    }
    for body in first:
        text = body.decode("utf-8")
        assert text.endswith("\n")
        for mark in clock_marks:
            assert mark not in text, f"{mark!r} looks like the time of rendering"
    assert TITLE.encode("utf-8") in first[0], "UTF-8, not character references"
    assert b"&#" not in first[0]


def test_item_order_is_the_callers_and_the_same_instant_gives_the_same_bytes() -> None:
    reordered = make_feed([ITEMS[1], ITEMS[0], ITEMS[2]])
    assert reordered != make_feed()
    build_date = ET.fromstring(make_feed()).findtext("channel/lastBuildDate")
    assert ET.fromstring(reordered).findtext("channel/lastBuildDate") == build_date
    in_utc = [replace(i, published=i.published.astimezone(UTC)) for i in ITEMS]
    assert make_feed(in_utc) == make_feed()
