"""What editors are told, in English for the tags and the table, and in the site's language.

The domain stays free of gettext: a reason is a message id (English, marked
with ``N_`` so that ``pybabel extract`` finds it, see ``babel.cfg``) and its
parameters. The use case that tells the editor passes the site's
``gettext`` to ``localized``; everything else keeps reading the English text,
because a ``Reason`` is that text (a ``str``): tags, the table, logs and
every test that compares reasons see exactly what they saw before.

Parameters are user data (a slug, a URL, a field's value, a number) and
stay as they are; a parameter that is itself a ``Reason`` (a phrase such as
"an equation", a nested refusal) is localized with the sentence around it.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from typing import Any, Self

type Gettext = Callable[[str], str]
"""A catalog's ``gettext``: a message id in, its translation out (the id itself when there is none)."""


def N_(message: str) -> str:
    """Mark ``message`` as a message id for extraction; it stays as written (translated later)."""
    return message


def english(message: str) -> str:
    """The ``gettext`` of the message ids' own language: the id itself."""
    return message


class Reason(str):
    """A sentence for the editor: ``str`` of it is the English text; ``localized`` another language's.

    ``template`` is the message id, formatted with ``params`` by
    ``str.format`` (so ``{name}`` placeholders; a template without
    parameters is taken as it is, braces included).
    """

    template: str
    params: Mapping[str, object]

    def __new__(cls, template: str, /, **params: object) -> Self:
        reason = super().__new__(cls, template.format(**params) if params else template)
        reason.template = template
        reason.params = params
        return reason

    def localized(self, gettext: Gettext) -> str:
        """The sentence in ``gettext``'s language; the English one if its translation does not fit."""
        params = {name: localize(value, gettext) for name, value in self.params.items()}
        translated = gettext(self.template)
        if not params:
            return translated
        try:
            return translated.format(**params)
        except (KeyError, IndexError, ValueError):  # a translation naming a placeholder the id has not
            return str(self)

    @classmethod
    def joined(cls, parts: Iterable[str], separator: str = "; ") -> Reason:
        """Several reasons as one (``a; b``), each still localized on its own."""
        listed = list(parts)
        if len(listed) == 1 and isinstance(listed[0], Reason):
            return listed[0]
        params = {f"part{number}": part for number, part in enumerate(listed)}
        escaped = separator.replace("{", "{{").replace("}", "}}")
        return cls(escaped.join("{" + name + "}" for name in params) if params else "", **params)

    def __reduce__(self) -> tuple[Any, ...]:
        return (_rebuild, (self.template, dict(self.params)))


def _rebuild(template: str, params: dict[str, object]) -> Reason:
    return Reason(template, **params)


def either(first: str, second: str) -> Reason:
    """``a or b``, the ``or`` in the reader's language."""
    return Reason(N_("{first} or {second}"), first=first, second=second)


def as_reason(value: object) -> Reason | None:
    """``value`` as a ``Reason`` if it is one, or a ``str`` of the same shape (``template``, ``params``).

    The picture layer loads without the core and keeps its own copy of the
    shape (``newsroom_pictures.reasons``); its reasons translate like ours.
    """
    if isinstance(value, Reason):
        return value
    template, params = getattr(value, "template", None), getattr(value, "params", None)
    if isinstance(value, str) and isinstance(template, str) and isinstance(params, Mapping):
        return Reason(template, **params)
    return None


def localize(value: object, gettext: Gettext) -> object:
    """``value`` in ``gettext``'s language if it is a reason; any other value as it is."""
    reason = as_reason(value)
    return reason.localized(gettext) if reason is not None else value


def localized(text: str, gettext: Gettext) -> str:
    """A reason in ``gettext``'s language; a plain text (a record read back, a tool's message) as it is."""
    reason = as_reason(text)
    return reason.localized(gettext) if reason is not None else text
