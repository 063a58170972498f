"""Parse and validate the site configuration editors upload: ``site/site.yaml`` and ``site/categories.yaml``.

Pure functions, no AWS. Every refusal is a ``RejectedConfig`` (a
``RejectedSource``) whose reason names the file, the line when known, the
item and the field, because the editor reads it on the object's tags::

    site.yaml, line 12: menu item 3: 'url' must be a site path like /tin-tuc/ or an https:// URL

``site.yaml`` (every key optional; a key left without a value keeps the default)::

    name: Cổng thông tin Khoa học và Công nghệ
    description: Tin tức khoa học và công nghệ của tỉnh
    base_url: https://khcn.example.gov.vn      # overrides the deployment's URL
    locale: vi                                 # vi | en
    timezone: Asia/Ho_Chi_Minh                 # an IANA time zone
    menu:     [{title: Tin tức, url: /tin-tuc/}]                       # at most 20
    links:    [{title: Bộ KH&CN, url: https://www.most.gov.vn}]        # at most 50
    partners: [{title: VIFOTEC, url: https://…, image: /media/x.jpg}]  # at most 20
    statistics: {members: 1234, web_links: 56}

``categories.yaml``: a list of categories in display order, nested through
``children`` (at most ``MAX_CATEGORY_DEPTH`` levels)::

    - slug: tin-tuc
      name: Tin tức
      description: Tin hoạt động khoa học và công nghệ
      children:
        - {slug: tin-vifotec, name: Tin VIFOTEC}
"""

from __future__ import annotations

import codecs
import difflib
import functools
import unicodedata
import zoneinfo
from collections.abc import Callable, Collection, Hashable, Iterator, Sequence
from dataclasses import replace
from typing import Any, NoReturn, TypedDict
from urllib.parse import urlsplit

import yaml
from slugify import slugify

from newsroom.article import MAX_CATEGORY_DEPTH, RESERVED_FOLDERS, humanize
from newsroom.categories import Categories, CategoryInfo, CategoryPath
from newsroom.errors import RejectedSource
from newsroom.settings import SUPPORTED_LOCALES
from newsroom.site_config import SiteConfig, default_config
from newsroom.site_urls import image_problem, is_safe_url
from newsroom.views import Link

__all__ = [
    "CATEGORIES_FILE",
    "MAX_CONFIG_BYTES",
    "SITE_FILE",
    "Categories",
    "CategoryInfo",
    "RejectedConfig",
    "SiteConfig",
    "SiteOverrides",
    "build_config",
    "is_safe_url",
    "normalise_base_url",
    "parse_categories_yaml",
    "parse_site_yaml",
]

SITE_FILE = "site.yaml"
CATEGORIES_FILE = "categories.yaml"
MAX_CONFIG_BYTES = 256 * 1024
MAX_MENU = 20
MAX_LINKS = 50
MAX_PARTNERS = 20
MAX_CATEGORIES = 500
MAX_TITLE = 200
MAX_DESCRIPTION = 1000
MAX_URL = 2000
MAX_SLUG = 80
MAX_STATISTIC = 10**12
# Top-level folders of the site bucket that are not categories.
RESERVED_SLUGS = RESERVED_FOLDERS

SITE_KEYS = (
    "name",
    "description",
    "base_url",
    "locale",
    "timezone",
    "menu",
    "links",
    "partners",
    "statistics",
)
STATISTICS_KEYS = ("members", "web_links")
LINK_FIELDS = ("title", "url")
PARTNER_FIELDS = ("title", "url", "image")
CATEGORY_FIELDS = ("slug", "name", "description", "children")

_URL_HINT = "must be a site path like /tin-tuc/ or an https:// URL"


class RejectedConfig(RejectedSource):
    """A configuration file that cannot be used; ``file_name`` is ``site.yaml`` or ``categories.yaml``."""

    def __init__(self, file_name: str, reason: str, line: int | None = None) -> None:
        where = f"{file_name}, line {line}" if line else file_name
        super().__init__(f"{where}: {reason}")
        self.file_name = file_name
        self.line = line


class SiteOverrides(TypedDict, total=False):
    """What ``site.yaml`` sets: the ``SiteConfig`` fields it names, validated and normalised."""

    name: str
    description: str
    base_url: str
    locale: str
    timezone: str
    menu: tuple[Link, ...]
    links: tuple[Link, ...]
    partners: tuple[Link, ...]
    members: int
    web_links: int


