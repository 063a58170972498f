"""Editor feedback as S3 object tags, and as a status file in the site's language.

S3 tag values accept only letters, digits, spaces and ``_ . : / = + - @``, at
most 256 characters, and PutObjectTagging replaces the whole set; so the
editor's own tags are kept, ours replace only ours, and our values are
reduced to what S3 accepts (the full error text stays in the table).

Tags and the table speak English (the message ids: stable, and what the
tools and tests compare). The status file ``status/<key>.json`` is read by
people: its ``summary``, ``error`` and ``note`` are in the site's language,
decided when the feedback is (``Told``), the English reason kept beside as
``error_en``. See ``status_document`` for its shape.
"""

from __future__ import annotations

import json
import re
import unicodedata
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass

from text_unidecode import unidecode

from newsroom.domain.reasons import N_, Gettext, Reason, english, localize, localized

STATUS_TAG = "publish-status"
URL_TAG = "publish-url"
ERROR_TAG = "publish-error"
CONFIG_TAG = "publish-config-version"
OUR_TAGS = (STATUS_TAG, URL_TAG, ERROR_TAG, CONFIG_TAG)
MAX_TAGS = 10
MAX_VALUE = 256
# Status files: one per source object, for editors whose S3 client shows no tags, and for
# objects whose own ten tags leave no room for ours. The prefix triggers no notification.
STATUS_PREFIX = "status/"
MAX_KEY_BYTES = 1024
_NOT_ALLOWED = re.compile(r"[^A-Za-z0-9 _.:/=+\-@]")


def tag_value(text: str) -> str:
    """Reduce ``text`` to a valid tag value.

    Vietnamese letters are letters to S3, but not every client shows them
    well; we fold them to ASCII (``Đổi mới`` → ``Doi moi``) so the reason
    reads the same in every console, then drop what S3 refuses.
    """
    folded = unidecode(unicodedata.normalize("NFC", text))
    cleaned = _NOT_ALLOWED.sub(" ", folded)
    cleaned = " ".join(cleaned.split())
    return cleaned[:MAX_VALUE].rstrip()


def fits(existing: Sequence[Mapping[str, str]], ours: Mapping[str, str]) -> bool:
    """Whether all of ``ours`` fit beside the editor's own tags."""
    kept = sum(1 for tag in existing if tag["Key"] not in OUR_TAGS)
    return kept + sum(1 for name in OUR_TAGS if name in ours) <= MAX_TAGS


def merge_tags(existing: Sequence[Mapping[str, str]], ours: Mapping[str, str]) -> list[dict[str, str]]:
    """The full tag set to write: the editor's tags first, then ours that fit.

    The editor's tags are never dropped; if they leave no room, ours are
    written in priority order (status, url, error) as far as they fit.
    """
    kept = [{"Key": tag["Key"], "Value": tag["Value"]} for tag in existing if tag["Key"] not in OUR_TAGS]
    room = MAX_TAGS - len(kept)
    added = [{"Key": name, "Value": tag_value(ours[name])} for name in OUR_TAGS if name in ours][
        : max(room, 0)
    ]
    return kept + added


@dataclass(frozen=True)
class StatusText:
    """What the status file says in the site's language: decided with the feedback, written with it."""

    locale: str
    summary: str
    """One line: what became of the file (``Đã xuất bản tại /tin-tuc/a.html``)."""
    error: str | None = None
    """The reason (a refusal, or what a published file lost), translated."""
    note: str = ""
    """Why the tags are not on the object, written only when they are not."""


class Told(Mapping[str, str]):
    """Our tags for one source version (English, as tagged and stored) and their ``StatusText``.

    A mapping of the tags, so that whatever takes our tags (``tag``,
    ``merge_tags``, a test's ``==``) takes it unchanged; ``status_document``
    also writes its ``text``.
    """

    def __init__(self, tags: Mapping[str, str], text: StatusText) -> None:
        self._tags = dict(tags)
        self.text = text

    def __getitem__(self, name: str) -> str:
        return self._tags[name]

    def __iter__(self) -> Iterator[str]:
        return iter(self._tags)

    def __len__(self) -> int:
        return len(self._tags)

    def __repr__(self) -> str:
        return f"Told({self._tags!r}, {self.text!r})"


