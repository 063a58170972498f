"""Publish the view figures after a log batch: ``/stats.json`` and the shard files that moved.

The counters are already committed (``count_views``); this turns them into
what the browser reads. Everything is recomputed from the table, so running
it again (a retried batch, a duplicate delivery) writes the same figures, and
a batch that failed here is simply redelivered: its files count nothing twice.

Cost per batch, whatever the size of the site: readers online from the few
five-minute slots before the newest line, most read from the site's last
seven days of per-day counts, one read each for the totals, the shard list
and the configuration, one ``/stats.json`` write, and per shard file of the
batch's articles one query, one HEAD and (when its figures changed) one
write. No CloudFront invalidation: the files live at the CDN for seconds
(``FIGURES_CACHE``).
"""

from __future__ import annotations

import zoneinfo
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

from newsroom.domain.records import PUBLISHED, MostRead, ViewFigures
from newsroom.domain.site_paths import views_shard
from newsroom.domain.view_counting import ONLINE_WINDOW, Url
from newsroom.usecases.ports import ArticleRecords, SiteCounts, SiteFiles, ViewRecords
from newsroom.web.figure_outputs import stats_output, views_shard_output
from newsroom.web.page_outputs import PageContext

MOST_READ = 5
"""Lines in each most-read list."""
WEEK = 7
"""Days in "this week": today and the six before it, by the site's calendar."""


@dataclass(frozen=True)
class FiguresReport:
    """What one publication wrote: for the logs."""

    figures: ViewFigures
    shards_written: int
    shards_unchanged: int


@dataclass(eq=False)
class FigurePublisher:
    """Writes the figures files. Built once per container; ``context`` is the configuration in force."""

    views: ViewRecords
    articles: ArticleRecords
    counts: SiteCounts
    site: SiteFiles
    context: Callable[[], PageContext]
    timezone: str

    def publish(self, read: Iterable[Url]) -> FiguresReport:
        """Rewrite the shard files of the articles ``read`` in the batch, then ``/stats.json``.

        In that order: ``/stats.json`` lists the shard files that exist, so
        the browser never asks for one that is not there yet (an article
        nobody read shows 0 without a 404).
        """
        written = unchanged = 0
        shards = sorted({views_shard(url) for url in read})
        for shard in shards:
            if self._write_shard(shard):
                written += 1
            else:
                unchanged += 1  # a duplicate delivery: the same counts
        self.views.add_shards(shards)
        figures = self.figures()
        self.views.put_figures(figures)
        config, stats = self.context().config, self.counts.stats()
        self.site.put(stats_output(config, stats, figures))
        stored = self.views.figures()
        if stored != figures:  # a concurrent batch stored newer figures, and may have written before us
            self.site.put(stats_output(config, stats, stored))
        return FiguresReport(figures, written, unchanged)

    def _write_shard(self, shard: str) -> bool:
        """Write one shard file if its counts changed; checked again after, so a slower twin's older
        counts written over newer ones are put right (a rarely read shard would keep them for long)."""
        wrote = False
        for _check in range(3):
            output = views_shard_output(shard, self.views.shard_views(shard))
            if not self.site.differs(output):
                return wrote
            self.site.put(output)
            wrote = True
        return wrote

    def figures(self) -> ViewFigures:
        """The figures as the counters hold them now.

        "Today" is the site's calendar day of the newest line counted, like
        readers online: logs arrive late, and figures "as of 14:05" should
        not empty at midnight before the night's logs came in.
        """
        online, newest = self.views.online(ONLINE_WINDOW)
        today = (newest or datetime.now(UTC)).astimezone(zoneinfo.ZoneInfo(self.timezone)).date()
        return ViewFigures(
            views=self.views.site_views(),
            online=online,
            as_of=newest.astimezone(UTC).isoformat() if newest else None,
            today=self._most_read([today]),
            week=self._most_read([today - timedelta(days=n) for n in range(WEEK)]),
            shards=self.views.shards(),
        )

    def _most_read(self, days: list[date]) -> tuple[MostRead, ...]:
        """The most read articles still published, with their titles.

        Views of an article deleted since are kept in the totals (they
        happened) but it leaves the list: twice the lines are read so that a
        few deleted ones do not shorten it.
        """
        ranked = self.views.most_read(days, MOST_READ * 2)
        owners = self.articles.url_owners(url for url, _ in ranked)
        records = self.articles.get_many(owners.values())
        lines: list[MostRead] = []
        for url, views in ranked:
            record = records.get(owners.get(url, ""))
            if record is None or record.state != PUBLISHED or record.article is None:
                continue
            if record.placement is None or record.placement.url != url:
                continue  # an old URL of a moved article: it answers 301 now
            lines.append(MostRead(record.article.title, url, views))
        return tuple(lines[:MOST_READ])
