"""EventBridge Scheduler's schedule expressions: ``at()``, ``rate()`` and ``cron()``, as AWS reads them.

The local scheduler pump (``local/scheduler_pump.py``) needs to know when a
schedule was last due; moto stores expressions but never evaluates them. The
rules are AWS's, not Unix cron's: six fields (minutes hours day-of-month month
day-of-week year), exactly one of day-of-month and day-of-week is ``?``,
day-of-week counts 1=SUN to 7=SAT, and the expression is evaluated on the
wall clock of ``ScheduleExpressionTimezone``. On a daylight-saving change a
local time that does not exist is skipped and a repeated one runs once, as
AWS documents. Supported: numbers, ``*``, ``?``, lists, ranges (months and
days of the week wrap: ``FRI-MON``), steps (``*/n``, ``a/n``, ``a-b/n``),
JAN-DEC, SUN-SAT, and ``L`` as the day of month. ``W``, ``#`` and ``L`` in
day-of-week raise ``ValueError``: an expression the pump cannot evaluate is
reported (once) instead of silently never firing.
"""

from __future__ import annotations

import calendar
import re
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Final
from zoneinfo import ZoneInfo

AT: Final = re.compile(r"at\((\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2})\)")
RATE: Final = re.compile(r"rate\((\d+) (minutes?|hours?|days?)\)")
CRON: Final = re.compile(r"cron\((.+)\)")
_UNIT_SECONDS: Final = {"minute": 60, "hour": 3600, "day": 86400}
_MONTHS: Final = {name.upper(): i for i, name in enumerate(calendar.month_abbr) if name}
_DAYS: Final = {name: i for i, name in enumerate(("SUN", "MON", "TUE", "WED", "THU", "FRI", "SAT"), 1)}
# (lowest, highest, names) per field, in AWS's order.
_FIELDS: Final[tuple[tuple[int, int, dict[str, int]], ...]] = (
    (0, 59, {}),
    (0, 23, {}),
    (1, 31, {}),
    (1, 12, _MONTHS),
    (1, 7, _DAYS),
    (1970, 2199, {}),
)
_LOOKBACK_DAYS: Final = 366 * 30  # a search never spans more than this: the clock jumped absurdly


def at_time(expression: str, timezone: str) -> datetime:
    """When an ``at(yyyy-mm-ddThh:mm:ss)`` schedule is due, in UTC."""
    match = AT.fullmatch(expression.strip())
    if match is None:
        raise ValueError(f"not an at() expression: {expression!r}")
    local = datetime.strptime(match.group(1), "%Y-%m-%dT%H:%M:%S").replace(tzinfo=ZoneInfo(timezone))
    return local.astimezone(UTC)


def rate_period(expression: str) -> timedelta:
    """The period of ``rate(value unit)``; AWS takes a positive integer and minute(s)/hour(s)/day(s)."""
    match = RATE.fullmatch(expression.strip())
    if match is None or int(match.group(1)) < 1:
        raise ValueError(f"not a rate() expression: {expression!r}")
    return timedelta(seconds=int(match.group(1)) * _UNIT_SECONDS[match.group(2).rstrip("s")])


def _number(token: str, names: dict[str, int], lowest: int, highest: int) -> int:
    value = names.get(token.upper()) if not token.isdigit() else int(token)
    if value is None or not lowest <= value <= highest:
        raise ValueError(f"{token!r} is not in {lowest}-{highest}")
    return value


def _field(text: str, lowest: int, highest: int, names: dict[str, int]) -> frozenset[int]:
    """The values one cron field allows (``*`` and ``?`` allow every value)."""
    values: set[int] = set()
    for part in text.split(","):
        span, _, step_text = part.partition("/")
        step = int(step_text) if step_text else 1
        if step_text and (not step_text.isdigit() or step < 1):
            raise ValueError(f"bad step in {part!r}")
        if span in {"*", "?"}:
            start, end = lowest, highest
        elif "-" in span:
            first, _, last = span.partition("-")
            start, end = _number(first, names, lowest, highest), _number(last, names, lowest, highest)
        else:
            start = _number(span, names, lowest, highest)
            end = highest if step_text else start
        if start > end and not names:
            raise ValueError(f"{part!r}: only months and days of the week wrap around")
        count = (end - start) % (highest - lowest + 1) + 1  # a range may wrap: FRI-MON, NOV-FEB
        values.update(lowest + (start - lowest + i) % (highest - lowest + 1) for i in range(0, count, step))
    return frozenset(values)