NOT_TAGGED = N_(
    "the object already carries {most} tags of its own (the most S3 allows):"
    " remove one to see the publish-* tags on the object too"
)


def status_text(
    ours: Mapping[str, str], locale: str = "en", gettext: Gettext = english, *, at: str | None = None
) -> StatusText:
    """The status file's words for our tags, in ``gettext``'s language.

    The ``publish-error`` value is translated when it is a ``Reason``; a
    plain text (a refusal read back from the table) stays as it is. ``at``
    is when a scheduled article goes live, or an expired one went down.
    """
    error = localized(ours[ERROR_TAG], gettext) if ERROR_TAG in ours else None
    return StatusText(
        locale=locale,
        summary=str(localize(_summary(ours, error is not None, at), gettext)),
        error=error,
        note=Reason(NOT_TAGGED, most=MAX_TAGS).localized(gettext),
    )


def _summary(ours: Mapping[str, str], warned: bool, at: str | None) -> str:
    """The status line of ``ours`` (a ``Reason``, translated by the caller)."""
    status, url = ours.get(STATUS_TAG), ours.get(URL_TAG) or ""
    if status == "published" and CONFIG_TAG in ours:
        template = N_("Applied: the site's configuration is now version {version}")
    elif status == "published":
        template = (
            N_("Published at {url}, with a warning (see error)") if warned else N_("Published at {url}")
        )
    elif status == "draft":
        template = N_("Draft – preview at {url}")
    elif status == "scheduled":
        template = (
            N_("Scheduled to be published at {time} – preview at {url}")
            if at
            else N_("Scheduled – preview at {url}")
        )
    elif status == "expired":
        template = (
            N_("Expired: the page was taken down at {time}; the file stays")
            if at
            else N_("Expired: the page was taken down; the file stays")
        )
    elif status == "error":
        template = N_("Rejected – the earlier version stays at {url}") if url else N_("Rejected")
    else:
        return status or ""
    return Reason(template, url=url, time=at or "", version=ours.get(CONFIG_TAG, ""))


def status_key(source_key: str) -> str | None:
    """Where the status file of ``source_key`` lives (``None``: the key is too long to have one)."""
    key = f"{STATUS_PREFIX}{source_key}.json"
    return key if len(key.encode("utf-8")) <= MAX_KEY_BYTES else None


def status_document(source_key: str, version_id: str | None, ours: Mapping[str, str], tagged: bool) -> bytes:
    """The status file: our tags' values in full, in words in the site's language, and whether tagged.

    Fields (absent when empty): ``source``, ``version``; ``status`` (the
    ``publish-status`` value: published, draft, scheduled, expired, error);
    ``summary`` (one line in the site's language); ``url``; ``error`` (the
    reason in the site's language) and ``error_en`` (the same in English,
    the tag's text before S3 folding); ``config_version``; ``locale`` (of
    ``summary``, ``error`` and ``note``); ``tagged``; ``note`` (only when
    the tags did not fit on the object). ``ours`` without a ``StatusText``
    (not a ``Told``) is described in English.
    """
    text = ours.text if isinstance(ours, Told) else status_text(ours)
    document: dict[str, object] = {
        "source": source_key,
        "version": version_id,
        "status": ours.get(STATUS_TAG),
        "summary": text.summary or None,
        "url": ours.get(URL_TAG),
        "error": text.error if ERROR_TAG in ours else None,
        "error_en": ours.get(ERROR_TAG),
        "config_version": int(ours[CONFIG_TAG]) if CONFIG_TAG in ours else None,
        "locale": text.locale,
        "tagged": tagged,
    }
    if not tagged:
        document["note"] = text.note
    return (
        json.dumps({k: v for k, v in document.items() if v is not None}, ensure_ascii=False, indent=2) + "\n"
    ).encode()
