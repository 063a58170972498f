"""The CloudFront Function and its Python port give the same answers, and the right ones.

Each case runs through ``cloudfront/viewer-request.js`` under ``node`` (in a
``vm`` context: no ``require``, no ``process``, as at the edge) and through
``local.viewer_request.rewrite``; both must match the expected value.
"""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest

from local.viewer_request import normalize_query, rewrite

ROOT = Path(__file__).resolve().parents[2]
FUNCTION_JS = ROOT / "cloudfront" / "viewer-request.js"

# (uri, raw query, expected uri sent to the origin, expected 301 Location or None)
CASES: list[tuple[str, str, str, str | None]] = [
    ("/", "", "/index.html", None),
    ("/tin-tuc/", "", "/tin-tuc/index.html", None),
    ("/tin-tuc", "", "/tin-tuc", "/tin-tuc/"),
    ("/tin-tuc/tin-vifotec", "", "/tin-tuc/tin-vifotec", "/tin-tuc/tin-vifotec/"),
    ("/tin-tuc/bai.html", "", "/tin-tuc/bai.html", None),
    ("/tin-tuc/bai.html", "ref=rss", "/tin-tuc/bai.html", None),
    ("/media/a.jpg", "", "/media/a.jpg", None),
    ("/sitemap.xml", "", "/sitemap.xml", None),
    ("/.well-known/security.txt", "", "/.well-known/security.txt", None),
    # "Tin tức/Hội nghị", percent-encoded as browsers send it.
    (
        "/tin-t%E1%BB%A9c/h%E1%BB%99i-ngh%E1%BB%8B",
        "",
        "/tin-t%E1%BB%A9c/h%E1%BB%99i-ngh%E1%BB%8B",
        "/tin-t%E1%BB%A9c/h%E1%BB%99i-ngh%E1%BB%8B/",
    ),
    ("/tin-t%E1%BB%A9c/", "", "/tin-t%E1%BB%A9c/index.html", None),
    ("/tin-t%E1%BB%A9c/%E1%BA%A3nh.jpg", "", "/tin-t%E1%BB%A9c/%E1%BA%A3nh.jpg", None),
    # Query strings survive the redirect, still encoded; index rewrites leave them alone.
    ("/tin-tuc", "trang=2", "/tin-tuc", "/tin-tuc/?trang=2"),
    ("/tim-kiem", "q=t%E1%BB%A9c+m%E1%BB%9Bi", "/tim-kiem", "/tim-kiem/?q=t%E1%BB%A9c+m%E1%BB%9Bi"),
    ("/tin-tuc/", "trang=2", "/tin-tuc/index.html", None),
    # CloudFront parses the query: repeated names are grouped, a bare name gets "=".
    ("/tin-tuc", "a=1&b=2&a=3", "/tin-tuc", "/tin-tuc/?a=1&a=3&b=2"),
    ("/tin-tuc", "utm_source&&x=", "/tin-tuc", "/tin-tuc/?utm_source=&x="),
    # ... and a JavaScript object lists integer-like names first.
    ("/tin-tuc", "b=1&2=x&1=y", "/tin-tuc", "/tin-tuc/?1=y&2=x&b=1"),
    # Only the last segment decides: a dot in a folder name does not count.
    ("/a.b/c", "", "/a.b/c", "/a.b/c/"),
    ("/a.b/c.d", "", "/a.b/c.d", None),
    ("/tin-tuc/bai.html/", "", "/tin-tuc/bai.html/index.html", None),
    # Never an open redirect: "//host" and "/\host" would leave the site.
    ("//evil", "", "//evil", "/evil/"),
    ("/\\evil", "", "/\\evil", "/evil/"),
    ("//", "", "//index.html", None),
    ("", "", "/index.html", None),
]
IDS = [f"{uri or '<empty>'}?{query}" if query else (uri or "<empty>") for uri, query, _, _ in CASES]

NODE_HARNESS = r"""
const fs = require('fs');
const vm = require('vm');
const file = process.argv[1];  // node -e CODE FILE: argv is [node, FILE]
const eventsJson = fs.readFileSync(0, 'utf8');
const handler = vm.runInNewContext(fs.readFileSync(file, 'utf8') + '\n;handler', {}, {filename: file});
const results = JSON.parse(eventsJson).map((event) => {
    const uri = event.request.uri;
    const out = handler(event);
    if (out.statusCode !== undefined) {
        return {uri: uri, status: out.statusCode, description: out.statusDescription,
                location: out.headers.location.value};
    }
    return {uri: out.uri, status: null, querystring: out.querystring};
});
process.stdout.write(JSON.stringify(results));
"""


