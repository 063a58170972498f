"""Site configuration files: the examples parse, every refusal says exactly what is wrong."""

from __future__ import annotations

from pathlib import Path

import pytest
from newsroom.config import build_config
from newsroom.errors import RejectedSource

EXAMPLES = Path(__file__).resolve().parents[2] / "examples" / "site"


def test_the_example_configuration_parses_with_vietnamese_intact() -> None:
    config = build_config(
        (EXAMPLES / "site.yaml").read_bytes(), (EXAMPLES / "categories.yaml").read_bytes(), "vi"
    )
    assert config.name == "Cổng thông tin Khoa học và Công nghệ"
    assert (config.members, config.web_links) == (1234, 56)
    assert config.menu[1].title == "Tin tức" and config.menu[1].url == "/tin-tuc/"
    assert all(p.image and p.image.startswith("/media/") for p in config.partners)
    for partner in config.partners:
        assert (EXAMPLES.parent / partner.image.lstrip("/")).is_file()  # type: ignore[union-attr]
    categories = config.categories
    assert categories.name(("tin-tuc", "hoat-dong-khcn")) == "Hoạt động KH&CN"
    assert categories.configured()[:3] == (
        ("tin-tuc",),
        ("tin-tuc", "tin-vifotec"),
        ("tin-tuc", "hoat-dong-khcn"),
    )
    assert categories.children(("tin-tuc",)) == (("tin-tuc", "tin-vifotec"), ("tin-tuc", "hoat-dong-khcn"))


def test_without_files_the_defaults_of_the_locale_and_readable_folder_names() -> None:
    config = build_config(None, None, "en")
    assert config.name == "Science and Technology News"
    assert config.categories.name(("tin-tuc", "tin-vifotec")) == "Tin vifotec"
    assert config.categories.description(("tin-tuc",)) == ""


def test_configured_categories_sort_first_in_their_order_then_the_rest_by_slug() -> None:
    config = build_config(None, b"- {slug: zeta, name: Z}\n- {slug: alpha, name: A}\n", "vi")
    paths = [("beta",), ("alpha",), ("zeta",), ("aaa",)]
    assert sorted(paths, key=config.categories.sort_key) == [("zeta",), ("alpha",), ("aaa",), ("beta",)]


@pytest.mark.parametrize(
    ("site_yaml", "categories_yaml", "reason"),
    [
        (b"name: [Cong\n", None, "site.yaml, line 2: invalid YAML: expected ',' or ']'"),
        (b"- a\n- b\n", None, "site.yaml, line 1: must be a mapping of settings"),
        (b"nam: X\n", None, "unknown field 'nam' (did you mean 'name'?"),
        (
            b"menu:\n  - {title: A, url: 'javascript:alert(1)'}\n",
            None,
            "site.yaml, line 2: menu item 1: 'url' must be a site path like /tin-tuc/ or an https:// URL",
        ),
        (b"statistics: {members: -3}\n", None, "statistics: 'members' must not be negative"),
        (b"locale: fr\n", None, "'locale' must be vi or en, not 'fr'"),
        (b"timezone: Mars/Olympus\n", None, "'Mars/Olympus' is not a time zone name"),
        (b"\xff\xfe\x00\x00\x01", None, "site.yaml: broken UTF-16 text"),
        (b"name: " + b"x" * 300_000, None, "site.yaml: the file is too large"),
        (None, b"- {slug: '2024', name: Nam}\n", "'2024' is only digits"),
        (None, b"- {slug: Tin Tuc, name: X}\n", "'Tin Tuc' is not a URL slug"),
        (None, b"- {slug: a, name: A}\n- {slug: a, name: B}\n", "/a/ is listed twice (first at line 1)"),
        (None, b"- {slug: api, name: A}\n", "'api' is reserved for the site's own files"),
    ],
)
def test_every_refusal_names_the_file_the_place_and_the_problem(
    site_yaml: bytes | None, categories_yaml: bytes | None, reason: str
) -> None:
    with pytest.raises(RejectedSource) as caught:
        build_config(site_yaml, categories_yaml, "vi")
    assert reason in caught.value.reason
