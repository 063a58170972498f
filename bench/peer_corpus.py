"""The corpus ``bench/peers.py`` gives Hugo and Pelican: the articles ``bench/publish_inmemory.py`` seeds.

Why: a pages-per-second figure compares generators only if they render the
same site. So the articles here are the in-memory benchmark's, one for one:
the same count, 20 a day ending two hours before its clock, the same
categories in the same rotation (its ``SLOTS``), the same titles and
summaries, and bodies that are the Markdown of the example article each
category's clones are made of (its front matter and leading heading taken
off, since each generator writes the title itself). The Hugo site is small
but real: a theme (``baseof``, ``single``, ``list``) that shows what our
article page does (title, date, summary, body, category links, five newer
and five older articles of the section) and lists of 20, with categories as
a taxonomy whose terms are the category path, so a parent's list holds its
children's articles as ours does. Pelican gets its default theme, lists of
20, feeds of 20, and no author pages (we have none).
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import cache
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import publish_inmemory as ours  # bench/ is on sys.path when a bench script runs
import yaml
from newsroom.configuration.settings import Settings
from newsroom.domain.article import split_front_matter


@dataclass(frozen=True)
class Entry:
    """One article of the corpus, as both generators are given it."""

    n: int
    category: tuple[str, ...]
    when: datetime
    slug: str
    title: str
    summary: str
    body: str
    """Markdown, without front matter or the title's heading."""

    @property
    def folder(self) -> str:
        return "/".join(self.category)


@dataclass(frozen=True)
class Template:
    title: str
    summary: str
    body: str


@cache
def _templates() -> dict[tuple[str, ...], Template]:
    """Each category's example: title and summary as our parser reads them, its Markdown body."""
    settings = Settings.from_environment(ours.SETTINGS_ENVIRONMENT)
    parsed = ours.templates(settings)
    found = {}
    for category, _, path in ours.CATEGORIES:
        _, body = split_front_matter(ours.example(path).decode())
        lines = body.lstrip("\n").splitlines()
        if lines and lines[0].startswith("# "):  # the title's heading: each generator writes the title
            lines = lines[1:]
        article = parsed[category]
        found[category] = Template(article.title, article.summary, "\n".join(lines).strip() + "\n")
    return found


@cache
def _category_names() -> dict[tuple[str, ...], str]:
    """Every category path's name, from the site's ``categories.yaml`` and the benchmark's additions."""
    text = (ours.ROOT / "examples" / "site" / "categories.yaml").read_text(encoding="utf-8")
    names: dict[tuple[str, ...], str] = {}

    def walk(nodes: list[dict[str, Any]], parent: tuple[str, ...]) -> None:
        for node in nodes:
            path = (*parent, str(node["slug"]))
            names[path] = str(node["name"])
            walk(node.get("children") or [], path)

    walk(yaml.safe_load(text + ours.MORE_CATEGORIES), ())
    return names


def corpus(count: int) -> list[Entry]:
    """``count`` articles dated and categorised as ``publish_inmemory.seed(count, 0)`` seeds them."""
    made = _templates()
    zone = ZoneInfo(Settings.from_environment(ours.SETTINGS_ENVIRONMENT).timezone)
    end, step = ours.NOW - timedelta(hours=2), timedelta(days=1) / ours.PER_DAY
    entries = []
    for n in range(count):
        category = ours.SLOTS[n * 7 % len(ours.SLOTS)]
        when = (end - (count - 1 - n) * step).astimezone(zone)
        entries.append(_entry(made[category], n, category, when, "bai"))
    return entries


def newest(n: int) -> Entry:
    """The ``n``-th article a live-update run adds: newer than the corpus, in the measured category."""
    zone = ZoneInfo(Settings.from_environment(ours.SETTINGS_ENVIRONMENT).timezone)
    when = (ours.NOW - timedelta(hours=1) + timedelta(minutes=n)).astimezone(zone)
    return _entry(_templates()[ours.MEASURED], n, ours.MEASURED, when, "bai-moi")


def _entry(template: Template, n: int, category: tuple[str, ...], when: datetime, stem: str) -> Entry:
    title = f"{template.title[:70]} ({n:06d})"
    return Entry(n, category, when, f"{stem}-{n:06d}", title, template.summary, template.body)


def write_whole(path: Path, text: str) -> None:
    """Write ``text`` whole: to a sibling and renamed, so a watcher sees one event, never half a file."""
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.parent / f".{path.name}.partial"
    partial.write_text(text, encoding="utf-8")
    os.replace(partial, path)