# --- YAML that remembers where things are ------------------------------------------------------


class _Map(dict[Any, Any]):
    """A YAML mapping that knows its line and the line of each key (1-based)."""

    line: int | None = None
    key_lines: dict[Any, int]


class _Seq(list[Any]):
    """A YAML sequence that knows its line and the line of each item (1-based)."""

    line: int | None = None
    item_lines: list[int]


class _Loader(yaml.SafeLoader):
    """``safe_load`` plus line numbers on mappings and lists, and a refusal of duplicate keys."""


def _construct_map(loader: yaml.SafeLoader, node: yaml.Node) -> Iterator[_Map]:
    assert isinstance(node, yaml.MappingNode)
    data = _Map()
    data.line = node.start_mark.line + 1
    data.key_lines = {}
    yield data
    for key_node, _ in node.value:
        key = loader.construct_object(key_node, deep=True)
        if not isinstance(key, Hashable) or key == "<<":
            continue
        if key in data.key_lines:
            raise yaml.constructor.ConstructorError(
                None, None, f"'{str(key)[:40]}' appears twice in the same mapping", key_node.start_mark
            )
        data.key_lines[key] = key_node.start_mark.line + 1
    data.update(loader.construct_mapping(node))


def _construct_seq(loader: yaml.SafeLoader, node: yaml.Node) -> Iterator[_Seq]:
    assert isinstance(node, yaml.SequenceNode)
    data = _Seq()
    data.line = node.start_mark.line + 1
    data.item_lines = [item.start_mark.line + 1 for item in node.value]
    yield data
    data.extend(loader.construct_sequence(node))


_Loader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _construct_map)
_Loader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_SEQUENCE_TAG, _construct_seq)


def _line(value: Any) -> int | None:
    return value.line if isinstance(value, (_Map, _Seq)) else None


def _item_line(items: list[Any], index: int) -> int | None:
    lines: list[int] = getattr(items, "item_lines", [])
    return lines[index] if index < len(lines) else None


def _decode(data: bytes, file_name: str) -> str:
    if len(data) > MAX_CONFIG_BYTES:
        raise RejectedConfig(
            file_name,
            f"the file is too large ({-(-len(data) // 1024)} KiB; at most {MAX_CONFIG_BYTES // 1024} KiB)",
        )
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        try:
            text = data.decode("utf-16")
        except UnicodeDecodeError as exc:
            raise RejectedConfig(file_name, f"broken UTF-16 text at byte {exc.start}") from None
    else:
        if b"\x00" in data:
            raise RejectedConfig(file_name, "binary file, not YAML text")
        try:
            text = data.decode("utf-8-sig")
        except UnicodeDecodeError as exc:
            raise RejectedConfig(
                file_name,
                f"not UTF-8 text: byte 0x{data[exc.start]:02x} at offset {exc.start}; save the file as UTF-8",
            ) from None
    return unicodedata.normalize("NFC", text)


def _load(data: bytes, file_name: str) -> Any:
    text = _decode(data, file_name)
    try:
        return yaml.load(text, Loader=_Loader)  # noqa: S506 - _Loader is a SafeLoader
    except yaml.reader.ReaderError as exc:
        line = text[: exc.position].count("\n") + 1
        raise RejectedConfig(
            file_name, f"invalid YAML: character U+{exc.character:04X} is not allowed", line
        ) from None
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        problem = getattr(exc, "problem", None) or "syntax error"
        raise RejectedConfig(file_name, f"invalid YAML: {problem}", mark.line + 1 if mark else None) from None
    except RecursionError:
        raise RejectedConfig(file_name, "invalid YAML: nested too deeply") from None


# --- fields --------------------------------------------------------------------------------------


