"""Site-wide settings shown on every page.

These are the defaults a fresh deployment starts with, per locale; the
configuration files under ``site/`` in the source bucket will override them.
"""

from __future__ import annotations

from dataclasses import dataclass

from newsroom.configuration.categories import NO_CATEGORIES, Categories

SUPPORTED_LOCALES = ("vi", "en")
"""The locales whose catalogs, dates and defaults the site ships."""


@dataclass(frozen=True)
class Link:
    """A labelled link (menus, breadcrumb, side links, partner banners)."""

    title: str
    url: str
    image: str | None = None


@dataclass(frozen=True)
class SiteConfig:
    """Names, menus and the fixed statistics of the side modules.

    ``base_url``, ``locale`` and ``timezone`` override the deployment's
    settings when ``site/site.yaml`` sets them (``None``: keep the setting).
    """

    name: str
    menu: tuple[Link, ...]
    links: tuple[Link, ...]
    partners: tuple[Link, ...]
    members: int = 0
    web_links: int = 0
    views: int = 0
    """Views before this site counted any (a moved portal's old total): added to the counted views."""
    description: str = ""
    base_url: str | None = None
    locale: str | None = None
    timezone: str | None = None
    categories: Categories = NO_CATEGORIES
    video: Link | None = None
    """The side module's video (a YouTube, Vimeo or Facebook link), shown as a click-to-load placeholder."""


DEFAULTS = {
    "vi": SiteConfig(
        name="Cổng thông tin Khoa học và Công nghệ",
        menu=(Link("Trang chủ", "/"),),
        links=(Link("Trang chủ", "/"),),
        partners=(),
    ),
    "en": SiteConfig(
        name="Science and Technology News",
        menu=(Link("Home", "/"),),
        links=(Link("Home", "/"),),
        partners=(),
    ),
}


def default_config(locale: str) -> SiteConfig:
    """The built-in configuration for ``locale``."""
    return DEFAULTS[locale]
