"""Dates as the pages write them: ``Chủ nhật, 28 Tháng 4 2024``.

The date line follows Babel's pattern ``EEEE, d LLLL y`` in the site's locale
and time zone, with one change: the weekday is written as the reference site
writes it, only its first letter upper-case (Babel's ``vi`` data says
``Chủ Nhật``, the portal says ``Chủ nhật``).

The browser rebuilds the same line for today's date from the names given here
(:func:`weekday_names`, :func:`month_names`) and :data:`DATE_LINE_TEMPLATE`; a
test checks that both ways agree for every day of a year, so the page does not
change shape when the script runs.
"""

from __future__ import annotations

from datetime import datetime
from functools import cache, lru_cache
from zoneinfo import ZoneInfo

from babel import Locale
from babel.dates import format_datetime, format_skeleton, get_day_names, get_month_names

DATE_LINE_PATTERN = "EEEE, d LLLL y"
"""The CLDR pattern of the date line, before the weekday is recapitalised."""

DATE_LINE_TEMPLATE = "{weekday}, {day} {month} {year}"
"""How the browser script assembles the line: day and year as plain numbers."""

TIME_PATTERN = "HH:mm"

# Babel numbers weekdays from Monday (0) to Sunday (6); JavaScript's
# ``Date.getDay()`` from Sunday (0) to Saturday (6).
_BABEL_DAY_FROM_JS_DAY = (6, 0, 1, 2, 3, 4, 5)


FORMATTED_DATES = 16384
"""Dates formatted once per container: a page lists dozens, and the same ones page after page."""


@cache
def _babel_locale(code: str) -> Locale:
    """Parsed once: Babel parses a locale given as a string on every call, which dominated a render."""
    return Locale.parse(code)


def _capitalise_first(name: str) -> str:
    """``Chủ Nhật`` -> ``Chủ nhật``, ``Sunday`` -> ``Sunday``."""
    return name[:1].upper() + name[1:].lower()


@cache
def weekday_names(locale: str) -> tuple[str, ...]:
    """The seven weekday names, index 0 = Sunday as JavaScript counts.

    Same capitalisation as the date line: ``("Chủ nhật", "Thứ hai", ...)``.
    """
    names = get_day_names("wide", "format", locale)
    return tuple(_capitalise_first(names[day]) for day in _BABEL_DAY_FROM_JS_DAY)


@cache
def month_names(locale: str) -> tuple[str, ...]:
    """The twelve stand-alone month names (``LLLL``), index 0 = January.

    ``("Tháng 1", ..., "Tháng 12")`` in Vietnamese, as JavaScript's
    ``Date.getMonth()`` counts.
    """
    names = get_month_names("wide", "stand-alone", locale)
    return tuple(names[month] for month in range(1, 13))


def _local(value: datetime, tz: str) -> datetime:
    if value.tzinfo is None:
        raise ValueError("naive datetime: give the time zone the value was recorded in")
    return value.astimezone(ZoneInfo(tz))


@lru_cache(maxsize=FORMATTED_DATES)
def format_date_line(value: datetime, locale: str, tz: str) -> str:
    """``Chủ nhật, 28 Tháng 4 2024`` (vi) or ``Sunday, 28 April 2024`` (en).

    ``value`` must be aware; it is shown in the time zone ``tz``.
    """
    local = _local(value, tz)
    parsed = _babel_locale(locale)
    babel_text = format_datetime(local, DATE_LINE_PATTERN, locale=parsed)
    babel_weekday = format_datetime(local, "EEEE", locale=parsed)
    weekday = weekday_names(locale)[local.isoweekday() % 7]
    if not babel_text.startswith(babel_weekday):  # pragma: no cover - CLDR guard
        raise ValueError(f"locale {locale!r} does not start its date line with the weekday")
    return weekday + babel_text[len(babel_weekday) :]


@lru_cache(maxsize=FORMATTED_DATES)
def format_article_date(value: datetime, locale: str, tz: str) -> str:
    """The date line plus the local time: ``Chủ nhật, 28 Tháng 4 2024 16:00``."""
    local = _local(value, tz)
    time_text = format_datetime(local, TIME_PATTERN, locale=_babel_locale(locale))
    return f"{format_date_line(local, locale, tz)} {time_text}"


@lru_cache(maxsize=FORMATTED_DATES)
def format_day(value: datetime, locale: str, tz: str) -> str:
    """Day and month as the locale writes them short: ``3/6`` (vi), ``6/3`` (en)."""
    return format_skeleton("dM", _local(value, tz), locale=_babel_locale(locale))
