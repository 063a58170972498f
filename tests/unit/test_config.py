"""Parsing and validating the site configuration: site/site.yaml and site/categories.yaml."""

from __future__ import annotations

import unicodedata
from pathlib import Path

import pytest
from newsroom.configuration.categories import Categories, CategoryInfo
from newsroom.configuration.site_config import Link, default_config
from newsroom.configuration.site_yaml import (
    MAX_CONFIG_BYTES,
    RejectedConfig,
    build_config,
    is_safe_url,
    normalise_base_url,
    parse_categories_yaml,
    parse_site_yaml,
)
from newsroom.domain.errors import RejectedSource

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"
SITE_YAML = (EXAMPLES / "site" / "site.yaml").read_bytes()
CATEGORIES_YAML = (EXAMPLES / "site" / "categories.yaml").read_bytes()
TAG_VALUE_LIMIT = 256


def site(text: str | bytes):
    return parse_site_yaml(text.encode("utf-8") if isinstance(text, str) else text)


def categories(text: str | bytes) -> Categories:
    return parse_categories_yaml(text.encode("utf-8") if isinstance(text, str) else text)


# --- the sample files ----------------------------------------------------------------------------


def test_example_files_build_the_vietnamese_site() -> None:
    config = build_config(SITE_YAML, CATEGORIES_YAML, "vi")
    assert config.name == "Cổng thông tin Khoa học và Công nghệ tỉnh Hòa Bình"
    assert unicodedata.is_normalized("NFC", config.name)
    assert config.description.startswith("Tin tức, hoạt động khoa học và công nghệ")
    assert "\n" not in config.description
    assert config.locale == "vi"
    assert config.timezone is None
    assert config.base_url is None
    assert config.menu[:2] == (Link("Trang chủ", "/"), Link("Tin tức", "/tin-tuc/"))
    assert [link.url for link in config.menu] == [
        "/",
        "/tin-tuc/",
        "/chuyen-giao-cong-nghe/",
        "/so-huu-tri-tue/",
    ]
    assert Link("Tin VIFOTEC", "/tin-tuc/tin-vifotec/") in config.links
    assert len(config.partners) == 2
    assert (config.members, config.web_links) == (1234, 56)


def test_example_partner_banners_exist_in_the_sample_media() -> None:
    config = build_config(SITE_YAML, None, "vi")
    for partner in config.partners:
        assert partner.image is not None
        assert partner.image.startswith("/media/")
        assert (EXAMPLES / partner.image.lstrip("/")).is_file()


def test_example_categories_match_the_sample_articles() -> None:
    cats = parse_categories_yaml(CATEGORIES_YAML)
    assert cats.configured() == (
        ("tin-tuc",),
        ("tin-tuc", "tin-vifotec"),
        ("tin-tuc", "hoat-dong-khcn"),
        ("chuyen-giao-cong-nghe",),
        ("so-huu-tri-tue",),
    )
    assert cats.name(("tin-tuc",)) == "Tin tức"
    assert cats.name(("tin-tuc", "tin-vifotec")) == "Tin VIFOTEC"
    assert cats.name(("tin-tuc", "hoat-dong-khcn")) == "Hoạt động KH&CN"
    assert cats.name(("chuyen-giao-cong-nghe",)) == "Chuyển giao công nghệ"
    assert cats.name(("so-huu-tri-tue",)) == "Sở hữu trí tuệ"
    for path in cats.configured():
        assert cats.description(path), path
        folder = EXAMPLES / "articles" / "/".join(path)
        assert folder.is_dir(), folder


# --- defaults ------------------------------------------------------------------------------------


@pytest.mark.parametrize("locale", ["vi", "en"])
def test_no_files_give_the_built_in_defaults(locale: str) -> None:
    config = build_config(None, None, locale)
    assert config == default_config(locale)
    assert config.categories == Categories()
    assert (config.description, config.base_url, config.locale, config.timezone) == ("", None, None, None)


@pytest.mark.parametrize("text", ["", "   \n", "# chỉ có chú thích\n", "---\n"])
def test_empty_or_comment_only_files_change_nothing(text: str) -> None:
    assert site(text) == {}
    assert categories(text) == Categories()
    assert build_config(text.encode(), text.encode(), "vi") == default_config("vi")


