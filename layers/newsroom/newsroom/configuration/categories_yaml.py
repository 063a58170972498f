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

# --- categories.yaml -----------------------------------------------------------------------------


def parse_categories_yaml(data: bytes) -> Categories:
    """The categories ``categories.yaml`` configures, in its order."""
    doc = load_yaml(data, CATEGORIES_FILE)
    if doc is None:
        return Categories()
    if not isinstance(doc, list):
        raise RejectedConfig(
            CATEGORIES_FILE,
            f"must be a list of categories (- slug: tin-tuc, name: Tin tức), not {describe(doc)}",
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
        where = f"category {number}" + (f" under {_folder(parent)}" if parent else "")
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
                f"'children' must be a list of categories (- slug: …), not {describe(children)}", "children"
            )
        if children and len(path) >= MAX_CATEGORY_DEPTH:
            fields.fail(f"categories nest at most {MAX_CATEGORY_DEPTH} levels deep", "children")
        _walk(children, path, entries)


def _slug(fields: Fields, *, top_level: bool) -> str:
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
