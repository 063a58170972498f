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
from newsroom.domain.reasons import N_, Reason

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
VIDEO_FIELDS = ("title", "url", "image")
"""The side module's video; ``image``: its poster, a picture under /media/."""
CATEGORY_FIELDS = ("slug", "name", "description", "children")

URL_HINT = Reason(N_("must be a site path like /tin-tuc/ or an https:// URL"))


class RejectedConfig(RejectedSource):
    """A configuration file that cannot be used; ``file_name`` is ``site.yaml`` or ``categories.yaml``."""

    def __init__(self, file_name: str, reason: str, line: int | None = None) -> None:
        if line:
            super().__init__(N_("{file}, line {line}: {reason}"), file=file_name, line=line, reason=reason)
        else:
            super().__init__(N_("{file}: {reason}"), file=file_name, reason=reason)
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
            twice = Reason(N_("'{key}' appears twice in the same mapping"), key=str(key)[:40])
            raise yaml.constructor.ConstructorError(None, None, twice, key_node.start_mark)
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
            Reason(
                N_("the file is too large ({size} KiB; at most {limit} KiB)"),
                size=-(-len(data) // 1024),
                limit=MAX_CONFIG_BYTES // 1024,
            ),
        )
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        try:
            text = data.decode("utf-16")
        except UnicodeDecodeError as exc:
            broken = Reason(N_("broken UTF-16 text at byte {offset}"), offset=exc.start)
            raise RejectedConfig(file_name, broken) from None
    else:
        if b"\x00" in data:
            raise RejectedConfig(file_name, Reason(N_("binary file, not YAML text")))
        try:
            text = data.decode("utf-8-sig")
        except UnicodeDecodeError as exc:
            raise RejectedConfig(
                file_name,
                Reason(
                    N_("not UTF-8 text: byte 0x{byte:02x} at offset {offset}; save the file as UTF-8"),
                    byte=data[exc.start],
                    offset=exc.start,
                ),
            ) from None
    return unicodedata.normalize("NFC", text)


def load_yaml(data: bytes, file_name: str) -> Any:
    text = decode(data, file_name)
    try:
        return yaml.load(text, Loader=_Loader)  # noqa: S506 - _Loader is a SafeLoader
    except yaml.reader.ReaderError as exc:
        line = text[: exc.position].count("\n") + 1
        character = Reason(N_("invalid YAML: character U+{code:04X} is not allowed"), code=exc.character)
        raise RejectedConfig(file_name, character, line) from None
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        problem = getattr(exc, "problem", None) or Reason(N_("syntax error"))
        invalid = Reason(N_("invalid YAML: {problem}"), problem=problem)
        raise RejectedConfig(file_name, invalid, mark.line + 1 if mark else None) from None
    except RecursionError:
        raise RejectedConfig(file_name, Reason(N_("invalid YAML: nested too deeply"))) from None


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
        noun: str = Reason(N_("field")),
        line: int | None = None,
    ) -> None:
        self.file_name = file_name
        self.where = where
        self.line = line_of(mapping) or line
        self.key_lines: dict[Any, int] = getattr(mapping, "key_lines", {})
        if not isinstance(mapping, dict):
            self.fail(
                Reason(
                    N_("must be a mapping ({example}), not {found}"), example=example, found=describe(mapping)
                )
            )
        self.mapping: dict[Any, Any] = mapping
        for key in mapping:
            if key not in allowed:
                self.fail(unknown_key(key, allowed, noun), key)

    def fail(self, problem: str, key: Any = None) -> NoReturn:
        line = self.key_lines.get(key, self.line) if key is not None else self.line
        where = Reason(N_("{where}: {problem}"), where=self.where, problem=problem) if self.where else problem
        raise RejectedConfig(self.file_name, where, line)

    def has(self, name: str) -> bool:
        """Whether the field is set to something (a key without a value is not)."""
        return self.mapping.get(name) is not None

    def text(self, name: str, *, limit: int = MAX_TITLE, allow_empty: bool = False) -> str:
        """The field as one line of clean text ("" if unset and ``allow_empty``)."""
        value = self.mapping.get(name)
        if name not in self.mapping and not allow_empty:
            self.fail(Reason(N_("'{name}' is missing"), name=name))
        text = clean_text(value, lambda problem: self.fail(field_problem(name, problem), name), limit)
        if not text and not allow_empty:
            self.fail(Reason(N_("'{name}' must not be empty"), name=name), name)
        return text

    def url(self, name: str, hint: str) -> str:
        url = self.text(name, limit=MAX_URL)
        if not is_safe_url(url):
            self.fail(field_problem(name, hint), name)
        return url

    def image(self, name: str, hosts: Collection[str] | None) -> str:
        """A picture the page can show (see ``site_urls``): under /media/ or on an allowed host."""
        url = self.text(name, limit=MAX_URL)
        problem = image_problem(url, hosts)
        if problem is not None:
            self.fail(field_problem(name, problem), name)
        return url


def field_problem(name: str, problem: str) -> Reason:
    """``'title' must be text``: what is wrong with one named field."""
    return Reason(N_("'{name}' {problem}"), name=name, problem=problem)


_KINDS: tuple[tuple[type | tuple[type, ...], Reason], ...] = (
    (bool, Reason(N_("yes/no"))),  # before int: a bool is an int
    (list, Reason(N_("a list"))),
    (dict, Reason(N_("a mapping"))),
)


def describe(value: Any) -> str:
    """What the editor wrote, in words, for an error message."""
    if value is None:
        return Reason(N_("nothing"))
    for kind, words in _KINDS:
        if isinstance(value, kind):
            return words
    if isinstance(value, (int, float)):
        return Reason(N_("the number {value}"), value=value)
    if isinstance(value, str):
        return Reason(N_("the text '{value}'"), value=value[:30])
    return Reason(N_("a date")) if hasattr(value, "year") else type(value).__name__


def unknown_key(key: Any, allowed: Sequence[str], noun: str) -> Reason:
    """``unknown setting 'nmae' (did you mean 'name'? allowed: …)``; ``noun`` names what the key is."""
    shown = str(key)[:40]
    close = difflib.get_close_matches(shown, allowed, n=1)
    names = {"noun": noun, "key": shown, "allowed": ", ".join(allowed)}
    if close:
        return Reason(
            N_("unknown {noun} '{key}' (did you mean '{close}'? allowed: {allowed})"), close=close[0], **names
        )
    return Reason(N_("unknown {noun} '{key}' (allowed: {allowed})"), **names)


def clean_text(value: Any, fail: Callable[[str], NoReturn], limit: int) -> str:
    if value is None:
        return ""
    if isinstance(value, bool) or not isinstance(value, (str, int)):
        if is_container(value):
            fail(Reason(N_("must be text, not {found}"), found=describe(value)))
        fail(Reason(N_("must be text, not {found} (put it in quotes)"), found=describe(value)))
    text = " ".join(unicodedata.normalize("NFC", str(value)).split())
    if any(unicodedata.category(ch) == "Cc" for ch in text):
        fail(Reason(N_("contains a control character")))
    if len(text) > limit:
        fail(Reason(N_("is too long ({length} characters; at most {limit})"), length=len(text), limit=limit))
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