def test_only_the_keys_set_override_the_defaults() -> None:
    config = build_config(b"name: Trang KH&CN\nstatistics: {web_links: 7}\n", None, "vi")
    assert config.name == "Trang KH&CN"
    assert config.menu == default_config("vi").menu
    assert (config.members, config.web_links) == (0, 7)


def test_a_key_without_a_value_keeps_its_default() -> None:
    text = "name:\nmenu:\nlinks:\npartners:\nstatistics:\nbase_url:\ntimezone:\nlocale:\ndescription:\n"
    assert site(text) == {}
    assert site("statistics: {members: null, web_links: 3}\n") == {"web_links": 3}


def test_locale_in_site_yaml_chooses_the_defaults() -> None:
    config = build_config(b"locale: en\n", None, "vi")
    assert config.locale == "en"
    assert config.name == default_config("en").name
    assert config.menu == default_config("en").menu


def test_settings_are_normalised() -> None:
    out = site(
        "name: '  Cổng   thông tin  '\n"
        "description: |\n  Dòng một\n  dòng hai\n"
        "base_url: HTTPS://KHCN.Example.gov.vn:8443/Cong/\n"
        "locale: VI\n"
        "timezone: Asia/Ho_Chi_Minh\n"
        "menu: []\n"
    )
    assert out == {
        "name": "Cổng thông tin",
        "description": "Dòng một dòng hai",
        "base_url": "https://khcn.example.gov.vn:8443/Cong",
        "locale": "vi",
        "timezone": "Asia/Ho_Chi_Minh",
        "menu": (),
    }


def test_text_is_nfc_whatever_the_editor_saved() -> None:
    decomposed = unicodedata.normalize("NFD", "name: Hội nghị\n")
    assert site(decomposed)["name"] == "Hội nghị"
    assert site(decomposed.encode("utf-16"))["name"] == "Hội nghị"
    assert site(b"\xef\xbb\xbfname: A\n")["name"] == "A"


def test_numbers_as_titles_are_text_and_yaml_underscores_are_digits() -> None:
    out = site("menu: [{title: 2024, url: /2024.html}]\nstatistics: {members: 1_234}\n")
    assert out["menu"] == (Link("2024", "/2024.html"),)
    assert out["members"] == 1234


def test_partners_keep_their_image() -> None:
    out = site(
        "partners:\n  - {title: VIFOTEC, url: 'https://vifotec.example', image: /media/giai-thuong.jpg}\n"
    )
    assert out["partners"] == (Link("VIFOTEC", "https://vifotec.example", "/media/giai-thuong.jpg"),)


def test_limits_are_inclusive() -> None:
    menu = "".join(f"  - {{title: a{i}, url: /a{i}/}}\n" for i in range(20))
    assert len(site("menu:\n" + menu)["menu"]) == 20
    assert site("name: " + "a" * 200 + "\n")["name"] == "a" * 200
    assert site("statistics: {members: 0, web_links: 1000000000000}\n") == {"members": 0, "web_links": 10**12}


def test_configuration_is_hashable_and_compares_by_content() -> None:
    one = build_config(SITE_YAML, CATEGORIES_YAML, "vi")
    two = build_config(SITE_YAML, CATEGORIES_YAML, "vi")
    assert one == two
    assert hash(one) == hash(two)
    assert one != build_config(SITE_YAML, None, "vi")


# --- categories ----------------------------------------------------------------------------------


def test_unconfigured_categories_get_a_readable_name_from_their_slug() -> None:
    cats = Categories()
    assert cats.name(("tin-tuc",)) == "Tin tuc"
    assert cats.name(("tin-tuc", "hoat-dong-khcn")) == "Hoat dong khcn"
    assert cats.name(()) == ""
    assert cats.description(("tin-tuc",)) == ""
    assert cats.get(("tin-tuc",)) is None
    assert cats.children() == ()
    assert len(cats) == 0


def test_a_category_without_a_name_is_named_from_its_slug() -> None:
    cats = categories("- slug: doi-moi-sang-tao\n  description: Đổi mới\n")
    assert cats.entries == (
        CategoryInfo(path=("doi-moi-sang-tao",), name="Doi moi sang tao", description="Đổi mới", order=0),
    )


