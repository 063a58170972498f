"""What ``make rebuild`` shows while the fan-out runs: chunks done of total, pages written, elapsed.

A rebuild of a large site is minutes of chunks on the render function; an
operator watching a silent terminal cannot tell a slow one from a stuck one.
rich draws the bar on a terminal and, in a log or CI, prints the final line
only (its ``Progress`` does not animate where the output is not a terminal).
"""

from __future__ import annotations

from types import TracebackType

from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TaskID, TextColumn, TimeElapsedColumn

from local.rebuild import JobProgress


class RebuildDisplay:
    """A progress bar fed with the rebuild job's record (``local.rebuild.rebuild``'s ``on_progress``)."""

    def __init__(self, console: Console | None = None) -> None:
        self.progress = Progress(
            TextColumn("{task.description}"),
            BarColumn(),
            MofNCompleteColumn(),
            TextColumn("chunks · {task.fields[written]} page(s) written · {task.fields[stage]}"),
            TimeElapsedColumn(),
            console=console,
        )
        self._task: TaskID | None = None

    def __enter__(self) -> RebuildDisplay:
        self.progress.start()
        self._task = self.progress.add_task("Rebuild", total=None, written=0, stage="planning")
        return self

    def __exit__(
        self, kind: type[BaseException] | None, error: BaseException | None, trace: TracebackType | None
    ) -> None:
        self.progress.stop()

    def __call__(self, job: JobProgress) -> None:
        """Show the job as it now stands: a chunk reported, or the invalidation sent."""
        if self._task is None:
            return
        if job.invalidated:
            stage = "invalidated"
        elif job.done >= job.total:
            stage = "invalidating"
        else:
            stage = "rendering"
        self.progress.update(
            self._task, total=job.total, completed=min(job.done, job.total), written=job.written, stage=stage
        )
