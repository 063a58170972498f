"""``make rebuild`` shows how far the fan-out got: chunks done of total, pages written, the stage, elapsed."""

from __future__ import annotations

import io
from typing import Any

from newsroom.domain.records import JobProgress
from rich.console import Console

from local.rebuild import RebuildResult, RunningStack, rebuild
from local.rebuild_display import RebuildDisplay


class _Jobs:
    """The job record as the render function moves it: one poll per state."""

    def __init__(self, states: list[JobProgress | None]) -> None:
        self.states = states

    def get(self, job: str) -> JobProgress | None:
        return self.states.pop(0) if len(self.states) > 1 else self.states[0]


class _Stack(RunningStack):
    def __init__(self, jobs: _Jobs) -> None:
        super().__init__("http://127.0.0.1:1", {"RenderQueueUrl": "http://queue"})
        self.jobs = jobs
        self.sent: list[dict[str, Any]] = []

    def client(self, service: str) -> Any:
        stack = self

        class _Sqs:
            def send_message(self, **kwargs: Any) -> None:
                stack.sent.append(kwargs)

        return _Sqs()

    def index(self) -> Any:
        return self


STATES: list[JobProgress | None] = [
    None,
    JobProgress(total=3, done=0, invalidated=False),
    JobProgress(total=3, done=1, invalidated=False, written=40),
    JobProgress(total=3, done=1, invalidated=False, written=40),
    JobProgress(total=3, done=3, invalidated=False, written=95),
    JobProgress(total=3, done=3, invalidated=True, written=95),
]


def test_the_display_follows_every_move_of_the_job_and_ends_on_its_totals(monkeypatch: Any) -> None:
    monkeypatch.setattr("local.rebuild.POLL_SECONDS", 0)
    seen: list[JobProgress] = []
    result = rebuild(_Stack(_Jobs(list(STATES))), job="rebuild-t", on_progress=seen.append)
    assert result == RebuildResult("rebuild-t", 3, 95, result.seconds)
    assert [(p.done, p.written, p.invalidated) for p in seen] == [
        (0, 0, False),
        (1, 40, False),
        (3, 95, False),
        (3, 95, True),
    ], "each change shown once, the repeated poll not at all"


def test_the_bar_says_chunks_done_of_total_pages_written_and_the_stage() -> None:
    out = io.StringIO()
    console = Console(file=out, width=120, force_terminal=False, color_system=None)
    with RebuildDisplay(console) as display:
        display(JobProgress(total=12, done=5, invalidated=False, written=321))
        middle = display.progress.tasks[0]
        assert (middle.completed, middle.total, middle.fields["written"], middle.fields["stage"]) == (
            5,
            12,
            321,
            "rendering",
        )
        display(JobProgress(total=12, done=12, invalidated=True, written=400))
    line = out.getvalue().strip().splitlines()[-1]
    assert "12/12 chunks · 400 page(s) written · invalidated" in line, line
    assert "0:00:0" in line  # elapsed
