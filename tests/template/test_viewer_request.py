"""The CloudFront Function and its Python port give the same answers, and the right ones.

Each case runs through ``cloudfront/viewer-request.js`` under ``node`` (as an
ES module in a ``vm`` context: no ``require``, no ``process``, as at the edge;
its ``import cf from 'cloudfront'`` gets a stub whose ``kvs().get`` reads
``REDIRECTS``) and through ``local.viewer_request.rewrite`` with the same
store; both must match the expected value.
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

# The key value store both implementations see: old URI -> new URI, as stored.
REDIRECTS: dict[str, str] = {
    "/tin-tuc/cu.html": "/tin-tuc/moi.html",
    "/chuyen-muc-cu/": "/chuyen-muc-moi/",
    "/lien-he": "/thong-tin/lien-he.html",
    "/tin-t%E1%BB%A9c/c%C5%A9.html": "/tin-tuc/bai-moi.html",
    # Values the publisher never writes, which must still never send a reader away.
    "/xau.html": "//evil.example/",
    "/xau": "https://evil.example/",
    "/xau-2.html": "/\\evil.example/",
    "/rong.html": "",
}
# Lookups of these keys fail with an error that is not a miss (the store is unreachable).
FAILING = ("/loi.html", "/loi")


def store_lookup(uri: str) -> str | None:
    """The store as ``kvs.get`` sees it: a value, None for a miss, an exception for a failure."""
    if uri in FAILING:
        raise RuntimeError("key value store unavailable")
    return REDIRECTS.get(uri)


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
    # Moved pages: the old URI is a key in the store; the query string follows.
    ("/tin-tuc/cu.html", "", "/tin-tuc/cu.html", "/tin-tuc/moi.html"),
    ("/tin-tuc/cu.html", "ref=rss&a=1&a=2", "/tin-tuc/cu.html", "/tin-tuc/moi.html?ref=rss&a=1&a=2"),
    ("/chuyen-muc-cu/", "", "/chuyen-muc-cu/", "/chuyen-muc-moi/"),
    ("/lien-he", "", "/lien-he", "/thong-tin/lien-he.html"),
    ("/tin-t%E1%BB%A9c/c%C5%A9.html", "", "/tin-t%E1%BB%A9c/c%C5%A9.html", "/tin-tuc/bai-moi.html"),
    # Keys match exactly: another case or a trailing slash is another page.
    ("/tin-tuc/CU.html", "", "/tin-tuc/CU.html", None),
    ("/tin-tuc/cu.html/", "", "/tin-tuc/cu.html/index.html", None),
    ("/chuyen-muc-cu", "", "/chuyen-muc-cu", "/chuyen-muc-cu/"),
    # A stored value that would leave the site (or is empty) is ignored.
    ("/xau.html", "", "/xau.html", None),
    ("/xau", "", "/xau", "/xau/"),
    ("/xau-2.html", "", "/xau-2.html", None),
    ("/rong.html", "", "/rong.html", None),
    # A failing lookup serves the request as if the store were empty.
    ("/loi.html", "", "/loi.html", None),
    ("/loi", "q=1", "/loi", "/loi/?q=1"),
]
IDS = [f"{uri or '<empty>'}?{query}" if query else (uri or "<empty>") for uri, query, _, _ in CASES]

NODE_HARNESS = r"""
const fs = require('fs');
const vm = require('vm');
const file = process.argv[1];  // node -e CODE FILE: argv is [node, FILE]
const input = JSON.parse(fs.readFileSync(0, 'utf8'));
const store = input.redirects;
const failing = new Set(input.failing);
const kvsIds = [];
// The 'cloudfront' module of cloudfront-js-2.0, reduced to what the function uses.
const cloudfront = {
    kvs: function (id) {
        kvsIds.push(id === undefined ? null : id);
        return {
            get: async function (key, options) {
                if (failing.has(key)) { throw new Error('KeyValueStore unavailable'); }
                if (Object.prototype.hasOwnProperty.call(store, key)) { return store[key]; }
                throw new Error('Key not found: ' + key);  // get() rejects a missing key
            },
            exists: async function (key) { return Object.prototype.hasOwnProperty.call(store, key); }
        };
    }
};
async function main() {
    const context = vm.createContext({});
    // The edge evaluates the code as a module; export the handler so the harness can call it.
    const source = fs.readFileSync(file, 'utf8') + '\nexport { handler };\n';
    const module = new vm.SourceTextModule(source, {context: context, identifier: file});
    await module.link(async function (specifier, referencing) {
        if (specifier !== 'cloudfront') { throw new Error('no module ' + specifier + ' at the edge'); }
        return new vm.SyntheticModule(['default'], function () { this.setExport('default', cloudfront); },
                                      {context: referencing.context});
    });
    await module.evaluate();
    const handler = module.namespace.handler;
    const results = [];
    for (const event of input.events) {
        const uri = event.request.uri;
        const out = await handler(event);
        if (out.statusCode !== undefined) {
            results.push({uri: uri, status: out.statusCode, description: out.statusDescription,
                          location: out.headers.location.value});
        } else {
            results.push({uri: out.uri, status: null, querystring: out.querystring});
        }
    }
    process.stdout.write(JSON.stringify({results: results, kvsIds: kvsIds}));
}
main().catch(function (error) { process.stderr.write(String(error && error.stack || error)); process.exit(1); });
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
def node_run() -> dict[str, Any]:
    """Every case run through the JavaScript function under node, in one process."""
    node = shutil.which("node")
    assert node is not None, "node is needed to run the CloudFront Function: run scripts/bootstrap --test"
    events = [viewer_event(uri, query) for uri, query, _, _ in CASES]
    completed = subprocess.run(
        # vm.SourceTextModule (the function is an ES module) is behind this flag in node 20.
        [node, "--experimental-vm-modules", "--no-warnings", "-e", NODE_HARNESS, str(FUNCTION_JS)],
        input=json.dumps({"events": events, "redirects": REDIRECTS, "failing": list(FAILING)}),
        capture_output=True,
        text=True,
        check=False,
        timeout=60,
    )
    assert completed.returncode == 0, completed.stderr
    run: dict[str, Any] = json.loads(completed.stdout)
    assert len(run["results"]) == len(CASES)
    return run