# -- Hugo ----------------------------------------------------------------------------------------
HUGO_CONFIG = """\
baseURL = "https://example.org/"
languageCode = "vi"
defaultContentLanguage = "vi"
title = "Newsroom peer"
timeZone = "Asia/Ho_Chi_Minh"
paginate = 20
rssLimit = 20
disableHugoGeneratorInject = true

[taxonomies]
  category = "categories"
"""
BASEOF = """\
<!doctype html>
<html lang="vi">
<head>
<meta charset="utf-8">
<title>{{ block "title" . }}{{ .Title }} | {{ site.Title }}{{ end }}</title>
<meta name="description" content="{{ with .Description }}{{ . }}{{ else }}{{ .Summary | plainify }}{{ end }}">
<link rel="canonical" href="{{ .Permalink }}">
</head>
<body>
<header><a href="{{ "/" | relURL }}">{{ site.Title }}</a>
<nav><ul>{{ range site.Sections }}<li><a href="{{ .RelPermalink }}">{{ .Title }}</a></li>{{ end }}</ul></nav>
</header>
<main>{{ block "main" . }}{{ end }}</main>
<footer>{{ site.Title }}</footer>
</body>
</html>
"""
SINGLE = """\
{{ define "main" }}
<article>
<h1>{{ .Title }}</h1>
<p><time datetime="{{ .Date.Format "2006-01-02T15:04:05-07:00" }}">
{{- .Date.Format "02/01/2006 15:04" }}</time>
{{ range .GetTerms "categories" }}<a href="{{ .RelPermalink }}">{{ .LinkTitle }}</a> {{ end }}</p>
{{ with .Params.summary }}<p class="lead">{{ . }}</p>{{ end }}
<div class="article-body">{{ .Content }}</div>
</article>
<section><h2>Bài mới hơn:</h2><ul>
{{ $p := . }}{{ range seq 5 }}{{ with $p.NextInSection }}
<li><a href="{{ .RelPermalink }}">{{ .Title }}</a></li>{{ $p = . }}{{ end }}{{ end }}
</ul></section>
<section><h2>Bài cũ hơn:</h2><ul>
{{ $p = . }}{{ range seq 5 }}{{ with $p.PrevInSection }}
<li><a href="{{ .RelPermalink }}">{{ .Title }}</a></li>{{ $p = . }}{{ end }}{{ end }}
</ul></section>
{{ end }}
"""
LIST = """\
{{ define "main" }}
<h1>{{ .Title }}</h1>
{{ $pager := .Paginate .Pages.ByDate.Reverse }}
<ul>
{{ range $pager.Pages }}<li><a href="{{ .RelPermalink }}">{{ .Title }}</a>
<time>{{ .Date.Format "02/01/2006" }}</time><p>{{ .Params.summary }}</p></li>{{ end }}
</ul>
<nav>{{ with $pager.Prev }}<a href="{{ .URL }}">Mới hơn</a>{{ end }}
{{ with $pager.Next }}<a href="{{ .URL }}">Cũ hơn</a>{{ end }}</nav>
{{ end }}
"""


def hugo_page(entry: Entry) -> str:
    """An article as a Hugo content file: YAML front matter (JSON strings are YAML) and the body."""
    head = {
        "title": entry.title,
        "date": entry.when.isoformat(),
        "slug": entry.slug,
        "summary": entry.summary,
        "categories": ["/".join(entry.category[: i + 1]) for i in range(len(entry.category))],
    }
    front = "".join(f"{k}: {json.dumps(v, ensure_ascii=False)}\n" for k, v in head.items())
    return f"---\n{front}---\n\n{entry.body}"


def hugo_path(root: Path, entry: Entry) -> Path:
    return root / "content" / entry.folder / f"{entry.slug}.md"


def write_hugo_page(root: Path, entry: Entry) -> None:
    write_whole(hugo_path(root, entry), hugo_page(entry))


def hugo_site(root: Path, entries: list[Entry]) -> Path:
    """A Hugo site of ``entries`` in ``root``; returns ``root``.

    Each category folder gets an ``_index.md``: Hugo makes a nested folder a
    section (its own list, its own newer/older) only then, as each of our
    categories has its pages.
    """
    write_whole(root / "config.toml", HUGO_CONFIG)
    for name, text in (("baseof", BASEOF), ("single", SINGLE), ("list", LIST)):
        write_whole(root / "layouts" / "_default" / f"{name}.html", text)
    for path, name in _category_names().items():
        write_whole(root / "content" / "/".join(path) / "_index.md", f"---\ntitle: {json.dumps(name)}\n---\n")
    for entry in entries:
        write_hugo_page(root, entry)
    return root


# -- Pelican -------------------------------------------------------------------------------------
PELICAN_CONFIG = """\
AUTHOR = "Newsroom"
SITENAME = "Newsroom peer"
SITEURL = ""
PATH = "content"
TIMEZONE = "Asia/Ho_Chi_Minh"
DEFAULT_LANG = "vi"
DEFAULT_PAGINATION = 20
FEED_MAX_ITEMS = 20
AUTHOR_SAVE_AS = ""
AUTHORS_SAVE_AS = ""
CACHE_CONTENT = False
LOAD_CONTENT_CACHE = False
DELETE_OUTPUT_DIRECTORY = True
"""


def pelican_page(entry: Entry) -> str:
    """An article in Pelican's Markdown metadata format (one category: the category path's slugs)."""
    return (
        f"Title: {entry.title}\nDate: {entry.when.isoformat()}\nCategory: {'-'.join(entry.category)}\n"
        f"Slug: {entry.slug}\nSummary: {entry.summary}\n\n{entry.body}"
    )


def pelican_site(root: Path, entries: list[Entry]) -> Path:
    """A Pelican project of ``entries`` in ``root`` (``pelicanconf.py``, ``content/``); returns ``root``."""
    write_whole(root / "pelicanconf.py", PELICAN_CONFIG)
    for entry in entries:
        write_whole(root / "content" / entry.folder / f"{entry.slug}.md", pelican_page(entry))
    return root