def test_configured_order_first_then_the_rest_alphabetically() -> None:
    cats = categories(
        "- slug: so-huu-tri-tue\n- slug: tin-tuc\n  children:\n    - slug: tin-vifotec\n    - slug: hoat-dong-khcn\n"
    )
    paths = [
        ("tin-tuc", "zz-moi"),
        ("an-toan-buc-xa",),
        ("tin-tuc",),
        ("tin-tuc", "hoat-dong-khcn"),
        ("so-huu-tri-tue",),
        ("tin-tuc", "tin-vifotec"),
        ("tin-tuc", "aa-moi"),
        ("an-toan-buc-xa", "con"),
    ]
    assert sorted(paths, key=cats.sort_key) == [
        ("so-huu-tri-tue",),
        ("tin-tuc",),
        ("tin-tuc", "tin-vifotec"),
        ("tin-tuc", "hoat-dong-khcn"),
        ("tin-tuc", "aa-moi"),
        ("tin-tuc", "zz-moi"),
        ("an-toan-buc-xa",),
        ("an-toan-buc-xa", "con"),
    ]
    assert cats.children() == (("so-huu-tri-tue",), ("tin-tuc",))
    assert cats.children(("tin-tuc",)) == (("tin-tuc", "tin-vifotec"), ("tin-tuc", "hoat-dong-khcn"))
    assert cats.children(("so-huu-tri-tue",)) == ()


def test_configured_and_children_do_not_depend_on_entry_order() -> None:
    shuffled = Categories(
        (
            CategoryInfo(("b", "y"), "Y", order=1),
            CategoryInfo(("b",), "B", order=0),
            CategoryInfo(("a",), "A", order=1),
            CategoryInfo(("b", "x"), "X", order=0),
        )
    )
    assert shuffled.configured() == (("b",), ("b", "x"), ("b", "y"), ("a",))
    assert shuffled.children(("b",)) == (("b", "x"), ("b", "y"))


def test_the_same_slug_under_different_parents_is_fine() -> None:
    cats = categories(
        "- slug: tin-tuc\n  children: [{slug: media, name: Truyền thông}]\n"
        "- slug: su-kien\n  children: [{slug: media, name: Ảnh sự kiện}]\n"
    )
    assert cats.name(("tin-tuc", "media")) == "Truyền thông"
    assert cats.name(("su-kien", "media")) == "Ảnh sự kiện"


def test_six_levels_are_allowed() -> None:
    text = "".join(f"{'  ' * 2 * i}- slug: c{i}\n{'  ' * 2 * i}  children:\n" for i in range(6))
    cats = categories(text)
    assert ("c0", "c1", "c2", "c3", "c4", "c5") in cats.configured()


# --- refusals ------------------------------------------------------------------------------------

MENU_21 = "menu:\n" + "".join(f"  - {{title: a{i}, url: /a{i}/}}\n" for i in range(21))
SEVEN_LEVELS = "".join(f"{'  ' * 2 * i}- slug: c{i}\n{'  ' * 2 * i}  children:\n" for i in range(6)) + (
    "  " * 12 + "- slug: c6\n"
)

