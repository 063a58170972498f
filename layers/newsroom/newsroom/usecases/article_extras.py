"""What an article brings besides its text: the pictures its page shows, the Word file it came from.

Kept beside the ingest (which calls them once per delivery) so that the
ingest reads as the one rule it is: read the key, decide, store, tell.
"""

from __future__ import annotations

from newsroom.domain.feedback_tags import ERROR_TAG
from newsroom.domain.pictures import pictures_in
from newsroom.domain.reasons import N_, Reason
from newsroom.domain.records import DELETED, IndexedArticle
from newsroom.domain.source_keys import SourceKey
from newsroom.domain.word_article import (
    MAX_SIDECAR_BYTES,
    WORD_MEDIA,
    sidecar_fields,
    sidecar_keys,
    word_article,
)
from newsroom.usecases.ports import PictureRecords, SourceFiles


def picture_notes(
    pictures: PictureRecords, before: IndexedArticle | None, after: IndexedArticle
) -> dict[str, str]:
    """Note the pictures the page shows (their changes bring it back); tell the editor of missing ones.

    Repeated on every delivery, so a retry after a failure still notes them.
    """
    shown = pictures_in(after.article.body_html) if after.article is not None else ()
    had = pictures_in(before.article.body_html) if before is not None and before.article else ()
    if shown or had:
        pictures.use(after.source_key, shown, had)
    if after.error or after.state == DELETED or not shown:
        return {}
    missing = [key for key in shown if key not in pictures.get_many(shown)]
    if not missing:
        return {}
    advice = N_(
        "upload it to media/ or take it out of the article;"
        " a picture uploaded just now appears within a minute"
    )
    if len(missing) > 1:
        note = Reason(
            N_("picture /{key} and {more} more not on the site: {advice}"),
            key=missing[0],
            more=len(missing) - 1,
            advice=Reason(advice),
        )
    else:
        note = Reason(N_("picture /{key} not on the site: {advice}"), key=missing[0], advice=Reason(advice))
    return {ERROR_TAG: note}


def drop_word_pictures(
    source: SourceFiles, pictures: PictureRecords, before: IndexedArticle | None, after: IndexedArticle
) -> list[str]:
    """Delete the pictures a Word file put under ``media/word/`` that no article shows any more.

    They are the publish path's own uploads, named after their document, so
    nobody else removes them: without this a deleted or edited document
    leaves its old pictures on the site for ever. Run after ``picture_notes``
    recorded the change; the picture function removes the variants, and
    sends back any article still showing one, whose file uploads it again.
    """
    had = pictures_in(before.article.body_html) if before is not None and before.article else ()
    shown = set(pictures_in(after.article.body_html)) if after.article is not None else set()
    dropped = [key for key in sorted(set(had) - shown) if key.startswith(WORD_MEDIA + "/")]
    gone = [key for key in dropped if not pictures.users(key, 1)]
    for key in gone:
        source.discard(key)
    return gone


def word_document(source: SourceFiles, key: SourceKey, data: bytes) -> tuple[bytes, tuple[str, ...]]:
    """A Word upload as an HTML article (front matter + body), its pictures uploaded, what it lost.

    The pictures go to ``media/word/…`` in the source bucket under their hash:
    the picture function makes their variants, and a second delivery of the
    same document uploads nothing again.
    """
    word = word_article(key, data, _sidecar(source, key.key))
    for picture_key, picture in word.pictures:
        source.add(picture_key, picture.data, picture.content_type)
    return word.document, word.warnings


def _sidecar(source: SourceFiles, word_key: str) -> dict[str, object] | None:
    """The fields file beside a Word article, if there is one (``x.yaml`` or ``x.yml``)."""
    for sidecar in sidecar_keys(word_key):
        found = source.current(sidecar, MAX_SIDECAR_BYTES + 1)
        if found is not None:
            return sidecar_fields(found.body, sidecar.rsplit("/", 1)[-1])
    return None