class _Fields:
    """Reads the fields of one mapping; every refusal names the file, the line and the item."""

    def __init__(
        self,
        file_name: str,
        where: str,
        mapping: Any,
        allowed: Sequence[str],
        example: str,
        noun: str = "field",
        line: int | None = None,
    ) -> None:
        self.file_name = file_name
        self.where = where
        self.line = _line(mapping) or line
        self.key_lines: dict[Any, int] = getattr(mapping, "key_lines", {})
        if not isinstance(mapping, dict):
            self.fail(f"must be a mapping ({example}), not {_describe(mapping)}")
        self.mapping: dict[Any, Any] = mapping
        for key in mapping:
            if key not in allowed:
                self.fail(_unknown(key, allowed, noun), key)

    def fail(self, problem: str, key: Any = None) -> NoReturn:
        line = self.key_lines.get(key, self.line) if key is not None else self.line
        raise RejectedConfig(self.file_name, f"{self.where}: {problem}" if self.where else problem, line)

    def has(self, name: str) -> bool:
        """Whether the field is set to something (a key without a value is not)."""
        return self.mapping.get(name) is not None

    def text(self, name: str, *, limit: int = MAX_TITLE, allow_empty: bool = False) -> str:
        """The field as one line of clean text ("" if unset and ``allow_empty``)."""
        value = self.mapping.get(name)
        if name not in self.mapping and not allow_empty:
            self.fail(f"'{name}' is missing")
        text = _clean_text(value, lambda problem: self.fail(f"'{name}' {problem}", name), limit)
        if not text and not allow_empty:
            self.fail(f"'{name}' must not be empty", name)
        return text

    def url(self, name: str, hint: str) -> str:
        url = self.text(name, limit=MAX_URL)
        if not is_safe_url(url):
            self.fail(f"'{name}' {hint}", name)
        return url

    def image(self, name: str, hosts: Collection[str] | None) -> str:
        """A picture the page can show (see ``site_urls``): under /media/ or on an allowed host."""
        url = self.text(name, limit=MAX_URL)
        problem = image_problem(url, hosts)
        if problem is not None:
            self.fail(f"'{name}' {problem}", name)
        return url


_KINDS: tuple[tuple[type | tuple[type, ...], str], ...] = (
    (bool, "yes/no"),  # before int: a bool is an int
    (list, "a list"),
    (dict, "a mapping"),
)


def _describe(value: Any) -> str:
    """What the editor wrote, in words, for an error message."""
    if value is None:
        return "nothing"
    for kind, words in _KINDS:
        if isinstance(value, kind):
            return words
    if isinstance(value, (int, float)):
        return f"the number {value}"
    if isinstance(value, str):
        return f"the text '{value[:30]}'"
    return "a date" if hasattr(value, "year") else type(value).__name__


def _unknown(key: Any, allowed: Sequence[str], noun: str) -> str:
    shown = str(key)[:40]
    close = difflib.get_close_matches(shown, allowed, n=1)
    hint = f"did you mean '{close[0]}'? " if close else ""
    return f"unknown {noun} '{shown}' ({hint}allowed: {', '.join(allowed)})"


def _clean_text(value: Any, fail: Callable[[str], NoReturn], limit: int) -> str:
    if value is None:
        return ""
    if isinstance(value, bool) or not isinstance(value, (str, int)):
        fail(
            f"must be text, not {_describe(value)}"
            + (" (put it in quotes)" if not _is_container(value) else "")
        )
    text = " ".join(unicodedata.normalize("NFC", str(value)).split())
    if any(unicodedata.category(ch) == "Cc" for ch in text):
        fail("contains a control character")
    if len(text) > limit:
        fail(f"is too long ({len(text)} characters; at most {limit})")
    return text


def _is_container(value: Any) -> bool:
    return isinstance(value, (list, dict))


def normalise_base_url(value: str) -> str | None:
    """``HTTPS://Example.org/portal/`` → ``https://example.org/portal``; ``None`` if it is not a base URL."""
    if (
        not value.isascii()
        or value.startswith("/")
        or not is_safe_url(value, ("http", "https"))
        or "?" in value
        or "#" in value
    ):
        return None
    parts = urlsplit(value)
    return f"{parts.scheme.lower()}://{parts.netloc.lower()}{parts.path.rstrip('/')}"


@functools.cache
def _time_zones() -> frozenset[str]:
    return frozenset(zoneinfo.available_timezones() - {"localtime"})


# --- site.yaml -----------------------------------------------------------------------------------