def cloudfront_querystring(query: str) -> dict[str, Any]:
    """``event.request.querystring`` as CloudFront builds it from a raw query string."""
    grouped: dict[str, list[str]] = {}
    for part in query.split("&"):
        if part:
            name, _, value = part.partition("=")
            grouped.setdefault(name, []).append(value)
    querystring: dict[str, Any] = {}
    for name, values in grouped.items():
        entry: dict[str, Any] = {"value": values[0]}
        if len(values) > 1:
            entry["multiValue"] = [{"value": value} for value in values]
        querystring[name] = entry
    return querystring


def viewer_event(uri: str, query: str) -> dict[str, Any]:
    """A viewer-request event in the shape CloudFront Functions receive."""
    return {
        "version": "1.0",
        "context": {"eventType": "viewer-request"},
        "viewer": {"ip": "203.0.113.7"},
        "request": {
            "method": "GET",
            "uri": uri,
            "querystring": cloudfront_querystring(query),
            "headers": {"host": {"value": "d111111abcdef8.cloudfront.net"}},
            "cookies": {},
        },
    }


@pytest.fixture(scope="module")
def node_results() -> list[dict[str, Any]]:
    """Every case run through the JavaScript function under node, in one process."""
    node = shutil.which("node")
    assert node is not None, "node is needed to run the CloudFront Function: run scripts/bootstrap --test"
    events = [viewer_event(uri, query) for uri, query, _, _ in CASES]
    completed = subprocess.run(
        [node, "-e", NODE_HARNESS, str(FUNCTION_JS)],
        input=json.dumps(events),
        capture_output=True,
        text=True,
        check=False,
        timeout=60,
    )
    assert completed.returncode == 0, completed.stderr
    results: list[dict[str, Any]] = json.loads(completed.stdout)
    assert len(results) == len(CASES)
    return results


@pytest.mark.parametrize(("uri", "query", "origin_uri", "location"), CASES, ids=IDS)
def test_python_port(uri: str, query: str, origin_uri: str, location: str | None) -> None:
    assert rewrite(uri, query) == (origin_uri, location)


@pytest.mark.parametrize(("index", "case"), list(enumerate(CASES)), ids=IDS)
def test_javascript_function(
    node_results: list[dict[str, Any]], index: int, case: tuple[str, str, str, str | None]
) -> None:
    uri, query, origin_uri, location = case
    result = node_results[index]
    if location is None:
        assert result["status"] is None
        assert result["uri"] == origin_uri
        # A pass-through request keeps its parsed query untouched.
        assert result["querystring"] == cloudfront_querystring(query)
    else:
        assert result["status"] == 301
        assert result["description"] == "Moved Permanently"
        assert result["location"] == location
    # The port and the function agree on every case.
    assert (result["uri"], result.get("location")) == rewrite(uri, query)


def test_redirects_are_relative_and_stay_on_the_site() -> None:
    for uri, query, _, _ in CASES:
        _, location = rewrite(uri, query)
        if location is not None:
            assert location.startswith("/")
            assert not location.startswith(("//", "/\\"))


def test_normalize_query_keeps_encoding_and_drops_empty_segments() -> None:
    assert normalize_query("") == ""
    assert normalize_query("&&") == ""
    assert normalize_query("q=a%20b+c&q=d") == "q=a%20b+c&q=d"
    assert normalize_query("z=1&a=2") == "z=1&a=2"
    assert normalize_query("01=a&10=b&1=c") == "1=c&10=b&01=a"


def test_function_fits_the_cloudfront_js_runtime() -> None:
    code = FUNCTION_JS.read_text(encoding="utf-8")
    assert len(code.encode()) <= 10_240, "CloudFront Functions are limited to 10 KB"
    assert "function handler(event)" in code
    for forbidden in ("require(", "import ", "process.", "async ", "await "):
        assert forbidden not in code, f"{forbidden!r} is not available to a viewer-request function"
    assert code.isascii()
