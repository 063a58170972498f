"""Media files are published by server-side copy, checked against a concurrent change.

Two invocations may handle the same media key at once (an upload and the
delete that followed it, delivered out of order to two containers). Each
copies or deletes according to the source's state *as it read it*, then reads
that state again: if it moved meanwhile, it acts again, so the last one to
finish always acts on the newest state and a deleted file never comes back.
"""

from __future__ import annotations

from newsroom.domain.errors import MAX_ATTEMPTS, ConcurrentChange
from newsroom.domain.source_objects import SourceHead
from newsroom.usecases.ports import SiteFiles, SourceFiles


def sync_media(source: SourceFiles, site: SiteFiles, key: str) -> tuple[SourceHead | None, bool]:
    """Make the site's copy of ``key`` match the source; returns the source head and whether it changed."""
    changed = False
    for _ in range(MAX_ATTEMPTS):
        head = source.head(key)
        if head is None:
            changed = site.delete(key) or changed
        else:
            changed = site.copy_from(source.bucket, key, head.version_id, key, head.etag) or changed
        if source.head(key) == head:
            return head, changed
    raise ConcurrentChange(f"{key}: the source kept changing under {MAX_ATTEMPTS} attempts")