SITE_REFUSALS = [
    ("name: x\n  bad: y\n", "site.yaml, line 2: invalid YAML: mapping values are not allowed here"),
    ("- a\n- b\n", "site.yaml, line 1: must be a mapping of settings (name: value lines), not a list"),
    (
        "Cổng thông tin\n",
        "site.yaml: must be a mapping of settings (name: value lines), not the text 'Cổng thông tin'",
    ),
    (
        "name: x\nnmae: y\n",
        "site.yaml, line 2: unknown setting 'nmae' (did you mean 'name'? allowed: name, description, base_url, "
        "locale, timezone, menu, links, partners, statistics, video)",
    ),
    (
        "nam: X\n",
        "site.yaml, line 1: unknown setting 'nam' (did you mean 'name'? allowed: name, description, base_url, "
        "locale, timezone, menu, links, partners, statistics, video)",
    ),
    ("name: x\nname: y\n", "site.yaml, line 2: invalid YAML: 'name' appears twice in the same mapping"),
    ('name: ""\n', "site.yaml, line 1: 'name' must not be empty"),
    ("name: '   '\n", "site.yaml, line 1: 'name' must not be empty"),
    ("name: [a]\n", "site.yaml, line 1: 'name' must be text, not a list"),
    ("name: yes\n", "site.yaml, line 1: 'name' must be text, not yes/no (put it in quotes)"),
    ("name: 2024-01-01\n", "site.yaml, line 1: 'name' must be text, not a date (put it in quotes)"),
    ("name: 3.10\n", "site.yaml, line 1: 'name' must be text, not the number 3.1 (put it in quotes)"),
    ("name: " + "a" * 201 + "\n", "site.yaml, line 1: 'name' is too long (201 characters; at most 200)"),
    ('description: "a\\x07b"\n', "site.yaml, line 1: 'description' contains a control character"),
    ("name: a\x07\n", "site.yaml, line 1: invalid YAML: character U+0007 is not allowed"),
    *[
        (
            f"\nbase_url: {url}\n",
            "site.yaml, line 2: 'base_url' must look like https://khcn.example.gov.vn or https://host/path",
        )
        for url in (
            "https://x.vn/?a=1",
            "https://x.vn/#top",
            "ftp://x.vn",
            "/portal",
            "x.vn",
            "https://",
            "https://khcn.vn:99999",
            "https://user@khcn.vn",
            "https://khcn.tỉnh.vn",
        )
    ],
    ("locale: fr\n", "site.yaml, line 1: 'locale' must be vi or en, not 'fr'"),
    (
        "timezone: asia/ho_chi_minh\n",
        "site.yaml, line 1: 'timezone' 'asia/ho_chi_minh' is not a time zone name (did you mean Asia/Ho_Chi_Minh?)",
    ),
    (
        "timezone: Asia/Hanoi\n",
        "site.yaml, line 1: 'timezone' 'Asia/Hanoi' is not a time zone name (e.g. Asia/Ho_Chi_Minh)",
    ),
    (
        "timezone: Mars/Olympus\n",
        "site.yaml, line 1: 'timezone' 'Mars/Olympus' is not a time zone name (e.g. Asia/Ho_Chi_Minh)",
    ),
    (
        "timezone: localtime\n",
        "site.yaml, line 1: 'timezone' 'localtime' is not a time zone name (e.g. Asia/Ho_Chi_Minh)",
    ),
    (
        "timezone: ../../etc/passwd\n",
        "site.yaml, line 1: 'timezone' '../../etc/passwd' is not a time zone name (e.g. Asia/Ho_Chi_Minh)",
    ),
    (
        "menu: /tin-tuc/\n",
        "site.yaml, line 1: 'menu' must be a list of items (- title: …, url: …), not the text '/tin-tuc/'",
    ),
    (MENU_21, "site.yaml, line 1: 'menu' has 21 items; at most 20"),
    (
        "links:\n" + "".join(f"  - {{title: a{i}, url: /a{i}/}}\n" for i in range(51)),
        "site.yaml, line 1: 'links' has 51 items; at most 50",
    ),
    (
        "partners:\n"
        + "".join(f"  - {{title: a{i}, url: /a{i}/, image: /media/a.jpg}}\n" for i in range(21)),
        "site.yaml, line 1: 'partners' has 21 items; at most 20",
    ),
    (
        "menu:\n  - Tin tức\n",
        "site.yaml, line 2: menu item 1: must be a mapping (title: …, url: …), not the text 'Tin tức'",
    ),
    (
        "menu:\n  - {title: a, url: /a/, link: /b/}\n",
        "site.yaml, line 2: menu item 1: unknown field 'link' (allowed: title, url)",
    ),
    ("menu:\n  - {title: a}\n", "site.yaml, line 2: menu item 1: 'url' is missing"),
    ("menu:\n  - {url: /a/}\n", "site.yaml, line 2: menu item 1: 'title' is missing"),
    ("menu:\n  - {title: , url: /a/}\n", "site.yaml, line 2: menu item 1: 'title' must not be empty"),
    (
        "menu:\n  - {title: a, url: /a/}\n  - {title: b, url: /b/}\n  - title: c\n    url: 'javascript:alert(1)'\n",
        "site.yaml, line 5: menu item 3: 'url' must be a site path like /tin-tuc/ or an https:// URL",
    ),
    (
        "links:\n  - {title: a, url: //evil.example}\n",
        "site.yaml, line 2: link 1: 'url' must be a site path like /tin-tuc/ or an https:// URL",
    ),
    (
        "links:\n  - {title: a, url: /a/}\n  - {title: b, url: /a/}\n",
        "site.yaml, line 3: link 2: same url as link 1 (/a/)",
    ),
    ("partners:\n  - {title: a, url: https://a.vn}\n", "site.yaml, line 2: partner 1: 'image' is missing"),
    (
        "partners:\n  - {title: a, url: https://a.vn, image: logo.png}\n",
        "site.yaml, line 2: partner 1: 'image' must be a picture under /media/ like /media/anh.jpg, or an https:// URL",
    ),
    (
        "partners:\n  - {title: a, url: https://a.vn, image: 'data:image/png;base64,AAAA'}\n",
        "site.yaml, line 2: partner 1: 'image' must be a picture under /media/ like /media/anh.jpg, or an https:// URL",
    ),
    ("statistics: 5\n", "site.yaml, line 1: statistics: must be a mapping (members: 1234), not the number 5"),
    (
        "statistics:\n  visitors: 5\n",
        "site.yaml, line 2: statistics: unknown field 'visitors' (allowed: members, web_links, views)",
    ),
    ("statistics:\n  members: -1\n", "site.yaml, line 2: statistics: 'members' must not be negative"),
    (
        "statistics: {members: '1 234'}\n",
        "site.yaml, line 1: statistics: 'members' must be a whole number like 1234, not the text '1 234'",
    ),
    (
        "statistics: {web_links: 1.5}\n",
        "site.yaml, line 1: statistics: 'web_links' must be a whole number like 1234, not the number 1.5",
    ),
    (
        "statistics: {members: true}\n",
        "site.yaml, line 1: statistics: 'members' must be a whole number like 1234, not yes/no",
    ),
    (
        "statistics: {members: 1000000000001}\n",
        "site.yaml, line 1: statistics: 'members' is too large (at most 1000000000000)",
    ),
    ("[" * 5000, "site.yaml: invalid YAML: nested too deeply"),
]