@dataclass(frozen=True)
class Cron:
    """A parsed ``cron(...)``: the values each field allows; ``last_day`` for ``L`` in day-of-month."""

    minutes: frozenset[int]
    hours: frozenset[int]
    days: frozenset[int] | None  # None: day-of-month is '?'
    months: frozenset[int]
    weekdays: frozenset[int] | None  # 1=SUN..7=SAT; None: day-of-week is '?'
    years: frozenset[int]
    last_day: bool = False

    @classmethod
    def parse(cls, expression: str) -> Cron:
        """Parse AWS's six-field cron; ``ValueError`` names what AWS (or this port) would not take."""
        match = CRON.fullmatch(expression.strip())
        fields = match.group(1).split() if match else []
        if len(fields) != 6:
            raise ValueError(f"not a six-field cron() expression: {expression!r}")
        day_of_month, day_of_week = fields[2], fields[4]
        if (day_of_month == "?") == (day_of_week == "?"):
            raise ValueError(f"{expression!r}: exactly one of day-of-month and day-of-week must be '?'")
        if "W" in day_of_month or "#" in day_of_week or "L" in day_of_week:
            raise ValueError(f"{expression!r}: W, # and L in day-of-week are not supported locally")
        last_day = day_of_month == "L"
        parsed = [
            _field(text, *spec) if not (index == 2 and last_day) else frozenset()
            for index, (text, spec) in enumerate(zip(fields, _FIELDS, strict=True))
        ]
        return cls(
            minutes=parsed[0],
            hours=parsed[1],
            days=None if day_of_month == "?" else parsed[2],
            months=parsed[3],
            weekdays=None if day_of_week == "?" else parsed[4],
            years=parsed[5],
            last_day=last_day,
        )

    def matches_day(self, day: date) -> bool:
        """Whether any time of ``day`` (a local date) can be an occurrence."""
        if day.year not in self.years or day.month not in self.months:
            return False
        if self.weekdays is not None:
            return (day.weekday() + 1) % 7 + 1 in self.weekdays  # Python's MON=0 -> AWS's MON=2
        if self.last_day:
            return day.day == calendar.monthrange(day.year, day.month)[1]
        return self.days is not None and day.day in self.days

    def latest(self, after: datetime, until: datetime, timezone: str) -> datetime | None:
        """The latest occurrence in ``(after, until]`` (aware datetimes), in UTC; None if there is none.

        Searches backwards day by day on the zone's wall clock, so the cost is
        the number of days since ``after``, which the pump keeps small.
        """
        zone = ZoneInfo(timezone)
        hours, minutes = sorted(self.hours, reverse=True), sorted(self.minutes, reverse=True)
        day = until.astimezone(zone).date()
        first = max(after.astimezone(zone).date(), day - timedelta(days=_LOOKBACK_DAYS))
        while day >= first:
            if self.matches_day(day):
                for hour in hours:
                    for minute in minutes:
                        local = datetime.combine(day, time(hour, minute), tzinfo=zone)
                        moment = local.astimezone(UTC)
                        if moment.astimezone(zone).replace(tzinfo=None) != local.replace(tzinfo=None):
                            continue  # skipped by a daylight-saving change: AWS skips it too
                        if after < moment <= until:
                            return moment
            day -= timedelta(days=1)
        return None


def latest_occurrence(
    expression: str, timezone: str, after: datetime, until: datetime, *, anchor: datetime
) -> tuple[datetime | None, bool]:
    """The latest run of a rate() or cron() in ``(after, until]``, and whether an earlier one is in it too.

    A rate() runs at ``anchor`` and every period after it, in absolute time:
    AWS counts a day as 24 hours even when daylight saving makes it 23 or 25.
    """
    if until <= after:
        return None, False
    if expression.strip().startswith("rate("):
        period = rate_period(expression)
        count = (until - anchor) // period
        latest = anchor + count * period if count >= 0 else None
        if latest is None or latest <= after:
            return None, False
        return latest, latest - period > after
    cron = Cron.parse(expression)
    found = cron.latest(after, until, timezone)
    if found is None:
        return None, False
    return found, cron.latest(after, found - timedelta(microseconds=1), timezone) is not None


def validate(expression: str, timezone: str = "UTC") -> None:
    """``ValueError`` unless AWS would take ``expression`` in ``timezone`` (moto takes anything).

    AWS's rules, not this module's support: a cron() with ``W`` or ``#`` is valid
    here although the pump cannot evaluate it (it says so when it meets one).
    """
    try:
        ZoneInfo(timezone)
    except (KeyError, ValueError):  # ZoneInfoNotFoundError is a KeyError
        raise ValueError(f"unknown time zone {timezone!r}") from None
    text = expression.strip()
    if text.startswith("at("):
        at_time(text, timezone)
    elif text.startswith("rate("):
        rate_period(text)
    else:
        match = CRON.fullmatch(text)
        fields = match.group(1).split() if match else []
        if len(fields) != 6 or (fields[2] == "?") == (fields[4] == "?"):
            raise ValueError(f"{expression!r}: six fields, exactly one of day-of-month and day-of-week '?'")
