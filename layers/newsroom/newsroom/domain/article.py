"""Parse an editor's Markdown file into an article.

Every rule about what an editor may write lives here, and every refusal says
precisely what is wrong, because the editor reads it on the object's tags.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Collection
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import yaml
from slugify import slugify

from newsroom.domain.editor_urls import image_problem
from newsroom.domain.errors import RejectedSource
from newsroom.domain.html_body import body_of, first_heading, meta_fields, render_html
from newsroom.domain.markdown import WorkBudget, render_markdown
from newsroom.domain.reasons import N_, Reason
from newsroom.domain.source_keys import SourceKey
from newsroom.domain.text_decoding import decode_text

STATUSES = ("published", "draft")
SUMMARY_LENGTH = 240
# Each level adds a listing entry to the publish transaction (DynamoDB allows 100 actions).
MAX_CATEGORY_DEPTH = 6
# Top-level folders the site itself uses: media copies, hashed assets, sitemap shards, search,
# drafts' previews.
RESERVED_FOLDERS = ("media", "assets", "sitemaps", "api", "preview")
_FRONT_MATTER = re.compile(r"\A---[ \t]*\r?\n(?:(.*?)\r?\n)?(?:---|\.\.\.)[ \t]*(?:\r?\n|\Z)", re.S)
# An opening '---' followed by a field line: front matter, even if its closing line is missing.
_OPENED_FRONT_MATTER = re.compile(r"\A---[ \t]*\r?\n[A-Za-z_][\w-]*[ \t]*:")
_FIRST_HEADING = re.compile(r"\A\s*#[ \t]+(.+?)[ \t#]*(?:\r?\n|\Z)")
# Dates a news archive can hold. Outside them the month archives, feeds and
# time zone conversions overflow (year 1 in UTC-x, year 9999 plus a day).
MIN_YEAR, MAX_YEAR = 1900, 2100
# The YAML parser is pure Python: 400 KB of front matter took 7 s. Real front
# matter is a few hundred bytes; 32 KB parses in well under a second.
MAX_FRONT_MATTER_BYTES = 32 * 1024
HTML_SUFFIXES = (".html", ".htm")
MAX_AHEAD = timedelta(days=366)
"""A date further ahead of the first upload is a likely typo (2099 for 2024): refused, not the lead story."""


@dataclass(frozen=True)
class Article:
    """An article as the site shows it, before it meets the index."""

    source_key: str
    title: str
    slug: str
    category: tuple[str, ...]
    category_names: tuple[str, ...]
    published_at: datetime
    summary: str
    author: str
    image: str | None
    tags: tuple[str, ...]
    status: str
    body_html: str
    views_base: int = 0
    """Views before this site counted (front matter ``views:``, a moved portal's hits): the page adds them."""
    publish_at: datetime | None = None
    """When the page goes live (front matter ``publish_at:``); never before ``published_at`` either."""
    unpublish_at: datetime | None = None
    """When the page comes down (front matter ``unpublish_at:``), the file staying where it is."""

    @property
    def live_from(self) -> datetime:
        """The first moment a reader may see the page: a future ``date`` schedules it too."""
        return max(self.published_at, self.publish_at or self.published_at)

    @property
    def url(self) -> str:
        """The page's path on the site: ``/<category path>/<slug>.html``."""
        folder = "/".join(self.category)
        return f"/{folder}/{self.slug}.html" if folder else f"/{self.slug}.html"


def split_front_matter(text: str) -> tuple[dict[str, Any], str]:
    """Separate the YAML front matter (optional) from the Markdown body."""
    match = _FRONT_MATTER.match(text)
    if not match:
        if _OPENED_FRONT_MATTER.match(text):
            raise RejectedSource(N_("front matter is never closed: end it with a line of three dashes (---)"))
        return {}, text
    size = len((match.group(1) or "").encode("utf-8"))
    if size > MAX_FRONT_MATTER_BYTES:
        raise RejectedSource(
            N_(
                "the front matter is {size:,} bytes, over the limit of {limit:,}:"
                " keep the fields short and put the text in the body"
            ),
            size=size,
            limit=MAX_FRONT_MATTER_BYTES,
        )
    try:
        meta = yaml.safe_load(match.group(1) or "")
    except RecursionError:
        raise RejectedSource(
            N_("the front matter nests too deeply: write each field as name: value")
        ) from None
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        problem = getattr(exc, "problem", None) or Reason(N_("syntax error"))
        if mark is None:
            raise RejectedSource(N_("invalid YAML front matter: {problem}"), problem=problem) from None
        raise RejectedSource(
            N_("invalid YAML front matter at line {line}: {problem}"), line=mark.line + 2, problem=problem
        ) from None
    if meta is None:
        meta = {}
    if not isinstance(meta, dict):
        raise RejectedSource(N_("front matter must be a mapping of fields (name: value)"))
    return {str(k): v for k, v in meta.items()}, text[match.end() :]


def _text_field(meta: dict[str, Any], name: str) -> str:
    value = meta.get(name)
    if value is None:
        return ""
    if isinstance(value, (dict, list)):
        raise RejectedSource(N_("front matter field '{name}' must be text"), name=name)
    return unicodedata.normalize("NFC", str(value)).strip()


def _parse_date(value: Any, tz: ZoneInfo, name: str = "date") -> datetime:
    if isinstance(value, datetime):
        parsed = value
    elif isinstance(value, date):
        parsed = datetime.combine(value, time())
    elif isinstance(value, str):
        try:
            parsed = datetime.fromisoformat(value.strip())
        except ValueError:
            raise RejectedSource(
                N_("{name} '{value}' is not ISO 8601 (e.g. 2024-04-28T08:30:00+07:00)"),
                name=name,
                value=value[:40],
            ) from None
    else:
        raise RejectedSource(N_("{name} must be an ISO 8601 date or date-time"), name=name)
    years = {"first": MIN_YEAR, "last": MAX_YEAR}
    if not MIN_YEAR <= parsed.year <= MAX_YEAR:
        raise RejectedSource(
            N_("{name} {date} is out of range: use a year from {first} to {last}"),
            name=name,
            date=parsed.date().isoformat(),
            **years,
        )
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=tz)
    # The archives are the site's calendar: 2100-12-31T23:00-05:00 is already 2101 in Hà Nội.
    local = parsed.astimezone(tz)
    if not MIN_YEAR <= local.year <= MAX_YEAR:
        raise RejectedSource(
            N_(
                "{name} {moment} is {date} in the site's time zone ({zone}):"
                " it is out of range: use a year from {first} to {last}"
            ),
            name=name,
            moment=parsed.isoformat(),
            date=local.date().isoformat(),
            zone=tz.key,
            **years,
        )
    return parsed


