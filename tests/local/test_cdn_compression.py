"""The local CDN compresses text as the distribution's ``Compress: true`` behaviours make CloudFront do."""

from __future__ import annotations

import gzip
import http.client
import socket
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import brotli
import pytest

from local.cdn import LocalCdn
from local.edge_cache import Response
from local.edge_compression import accepted_codings, compressed, encoding_for
from local.provision import ErrorResponse
from local.stack import REPO_ROOT
from local.template import Template
from tests.support.edge import edge_distribution

PAGE = "<!DOCTYPE html><title>Tin tức</title>" + "<p>Hội nghị khoa học và công nghệ tỉnh.</p>" * 200
BROWSER = "gzip, deflate, br, zstd"  # what Chromium sends over HTTPS
BROWSER_OVER_HTTP = "gzip, deflate"  # and over plain HTTP (the local CDN)


@dataclass
class Edge:
    cdn: LocalCdn
    s3: Any
    bucket: str

    def put(self, key: str, body: bytes | str, content_type: str, **extra: Any) -> None:
        data = body.encode() if isinstance(body, str) else body
        self.s3.put_object(Bucket=self.bucket, Key=key, Body=data, ContentType=content_type, **extra)

    def get(self, path: str, method: str = "GET", **headers: str) -> tuple[int, dict[str, str], bytes]:
        connection = http.client.HTTPConnection("127.0.0.1", self.cdn.port, timeout=10)
        try:
            connection.request(method, path, headers={k.replace("_", "-"): v for k, v in headers.items()})
            response = connection.getresponse()
            return response.status, dict(response.getheaders()), response.read()
        finally:
            connection.close()


@pytest.fixture
def edge(endpoint: str) -> Iterator[Edge]:
    s3, cloudfront, info = edge_distribution(
        endpoint, "compression", (ErrorResponse(404, 404, "/404.html", 10),)
    )
    cdn = LocalCdn(s3, cloudfront, info, port=0, log_flush_interval=3600)
    cdn.start()
    try:
        yield Edge(cdn, s3, info.origin_bucket)
    finally:
        cdn.stop()


def test_a_page_is_compressed_for_a_browser_and_varies_on_accept_encoding(edge: Edge) -> None:
    edge.put("tin-tuc/a.html", PAGE, "text/html; charset=utf-8")
    status, headers, body = edge.get("/tin-tuc/a.html", Accept_Encoding=BROWSER)
    assert status == 200
    assert headers["Content-Encoding"] == "br", "Brotli when the reader takes both, as CloudFront"
    assert headers["Vary"] == "Accept-Encoding"
    assert brotli.decompress(body).decode() == PAGE
    assert int(headers["Content-Length"]) == len(body) < len(PAGE.encode()) // 10
    assert headers["ETag"].startswith('W/"'), "the bytes are not the origin's: a weak ETag, as CloudFront"

    status, headers, body = edge.get("/tin-tuc/a.html", Accept_Encoding=BROWSER_OVER_HTTP)
    assert (status, headers["Content-Encoding"], gzip.decompress(body).decode()) == (200, "gzip", PAGE)
    assert headers["Vary"] == "Accept-Encoding"
    assert headers["ETag"].startswith('W/"')

    status, plain_headers, plain = edge.get("/tin-tuc/a.html")  # no Accept-Encoding: the origin's bytes
    assert (status, plain.decode()) == (200, PAGE)
    assert "Content-Encoding" not in plain_headers
    assert plain_headers["Vary"] == "Accept-Encoding"
    assert plain_headers["ETag"] == headers["ETag"].removeprefix("W/")