@pytest.fixture(scope="module")
def node_results(node_run: dict[str, Any]) -> list[dict[str, Any]]:
    results: list[dict[str, Any]] = node_run["results"]
    return results


@pytest.mark.parametrize(("uri", "query", "origin_uri", "location"), CASES, ids=IDS)
def test_python_port(uri: str, query: str, origin_uri: str, location: str | None) -> None:
    assert rewrite(uri, query, store_lookup) == (origin_uri, location)


def test_python_port_takes_a_mapping_or_no_store() -> None:
    assert rewrite("/tin-tuc/cu.html", "", REDIRECTS) == ("/tin-tuc/cu.html", "/tin-tuc/moi.html")
    assert rewrite("/tin-tuc/cu.html", "") == ("/tin-tuc/cu.html", None)
    assert rewrite("/chuyen-muc-cu/", "") == ("/chuyen-muc-cu/index.html", None)


def test_function_uses_the_one_associated_store_without_an_id(node_run: dict[str, Any]) -> None:
    # One call at module load (not per request), with no id: the function has exactly one store.
    assert node_run["kvsIds"] == [None]


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
    assert (result["uri"], result.get("location")) == rewrite(uri, query, store_lookup)


def test_redirects_are_relative_and_stay_on_the_site() -> None:
    for uri, query, _, _ in CASES:
        _, location = rewrite(uri, query, store_lookup)
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
    assert "async function handler(event)" in code
    # cloudfront-js-2.0 modules: the only import is the KeyValueStore helper module.
    imports = [line for line in code.splitlines() if line.startswith("import ")]
    assert imports == ["import cf from 'cloudfront';"]
    assert "cf.kvs()" in code
    for forbidden in ("require(", "process.", "export "):
        assert forbidden not in code, f"{forbidden!r} is not available to a viewer-request function"
    assert code.isascii()
