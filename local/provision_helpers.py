"""What the per-service provisioners share: tags in the API's shape, a ClientError's code."""

from __future__ import annotations

from typing import Any

from botocore.exceptions import ClientError

from local.template import to_text


def api_tags(tags: Any) -> list[dict[str, str]]:
    """CloudFormation ``Tags`` (a Key/Value list, or SAM's map) as the APIs' ``[{Key, Value}]``."""
    if isinstance(tags, dict):  # SAM-style map
        return [{"Key": str(k), "Value": to_text(v)} for k, v in tags.items()]
    return [{"Key": str(tag["Key"]), "Value": to_text(tag["Value"])} for tag in tags]


def error_code(error: ClientError) -> str:
    """The ``Error.Code`` of an API error (``""`` when there is none)."""
    return str(error.response.get("Error", {}).get("Code", ""))
