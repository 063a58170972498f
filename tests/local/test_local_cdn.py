"""The local CDN behaves like the distribution: caching, invalidations, directory index, 404, logs."""

from __future__ import annotations

import gzip
import http.client
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, replace
from typing import Any

import pytest

from local.cdn import LOG_FIELDS, LocalCdn, path_matches, ttl_for
from local.provision import ErrorResponse
from local.stack import REPO_ROOT
from tests.support.edge import edge_distribution


@dataclass
class Edge:
    cdn: LocalCdn
    s3: Any
    cloudfront: Any
    bucket: str
    logs: str
    distribution_id: str

    def put(self, key: str, body: str, content_type: str = "text/html; charset=utf-8", **extra: Any) -> None:
        self.s3.put_object(Bucket=self.bucket, Key=key, Body=body.encode(), ContentType=content_type, **extra)

    def get(
        self, path: str, method: str = "GET", headers: dict[str, str] | None = None
    ) -> tuple[int, dict[str, str], bytes]:
        connection = http.client.HTTPConnection("127.0.0.1", self.cdn.port, timeout=10)
        try:
            connection.request(
                method, path, headers=headers or {"User-Agent": "Mozilla/5.0 (X11; Linux) test"}
            )
            response = connection.getresponse()
            return response.status, dict(response.getheaders()), response.read()
        finally:
            connection.close()

    def invalidate(self, *paths: str) -> None:
        self.cloudfront.create_invalidation(
            DistributionId=self.distribution_id,
            InvalidationBatch={
                "Paths": {"Quantity": len(paths), "Items": list(paths)},
                "CallerReference": uuid.uuid4().hex,
            },
        )


@pytest.fixture
def edge(endpoint: str) -> Iterator[Edge]:
    s3, cloudfront, info = edge_distribution(
        endpoint, "test", (ErrorResponse(403, 404, "/404.html", 10), ErrorResponse(404, 404, "/404.html", 10))
    )
    cdn = LocalCdn(s3, cloudfront, info, port=0, log_flush_interval=3600)
    cdn.start()
    try:
        yield Edge(cdn, s3, cloudfront, info.origin_bucket, str(info.log_bucket), info.id)
    finally:
        cdn.stop()


def test_serves_objects_with_their_headers_and_caches_them(edge: Edge) -> None:
    edge.put("tin-tuc/a.html", "v1", CacheControl="public, max-age=300")
    status, headers, body = edge.get("/tin-tuc/a.html")
    assert (status, body) == (200, b"v1")
    assert headers["Content-Type"] == "text/html; charset=utf-8"
    assert headers["Cache-Control"] == "public, max-age=300"
    assert headers["ETag"].startswith('"')
    assert headers["X-Cache"] == "Miss from localcdn"

    edge.put("tin-tuc/a.html", "v2")
    status, headers, body = edge.get("/tin-tuc/a.html")
    assert (status, body, headers["X-Cache"]) == (200, b"v1", "Hit from localcdn")  # stale, as on CloudFront

    edge.invalidate("/tin-tuc/a.html")
    status, headers, body = edge.get("/tin-tuc/a.html")
    assert (status, body, headers["X-Cache"]) == (200, b"v2", "Miss from localcdn")


def test_directory_index_and_redirect(edge: Edge) -> None:
    edge.put("index.html", "home")
    edge.put("tin-tuc/index.html", "section")
    assert edge.get("/")[2] == b"home"
    assert edge.get("/tin-tuc/")[2] == b"section"
    status, headers, _ = edge.get("/tin-tuc")
    assert status == 301
    assert headers["Location"].startswith("/tin-tuc/")


def test_invalidation_matches_viewer_and_origin_paths_and_wildcards(edge: Edge) -> None:
    edge.put("tin-tuc/index.html", "old section")
    edge.put("tin-tuc/b.html", "old b")
    edge.put("index.html", "old home")
    for path in ("/tin-tuc/", "/tin-tuc/b.html", "/"):
        edge.get(path)
    edge.put("tin-tuc/index.html", "new section")
    edge.put("tin-tuc/b.html", "new b")
    edge.put("index.html", "new home")

    edge.invalidate("/tin-tuc/")  # the viewer URI purges the rewritten /tin-tuc/index.html entry
    assert edge.get("/tin-tuc/")[2] == b"new section"
    assert edge.get("/tin-tuc/b.html")[2] == b"old b"
    edge.invalidate("/tin-tuc/*")
    assert edge.get("/tin-tuc/b.html")[2] == b"new b"
    assert edge.get("/")[2] == b"old home"
    edge.invalidate("/index.html")  # the origin URI purges what "/" cached
    assert edge.get("/")[2] == b"new home"


