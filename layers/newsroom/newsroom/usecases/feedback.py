"""What an editor is told about a source file, in the site's language as well as in English.

The tags and the table keep the English reason (what tools, alarms and
tests compare; S3 folds tag values to ASCII anyway). The status file is for
people: the use case that builds the feedback also decides its words, in
the locale in force at that moment (``site.yaml``'s ``locale``, else the
deployment's ``SITE_LOCALE``), from the same Babel catalogs as the pages.
A locale without a catalog gets the English message ids.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from datetime import datetime
from zoneinfo import ZoneInfo

from newsroom.configuration.site_yaml import parse_site_yaml
from newsroom.domain.feedback_tags import ERROR_TAG, Told, status_text
from newsroom.domain.reasons import Gettext, Reason, english
from newsroom.domain.records import EXPIRED, SCHEDULED, IndexedArticle
from newsroom.usecases.ports import ConfigurationRecord
from newsroom.web.templating import LOCALES, translations

ENGLISH = "en"
"""The language of the message ids, and of the tags."""


def site_gettext(locale: str) -> Gettext:
    """The ``gettext`` of ``locale``'s catalog; the message ids themselves for a locale without one."""
    return translations(locale).gettext if locale in LOCALES else english


def told(tags: Mapping[str, str], locale: str, *, at: str | None = None) -> Told:
    """``tags`` with their status file's words in ``locale`` (see ``feedback_tags.status_text``).

    The ``publish-error`` value is translated when it is a ``Reason`` (several are joined with
    ``Reason.joined``); any other text is kept as it is.
    """
    shown = locale if locale in LOCALES else ENGLISH
    return Told(tags, status_text(tags, shown, site_gettext(shown), at=at))


def with_reasons(
    tags: dict[str, str], record: IndexedArticle, notes: Sequence[str], found: str | None
) -> dict[str, str]:
    """An article's tags with its ``publish-error`` as reasons that translate.

    ``found`` is this delivery's refusal: the record holds the same text, but
    only as text when it was stored before (a re-upload refused again).
    ``notes`` are what a Word file lost, joined before a missing picture's note.
    """
    if found is not None and found == record.error:
        tags[ERROR_TAG] = found
    elif notes and not record.error:
        tags[ERROR_TAG] = Reason.joined((*notes, *filter(None, [tags.get(ERROR_TAG)])))
    return tags


def record_time(record: IndexedArticle, timezone: str) -> str | None:
    """When a scheduled article goes live, or an expired one went down, in the site's time."""
    article = record.article
    moment: datetime | None = None
    if article is not None and record.state == SCHEDULED:
        moment = article.live_from
    elif article is not None and record.state == EXPIRED:
        moment = article.unpublish_at
    return moment.astimezone(ZoneInfo(timezone)).strftime("%Y-%m-%d %H:%M") if moment else None


def english_only() -> str:
    """The locale of a worker that is given none: the message ids' own."""
    return ENGLISH


class SiteLocale:
    """The locale in force for a worker without the page context: ``site.yaml``'s, else the default.

    Only ``site.yaml``'s ``locale`` line is read, once per configuration version.
    """

    def __init__(self, configuration: ConfigurationRecord, default: str) -> None:
        self.configuration = configuration
        self.default = default
        self._known: tuple[int, str] | None = None

    def __call__(self) -> str:
        """The locale of the configuration in force now (one read of its record)."""
        stored = self.configuration.current()
        version = stored.version if stored is not None else 0
        if self._known is None or self._known[0] != version:
            overrides = parse_site_yaml(stored.site_yaml, None) if stored and stored.site_yaml else {}
            self._known = (version, overrides.get("locale", self.default))
        return self._known[1]


type LocaleSource = Callable[[], str]
"""Where a worker learns the locale in force when it tells an editor something."""
