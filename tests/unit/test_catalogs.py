"""UI string catalogs: complete, compiled, and in step with the code.

The catalogs hold the pages' strings and the reasons editors are told (marked
``N_`` in the domain, the configuration and the picture layer); every file
``babel.cfg`` names is extracted, as ``pybabel extract`` would.
"""

from __future__ import annotations

import io
import re
from pathlib import Path

import pytest
from babel.messages.extract import extract_from_file
from babel.messages.frontend import parse_mapping_cfg
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.util import pathmatch
from newsroom.web import templating

ROOT = Path(__file__).resolve().parents[2]
PACKAGE = Path(templating.__file__).parent
LOCALES = PACKAGE / "locales"
PLACEHOLDER = re.compile(r"%\([a-z_]+\)s")
BRACES = re.compile(r"\{[a-z_0-9]*(?:[:!][^{}]*)?\}")
"""A ``str.format`` placeholder, format spec included: ``{name}``, ``{size:,}``."""


def catalog_path(locale: str, suffix: str) -> Path:
    return LOCALES / locale / "LC_MESSAGES" / f"messages.{suffix}"


def used_msgids() -> set[str]:
    """What ``pybabel extract -F babel.cfg`` finds in the layers."""
    with (ROOT / "babel.cfg").open(encoding="utf-8") as config:
        method_map, options_map = parse_mapping_cfg(config)  # type: ignore[no-untyped-call]
    found: set[str] = set()
    for path in sorted((ROOT / "layers").rglob("*")):
        relative = path.relative_to(ROOT).as_posix()
        for pattern, method in method_map:
            if path.is_file() and pathmatch(pattern, relative):
                for _line, message, _comments, _context in extract_from_file(
                    method, str(path), options=options_map.get(pattern, {})
                ):
                    found.add(message if isinstance(message, str) else message[0])
                break
    return found


def test_extraction_finds_the_template_and_python_strings() -> None:
    found = used_msgids()
    assert {
        "Newer articles",
        "Older articles",
        "Statistics",
        "Article views",
        "Page not found",
        "Home",
    } <= found


def test_extraction_finds_the_reasons_editors_are_told() -> None:
    found = used_msgids()
    assert {
        "missing title: add 'title:' to the front matter or start with '# Title'",  # domain
        "{file}, line {line}: {reason}",  # configuration
        "Published at {url}",  # the status file's line
        "the file is empty (0 bytes): upload it again",  # the picture layer
    } <= found


@pytest.mark.parametrize("locale", ["vi", "en"])
def test_committed_mo_equals_a_fresh_compile_of_the_po(locale: str) -> None:
    with catalog_path(locale, "po").open("rb") as po:
        catalog = read_po(po, locale=locale)
    compiled = io.BytesIO()
    write_mo(compiled, catalog)
    assert catalog_path(locale, "mo").read_bytes() == compiled.getvalue(), (
        "run: pybabel compile -d layers/newsroom/newsroom/web/locales"
    )


@pytest.mark.parametrize("locale", ["vi", "en"])
def test_every_used_msgid_is_translated_and_no_unused_one_is_kept(locale: str) -> None:
    with catalog_path(locale, "po").open("rb") as po:
        catalog = read_po(po, locale=locale)
    translated = {m.id: m.string for m in catalog if m.id and not m.fuzzy}
    used = used_msgids()
    missing = sorted(msgid for msgid in used if not translated.get(msgid))
    assert missing == [], f"add to {locale}/messages.po"
    assert sorted(set(translated) - used) == [], "drop msgids nothing uses"


@pytest.mark.parametrize("locale", ["vi", "en"])
def test_translations_keep_their_placeholders(locale: str) -> None:
    with catalog_path(locale, "po").open("rb") as po:
        catalog = read_po(po, locale=locale)
    for message in catalog:
        if message.id and isinstance(message.id, str) and isinstance(message.string, str):
            assert sorted(PLACEHOLDER.findall(message.id)) == sorted(PLACEHOLDER.findall(message.string))
            assert sorted(BRACES.findall(message.id)) == sorted(BRACES.findall(message.string)), message.id


def test_vietnamese_ui_strings_are_the_portals() -> None:
    gettext = templating.translations("vi").gettext
    expected = {
        "Home": "Trang chủ",
        "Newer articles": "Tin mới hơn",
        "Older articles": "Tin cũ hơn",
        "Print": "In",
        "Email": "Gửi email",
        "Search": "Tìm kiếm",
        "Statistics": "Thống kê",
        "Members": "Các thành viên",
        "Content": "Nội dung",
        "Web links": "Liên kết web",
        "Article views": "Số lần xem bài viết",
        "Page not found": "Không tìm thấy trang",
        "Online now": "Đang trực tuyến",
        "There are": "Hiện có",
        "guests online": "khách trực tuyến",
        "Most read": "Đọc nhiều nhất",
        "Views": "Lượt xem",
    }
    assert {msgid: gettext(msgid) for msgid in expected} == expected


def test_babel_cfg_covers_templates_and_python() -> None:
    text = (ROOT / "babel.cfg").read_text(encoding="utf-8")
    assert "[jinja2: layers/newsroom/newsroom/web/templates/**.html]" in text
    assert "[python: layers/newsroom/newsroom/**.py]" in text