def test_a_tag_invalidation_purges_what_was_cached_with_the_tag_and_nothing_else(endpoint: str) -> None:
    s3, cloudfront, info = edge_distribution(endpoint, "tags", ())
    cdn = LocalCdn(s3, cloudfront, replace(info, cache_tag_header="x-amz-meta-cache-tag"), port=0)
    cdn.start()
    edge = Edge(cdn, s3, cloudfront, info.origin_bucket, str(info.log_bucket), info.id)
    try:
        edge.put("index.html", "old home", Metadata={"cache-tag": "lists"})
        edge.put("tin-tuc/a.html", "old a", Metadata={"cache-tag": "a:tin-tuc:2024-04,pages"})
        edge.put("tin-tuc/b.html", "old b", Metadata={"cache-tag": "a:tin-tuc:2024-05,pages"})
        for path in ("/", "/tin-tuc/a.html", "/tin-tuc/b.html"):
            edge.get(path)
        for key, body in (
            ("index.html", "new home"),
            ("tin-tuc/a.html", "new a"),
            ("tin-tuc/b.html", "new b"),
        ):
            edge.put(key, body)
        assert "x-amz-meta-cache-tag" in {k.lower() for k in edge.get("/tin-tuc/a.html")[1]}

        edge.invalidate("#LISTS")  # case-insensitive, as CloudFront compares tags
        assert [edge.get(p)[2] for p in ("/", "/tin-tuc/a.html")] == [b"new home", b"old a"]
        edge.invalidate("#a:tin-tuc:2024-04")
        assert [edge.get(p)[2] for p in ("/tin-tuc/a.html", "/tin-tuc/b.html")] == [b"new a", b"old b"]
        edge.invalidate("#a:tin-tuc:*")  # no wildcard in tags
        assert edge.get("/tin-tuc/b.html")[2] == b"old b"
        edge.invalidate("#pages")
        assert edge.get("/tin-tuc/b.html")[2] == b"new b"
    finally:
        cdn.stop()


def test_without_cache_tag_config_tags_are_not_read(edge: Edge) -> None:
    edge.put("index.html", "old home", Metadata={"cache-tag": "lists"})
    edge.get("/")
    edge.put("index.html", "new home")
    edge.invalidate("#lists")
    assert edge.get("/")[2] == b"old home"


def test_missing_keys_get_the_404_page_with_status_404(edge: Edge) -> None:
    status, _, body = edge.get("/khong-co.html")
    assert status == 404
    assert b"404" in body  # built-in page while the bucket has no 404.html

    edge.put("404.html", "<h1>Không tìm thấy</h1>")
    edge.invalidate("/*")
    status, headers, body = edge.get("/khong-co.html")
    assert status == 404
    assert body.decode() == "<h1>Không tìm thấy</h1>"
    assert headers["Content-Type"].startswith("text/html")
    assert edge.get("/khong-co.html")[1]["X-Cache"] == "Hit from localcdn"  # errors are cached (10 s)


def test_head_conditional_get_and_api(edge: Edge) -> None:
    edge.put("stats.json", '{"articles": 3}', content_type="application/json")
    status, headers, body = edge.get("/stats.json", method="HEAD")
    assert (status, body) == (200, b"")
    assert headers["Content-Length"] == str(len('{"articles": 3}'))
    status, _, body = edge.get("/stats.json", headers={"If-None-Match": headers["ETag"]})
    assert (status, body) == (304, b"")
    status, headers, _ = edge.get("/api/views")
    assert status == 404
    assert headers["Content-Type"] == "application/json"
    assert edge.get("/stats.json", method="POST")[0] == 403


def test_access_logs_are_cloudfront_standard_logs(edge: Edge) -> None:
    edge.put("index.html", "home")
    edge.get("/?utm=x")
    edge.get("/")
    edge.get("/missing.html")
    (key,) = edge.cdn.access_log.flush()
    assert key.startswith(f"cdn/{edge.distribution_id}.")
    assert key.endswith(".gz")
    text = gzip.decompress(edge.s3.get_object(Bucket=edge.logs, Key=key)["Body"].read()).decode()
    lines = text.splitlines()
    assert lines[0] == "#Version: 1.0"
    assert lines[1] == "#Fields: " + " ".join(LOG_FIELDS)
    rows = [dict(zip(LOG_FIELDS, line.split("\t"), strict=True)) for line in lines[2:]]
    assert [(r["cs-uri-stem"], r["sc-status"], r["x-edge-result-type"]) for r in rows] == [
        ("/", "200", "Miss"),
        ("/", "200", "Hit"),
        ("/missing.html", "404", "Error"),
    ]
    first = rows[0]
    assert first["cs-uri-query"] == "utm=x"
    assert rows[1]["cs-uri-query"] == "-"
    assert first["cs-method"] == "GET"
    assert first["cs(Host)"] == edge.cdn.distribution.domain_name
    assert first["cs(User-Agent)"] == "Mozilla/5.0%20(X11;%20Linux)%20test"
    assert first["c-ip"] == "127.0.0.1"
    assert first["cs-protocol-version"] == "HTTP/1.1"
    assert first["sc-content-len"] == "4"
    assert int(first["sc-bytes"]) > 4
    assert edge.cdn.access_log.flush() == []