@pytest.mark.parametrize(("text", "reason"), SITE_REFUSALS)
def test_site_yaml_refusals(text: str, reason: str) -> None:
    with pytest.raises(RejectedConfig) as caught:
        site(text)
    assert caught.value.reason == reason
    assert caught.value.file_name == "site.yaml"
    assert len(caught.value.reason) <= TAG_VALUE_LIMIT


CATEGORY_REFUSALS = [
    (
        "slug: tin-tuc\n",
        "categories.yaml, line 1: must be a list of categories (- slug: tin-tuc, name: Tin tức), not a mapping",
    ),
    ("- [tin-tuc\n", "categories.yaml, line 2: invalid YAML: expected ',' or ']', but got '<stream end>'"),
    (
        "- tin-tuc\n",
        "categories.yaml, line 1: category 1: must be a mapping (slug: …, name: …), not the text 'tin-tuc'",
    ),
    (
        "- slug: Tin tức\n",
        "categories.yaml, line 1: category 1: 'slug' 'Tin tức' is not a URL slug: use lowercase a-z, 0-9 and "
        "hyphens, e.g. 'tin-tuc'",
    ),
    (
        "- slug: Tin-Tuc\n",
        "categories.yaml, line 1: category 1: 'slug' 'Tin-Tuc' is not a URL slug: use lowercase a-z, 0-9 and "
        "hyphens, e.g. 'tin-tuc'",
    ),
    (
        "- slug: a--b\n",
        "categories.yaml, line 1: category 1: 'slug' 'a--b' is not a URL slug: use lowercase a-z, 0-9 and "
        "hyphens, e.g. 'a-b'",
    ),
    (
        "- slug: '---'\n",
        "categories.yaml, line 1: category 1: 'slug' '---' is not a URL slug: use lowercase a-z, 0-9 and hyphens",
    ),
    (
        "- slug: 2024\n",
        "categories.yaml, line 1: category 1: 'slug' '2024' is only digits: /<category>/<yyyy>/<mm>/ are monthly "
        "archive URLs",
    ),
    (
        "- slug: tin-tuc\n  children:\n    - slug: '05'\n",
        "categories.yaml, line 3: category 1 under /tin-tuc/: 'slug' '05' is only digits: /<category>/<yyyy>/<mm>/ "
        "are monthly archive URLs",
    ),
    (
        "- slug: tin-tuc/tin-vifotec\n",
        "categories.yaml, line 1: category 1: 'slug' 'tin-tuc/tin-vifotec' must be one folder name: put "
        "subcategories under 'children'",
    ),
    (
        "- slug: media\n",
        "categories.yaml, line 1: category 1: 'slug' 'media' is reserved for the site's own files (/media/)",
    ),
    *[
        (
            f"- slug: {folder}\n",
            f"categories.yaml, line 1: category 1: 'slug' '{folder}' is reserved for the site's own files (/{folder}/)",
        )
        for folder in ("assets", "sitemaps", "api")
    ],
    ("- name: Tin tức\n", "categories.yaml, line 1: category 1: 'slug' is missing"),
    ("- slug: tin-tuc\n  name: ''\n", "categories.yaml, line 2: /tin-tuc/: 'name' must not be empty"),
    ("- slug: tin-tuc\n  name:\n", "categories.yaml, line 2: /tin-tuc/: 'name' must not be empty"),
    (
        "- slug: tin-tuc\n  name: [Tin, tức]\n",
        "categories.yaml, line 2: /tin-tuc/: 'name' must be text, not a list",
    ),
    (
        "- slug: tin-tuc\n  title: Tin tức\n",
        "categories.yaml, line 2: category 1: unknown field 'title' (allowed: slug, name, description, children)",
    ),
    (
        "- slug: tin-tuc\n- slug: so-huu\n- slug: tin-tuc\n",
        "categories.yaml, line 3: category 3: /tin-tuc/ is listed twice (first at line 1)",
    ),
    (
        "- slug: tin-tuc\n  children:\n    - slug: a\n    - slug: a\n",
        "categories.yaml, line 4: category 2 under /tin-tuc/: /tin-tuc/a/ is listed twice (first at line 3)",
    ),
    (
        "- slug: tin-tuc\n  children: tin-vifotec\n",
        "categories.yaml, line 2: /tin-tuc/: 'children' must be a list of categories (- slug: …), not the text "
        "'tin-vifotec'",
    ),
    (SEVEN_LEVELS, "categories.yaml, line 12: /c0/c1/c2/c3/c4/c5/: categories nest at most 6 levels deep"),
    (
        "".join(f"- slug: c{i}\n" for i in range(501)),
        "categories.yaml, line 501: category 501: too many categories (at most 500)",
    ),
]


