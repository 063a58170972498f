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
    video: {title: Lễ trao giải VIFOTEC, url: https://www.youtube.com/watch?v=…, image: /media/x.jpg}

``categories.yaml``: a list of categories in display order, nested through
``children`` (at most ``MAX_CATEGORY_DEPTH`` levels)::

    - slug: tin-tuc
      name: Tin tức
      description: Tin hoạt động khoa học và công nghệ
      children:
        - {slug: tin-vifotec, name: Tin VIFOTEC}
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import replace
from typing import TypedDict

from newsroom.configuration.categories import Categories, CategoryInfo
from newsroom.configuration.categories_yaml import parse_categories_yaml
from newsroom.configuration.site_config import SUPPORTED_LOCALES, Link, SiteConfig, default_config
from newsroom.configuration.yaml_reading import (
    CATEGORIES_FILE,
    LINK_FIELDS,
    MAX_CONFIG_BYTES,
    MAX_DESCRIPTION,
    MAX_LINKS,
    MAX_MENU,
    MAX_PARTNERS,
    MAX_STATISTIC,
    MAX_URL,
    PARTNER_FIELDS,
    SITE_FILE,
    SITE_KEYS,
    STATISTICS_KEYS,
    URL_HINT,
    VIDEO_FIELDS,
    Fields,
    RejectedConfig,
    describe,
    item_line,
    line_of,
    load_yaml,
    normalise_base_url,
    time_zones,
)
from newsroom.domain.editor_urls import is_safe_url
from newsroom.domain.embeds import video_of
from newsroom.domain.reasons import N_, Reason, either

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
    views: int
    video: Link


# --- site.yaml -----------------------------------------------------------------------------------


def parse_site_yaml(data: bytes, image_hosts: Collection[str] | None = ()) -> SiteOverrides:
    """The settings ``site.yaml`` sets; a key without a value is left out (it keeps its default).

    ``image_hosts``: the hosts pictures may come from besides /media/ (the
    deployment's ``ImageHosts``; none by default); ``None`` skips that check,
    for a configuration read back to render, which was checked when accepted.
    """
    doc = load_yaml(data, SITE_FILE)
    if doc is None:
        return {}
    if not isinstance(doc, dict):
        not_settings = Reason(
            N_("must be a mapping of settings (name: value lines), not {found}"), found=describe(doc)
        )
        raise RejectedConfig(SITE_FILE, not_settings, line_of(doc))
    fields = Fields(SITE_FILE, "", doc, SITE_KEYS, "name: value", Reason(N_("setting")))
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
    if fields.has("video"):
        out["video"] = _video(fields)
    if fields.has("statistics"):
        out.update(_statistics(fields, doc))
    return out


def _base_url(fields: Fields) -> str:
    base_url = normalise_base_url(fields.text("base_url", limit=MAX_URL))
    if base_url is None:
        fields.fail(
            Reason(N_("'base_url' must look like https://khcn.example.gov.vn or https://host/path")),
            "base_url",
        )
    return base_url


def _locale(fields: Fields) -> str:
    locale = fields.text("locale").lower()
    if locale not in SUPPORTED_LOCALES:
        fields.fail(
            Reason(
                N_("'locale' must be {locales}, not '{locale}'"),
                locales=either(*SUPPORTED_LOCALES),
                locale=locale[:20],
            ),
            "locale",
        )
    return locale


def _time_zone(fields: Fields) -> str:
    name = fields.text("timezone")
    if name not in time_zones():
        same = sorted(zone for zone in time_zones() if zone.lower() == name.lower())
        hint = (
            Reason(N_("did you mean {zone}?"), zone=same[0]) if same else Reason(N_("e.g. Asia/Ho_Chi_Minh"))
        )
        fields.fail(
            Reason(N_("'timezone' '{name}' is not a time zone name ({hint})"), name=name[:40], hint=hint),
            "timezone",
        )
    return name


def _links(
    fields: Fields, key: str, limit: int, allowed: Sequence[str], image_hosts: Collection[str] | None
) -> tuple[Link, ...]:
    value = fields.mapping[key]
    example = ", ".join(f"{name}: …" for name in allowed)
    if not isinstance(value, list):
        fields.fail(
            Reason(
                N_("'{key}' must be a list of items (- {example}), not {found}"),
                key=key,
                example=example,
                found=describe(value),
            ),
            key,
        )
    if len(value) > limit:
        fields.fail(
            Reason(N_("'{key}' has {count} items; at most {limit}"), key=key, count=len(value), limit=limit),
            key,
        )
    label = _LABELS[key]
    links: list[Link] = []
    first_with_url: dict[str, int] = {}
    for number, item in enumerate(value, start=1):
        item_fields = Fields(
            SITE_FILE,
            Reason(label, number=number),
            item,
            allowed,
            example,
            line=item_line(value, number - 1),
        )
        title = item_fields.text("title")
        url = item_fields.url("url", URL_HINT)
        image = item_fields.image("image", image_hosts) if "image" in allowed else None
        if url in first_with_url:
            earlier = Reason(label, number=first_with_url[url])
            item_fields.fail(
                Reason(N_("same url as {earlier} ({url})"), earlier=earlier, url=url[:60]), "url"
            )
        first_with_url[url] = number
        links.append(Link(title, url, image))
    return tuple(links)


_LABELS = {"menu": N_("menu item {number}"), "links": N_("link {number}"), "partners": N_("partner {number}")}
"""How a refusal names one item of a list: ``menu item 3``."""


def _statistics(fields: Fields, doc: dict[str, object]) -> SiteOverrides:
    """The figures ``statistics:`` sets (members, web links, the views before this site counted)."""
    stats = Fields(
        SITE_FILE,
        "statistics",
        doc["statistics"],
        STATISTICS_KEYS,
        "members: 1234",
        line=fields.key_lines.get("statistics"),
    )
    out: SiteOverrides = {}
    for name in STATISTICS_KEYS:
        if stats.has(name):
            out[name] = _statistic(stats, name)  # type: ignore[literal-required]
    return out


def _video(fields: Fields) -> Link:
    """The side module's video: a link the site can embed as a click-to-load placeholder."""
    video = Fields(
        SITE_FILE,
        "video",
        fields.mapping["video"],
        VIDEO_FIELDS,
        "title: …, url: …, image: /media/…",
        line=fields.key_lines.get("video"),
    )
    url = video.url("url", URL_HINT)
    if video_of(url) is None:
        video.fail(Reason(N_("'url' must be a YouTube, Vimeo or Facebook video link")), "url")
    # The poster is the site's own (under /media/): another host's would see every reader first.
    poster = video.image("image", ()) if video.has("image") else None
    return Link(video.text("title"), url, poster)


def _statistic(fields: Fields, name: str) -> int:
    value = fields.mapping[name]
    if isinstance(value, bool) or not isinstance(value, int):
        fields.fail(
            Reason(
                N_("'{name}' must be a whole number like 1234, not {found}"), name=name, found=describe(value)
            ),
            name,
        )
    if value < 0:
        fields.fail(Reason(N_("'{name}' must not be negative"), name=name), name)
    if value > MAX_STATISTIC:
        fields.fail(Reason(N_("'{name}' is too large (at most {most})"), name=name, most=MAX_STATISTIC), name)
    return value


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