def test_ttl_and_path_matching_rules() -> None:
    assert ttl_for(None) == 86_400
    assert ttl_for("max-age=60") == 60
    assert ttl_for("public, max-age=60, s-maxage=5") == 5
    assert ttl_for("no-cache, max-age=0") == 1  # CachingOptimized's minimum TTL
    assert path_matches("/a/*", "/a/b/c.html")
    assert path_matches("/*", "/")
    assert path_matches("/h%E1%BB%99i.html", "/hội.html")
    assert not path_matches("/a", "/a/")
    assert not path_matches("/a/b", "/a/bc")


def test_the_local_cdn_adds_the_templates_security_headers() -> None:
    from local.provision import response_headers  # noqa: PLC0415
    from local.template import Template  # noqa: PLC0415

    headers = dict(response_headers(Template.load(REPO_ROOT / "template.yaml"), "SiteDistribution"))
    assert headers["Content-Security-Policy"].startswith("default-src 'self'")
    assert headers["X-Frame-Options"] == "DENY"
    assert headers["Strict-Transport-Security"].startswith("max-age=")


def test_the_local_csp_lets_through_the_image_hosts_the_publisher_accepts() -> None:
    from local.provision import response_headers  # noqa: PLC0415
    from local.template import Template  # noqa: PLC0415

    default = dict(response_headers(Template.load(REPO_ROOT / "template.yaml"), "SiteDistribution"))
    assert "img-src 'self' data: ;" in default["Content-Security-Policy"]
    template = Template.load(REPO_ROOT / "template.yaml", parameters={"ImageHosts": "https://anh.example.vn"})
    headers = dict(response_headers(template, "SiteDistribution"))
    assert "img-src 'self' data: https://anh.example.vn;" in headers["Content-Security-Policy"]


def test_a_path_under_a_caching_disabled_behavior_is_fetched_every_time_with_its_own_headers(
    edge: Edge,
) -> None:
    from local.provision import Behavior  # noqa: PLC0415

    preview = Behavior("/preview/*", cached=False, response_headers=(("Referrer-Policy", "no-referrer"),))
    edge.cdn.distribution = replace(
        edge.cdn.distribution, response_headers=(("Referrer-Policy", "strict-origin"),), behaviors=(preview,)
    )
    edge.put("preview/t.html", "draft 1")
    edge.put("tin-tuc/a.html", "page 1")
    assert edge.get("/preview/t.html")[1]["X-Cache"] == "Miss from localcdn"
    edge.get("/tin-tuc/a.html")
    edge.put("preview/t.html", "draft 2")
    edge.put("tin-tuc/a.html", "page 2")
    status, headers, body = edge.get("/preview/t.html")
    assert (status, body, headers["X-Cache"]) == (
        200,
        b"draft 2",
        "Miss from localcdn",
    )  # no invalidation needed
    assert headers["Referrer-Policy"] == "no-referrer"
    status, headers, body = edge.get("/tin-tuc/a.html")
    assert (body, headers["X-Cache"], headers["Referrer-Policy"]) == (
        b"page 1",
        "Hit from localcdn",
        "strict-origin",
    )
    edge.s3.delete_object(Bucket=edge.bucket, Key="preview/t.html")
    assert edge.get("/preview/t.html")[0] == 404  # a revoked preview is gone at once


def test_the_templates_preview_behavior_is_uncached_noindex_and_sends_no_referrer() -> None:
    from local.provision import site_behaviors  # noqa: PLC0415
    from local.template import Template  # noqa: PLC0415

    template = Template.load(REPO_ROOT / "template.yaml")
    behaviors = {b.path_pattern: b for b in site_behaviors(template, "SiteDistribution", "SiteOrigin")}
    assert set(behaviors) == {"/preview/*"}, "the search behavior's origin is the function URL, routed apart"
    preview = behaviors["/preview/*"]
    headers = dict(preview.response_headers)
    assert not preview.cached
    assert headers["Referrer-Policy"] == "no-referrer"
    assert headers["X-Robots-Tag"] == "noindex, nofollow, noarchive"
    assert headers["Cache-Control"] == "private, no-store"
    assert headers["Content-Security-Policy"].startswith("default-src 'self'")
