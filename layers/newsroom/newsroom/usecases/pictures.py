"""The picture function's use case: a media upload in, web variants and the articles that show it out.

A picture (JPEG, PNG, WebP, HEIC) is never copied as uploaded: a phone
photo carries its GPS position. Its variants (EXIF removed, colour profile
kept, several widths, WebP and a fallback, content-hashed names cached for a
year) and a clean copy at the original path are written, the variants'
record stored, then the articles whose pages show the picture are sent back
to the publish path, which renders them with ``srcset``. Other media
(PDF, MP3…) are copied as they are. Like every event, a media event only
means "look again": the source is read as it is now, and read again at the
end; if it moved meanwhile the work is done again, so the newest state wins.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from typing import Protocol

from newsroom.domain.errors import MAX_ATTEMPTS, ConcurrentChange, RejectedSource
from newsroom.domain.feedback_tags import ERROR_TAG, STATUS_TAG, URL_TAG
from newsroom.domain.pictures import (
    GALLERY_KEY,
    GALLERY_SIZE,
    PictureInfo,
    gallery_document,
    is_picture_key,
)
from newsroom.domain.reasons import N_, Reason
from newsroom.domain.site_paths import invalidation_paths
from newsroom.domain.source_keys import SourceKind, classify, decode_event_key, look_again_message
from newsroom.usecases.feedback import LocaleSource, english_only, told
from newsroom.usecases.media import sync_media
from newsroom.usecases.ports import Invalidations, PictureRecords, SiteFiles, SourceFiles, WorkQueue
from newsroom.web.outputs import Output

log = logging.getLogger(__name__)

VARIANT_CACHE = "public, max-age=31536000, immutable"
"""A variant's name changes with its content: it never needs to be fetched again."""
CLEAN_COPY_CACHE = "public, max-age=300, s-maxage=31536000"
"""The picture at its original path changes in place: browsers re-check it, the CDN is invalidated."""
GALLERY_CACHE = "public, max-age=300, s-maxage=300"
"""A new picture reaches the random-picture module within five minutes, with no invalidation."""
MAX_PICTURE_BYTES = 25 * 1024 * 1024
MAX_USERS = 200
"""Articles sent back per picture change: a picture shown on more pages is re-rendered by a rebuild."""


class PreparedVariant(Protocol):
    """One encoded variant (``newsroom_pictures.variants.Variant``)."""

    @property
    def width(self) -> int: ...
    @property
    def media_type(self) -> str: ...
    @property
    def suffix(self) -> str: ...
    @property
    def data(self) -> bytes: ...


class Prepared(Protocol):
    """What the picture layer made of one upload (``newsroom_pictures.variants.PreparedPicture``)."""

    @property
    def width(self) -> int: ...
    @property
    def height(self) -> int: ...
    @property
    def digest(self) -> str: ...
    @property
    def fallback(self) -> str: ...
    @property
    def variants(self) -> Sequence[PreparedVariant]: ...
    @property
    def lead_problem(self) -> str | None: ...


type Preparer = Callable[[bytes, str], Prepared]
"""Decode and encode one picture; raises ``ValueError`` with ``.reason`` for a file it refuses.

A ``.reason`` or ``lead_problem`` that is a ``Reason`` reaches the status file in the site's language."""


@dataclass(frozen=True)
class MediaResult:
    """What one media event did, for the logs."""

    key: str
    status: str
    written: tuple[str, ...] = ()
    invalidated: tuple[str, ...] = ()
    users: tuple[str, ...] = ()
    reason: str | None = None