def _tags(value: Any) -> tuple[str, ...]:
    if value is None:
        return ()
    items = value.split(",") if isinstance(value, str) else value
    if not isinstance(items, list) or any(isinstance(i, (dict, list)) for i in items):
        raise RejectedSource(N_("tags must be a list of words or a comma-separated text"))
    return tuple(dict.fromkeys(unicodedata.normalize("NFC", str(i)).strip() for i in items if str(i).strip()))


def _category(meta: dict[str, Any], key: SourceKey) -> tuple[tuple[str, ...], tuple[str, ...]]:
    raw = _text_field(meta, "category")
    names = [part.strip() for part in raw.split("/") if part.strip()] if raw else list(key.segments[:-1])
    if len(names) > MAX_CATEGORY_DEPTH:
        raise RejectedSource(N_("categories nest at most {most} levels deep"), most=MAX_CATEGORY_DEPTH)
    slugs = tuple(slugify(name) for name in names)
    if any(not s for s in slugs):
        raise RejectedSource(N_("category has a part that makes no URL (use letters or digits)"))
    if slugs and slugs[0] in RESERVED_FOLDERS:
        raise RejectedSource(
            N_("the folder '{folder}' is reserved for the site's own files: choose another category"),
            folder=slugs[0],
        )
    digits = next((s for s in slugs if s.isdigit()), None)
    if digits is not None:
        raise RejectedSource(
            N_(
                "category '{category}' is only digits: it would collide with the monthly archives (/2024/06/)"
            ),
            category=digits,
        )
    display = tuple(_display_name(name, s) for name, s in zip(names, slugs, strict=True))
    return slugs, display


def _display_name(name: str, slug: str) -> str:
    """A folder named ``tin-tuc`` reads as ``Tin tuc``; ``Tin tức`` stays as written."""
    return humanize(name) if name == slug else name


def humanize(slug: str) -> str:
    """A readable name for a slug when nothing better is known: ``tin-tuc`` → ``Tin tuc``."""
    readable = slug.replace("-", " ")
    return readable[:1].upper() + readable[1:]


def _summary(text: str) -> str:
    if len(text) <= SUMMARY_LENGTH:
        return text
    cut = text[:SUMMARY_LENGTH].rsplit(" ", 1)[0]
    return cut.rstrip(",.;:") + "…"


