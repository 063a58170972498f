"""A month's archive as pages: each at its own address, the newest also at the month's; and year pages.

The pages come from ``domain/archive_pages.py``. The newest page is written
twice, at its own address and at the month's (``/tin-tuc/2024/06/``), with
the month's as canonical on both: readers and old links land on the newest
articles, and a page's own address never changes once a newer page starts.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from newsroom.configuration.site_config import Link
from newsroom.domain.archive_pages import ArchivePage
from newsroom.domain.site_paths import archive_page_url, archive_url, listing_url, page_key, year_url
from newsroom.web.dates import format_day
from newsroom.web.outputs import Output, listed
from newsroom.web.page_outputs import PageContext
from newsroom.web.view_models import ArchiveView, MonthLink, YearView


def archive_page_outputs(
    ctx: PageContext, scope: tuple[str, ...], month: str, page: ArchivePage, *, landing: bool
) -> list[Output]:
    """The page at its own address, and at the month's too when ``landing`` (it must be the newest)."""
    body = _page_html(ctx, scope, month, page)
    outputs = [listed(Output(page_key(archive_page_url(scope, month, page.name)), body))]
    if landing:
        outputs.append(listed(Output(page_key(archive_url(scope, month)), body)))
    return outputs


def _page_html(ctx: PageContext, scope: tuple[str, ...], month: str, page: ArchivePage) -> bytes:
    month_url = archive_url(scope, month)
    url = month_url if page.newest else archive_page_url(scope, month, page.name)
    month_title = ctx.month_title(month)
    section = ctx.category_name(scope) if scope else ctx.config.name
    title = f"{section}: {month_title}"
    if page.older is not None or page.newer is not None:  # one of several: say which days it holds
        first, last = (
            format_day(datetime.fromisoformat(e.published_at), ctx.locale, ctx.timezone)
            for e in (page.entries[-1], page.entries[0])
        )
        title += f" ({first} – {last})" if first != last else f" ({first})"
    crumbs = ctx.breadcrumb(scope)
    crumbs.append(Link(month_title, month_url))
    view = ArchiveView(
        head=ctx.head(title, url, date_line=ctx.date_line(page.entries), breadcrumb=crumbs),
        teasers=tuple(ctx.teaser(e) for e in page.entries),
        category=Link(section, listing_url(scope)),
        month_title=month_title,
        newer=_link(ctx, scope, month, page.newer, ctx.gettext("Newer articles")),
        older=_link(ctx, scope, month, page.older, ctx.gettext("Older articles")),
    )
    return ctx.html(view)


def _link(ctx: PageContext, scope: tuple[str, ...], month: str, name: str | None, label: str) -> Link | None:
    return None if name is None else Link(label, archive_page_url(scope, month, name))


def year_output(
    ctx: PageContext,
    scope: tuple[str, ...],
    year: str,
    months: Sequence[str],
    around: tuple[str | None, str | None],
) -> Output:
    """The year page: links to its months (newest first), and to the years either side that hold any."""
    section = ctx.category_name(scope) if scope else ctx.config.name
    title = ctx.gettext("Archive of %(year)s") % {"year": year}
    crumbs = ctx.breadcrumb(scope)
    crumbs.append(Link(year, year_url(scope, year)))
    older, newer = around
    view = YearView(
        head=ctx.head(f"{section}: {title}", year_url(scope, year), breadcrumb=crumbs),
        months=tuple(MonthLink(ctx.month_title(month), archive_url(scope, month)) for month in months),
        category=Link(section, listing_url(scope)),
        newer=Link(newer, year_url(scope, newer)) if newer else None,
        older=Link(older, year_url(scope, older)) if older else None,
    )
    return listed(Output(page_key(year_url(scope, year)), ctx.html(view)))


def earlier_months(ctx: PageContext, scope: tuple[str, ...], beyond: str | None) -> Link | None:
    """The link under a listing's newest months to the year of the next older month (``beyond``)."""
    return None if beyond is None else Link(ctx.gettext("Earlier months"), year_url(scope, beyond[:4]))