@pytest.mark.parametrize(("text", "reason"), CATEGORY_REFUSALS)
def test_categories_yaml_refusals(text: str, reason: str) -> None:
    with pytest.raises(RejectedConfig) as caught:
        categories(text)
    assert caught.value.reason == reason
    assert caught.value.file_name == "categories.yaml"
    assert len(caught.value.reason) <= TAG_VALUE_LIMIT


@pytest.mark.parametrize(
    ("data", "reason"),
    [
        (b"name: " + b"x" * MAX_CONFIG_BYTES, "the file is too large (257 KiB; at most 256 KiB)"),
        (b"name: H\xe1i\n", "not UTF-8 text: byte 0xe1 at offset 7; save the file as UTF-8"),
        (b"name: a\x00b\n", "binary file, not YAML text"),
        (b"\xff\xfen\x00\x00\xd8", "broken UTF-16 text at byte 4"),
    ],
)
def test_unreadable_files_are_refused_whichever_file(data: bytes, reason: str) -> None:
    with pytest.raises(RejectedConfig) as site_error:
        parse_site_yaml(data)
    assert site_error.value.reason == f"site.yaml: {reason}"
    with pytest.raises(RejectedConfig) as categories_error:
        parse_categories_yaml(data)
    assert categories_error.value.reason == f"categories.yaml: {reason}"


def test_a_file_of_exactly_the_limit_is_read() -> None:
    data = b"name: " + b"x" * 150 + b"\n"
    padded = data + b"#" * (MAX_CONFIG_BYTES - len(data))
    assert len(padded) == MAX_CONFIG_BYTES
    assert parse_site_yaml(padded)["name"] == "x" * 150


