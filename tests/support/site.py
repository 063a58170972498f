"""A published site on the local stack, and ways to read it back."""

from __future__ import annotations

import json
import urllib.error
import urllib.request
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from html.parser import HTMLParser
from typing import Any

from newsroom.configuration.settings import Settings
from newsroom.usecases.publish import Publisher
from newsroom.wiring.assembly import Clients, build_publisher

from local.stack import LocalStack, StackOptions


@contextmanager
def local_site(**options: Any) -> Iterator[LocalStack]:
    """A fresh local stack on the real template, with its own resource names.

    moto keeps one backend per process, so each stack gets a unique name.
    The handler runs synchronously in ``process_queue`` (no background thread).
    """
    stack = LocalStack(
        StackOptions(stack_name=f"it-{uuid.uuid4().hex[:10]}", background=False, retry_delay=0, **options)
    )
    with stack:
        yield stack


def publisher_for(stack: LocalStack) -> Publisher:
    """A publisher wired exactly like the function's, for tests that inspect its reports."""
    settings = Settings.from_environment(stack.environment_variables())
    clients = Clients(
        **{name: stack.client(name) for name in ("s3", "dynamodb", "cloudfront", "sqs", "scheduler")}
    )
    return build_publisher(settings, clients)


def fetch(url: str) -> tuple[int, str]:
    """GET through the local CDN: (status, body)."""
    try:
        with urllib.request.urlopen(url, timeout=10) as response:
            return response.status, response.read().decode("utf-8", "replace")
    except urllib.error.HTTPError as error:
        return error.code, error.read().decode("utf-8", "replace")


def tags(stack: LocalStack, key: str) -> dict[str, str]:
    """The current version's tags of a source object."""
    tag_set = stack.client("s3").get_object_tagging(Bucket=stack.source_bucket, Key=key)["TagSet"]
    return {t["Key"]: t["Value"] for t in tag_set}


def site_objects(stack: LocalStack) -> dict[str, bytes]:
    """Every object in the site bucket, by key."""
    s3 = stack.client("s3")
    objects: dict[str, bytes] = {}
    for page in s3.get_paginator("list_objects_v2").paginate(Bucket=stack.site_bucket):
        for item in page.get("Contents", []):
            objects[item["Key"]] = s3.get_object(Bucket=stack.site_bucket, Key=item["Key"])["Body"].read()
    return objects


def stats(stack: LocalStack) -> dict[str, int]:
    """``/stats.json`` as the site bucket holds it."""
    body = stack.client("s3").get_object(Bucket=stack.site_bucket, Key="stats.json")["Body"].read()
    return dict(json.loads(body))


def invalidation_ids(cloudfront: Any, distribution: str) -> list[str]:
    """Every invalidation of the distribution, oldest first (CloudFront lists the newest first)."""
    ids: list[str] = []
    for page in cloudfront.get_paginator("list_invalidations").paginate(DistributionId=distribution):
        ids.extend(item["Id"] for item in page["InvalidationList"].get("Items") or [])
    return ids[::-1]


def invalidations(stack: LocalStack) -> list[dict[str, Any]]:
    """Every invalidation the distribution received, oldest first, with its paths and caller reference."""
    cf = stack.client("cloudfront")
    distribution = stack.outputs["DistributionId"]
    return [
        cf.get_invalidation(DistributionId=distribution, Id=found)["Invalidation"]["InvalidationBatch"]
        for found in invalidation_ids(cf, distribution)
    ]


def article_md(title: str, date: str, body: str = "Nội dung bài viết.", **fields: str) -> str:
    """A Markdown article with front matter."""
    extra = "".join(f"{k}: {v}\n" for k, v in fields.items())
    return f"---\ntitle: {title}\ndate: {date}\n{extra}---\n{body}\n"


@dataclass
class Page:
    """What the tests read off an article page."""

    lang: str = ""
    h1: str = ""
    breadcrumb: list[str] | None = None
    newer: list[str] | None = None
    older: list[str] | None = None
    figures: int = 0
    figcaptions: list[str] | None = None
    stats: dict[str, str] | None = None
    date_line: str = ""
    times: list[str] | None = None


class _PageParser(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.page = Page(breadcrumb=[], newer=[], older=[], figcaptions=[], stats={}, times=[])
        self._stack: list[tuple[str, dict[str, str]]] = []
        self._section: str | None = None
        self._capture: str | None = None
        self._text = ""

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k: v or "" for k, v in attrs}
        if tag == "html":
            self.page.lang = a.get("lang", "")
        if tag == "nav" and "readcrumb" in a.get("aria-label", "") + a.get("class", ""):
            self._section = "breadcrumb"
        if tag == "section" and "related-" in a.get("class", ""):
            self._section = "newer" if "related-newer" in a["class"] else "older"
        if tag == "figure":
            self.page.figures += 1
        if tag in ("h1", "figcaption", "time") or (tag == "a" and self._section) or "data-stat" in a:
            self._capture, self._text = tag, ""
            if "data-stat" in a:
                self._capture = "stat:" + a["data-stat"]
        if "data-date-line" in a:
            self._capture, self._text = "date_line", ""
        self._stack.append((tag, a))

    def handle_endtag(self, tag: str) -> None:
        text = " ".join(self._text.split())
        if self._capture and (
            self._capture == tag or self._capture.startswith("stat:") or self._capture == "date_line"
        ):
            if self._capture == "h1":
                self.page.h1 = text
            elif self._capture == "figcaption":
                self.page.figcaptions.append(text)  # type: ignore[union-attr]
            elif self._capture == "time":
                self.page.times.append(text)  # type: ignore[union-attr]
            elif self._capture == "a" and self._section == "breadcrumb":
                self.page.breadcrumb.append(text)  # type: ignore[union-attr]
            elif self._capture == "a" and self._section in ("newer", "older"):
                getattr(self.page, self._section).append(text)
            elif self._capture.startswith("stat:"):
                self.page.stats[self._capture[5:]] = text  # type: ignore[index]
            elif self._capture == "date_line":
                self.page.date_line = text
            self._capture = None
        if tag in ("nav", "section") and self._section and self._stack and self._stack[-1][0] == tag:
            self._section = None
        while self._stack and self._stack[-1][0] != tag:
            self._stack.pop()
        if self._stack:
            self._stack.pop()

    def handle_data(self, data: str) -> None:
        if self._capture:
            self._text += data


def parse_page(html: str) -> Page:
    """Read the parts of a page the tests check."""
    parser = _PageParser()
    parser.feed(html)
    return parser.page
