"""Dates as the portal writes them, on the server and (rebuilt) in the browser."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from babel.dates import format_datetime
from newsroom.web.dates import (
    DATE_LINE_PATTERN,
    DATE_LINE_TEMPLATE,
    format_article_date,
    format_date_line,
    month_names,
    weekday_names,
)

HCM = "Asia/Ho_Chi_Minh"


def test_vietnamese_date_line_writes_the_weekday_as_the_reference_does() -> None:
    value = datetime(2024, 4, 28, 9, 0, tzinfo=UTC)
    assert format_date_line(value, "vi", HCM) == "Chủ nhật, 28 Tháng 4 2024"


def test_babel_alone_would_capitalise_every_word() -> None:
    value = datetime(2024, 4, 28, 9, 0, tzinfo=UTC)
    assert format_datetime(value, DATE_LINE_PATTERN, tzinfo=ZoneInfo(HCM), locale="vi").startswith("Chủ Nhật")


def test_english_date_line() -> None:
    value = datetime(2024, 4, 28, 9, 0, tzinfo=UTC)
    assert format_date_line(value, "en", HCM) == "Sunday, 28 April 2024"


def test_the_site_time_zone_decides_the_day() -> None:
    late_saturday_utc = datetime(2024, 4, 27, 18, 30, tzinfo=UTC)  # 01:30 on Sunday in Hanoi
    assert format_date_line(late_saturday_utc, "vi", HCM) == "Chủ nhật, 28 Tháng 4 2024"
    assert format_date_line(late_saturday_utc, "vi", "UTC") == "Thứ bảy, 27 Tháng 4 2024"


def test_article_date_adds_the_local_time() -> None:
    value = datetime(2024, 4, 28, 9, 5, tzinfo=UTC)
    assert format_article_date(value, "vi", HCM) == "Chủ nhật, 28 Tháng 4 2024 16:05"
    assert format_article_date(value, "en", HCM) == "Sunday, 28 April 2024 16:05"


def test_two_digit_months_and_days() -> None:
    value = datetime(2023, 12, 31, 3, 0, tzinfo=UTC)
    assert format_date_line(value, "vi", HCM) == "Chủ nhật, 31 Tháng 12 2023"
    assert format_date_line(datetime(2024, 1, 1, 0, 0, tzinfo=UTC), "vi", HCM) == "Thứ hai, 1 Tháng 1 2024"


def test_naive_datetimes_are_refused() -> None:
    with pytest.raises(ValueError, match="naive"):
        format_date_line(datetime(2024, 4, 28, 9, 0), "vi", HCM)


def test_weekday_names_start_on_sunday_like_javascript() -> None:
    assert weekday_names("vi") == ("Chủ nhật", "Thứ hai", "Thứ ba", "Thứ tư", "Thứ năm", "Thứ sáu", "Thứ bảy")
    assert weekday_names("en") == (
        "Sunday",
        "Monday",
        "Tuesday",
        "Wednesday",
        "Thursday",
        "Friday",
        "Saturday",
    )


def test_month_names_are_the_stand_alone_forms() -> None:
    assert month_names("vi") == tuple(f"Tháng {n}" for n in range(1, 13))
    assert month_names("en")[0] == "January"
    assert month_names("en")[11] == "December"


@pytest.mark.parametrize("locale", ["vi", "en"])
def test_browser_rebuilds_the_same_line_for_every_day_of_a_leap_year(locale: str) -> None:
    """What site.js does: weekdays[getDay()], getDate(), months[getMonth()], getFullYear()."""
    day = date(2024, 1, 1)
    while day.year == 2024:
        noon = datetime(day.year, day.month, day.day, 12, tzinfo=ZoneInfo(HCM))
        js_get_day = (day.weekday() + 1) % 7
        browser = DATE_LINE_TEMPLATE.format(
            weekday=weekday_names(locale)[js_get_day],
            day=day.day,
            month=month_names(locale)[day.month - 1],
            year=day.year,
        )
        assert browser == format_date_line(noon, locale, HCM)
        day += timedelta(days=1)
