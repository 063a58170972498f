"""Count one CDN log file's views into the counters, once, however often it is delivered.

The log is streamed from the logs bucket; its human views of article pages
are judged against the readers' earlier views, and the counters move in
parts that each carry the file's marker (``ViewRecords.commit``).
"""

from __future__ import annotations

import zoneinfo
from dataclasses import dataclass
from datetime import date, datetime

from newsroom.domain.access_logs import LogReport, read_log
from newsroom.domain.view_counting import Tally, Url, candidate_views, readers_seen
from newsroom.usecases.ports import LogFiles, ViewRecords


@dataclass(frozen=True)
class CountReport:
    """What one file held and what it moved: for the logs and the metrics."""

    key: str
    log: LogReport
    tally: Tally
    parts_committed: int
    read: frozenset[Url] = frozenset()
    """Every article the file's readers opened, repeats and duplicates included: their figures are due."""

    @property
    def views(self) -> int:
        """Views this file added (a duplicate delivery adds none)."""
        return sum(self.tally.views.values()) if self.parts_committed else 0


@dataclass(eq=False)
class ViewCounter:
    """Counts log files. Built once per container; ``timezone`` is the site's (days of most read)."""

    views: ViewRecords
    logs: LogFiles
    timezone: str

    def count(self, key: str) -> CountReport:
        """Count the log file ``key`` (its current version), once."""
        stream, etag = self.logs.open(key)
        zone = zoneinfo.ZoneInfo(self.timezone)
        salts: dict[date, bytes | None] = {}

        def salt_for(day: date) -> bytes | None:
            if day not in salts:
                salts[day] = self.views.salt(day)  # None: deleted, its readers can no longer be judged
            return salts[day]

        def day_of(moment: datetime) -> date:
            return moment.astimezone(zone).date()

        report = LogReport()
        try:
            candidates = candidate_views(read_log(stream, report), salt_for, day_of)
        finally:
            stream.close()
        parts, tally = self.views.commit(key, etag, candidates.by_pair(), day_of)
        tally.skipped.update(candidates.skipped)
        tally.last_seen, tally.newest = readers_seen(candidates)
        self.views.note_readers(tally)
        return CountReport(key, report, tally, parts, frozenset(view.url for view in candidates.views))