def test_build_config_names_the_file_at_fault() -> None:
    with pytest.raises(RejectedSource, match=r"^categories\.yaml, line 1: ") as caught:
        build_config(SITE_YAML, b"- slug: Tin tuc\n", "vi")
    assert isinstance(caught.value, RejectedConfig)
    assert caught.value.file_name == "categories.yaml"
    assert caught.value.line == 1
    with pytest.raises(RejectedConfig, match=r"^site\.yaml, line 1: must be a mapping of settings"):
        build_config(b"[]", CATEGORIES_YAML, "vi")


def test_yaml_tags_that_build_objects_are_refused() -> None:
    with pytest.raises(
        RejectedConfig, match=r"^site\.yaml, line 1: invalid YAML: could not determine a constructor"
    ):
        site("name: !!python/object/apply:os.system ['true']\n")


# --- URLs ----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "url",
    [
        "/",
        "/tin-tuc/",
        "/tin-tuc/tin-vifotec/hoi-nghi.html",
        "/tim-kiem/?q=hoi-nghi#ket-qua",
        "https://www.most.gov.vn",
        "https://khcn.example.gov.vn:8443/a/b?c=d",
        "HTTPS://EXAMPLE.ORG",
    ],
)
def test_safe_urls(url: str) -> None:
    assert is_safe_url(url)


@pytest.mark.parametrize(
    "url",
    [
        "",
        "javascript:alert(1)",
        "JavaScript:alert(1)",
        " javascript:alert(1)",
        "data:text/html,<script>alert(1)</script>",
        "vbscript:msgbox",
        "mailto:lan@example.vn",
        "//evil.example/",
        "/\\evil.example/",
        "tin-tuc/",
        "../tin-tuc/",
        "https:///no-host",
        "https://user:pw@example.org/",
        "https://example.org:port/",
        "https://example.org/a b",
        "/tin-tuc/\n",
        "ftp://example.org/",
        "http://khcn.example.gov.vn/",  # the hint says https: the site is HTTPS with HSTS
    ],
)
def test_unsafe_urls(url: str) -> None:
    assert not is_safe_url(url)


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("https://example.org", "https://example.org"),
        ("https://example.org/", "https://example.org"),
        ("HTTPS://Example.ORG/Portal/", "https://example.org/Portal"),
        ("http://127.0.0.1:3000/", "http://127.0.0.1:3000"),
        ("https://example.org/?", None),
        ("https://example.org/#", None),
        ("/portal", None),
    ],
)
def test_base_url_normalisation(value: str, expected: str | None) -> None:
    assert normalise_base_url(value) == expected


def test_a_moved_portals_old_view_total_is_a_base_figure() -> None:
    """The reference portal's ``Số lần xem bài viết : 7699601`` carries over: /stats.json adds it."""
    config = build_config(b"statistics:\n  views: 7699601\n", None, "vi")
    assert config.views == 7_699_601
    assert build_config(None, None, "vi").views == 0


def test_the_video_module_takes_an_embeddable_video_link_and_refuses_others() -> None:
    config = build_config(
        b"video: {title: L\xe1\xbb\x85 trao gi\xe1\xba\xa3i VIFOTEC, url: 'https://youtu.be/dQw4w9WgXcQ'}\n",
        None,
        "vi",
    )
    assert config.video == Link("Lễ trao giải VIFOTEC", "https://youtu.be/dQw4w9WgXcQ")
    with pytest.raises(
        RejectedSource, match=r"site\.yaml, line 1: video: 'url' must be a YouTube, Vimeo or Facebook"
    ):
        build_config(b"video: {title: Clip, url: 'https://evil.example/clip.mp4'}\n", None, "vi")


def test_the_video_modules_poster_is_a_picture_of_the_sites_own() -> None:
    config = build_config(
        b"video: {title: Clip, url: 'https://youtu.be/dQw4w9WgXcQ', image: /media/2024/poster.jpg}\n",
        None,
        "vi",
    )
    assert config.video == Link("Clip", "https://youtu.be/dQw4w9WgXcQ", "/media/2024/poster.jpg")
    with pytest.raises(RejectedSource, match=r"site\.yaml, line 1: video: 'image'"):
        build_config(
            b"video: {title: Clip, url: 'https://youtu.be/dQw4w9WgXcQ',"
            b" image: 'https://i.ytimg.com/vi/dQw4w9WgXcQ/hqdefault.jpg'}\n",
            None,
            "vi",
        )
