"""The render queue: where a site-wide re-render is fanned out in chunks."""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from typing import Any

SEND_ATTEMPTS = 5


class WorkQueue:
    """Sends JSON messages, ten per call, resending the entries SQS did not take."""

    def __init__(self, client: Any, url: str) -> None:
        self._sqs = client
        self.url = url

    def send_all(self, messages: Sequence[Mapping[str, Any]]) -> None:
        """Send every message or raise: a lost chunk would leave a job unfinished."""
        for start in range(0, len(messages), 10):
            entries = {
                str(i): json.dumps(message, sort_keys=True, ensure_ascii=False)
                for i, message in enumerate(messages[start : start + 10])
            }
            for _ in range(SEND_ATTEMPTS):
                response = self._sqs.send_message_batch(
                    QueueUrl=self.url,
                    Entries=[{"Id": i, "MessageBody": body} for i, body in entries.items()],
                )
                failed = {f["Id"] for f in response.get("Failed", [])}
                entries = {i: body for i, body in entries.items() if i in failed}
                if not entries:
                    break
            else:
                raise RuntimeError(f"SQS refused {len(entries)} message(s) after {SEND_ATTEMPTS} attempts")
