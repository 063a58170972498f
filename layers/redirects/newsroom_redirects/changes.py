"""The redirect changes the publish function sends, read back and summed in the order they were sent.

One message is a JSON object ``{"puts": {key: target, ...}, "deletes": [key, ...]}``,
every path in wire form: as the viewer sends it, non-ASCII UTF-8
percent-encoded (the publish function encodes and checks them before
sending, ``newsroom.adapters.redirect_queue``). The queue is FIFO with one
message group, so a batch arrives in the order the changes were sent, and
summing a run of it in that order (the last word on a key wins) leaves the
store as applying those messages one after another would, in one write.

A message is checked again here, because the store serves whatever it holds
as a ``Location``: a key or target that is not a site-local path in wire
form, or over the store's size limits, is refused with the reason, before
anything of it is written.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any, Final

MAX_KEY_BYTES: Final = 512  # CloudFront KeyValueStore quota: key size
MAX_VALUE_BYTES: Final = 1024  # CloudFront KeyValueStore quota: value size (1 KB)
MAX_MESSAGE_KEYS: Final = 50  # what the publish function puts in one message

_WIRE: Final = frozenset(chr(c) for c in range(0x21, 0x7F)) - {"?", "#"}


class BadChange(ValueError):
    """A message that is not a redirect change the store may hold (the text says which part and why)."""


@dataclass(frozen=True)
class Changes:
    """Keys to point at a target and keys to remove, in wire form; a key is in one or the other."""

    puts: dict[str, str] = field(default_factory=dict)
    deletes: list[str] = field(default_factory=list)

    def __len__(self) -> int:
        """Keys written or removed: at most ``MAX_MESSAGE_KEYS`` fit one ``UpdateKeys`` call."""
        return len(self.puts) + len(self.deletes)


def wire_key(value: Any, what: str, limit: int) -> str:
    """``value`` when it is a site-local path in wire form within ``limit`` bytes, else :class:`BadChange`."""
    if not isinstance(value, str) or not value:
        raise BadChange(f"{what} must be a non-empty string, not {value!r:.80}")
    if not value.startswith("/") or value.startswith(("//", "/\\")):
        raise BadChange(f"{what} {value!r:.80} is not a path on this site (one leading '/')")
    if not set(value) <= _WIRE:
        raise BadChange(f"{what} {value!r:.80} is not in wire form (printable ASCII, no '?' or '#')")
    if len(value) > limit:
        raise BadChange(f"{what} {value[:60]!r}... is {len(value)} bytes; the store allows at most {limit}")
    return value


def parse(body: str) -> Changes:
    """One message's changes, checked; :class:`BadChange` says what is wrong with it."""
    try:
        data = json.loads(body)
    except (TypeError, ValueError) as error:
        raise BadChange(f"the message is not JSON: {error}") from None
    if not isinstance(data, dict) or not set(data) <= {"puts", "deletes"}:
        raise BadChange("the message must be an object with 'puts' and 'deletes' only")
    puts, deletes = data.get("puts", {}), data.get("deletes", [])
    if not isinstance(puts, dict) or not isinstance(deletes, list):
        raise BadChange("'puts' must be an object and 'deletes' a list")
    if len(puts) + len(deletes) > MAX_MESSAGE_KEYS:
        raise BadChange(f"the message changes {len(puts) + len(deletes)} keys; at most {MAX_MESSAGE_KEYS}")
    changes = Changes()
    for key, target in puts.items():
        checked = wire_key(key, "redirect source", MAX_KEY_BYTES)
        if wire_key(target, f"target of {checked}", MAX_VALUE_BYTES) == checked:
            raise BadChange(f"redirect {checked} points at itself")
        changes.puts[checked] = target
    for key in deletes:
        checked = wire_key(key, "deleted redirect", MAX_KEY_BYTES)
        if checked in changes.puts:
            raise BadChange(f"redirect {checked} is both put and deleted")
        if checked not in changes.deletes:
            changes.deletes.append(checked)
    return changes


def summed(changes: Iterable[Changes]) -> Changes:
    """What applying ``changes`` one after another leaves: each key's last change."""
    last: dict[str, str | None] = {}
    for change in changes:
        for key, target in change.puts.items():
            last.pop(key, None)
            last[key] = target
        for key in change.deletes:
            last.pop(key, None)
            last[key] = None
    return Changes(
        puts={key: target for key, target in last.items() if target is not None},
        deletes=[key for key, target in last.items() if target is None],
    )
