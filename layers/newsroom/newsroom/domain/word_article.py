"""A Word article (``articles/…/x.docx``) as the HTML article path reads it, with its pictures.

The document's core properties give the title, author and date unless a
sidecar ``x.yaml`` beside it holds the same front-matter fields (the sidecar
wins, field by field). Its pictures are written to the source bucket under
``media/word/<folders>/<name>/`` with content-hashed names, so they go
through the picture function like any upload, and the body refers to them
there. The result is one front matter plus HTML document: from then on a
Word article is an HTML article, sanitized by the same allow-list.
"""

from __future__ import annotations

from dataclasses import dataclass

import yaml

from newsroom.domain.errors import RejectedSource
from newsroom.domain.reasons import N_, Reason
from newsroom.domain.source_keys import MEDIA_SUFFIXES, SourceKey
from newsroom.domain.word_document import WordPicture, read_word

WORD_SUFFIX = ".docx"
SIDECAR_SUFFIXES = (".yaml", ".yml")
MAX_SIDECAR_BYTES = 32 * 1024
WORD_MEDIA = "media/word"


@dataclass(frozen=True)
class WordArticle:
    """What publishing a Word file needs: the article's text, its pictures' keys, what was lost."""

    document: bytes
    """Front matter and HTML body, as an ``.html`` article would be uploaded."""
    pictures: tuple[tuple[str, WordPicture], ...]
    """``(source key, picture)`` for each picture to write under ``media/word/``."""
    warnings: tuple[str, ...]


def is_word(key: str) -> bool:
    """Whether the key names a Word article."""
    return key.lower().endswith(WORD_SUFFIX)


def is_sidecar(key: str) -> bool:
    """Whether the key names the fields file of a Word article beside it."""
    return key.lower().endswith(SIDECAR_SUFFIXES)


def word_key_of(sidecar: str) -> str:
    """The Word file a sidecar belongs to: ``x.yaml`` → ``x.docx``."""
    return sidecar.rsplit(".", 1)[0] + WORD_SUFFIX


def sidecar_keys(word_key: str) -> tuple[str, ...]:
    """Where a Word file's sidecar may be: ``x.yaml`` or ``x.yml``."""
    stem = word_key.rsplit(".", 1)[0]
    return tuple(stem + suffix for suffix in SIDECAR_SUFFIXES)


def sidecar_fields(data: bytes, name: str) -> dict[str, object]:
    """The fields of a sidecar file; ``RejectedSource`` names what is wrong with it."""
    if len(data) > MAX_SIDECAR_BYTES:
        raise RejectedSource(
            N_("{name} is {size:,} bytes, over the limit of {limit:,} for fields"),
            name=name,
            size=len(data),
            limit=MAX_SIDECAR_BYTES,
        )
    try:
        fields = yaml.safe_load(data.decode("utf-8-sig")) if data.strip() else {}
    except UnicodeDecodeError:
        raise RejectedSource(N_("{name} is not UTF-8 text: save it as UTF-8"), name=name) from None
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        if mark is None:
            raise RejectedSource(N_("{name}: invalid YAML"), name=name) from None
        raise RejectedSource(
            N_("{name}: invalid YAML at line {line}"), name=name, line=mark.line + 1
        ) from None
    if not isinstance(fields, dict):
        raise RejectedSource(
            N_("{name} must hold fields (name: value), like an article's front matter"), name=name
        )
    return {str(k): v for k, v in fields.items()}


def word_article(key: SourceKey, data: bytes, sidecar: dict[str, object] | None = None) -> WordArticle:
    """The article a ``.docx`` upload makes; ``sidecar``: the fields beside it (they win)."""
    stem = key.segments[-1].rsplit(".", 1)[0]
    folder = "/".join((WORD_MEDIA, *key.segments[:-1], stem))
    word = read_word(data, picture_src=lambda picture: f"/{folder}/{picture.name}")
    warnings = list(word.warnings)
    pictures: list[tuple[str, WordPicture]] = []
    for number, picture in enumerate(word.pictures, start=1):
        if picture.name.lower().endswith(MEDIA_SUFFIXES):
            pictures.append((f"{folder}/{picture.name}", picture))
        else:
            kind = picture.name.rsplit(".", 1)[-1].upper()
            warnings.append(
                Reason(
                    N_(
                        "picture {number} is a {kind} file, which the site cannot show:"
                        " paste it as PNG or JPEG"
                    ),
                    number=number,
                    kind=kind,
                )
            )
    fields: dict[str, object] = {**word.fields, **(sidecar or {})}
    if "tags" in word.fields and "tags" not in (sidecar or {}):
        fields["tags"] = [t.strip() for t in word.fields["tags"].split(",") if t.strip()]
    front = yaml.safe_dump(fields, allow_unicode=True, sort_keys=True, default_flow_style=False)
    document = f"---\n{front}---\n{word.html}\n".encode()
    return WordArticle(document, tuple(pictures), tuple(warnings))
