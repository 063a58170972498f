"""Fanned-out re-renders (``JOB#<id>`` / ``JOB``): how many chunks, which are done, what they wrote."""

from __future__ import annotations

from typing import Any

from newsroom.adapters.content_table.table import Table, dump, load
from newsroom.domain.records import JobProgress


class Jobs:
    """A job's progress: chunks are a set, so a retried chunk counts once."""

    def __init__(self, table: Table) -> None:
        self._table = table

    def start(self, job: str, total: int, created: str) -> None:
        """Record a job of ``total`` chunks (again, if a crash stopped it before its chunks were sent).

        Raises ``ConcurrentChange`` when another delivery of the plan already sent them.
        """
        self._table.update(
            f"JOB#{job}",
            "JOB",
            f"job {job}: its chunks were already sent",
            UpdateExpression="SET #t = :t, created = if_not_exists(created, :c)",
            ConditionExpression="attribute_not_exists(dispatched)",
            ExpressionAttributeNames={"#t": "total"},
            ExpressionAttributeValues=dump({":t": total, ":c": created}),
        )

    def finish_chunk(self, job: str, chunk: int, written: int = 0) -> JobProgress:
        """Mark one chunk done and return the progress.

        ``written`` (objects whose bytes changed) is kept per chunk, overwritten
        on a retry, so the job's total stays true.
        """
        response = self._table.update(
            f"JOB#{job}",
            "JOB",
            f"job {job}: no such job",
            UpdateExpression="ADD done_chunks :c SET #w = :w",
            ConditionExpression="attribute_exists(pk)",
            ExpressionAttributeNames={"#w": f"written_{chunk}"},
            ExpressionAttributeValues={":c": {"NS": [str(chunk)]}, ":w": {"N": str(written)}},
            ReturnValues="ALL_NEW",
        )
        return _progress(load(response["Attributes"]))

    def get(self, job: str) -> JobProgress | None:
        """The progress of ``job``, if it exists."""
        item = self._table.get(f"JOB#{job}", "JOB")
        return _progress(item) if item else None

    def mark_dispatched(self, job: str) -> None:
        """Remember that every chunk message was sent (a redelivered plan sends none)."""
        self._set(job, "dispatched")

    def mark_invalidated(self, job: str) -> None:
        """Remember that the job's one wildcard invalidation was accepted."""
        self._set(job, "invalidated")

    def _set(self, job: str, flag: str) -> None:
        self._table.update(
            f"JOB#{job}",
            "JOB",
            UpdateExpression=f"SET {flag} = :t",
            ExpressionAttributeValues=dump({":t": True}),
        )


def _progress(item: dict[str, Any]) -> JobProgress:
    written = sum(int(v) for k, v in item.items() if k.startswith("written_"))
    return JobProgress(
        total=int(item["total"]),
        done=len(item.get("done_chunks", ())),
        invalidated=bool(item.get("invalidated", False)),
        dispatched=bool(item.get("dispatched", False)),
        written=written,
    )
