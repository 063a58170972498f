"""The picture layer's reasons: English text, with the template the status file translates.

This layer loads without the core (a test imports it alone), so it keeps its
own copy of the core's ``Reason`` shape (``newsroom.domain.reasons``): a
``str`` that is the English sentence, with ``template`` (a message id marked
``N_`` for ``pybabel extract``) and ``params``. The core localizes any such
``str`` as it localizes its own.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Self


def N_(message: str) -> str:
    """Mark ``message`` as a message id for extraction; it stays as written."""
    return message


class Reason(str):
    """A sentence for the editor: the English text, its ``template`` and ``params`` (``str.format``)."""

    template: str
    params: Mapping[str, object]

    def __new__(cls, template: str, /, **params: object) -> Self:
        reason = super().__new__(cls, template.format(**params) if params else template)
        reason.template = template
        reason.params = params
        return reason

    def __reduce__(self) -> tuple[Any, ...]:
        return (_rebuild, (self.template, dict(self.params)))


def _rebuild(template: str, params: dict[str, object]) -> Reason:
    return Reason(template, **params)
