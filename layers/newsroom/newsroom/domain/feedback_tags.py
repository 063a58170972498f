"""Editor feedback as S3 object tags.

S3 tag values accept only letters, digits, spaces and ``_ . : / = + - @``, at
most 256 characters, and PutObjectTagging replaces the whole set; so the
editor's own tags are kept, ours replace only ours, and our values are
reduced to what S3 accepts (the full error text stays in the table).
"""

from __future__ import annotations

import json
import re
import unicodedata
from collections.abc import Mapping, Sequence

from text_unidecode import unidecode

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


def status_key(source_key: str) -> str | None:
    """Where the status file of ``source_key`` lives (``None``: the key is too long to have one)."""
    key = f"{STATUS_PREFIX}{source_key}.json"
    return key if len(key.encode("utf-8")) <= MAX_KEY_BYTES else None


def status_document(source_key: str, version_id: str | None, ours: Mapping[str, str], tagged: bool) -> bytes:
    """The status file: our tags' values in full (the reason unfolded) and whether they are on the object."""
    document: dict[str, object] = {
        "source": source_key,
        "version": version_id,
        "status": ours.get(STATUS_TAG),
        "url": ours.get(URL_TAG),
        "error": ours.get(ERROR_TAG),
        "config_version": int(ours[CONFIG_TAG]) if CONFIG_TAG in ours else None,
        "tagged": tagged,
    }
    if not tagged:
        document["note"] = (
            f"the object already carries {MAX_TAGS} tags of its own (the most S3 allows):"
            " remove one to see the publish-* tags on the object too"
        )
    return (
        json.dumps({k: v for k, v in document.items() if v is not None}, ensure_ascii=False, indent=2) + "\n"
    ).encode()
