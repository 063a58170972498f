"""Editor feedback as S3 object tags.

S3 tag values accept only letters, digits, spaces and ``_ . : / = + - @``, at
most 256 characters, and PutObjectTagging replaces the whole set; so the
editor's own tags are kept, ours replace only ours, and our values are
reduced to what S3 accepts (the full error text stays in the table).
"""

from __future__ import annotations

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