def parse_site_yaml(data: bytes, image_hosts: Collection[str] | None = ()) -> SiteOverrides:
    """The settings ``site.yaml`` sets; a key without a value is left out (it keeps its default).

    ``image_hosts``: the hosts pictures may come from besides /media/ (the
    deployment's ``ImageHosts``; none by default); ``None`` skips that check,
    for a configuration read back to render, which was checked when accepted.
    """
    doc = _load(data, SITE_FILE)
    if doc is None:
        return {}
    if not isinstance(doc, dict):
        raise RejectedConfig(
            SITE_FILE, f"must be a mapping of settings (name: value lines), not {_describe(doc)}", _line(doc)
        )
    fields = _Fields(SITE_FILE, "", doc, SITE_KEYS, "name: value", "setting")
    out: SiteOverrides = {}
    if fields.has("name"):
        out["name"] = fields.text("name")
    if fields.has("description"):
        out["description"] = fields.text("description", limit=MAX_DESCRIPTION, allow_empty=True)
    if fields.has("base_url"):
        out["base_url"] = _base_url(fields)
    if fields.has("locale"):
        out["locale"] = _locale(fields)
    if fields.has("timezone"):
        out["timezone"] = _time_zone(fields)
    for key, limit, allowed in (
        ("menu", MAX_MENU, LINK_FIELDS),
        ("links", MAX_LINKS, LINK_FIELDS),
        ("partners", MAX_PARTNERS, PARTNER_FIELDS),
    ):
        if fields.has(key):
            out[key] = _links(fields, key, limit, allowed, image_hosts)  # type: ignore[literal-required]
    if fields.has("statistics"):
        stats = _Fields(
            SITE_FILE,
            "statistics",
            doc["statistics"],
            STATISTICS_KEYS,
            "members: 1234",
            line=fields.key_lines.get("statistics"),
        )
        for name in STATISTICS_KEYS:
            if stats.has(name):
                out[name] = _statistic(stats, name)  # type: ignore[literal-required]
    return out


def _base_url(fields: _Fields) -> str:
    base_url = normalise_base_url(fields.text("base_url", limit=MAX_URL))
    if base_url is None:
        fields.fail("'base_url' must look like https://khcn.example.gov.vn or https://host/path", "base_url")
    return base_url


def _locale(fields: _Fields) -> str:
    locale = fields.text("locale").lower()
    if locale not in SUPPORTED_LOCALES:
        fields.fail(f"'locale' must be {' or '.join(SUPPORTED_LOCALES)}, not '{locale[:20]}'", "locale")
    return locale


def _time_zone(fields: _Fields) -> str:
    name = fields.text("timezone")
    if name not in _time_zones():
        same = sorted(zone for zone in _time_zones() if zone.lower() == name.lower())
        hint = f"did you mean {same[0]}?" if same else "e.g. Asia/Ho_Chi_Minh"
        fields.fail(f"'timezone' '{name[:40]}' is not a time zone name ({hint})", "timezone")
    return name


def _links(
    fields: _Fields, key: str, limit: int, allowed: Sequence[str], image_hosts: Collection[str] | None
) -> tuple[Link, ...]:
    value = fields.mapping[key]
    example = ", ".join(f"{name}: …" for name in allowed)
    if not isinstance(value, list):
        fields.fail(f"'{key}' must be a list of items (- {example}), not {_describe(value)}", key)
    if len(value) > limit:
        fields.fail(f"'{key}' has {len(value)} items; at most {limit}", key)
    label = {"menu": "menu item", "links": "link", "partners": "partner"}[key]
    links: list[Link] = []
    first_with_url: dict[str, int] = {}
    for number, item in enumerate(value, start=1):
        item_fields = _Fields(
            SITE_FILE, f"{label} {number}", item, allowed, example, line=_item_line(value, number - 1)
        )
        title = item_fields.text("title")
        url = item_fields.url("url", _URL_HINT)
        image = item_fields.image("image", image_hosts) if "image" in allowed else None
        if url in first_with_url:
            item_fields.fail(f"same url as {label} {first_with_url[url]} ({url[:60]})", "url")
        first_with_url[url] = number
        links.append(Link(title, url, image))
    return tuple(links)


def _statistic(fields: _Fields, name: str) -> int:
    value = fields.mapping[name]
    if isinstance(value, bool) or not isinstance(value, int):
        fields.fail(f"'{name}' must be a whole number like 1234, not {_describe(value)}", name)
    if value < 0:
        fields.fail(f"'{name}' must not be negative", name)
    if value > MAX_STATISTIC:
        fields.fail(f"'{name}' is too large (at most {MAX_STATISTIC})", name)
    return value


