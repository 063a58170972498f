"""``site/categories.yaml``: the categories in display order, nested through ``children``."""

from __future__ import annotations

from typing import Any

from slugify import slugify

from newsroom.configuration.categories import Categories, CategoryInfo, CategoryPath
from newsroom.configuration.yaml_reading import (
    CATEGORIES_FILE,
    CATEGORY_FIELDS,
    MAX_CATEGORIES,
    MAX_DESCRIPTION,
    MAX_SLUG,
    RESERVED_SLUGS,
    Fields,
    RejectedConfig,
    describe,
    item_line,
    line_of,
    load_yaml,
)
from newsroom.domain.article import MAX_CATEGORY_DEPTH, humanize
from newsroom.domain.reasons import N_, Reason

# --- categories.yaml -----------------------------------------------------------------------------


def parse_categories_yaml(data: bytes) -> Categories:
    """The categories ``categories.yaml`` configures, in its order."""
    doc = load_yaml(data, CATEGORIES_FILE)
    if doc is None:
        return Categories()
    if not isinstance(doc, list):
        raise RejectedConfig(
            CATEGORIES_FILE,
            Reason(
                N_("must be a list of categories (- slug: tin-tuc, name: Tin tức), not {found}"),
                found=describe(doc),
            ),
            line_of(doc),
        )
    entries: list[CategoryInfo] = []
    _walk(doc, (), entries)
    return Categories(tuple(entries))


def _folder(path: CategoryPath) -> str:
    return "/" + "".join(f"{slug}/" for slug in path)


def _walk(items: list[Any], parent: CategoryPath, entries: list[CategoryInfo]) -> None:
    first_line: dict[str, int | None] = {}
    for number, item in enumerate(items, start=1):
        where = (
            Reason(N_("category {number} under {folder}"), number=number, folder=_folder(parent))
            if parent
            else Reason(N_("category {number}"), number=number)
        )
        fields = Fields(
            CATEGORIES_FILE,
            where,
            item,
            CATEGORY_FIELDS,
            "slug: …, name: …",
            line=item_line(items, number - 1),
        )
        slug = _slug(fields, top_level=not parent)
        path = (*parent, slug)
        if slug in first_line:
            twice = (
                Reason(
                    N_("{folder} is listed twice (first at line {line})"),
                    folder=_folder(path),
                    line=first_line[slug],
                )
                if first_line[slug]
                else Reason(N_("{folder} is listed twice"), folder=_folder(path))
            )
            fields.fail(twice, "slug")
        first_line[slug] = fields.key_lines.get("slug", fields.line)
        if len(entries) >= MAX_CATEGORIES:
            fields.fail(Reason(N_("too many categories (at most {most})"), most=MAX_CATEGORIES))
        fields.where = _folder(path)
        name = fields.text("name") if "name" in fields.mapping else humanize(slug)
        description = fields.text("description", limit=MAX_DESCRIPTION, allow_empty=True)
        entries.append(CategoryInfo(path=path, name=name, description=description, order=number - 1))
        children = fields.mapping.get("children")
        if children is None:
            continue
        if not isinstance(children, list):
            fields.fail(
                Reason(
                    N_("'children' must be a list of categories (- slug: …), not {found}"),
                    found=describe(children),
                ),
                "children",
            )
        if children and len(path) >= MAX_CATEGORY_DEPTH:
            fields.fail(
                Reason(N_("categories nest at most {most} levels deep"), most=MAX_CATEGORY_DEPTH), "children"
            )
        _walk(children, path, entries)


def _slug(fields: Fields, *, top_level: bool) -> str:
    slug = fields.text("slug", limit=MAX_SLUG)
    if "/" in slug:
        fields.fail(
            Reason(
                N_("'slug' '{slug}' must be one folder name: put subcategories under 'children'"),
                slug=slug[:40],
            ),
            "slug",
        )
    if slug.isdigit():
        fields.fail(
            Reason(
                N_("'slug' '{slug}' is only digits: /<category>/<yyyy>/<mm>/ are monthly archive URLs"),
                slug=slug,
            ),
            "slug",
        )
    if slugify(slug) != slug:
        suggestion = slugify(slug)[:40]
        not_a_slug = (
            Reason(
                N_(
                    "'slug' '{slug}' is not a URL slug: use lowercase a-z, 0-9 and hyphens,"
                    " e.g. '{suggestion}'"
                ),
                slug=slug[:40],
                suggestion=suggestion,
            )
            if suggestion
            else Reason(
                N_("'slug' '{slug}' is not a URL slug: use lowercase a-z, 0-9 and hyphens"), slug=slug[:40]
            )
        )
        fields.fail(not_a_slug, "slug")
    if top_level and slug in RESERVED_SLUGS:
        fields.fail(
            Reason(N_("'slug' '{slug}' is reserved for the site's own files (/{slug}/)"), slug=slug), "slug"
        )
    return slug