@dataclass(eq=False)
class PictureWorker:
    """Built once per container; ``prepare`` comes from the picture layer.

    ``locale`` says the site's locale in force when an editor is told something (English when not given).
    """

    source: SourceFiles
    site: SiteFiles
    pictures: PictureRecords
    invalidator: Invalidations
    publish_queue: WorkQueue
    prepare: Preparer
    locale: LocaleSource = field(default=english_only)

    def handle(self, event_key: str, reference: str) -> MediaResult:
        """Bring the site in line with one media key; ``reference`` names the invalidation."""
        key = decode_event_key(event_key)
        try:
            source_key = classify(key)
        except RejectedSource as exc:
            self._tell(key, None, {STATUS_TAG: "error", ERROR_TAG: exc.reason})
            return MediaResult(key, "error", reason=exc.reason)
        if source_key.kind is not SourceKind.MEDIA:
            return MediaResult(key, "ignored", reason="not under media/")
        result = self._picture(key) if is_picture_key(key) else self._other(key)
        if result.invalidated:
            self.invalidator.invalidate(reference, list(result.invalidated))
        if result.status in ("published", "deleted") and is_picture_key(key):
            self._write_gallery()
        if result.status in ("published", "deleted"):
            users = self.pictures.users(key, MAX_USERS)
            if users:
                self.publish_queue.send_all([look_again_message(user) for user in users])
            result = replace(result, users=tuple(users))
        return result

    def _write_gallery(self) -> None:
        """Rewrite ``/gallery.json`` from the library as it is now (cached 5 minutes, never invalidated)."""
        document = gallery_document(self.pictures.gallery(GALLERY_SIZE))
        output = Output(GALLERY_KEY, document, "application/json", GALLERY_CACHE)
        if self.site.differs(output):
            self.site.put(output)

    def _other(self, key: str) -> MediaResult:
        head, changed = sync_media(self.source, self.site, key)
        paths = tuple(invalidation_paths(key)) if changed else ()
        if head is None:
            self.source.remove_status(key)
            return MediaResult(key, "deleted", invalidated=paths)
        self._tell(key, head.version_id, {STATUS_TAG: "published", URL_TAG: "/" + key})
        return MediaResult(key, "published", invalidated=paths)

    def _picture(self, key: str) -> MediaResult:
        for _ in range(MAX_ATTEMPTS):
            head = self.source.head(key)
            result = self._delete_picture(key) if head is None else self._make_variants(key)
            if self.source.head(key) == head:
                return result
        raise ConcurrentChange(f"{key}: the source kept changing under {MAX_ATTEMPTS} attempts")

    def _make_variants(self, key: str) -> MediaResult:
        try:
            current = self.source.current(key, MAX_PICTURE_BYTES)
        except RejectedSource as exc:
            return self._refuse(key, None, exc.reason)
        if current is None:
            return self._delete_picture(key)
        try:
            prepared = self.prepare(current.body, key)
        except ValueError as exc:
            reason = getattr(exc, "reason", None)
            return self._refuse(key, current.version_id, reason if isinstance(reason, str) else str(exc))
        info = PictureInfo(
            source_key=key,
            digest=prepared.digest,
            width=prepared.width,
            height=prepared.height,
            fallback=prepared.fallback,
            widths=tuple(sorted({v.width for v in prepared.variants})),
            lead_problem=prepared.lead_problem,
        )
        outputs = [
            Output(info.variant_key(v.width, v.suffix), v.data, v.media_type, VARIANT_CACHE)
            for v in prepared.variants
        ]
        largest = max((v for v in prepared.variants if v.suffix == prepared.fallback), key=lambda v: v.width)
        clean = Output(key, largest.data, largest.media_type, CLEAN_COPY_CACHE)
        written = [o.key for o in (*outputs, clean) if self.site.differs(o)]
        for output in (*outputs, clean):
            if output.key in written:
                self.site.put(output)
        self.pictures.put(info)  # only once every variant is on the site
        tags = {STATUS_TAG: "published", URL_TAG: "/" + key}
        if prepared.lead_problem:
            tags[ERROR_TAG] = Reason(
                N_("usable in the text, too small to lead an article: {problem}"),
                problem=prepared.lead_problem,
            )
        self._tell(key, current.version_id, tags)
        # Invalidated on every delivery, not only when the bytes moved: a retry after a failed
        # invalidation finds nothing left to write, and must still clear the CDN.
        return MediaResult(
            key, "published", written=tuple(written), invalidated=tuple(invalidation_paths(key))
        )

    def _delete_picture(self, key: str) -> MediaResult:
        known = self.pictures.get_many([key]).get(key)
        gone = [key] if self.site.delete(key) else []
        if known is not None:
            for width in known.widths:
                for suffix in ("webp", known.fallback):
                    if self.site.delete(known.variant_key(width, suffix)):
                        gone.append(known.variant_key(width, suffix))
            self.pictures.delete(key)
        self.source.remove_status(key)
        paths = {p for k in (key, *gone) for p in invalidation_paths(k)}
        return MediaResult(key, "deleted", invalidated=tuple(sorted(paths)))

    def _refuse(self, key: str, version: str | None, reason: str) -> MediaResult:
        """A file the editor must fix: said on it; what the site showed of an earlier version stays."""
        self._tell(key, version, {STATUS_TAG: "error", ERROR_TAG: reason})
        return MediaResult(key, "error", reason=reason)

    def _tell(self, key: str, version: str | None, tags: dict[str, str]) -> None:
        """Tag the version (English) and write its status file (in the site's language)."""
        answer = told(tags, self.locale())
        tagged = self.source.tag(key, version, answer)
        self.source.write_status(key, version, answer, tagged)