def test_css_js_json_feeds_and_the_404_page_are_compressed_pictures_are_not(edge: Edge) -> None:
    text = "x { color: red }\n" * 200
    for key, content_type in (
        ("assets/site.css", "text/css; charset=utf-8"),
        ("assets/site.js", "text/javascript; charset=utf-8"),
        ("stats.json", "application/json"),
        ("rss.xml", "application/rss+xml; charset=utf-8"),
        ("sitemap.xml", "application/xml"),
        ("assets/favicon.svg", "image/svg+xml"),
    ):
        edge.put(key, text, content_type)
        _, headers, body = edge.get(f"/{key}", Accept_Encoding="gzip")
        assert headers.get("Content-Encoding") == "gzip", key
        assert gzip.decompress(body).decode() == text
    edge.put("404.html", PAGE, "text/html; charset=utf-8")
    status, headers, body = edge.get("/khong-co.html", Accept_Encoding="gzip")
    assert (status, headers["Content-Encoding"], gzip.decompress(body).decode()) == (404, "gzip", PAGE)

    picture = bytes(range(256)) * 40
    edge.put("media/anh.jpg", picture, "image/jpeg")
    _, headers, body = edge.get("/media/anh.jpg", Accept_Encoding="gzip")
    assert body == picture
    assert "Content-Encoding" not in headers
    assert "Vary" not in headers


def test_small_bodies_refused_gzip_and_encoded_origins_are_sent_as_they_are(edge: Edge) -> None:
    edge.put("small.html", "<p>ngắn</p>", "text/html; charset=utf-8")
    _, headers, body = edge.get("/small.html", Accept_Encoding="gzip")
    assert body.decode() == "<p>ngắn</p>"  # under CloudFront's 1,000 bytes
    assert "Content-Encoding" not in headers
    edge.put("page.html", PAGE, "text/html; charset=utf-8")
    for refusing in ("gzip;q=0", "identity", "br;q=0, gzip;q=0.000", "*;q=0", "deflate, zstd"):
        _, headers, body = edge.get("/page.html", Accept_Encoding=refusing)
        assert body.decode() == PAGE, refusing
        assert "Content-Encoding" not in headers
    zipped = gzip.compress(PAGE.encode())
    edge.put("zipped.html", zipped, "text/html; charset=utf-8", ContentEncoding="gzip")
    _, headers, body = edge.get("/zipped.html", Accept_Encoding=BROWSER)
    assert (headers["Content-Encoding"], body) == ("gzip", zipped), "never compressed twice"


def test_a_range_request_and_an_http_1_0_one_get_the_origin_bytes(edge: Edge) -> None:
    edge.put("page.html", PAGE, "text/html; charset=utf-8")
    _, headers, body = edge.get("/page.html", Accept_Encoding=BROWSER, Range="bytes=0-99")
    assert body.decode() == PAGE
    assert "Content-Encoding" not in headers
    with socket.create_connection(("127.0.0.1", edge.cdn.port), timeout=10) as connection:
        connection.sendall(b"GET /page.html HTTP/1.0\r\nAccept-Encoding: gzip, br\r\n\r\n")
        answer = b""
        while chunk := connection.recv(65536):
            answer += chunk
    head, _, body = answer.partition(b"\r\n\r\n")
    assert b"content-encoding" not in head.lower()
    assert body.decode() == PAGE


def test_head_and_revalidation_of_a_compressed_copy(edge: Edge) -> None:
    edge.put("index.html", PAGE, "text/html; charset=utf-8")
    _, got, body = edge.get("/", Accept_Encoding="gzip")
    status, head, empty = edge.get("/", method="HEAD", Accept_Encoding="gzip")
    assert (status, empty, head["Content-Length"]) == (200, b"", str(len(body)))
    assert head["Content-Encoding"] == "gzip"
    status, headers, empty = edge.get("/", Accept_Encoding="gzip", If_None_Match=got["ETag"])
    assert (status, empty, headers["ETag"]) == (304, b"", got["ETag"])
    assert headers["Vary"] == "Accept-Encoding"
    status, headers, _ = edge.get("/", If_None_Match=got["ETag"].removeprefix("W/"))
    assert (status, headers["ETag"]) == (304, got["ETag"].removeprefix("W/"))
    status, headers, _ = edge.get("/", Accept_Encoding="gzip", If_None_Match=got["ETag"].removeprefix("W/"))
    assert (status, headers["ETag"]) == (304, got["ETag"]), "the 304 carries what the 200 would"
    status, _, body = edge.get("/", Accept_Encoding="gzip", If_None_Match='"something-else"')
    assert (status, gzip.decompress(body).decode()) == (200, PAGE)