# --- categories.yaml -----------------------------------------------------------------------------


def parse_categories_yaml(data: bytes) -> Categories:
    """The categories ``categories.yaml`` configures, in its order."""
    doc = _load(data, CATEGORIES_FILE)
    if doc is None:
        return Categories()
    if not isinstance(doc, list):
        raise RejectedConfig(
            CATEGORIES_FILE,
            f"must be a list of categories (- slug: tin-tuc, name: Tin tức), not {_describe(doc)}",
            _line(doc),
        )
    entries: list[CategoryInfo] = []
    _walk(doc, (), entries)
    return Categories(tuple(entries))


def _folder(path: CategoryPath) -> str:
    return "/" + "".join(f"{slug}/" for slug in path)


def _walk(items: list[Any], parent: CategoryPath, entries: list[CategoryInfo]) -> None:
    first_line: dict[str, int | None] = {}
    for number, item in enumerate(items, start=1):
        where = f"category {number}" + (f" under {_folder(parent)}" if parent else "")
        fields = _Fields(
            CATEGORIES_FILE,
            where,
            item,
            CATEGORY_FIELDS,
            "slug: …, name: …",
            line=_item_line(items, number - 1),
        )
        slug = _slug(fields, top_level=not parent)
        path = (*parent, slug)
        if slug in first_line:
            earlier = f" (first at line {first_line[slug]})" if first_line[slug] else ""
            fields.fail(f"{_folder(path)} is listed twice{earlier}", "slug")
        first_line[slug] = fields.key_lines.get("slug", fields.line)
        if len(entries) >= MAX_CATEGORIES:
            fields.fail(f"too many categories (at most {MAX_CATEGORIES})")
        fields.where = _folder(path)
        name = fields.text("name") if "name" in fields.mapping else humanize(slug)
        description = fields.text("description", limit=MAX_DESCRIPTION, allow_empty=True)
        entries.append(CategoryInfo(path=path, name=name, description=description, order=number - 1))
        children = fields.mapping.get("children")
        if children is None:
            continue
        if not isinstance(children, list):
            fields.fail(
                f"'children' must be a list of categories (- slug: …), not {_describe(children)}", "children"
            )
        if children and len(path) >= MAX_CATEGORY_DEPTH:
            fields.fail(f"categories nest at most {MAX_CATEGORY_DEPTH} levels deep", "children")
        _walk(children, path, entries)


def _slug(fields: _Fields, *, top_level: bool) -> str:
    slug = fields.text("slug", limit=MAX_SLUG)
    if "/" in slug:
        fields.fail(
            f"'slug' '{slug[:40]}' must be one folder name: put subcategories under 'children'", "slug"
        )
    if slug.isdigit():
        fields.fail(
            f"'slug' '{slug}' is only digits: /<category>/<yyyy>/<mm>/ are monthly archive URLs", "slug"
        )
    if slugify(slug) != slug:
        suggestion = slugify(slug)[:40]
        hint = f", e.g. '{suggestion}'" if suggestion else ""
        fields.fail(
            f"'slug' '{slug[:40]}' is not a URL slug: use lowercase a-z, 0-9 and hyphens{hint}", "slug"
        )
    if top_level and slug in RESERVED_SLUGS:
        fields.fail(f"'slug' '{slug}' is reserved for the site's own files (/{slug}/)", "slug")
    return slug


# --- both ----------------------------------------------------------------------------------------


def build_config(
    site_yaml: bytes | None,
    categories_yaml: bytes | None,
    default_locale: str,
    image_hosts: Collection[str] | None = (),
) -> SiteConfig:
    """The site configuration: the built-in defaults for the locale, overridden by the files given.

    ``None`` means the file does not exist. The defaults are those of
    ``site.yaml``'s ``locale`` if it sets one, else of ``default_locale``.
    ``image_hosts`` as in ``parse_site_yaml``: checked when a file is
    accepted, not when an accepted one is read back to render.
    """
    overrides = parse_site_yaml(site_yaml, image_hosts) if site_yaml is not None else SiteOverrides()
    categories = parse_categories_yaml(categories_yaml) if categories_yaml is not None else Categories()
    base = default_config(overrides.get("locale", default_locale))
    return replace(base, **overrides, categories=categories)
