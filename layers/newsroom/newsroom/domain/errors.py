"""The app's own exceptions.

A ``RejectedSource`` is the editor's problem: it ends up on the source object's
tags and in the table, and the record counts as processed. Anything else that
escapes a record is ours (a throttled call, a timeout): the record is reported
as failed, SQS redelivers it, and after a few attempts it lands in the DLQ.
"""

from __future__ import annotations

from newsroom.domain.reasons import N_, Gettext, Reason


class RejectedSource(Exception):
    """A source file that cannot be published as it is.

    ``reason`` is short and specific, written for the editor who uploaded it:
    a message id (marked with ``N_``) and its parameters, e.g.
    ``RejectedSource(N_("{name} must be an ISO 8601 date or date-time"), name=name)``.
    ``reason`` is the English text (tags, table, logs); ``localized`` is the
    same in the site's language, for the status file. A ``Reason`` given
    without parameters is kept as it is.
    """

    def __init__(self, template: str, /, **params: object) -> None:
        reason = template if isinstance(template, Reason) and not params else Reason(template, **params)
        super().__init__(reason)
        self.reason: Reason = reason

    def localized(self, gettext: Gettext) -> str:
        """The reason in ``gettext``'s language."""
        return self.reason.localized(gettext)


class UrlTaken(RejectedSource):
    """The file's page URL belongs to another source file; ``url`` is that URL."""

    def __init__(self, url: str, owner: str) -> None:
        super().__init__(N_("the URL {url} is already used by {owner}"), url=url, owner=owner)
        self.url = url


MAX_ATTEMPTS = 5
"""How often a change is re-read and retried against a concurrent writer before giving up."""


class ConcurrentChange(Exception):
    """Another invocation changed the same index entry first; re-read and retry."""


class SettingsError(Exception):
    """The function was deployed without a setting it needs."""