def test_accept_encoding_is_read_with_its_qualities() -> None:
    assert encoding_for("gzip, deflate, br") == "br"
    assert encoding_for("GZIP") == "gzip"
    assert encoding_for("br;q=0, gzip;q=0.8") == "gzip"
    assert encoding_for("x-gzip") == "gzip"
    assert encoding_for("*") == "br"
    assert encoding_for("gzip;q=0, *") == "br"
    assert encoding_for("br;q=0, *") == "gzip"
    for refusing in (
        None,
        "",
        "identity",
        "deflate, zstd",
        "gzip;q=0",
        "gzip; q=0.0, *;q=0",
        "*;q=0",
        "gzip;q=x",
    ):
        assert encoding_for(refusing) is None, refusing
    assert accepted_codings("gzip;q=0.5, br;Q=1, deflate") == {"gzip", "br", "deflate"}


def test_compression_keeps_the_cached_entry_untouched_and_only_compresses_200_403_404() -> None:
    headers = {"Content-Type": "text/html; charset=utf-8", "ETag": '"abc"'}
    cached = Response(200, headers, PAGE.encode(), "Hit")
    sent = compressed(cached, "gzip")
    assert sent.headers["Content-Encoding"] == "gzip"
    assert cached.headers == {"Content-Type": "text/html; charset=utf-8", "ETag": '"abc"'}
    assert cached.body == PAGE.encode()
    assert compressed(cached, "gzip").body == sent.body, "the same bytes every time"
    for status in (403, 404):
        assert (
            compressed(Response(status, headers, PAGE.encode(), "Error"), "gzip").headers["Content-Encoding"]
            == "gzip"
        )
    moved = compressed(Response(500, headers, PAGE.encode(), "Error"), "gzip")
    assert "Content-Encoding" not in moved.headers
    assert compressed(cached, "br").headers["ETag"] == 'W/"abc"'
    weak = compressed(Response(200, {**headers, "ETag": 'W/"abc"'}, PAGE.encode(), "Hit"), "gzip")
    assert weak.headers["ETag"] == 'W/"abc"', "a weak ETag is kept as it is"
    invalid = compressed(Response(200, {**headers, "ETag": "abc"}, PAGE.encode(), "Hit"), "gzip")
    assert "ETag" not in invalid.headers, "an invalid ETag is dropped from a compressed answer"
    huge = compressed(Response(200, headers, b"x" * 10_000_001, "Hit"), "gzip")
    assert "Content-Encoding" not in huge.headers, "over CloudFront's 10,000,000 bytes"
    edge_of_range = compressed(Response(200, headers, b"x" * 1_000, "Hit"), "gzip")
    assert edge_of_range.headers["Content-Encoding"] == "gzip", "1,000 bytes is compressed"
    varied = compressed(Response(200, {**headers, "Vary": "Origin"}, PAGE.encode(), "Hit"), "gzip")
    assert varied.headers["Vary"] == "Origin, Accept-Encoding"


def test_every_cache_behaviour_of_the_distribution_compresses() -> None:
    template = Template.load(REPO_ROOT / "template.yaml")
    config = template.resources["SiteDistribution"]["Properties"]["DistributionConfig"]
    behaviours = [config["DefaultCacheBehavior"], *config.get("CacheBehaviors", [])]
    assert len(behaviours) >= 2
    assert all(behaviour.get("Compress") is True for behaviour in behaviours)