def parse_article(
    key: SourceKey,
    data: bytes,
    *,
    first_seen: datetime,
    timezone: str,
    image_hosts: Collection[str] = (),
) -> Article:
    """Parse ``data`` (the file at ``key``) into an ``Article``.

    ``first_seen`` is the stored time the article was first seen: the date of
    an article without one, so that a rebuild reproduces it. ``image_hosts``
    are the hosts pictures may come from besides /media/ (``site_urls``).
    """
    budget = WorkBudget()
    text = decode_text(data)
    is_html = key.key.lower().endswith((*HTML_SUFFIXES, ".docx"))  # Word arrives converted to HTML
    if is_html and not text.lstrip("\ufeff").startswith("---"):
        meta, body = meta_fields(text), body_of(text)
    else:
        meta, body = split_front_matter(text)
        body = body_of(body) if is_html else body
    budget.check()
    title = _text_field(meta, "title")
    if not title and is_html:
        title, body = first_heading(body)
    elif not title:
        heading = _FIRST_HEADING.match(body)
        if heading:
            title = heading.group(1).strip()
            body = body[heading.end() :]
    if not title:
        raise RejectedSource(N_("missing title: add 'title:' to the front matter or start with '# Title'"))
    status = _text_field(meta, "status") or "published"
    if status not in STATUSES:
        raise RejectedSource(N_("unknown status '{status}' (use published or draft)"), status=status[:40])
    tz = ZoneInfo(timezone)
    publish_at, unpublish_at = (
        _moment(meta, name, tz, first_seen) for name in ("publish_at", "unpublish_at")
    )
    published_at = _moment(meta, "date", tz, first_seen) or publish_at or first_seen
    if unpublish_at is not None and unpublish_at <= max(published_at, publish_at or published_at):
        raise RejectedSource(
            N_("unpublish_at ({end}) is not after the time the article goes live ({start})"),
            end=_shown(unpublish_at, tz),
            start=_shown(max(published_at, publish_at or published_at), tz),
        )
    stem = key.segments[-1].rsplit(".", 1)[0]
    slug = slugify(_text_field(meta, "slug") or stem)
    if not slug:
        raise RejectedSource(N_("the file name makes no URL: add 'slug:' to the front matter"))
    category, category_names = _category(meta, key)
    if slug == "index" or (not category and slug == "404"):
        raise RejectedSource(
            N_("the slug '{slug}' is reserved for a site page: set another 'slug:'"), slug=slug
        )
    rendered = render_html(body, budget) if is_html else render_markdown(body, budget)
    image = _text_field(meta, "image")
    problem = image_problem(image, image_hosts) if image else None
    if problem is not None:
        raise RejectedSource(N_("front matter field 'image' {problem}"), problem=problem)
    if not image:  # the first picture of the body the page can show, as the lead picture
        image = next((src for src in rendered.images if image_problem(src, image_hosts) is None), "")
    return Article(
        source_key=key.key,
        title=title,
        slug=slug,
        category=category,
        category_names=category_names,
        published_at=published_at,
        summary=_text_field(meta, "summary") or _summary(rendered.text),
        author=_text_field(meta, "author"),
        image=image or None,
        tags=_tags(meta.get("tags")),
        status=status,
        body_html=rendered.html,
        views_base=_views_base(meta.get("views")),
        publish_at=publish_at,
        unpublish_at=unpublish_at,
    )


def _moment(meta: dict[str, Any], name: str, tz: ZoneInfo, first_seen: datetime) -> datetime | None:
    """A time field (site time when it has no offset), refused when over a year after the first upload.

    Measured from the stored first upload, not from now, so that a rebuild
    next year accepts what was accepted today.
    """
    if meta.get(name) is None:
        return None
    moment = _parse_date(meta[name], tz, name)
    if moment > first_seen + MAX_AHEAD:
        raise RejectedSource(
            N_(
                "{name} {date} is more than a year after the file was first uploaded ({first}): is it a typo?"
            ),
            name=name,
            date=moment.astimezone(tz).date().isoformat(),
            first=first_seen.astimezone(tz).date().isoformat(),
        )
    return moment


def _shown(moment: datetime, tz: ZoneInfo) -> str:
    return moment.astimezone(tz).strftime("%Y-%m-%d %H:%M")


MAX_VIEWS_BASE = 10**12


def _views_base(value: Any) -> int:
    """The article's old view count: a whole number, 0 when absent."""
    if value is None:
        return 0
    if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= MAX_VIEWS_BASE:
        raise RejectedSource(
            N_("front matter field 'views' must be a whole number from 0 to {most:,}"), most=MAX_VIEWS_BASE
        )
    return value
