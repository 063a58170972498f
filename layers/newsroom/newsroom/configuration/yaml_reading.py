"""Reading editors' YAML: decoded, size-checked, with line numbers, and its fields checked one by one.

Every refusal names the file, the line when known, the item and the field.
"""

from __future__ import annotations

import codecs
import difflib
import functools
import unicodedata
import zoneinfo
from collections.abc import Callable, Collection, Hashable, Iterator, Sequence
from typing import Any, NoReturn
from urllib.parse import urlsplit

import yaml

from newsroom.domain.article import RESERVED_FOLDERS
from newsroom.domain.editor_urls import image_problem, is_safe_url
from newsroom.domain.errors import RejectedSource

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
    "video",
)
STATISTICS_KEYS = ("members", "web_links", "views")
LINK_FIELDS = ("title", "url")
PARTNER_FIELDS = ("title", "url", "image")
CATEGORY_FIELDS = ("slug", "name", "description", "children")

URL_HINT = "must be a site path like /tin-tuc/ or an https:// URL"


class RejectedConfig(RejectedSource):
    """A configuration file that cannot be used; ``file_name`` is ``site.yaml`` or ``categories.yaml``."""

    def __init__(self, file_name: str, reason: str, line: int | None = None) -> None:
        where = f"{file_name}, line {line}" if line else file_name
        super().__init__(f"{where}: {reason}")
        self.file_name = file_name
        self.line = line


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


def line_of(value: Any) -> int | None:
    return value.line if isinstance(value, (_Map, _Seq)) else None


def item_line(items: list[Any], index: int) -> int | None:
    lines: list[int] = getattr(items, "item_lines", [])
    return lines[index] if index < len(lines) else None


def decode(data: bytes, file_name: str) -> str:
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


def load_yaml(data: bytes, file_name: str) -> Any:
    text = decode(data, file_name)
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


class Fields:
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
        self.line = line_of(mapping) or line
        self.key_lines: dict[Any, int] = getattr(mapping, "key_lines", {})
        if not isinstance(mapping, dict):
            self.fail(f"must be a mapping ({example}), not {describe(mapping)}")
        self.mapping: dict[Any, Any] = mapping
        for key in mapping:
            if key not in allowed:
                self.fail(unknown_key(key, allowed, noun), key)

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
        text = clean_text(value, lambda problem: self.fail(f"'{name}' {problem}", name), limit)
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


def describe(value: Any) -> str:
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


def unknown_key(key: Any, allowed: Sequence[str], noun: str) -> str:
    shown = str(key)[:40]
    close = difflib.get_close_matches(shown, allowed, n=1)
    hint = f"did you mean '{close[0]}'? " if close else ""
    return f"unknown {noun} '{shown}' ({hint}allowed: {', '.join(allowed)})"


def clean_text(value: Any, fail: Callable[[str], NoReturn], limit: int) -> str:
    if value is None:
        return ""
    if isinstance(value, bool) or not isinstance(value, (str, int)):
        fail(
            f"must be text, not {describe(value)}"
            + (" (put it in quotes)" if not is_container(value) else "")
        )
    text = " ".join(unicodedata.normalize("NFC", str(value)).split())
    if any(unicodedata.category(ch) == "Cc" for ch in text):
        fail("contains a control character")
    if len(text) > limit:
        fail(f"is too long ({len(text)} characters; at most {limit})")
    return text


def is_container(value: Any) -> bool:
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
def time_zones() -> frozenset[str]:
    return frozenset(zoneinfo.available_timezones() - {"localtime"})
