"""Site-wide re-renders (a configuration change, an ops rebuild), fanned out in chunks.

A configuration change alters every page (menus, names, the version stamp),
so one invocation cannot do it for a large site. Instead:

1. a *plan* message cuts the work into chunks of bounded size (a range of the
   timeline, a group of categories, a run of months, the site-wide files,
   the private previews of drafts and scheduled articles, and for a rebuild
   the media files), records the job and its chunk count
   in the table, and sends one message per chunk to the render queue;
2. each *chunk* message renders its part, writes what changed, and adds its
   number to the job's set of finished chunks (a set, so a redelivered
   chunk counts once);
3. the invocation whose chunk completes the set sends one wildcard
   invalidation, with the job id as caller reference, and marks it sent.

Pages are overwritten in place, never deleted first, so the site is fully
served throughout; each page carries the configuration version it was
rendered with.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from itertools import batched
from typing import Any

from newsroom.domain.pictures import is_picture_key
from newsroom.domain.site_paths import page_key, pdf_key
from newsroom.domain.source_keys import look_again_message
from newsroom.usecases.article_pdfs import pdf_message
from newsroom.usecases.media import sync_media
from newsroom.usecases.ports import (
    ContentIndex,
    Invalidations,
    Redirects,
    SearchTerms,
    SiteFiles,
    SourceFiles,
    WorkQueue,
)
from newsroom.usecases.redirect_changes import sync_redirects
from newsroom.usecases.site_render import ContextLoader, Rendered, SiteRenderer, until_unchanged
from newsroom.web.outputs import Output

ARTICLES_PER_CHUNK = 50
SCOPES_PER_CHUNK = 5
MONTHS_PER_CHUNK = 24
MEDIA_PER_CHUNK = 100
WILDCARD = "/*"


@dataclass(frozen=True)
class ChunkReport:
    """What one chunk did."""

    job: str
    chunk: int
    written: list[str]
    removed: list[str]
    complete: bool
    invalidated: bool


@dataclass(eq=False)
class Fanout:
    """Plans jobs and runs their chunks. Built once per container."""

    index: ContentIndex
    site: SiteFiles
    source: SourceFiles
    invalidator: Invalidations
    queue: WorkQueue
    context: ContextLoader
    search: SearchTerms | None = None
    pictures: WorkQueue | None = None
    """The picture function's queue: a rebuild asks it to make each picture's variants again."""
    pdfs: WorkQueue | None = None
    """The PDF function's queue: a rebuild asks it for each article's PDF (written only if it changed)."""
    redirects: Redirects | None = None
    """The redirect store: a rebuild tells it again what each live article's old URLs answer."""

    def request(self, job: str, *, media: bool = False) -> None:
        """Ask for a job; ``media`` also re-copies the media files (a rebuild)."""
        self.queue.send_all([{"type": "plan", "job": job, "media": media}])

    def handle(self, body: str) -> ChunkReport | None:
        """Handle one render-queue message (a plan or a chunk)."""
        message = json.loads(body)
        if message.get("type") == "plan":
            self.plan(str(message["job"]), media=bool(message.get("media")))
            return None
        if message.get("type") == "chunk":
            return self.run(str(message["job"]), int(message["chunk"]), message["work"])
        raise ValueError(f"unknown render message type {message.get('type')!r}")

    # -- planning --------------------------------------------------------------------
    def plan(self, job: str, *, media: bool = False) -> int:
        """Cut the job into chunks and send them; returns the number of chunks."""
        progress = self.index.jobs.get(job)
        if progress is not None and progress.dispatched:
            return progress.total  # a redelivered plan message: the chunks are on their way
        works = list(self._works(media))
        self.index.jobs.start(job, len(works), datetime.now(UTC).isoformat())
        self.queue.send_all(
            [{"type": "chunk", "job": job, "chunk": n, "work": work} for n, work in enumerate(works)]
        )
        self.index.jobs.mark_dispatched(job)
        return len(works)

    def _works(self, media: bool) -> Iterator[dict[str, Any]]:
        renderer = SiteRenderer(self.index, self.context())
        for n, (first, last) in enumerate(self.index.listings.timeline_chunks(ARTICLES_PER_CHUNK)):
            yield {"articles": [first, last], **({"from_start": True} if n == 0 else {})}
        scopes: list[tuple[str, ...]] = [(), *renderer.categories()]
        # Pages of categories that no longer exist go (each chunk checks before removing).
        stored = self.index.configuration.current()
        stale = set(self.index.counts.emptied_scopes()) | set(stored.retired if stored else ())
        scopes += sorted(stale - set(scopes))
        for group in batched(scopes, SCOPES_PER_CHUNK, strict=False):
            yield {"scopes": [list(scope) for scope in group]}
        for scope in scopes:
            months = [month for month, _ in self.index.counts.months(scope)]
            for run in batched(months, MONTHS_PER_CHUNK, strict=False):
                yield {"months": {"scope": list(scope), "months": list(run)}}
        for keys in batched(self.index.articles.previewed(), ARTICLES_PER_CHUNK, strict=False):
            yield {"previews": list(keys)}
        yield {"site": True}
        if media:
            for keys in batched(self.source.keys("media/"), MEDIA_PER_CHUNK, strict=False):
                yield {"media": list(keys)}

    # -- chunks --------------------------------------------------------------------
    def run(self, job: str, chunk: int, work: dict[str, Any]) -> ChunkReport:
        """Render one chunk, write what changed, count it done, invalidate once at the end.

        Like a publish, a chunk re-renders when the site's revision moved while
        it rendered, so a publish that ran meanwhile is never overwritten by
        a page rendered before it.
        """
        written: list[str] = []
        removed: list[str] = []
        # Pictures are the picture function's (never copied as uploaded: their EXIF); it makes the
        # same variants again, byte for byte. Other media are copied here.
        media = list(work.get("media", ()))
        pictures = [key for key in media if is_picture_key(key)]
        if pictures and self.pictures is not None:
            self.pictures.send_all([look_again_message(key) for key in pictures])
        for key in media:
            if not is_picture_key(key) and sync_media(self.source, self.site, key)[1]:
                written.append(key)

        # Article URLs an earlier pass wrote: a rerun checks that they are still held (see holders).
        pages_written: set[str] = set()

        def render_pass(attempt: int) -> None:
            rendered, pages = self._render(work, sync_search=attempt == 0, earlier=pages_written)
            for output in rendered.outputs:
                if self.site.differs(output):
                    self.site.put(output)
                    written.append(output.key)
                    if output.key in pages:
                        pages_written.add("/" + output.key)
            removed.extend(key for key in rendered.removals if self.site.delete(key))

        until_unchanged(self.index.counts, render_pass, f"{job} chunk {chunk}: the site")
        if "articles" in work and self.pdfs is not None:  # their PDFs, once their pages are written
            first, last = work["articles"]
            keys = [e.source_key for e in self.index.listings.entries_between(first, last)]
            if keys:
                self.pdfs.send_all([pdf_message(key) for key in keys])
        progress = self.index.jobs.finish_chunk(job, chunk, len(written) + len(removed))
        invalidated = False
        if progress.complete and not progress.invalidated:
            self.invalidator.invalidate(job, [WILDCARD])
            self.index.jobs.mark_invalidated(job)
            invalidated = True
        return ChunkReport(job, chunk, written, removed, progress.complete, invalidated)

    def _render(
        self, work: dict[str, Any], *, sync_search: bool, earlier: set[str]
    ) -> tuple[Rendered, set[str]]:
        """A chunk's pages, rendered from the index as it is now, and the keys of its article pages.

        ``earlier``: article URLs earlier passes wrote; one this pass no longer
        renders may have been left by its article meanwhile, so it is checked.
        """
        renderer = SiteRenderer(self.index, self.context())
        rendered = Rendered()
        pages: list[Output] = []
        if "articles" in work:
            first, last = work["articles"]
            entries = self.index.listings.entries_between(first, last)
            found = self.index.articles.get_many(e.source_key for e in entries)
            pages += renderer.articles(entries, found)
            rendered.outputs += renderer.shards_in(entries, from_start=bool(work.get("from_start")))
            if sync_search and self.search is not None:  # a rebuild also repairs the search index
                for record in found.values():
                    self.search.sync(record, trust_current=True)
            if sync_search and self.redirects is not None:  # and the redirects of live articles
                sync_redirects(found.values(), self.index.articles.url_owners, self.redirects)
        held, free = renderer.holders(earlier - {"/" + page.key for page in pages})
        pages += renderer.around(held)
        rendered.outputs += pages
        rendered.removals += [key for url in free for key in (page_key(url), pdf_key(url))]
        for scope in work.get("scopes", ()):
            rendered.add(renderer.scope(tuple(scope)))
        if "months" in work:
            scope = tuple(work["months"]["scope"])
            for month in work["months"]["months"]:
                rendered.add(renderer.archive(scope, month))
            rendered.add(renderer.years(scope, {month[:4] for month in work["months"]["months"]}))
        if "previews" in work:
            rendered.add(renderer.previews(work["previews"]))
        if work.get("site"):
            rendered.outputs += renderer.site_files() + renderer.fixed_files()
        return rendered, {page.key for page in pages}
