"""stop_previous: a stack that ignores SIGTERM is killed, and says first where it was stuck."""

from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path

from local.instance import stop_previous, write_pidfile
from local.ports import free_port

STUCK = """
import faulthandler, signal, sys, time
signal.signal(signal.SIGTERM, signal.SIG_IGN)
faulthandler.register(signal.SIGUSR1, all_threads=True)
print("ready", flush=True)
def stuck_in_here():
    while True:
        time.sleep(0.05)
stuck_in_here()
"""


def test_a_stack_that_ignores_sigterm_dumps_its_threads_then_is_killed(tmp_path: Path) -> None:
    log = tmp_path / "stuck.log"
    with log.open("wb") as out:
        # "-m local" in its argv, as _is_local_stack expects of a real instance.
        stuck = subprocess.Popen([sys.executable, "-u", "-c", STUCK, "-m", "local"], stdout=out, stderr=out)
    try:
        deadline = time.monotonic() + 30
        while b"ready" not in log.read_bytes():
            assert time.monotonic() < deadline and stuck.poll() is None
            time.sleep(0.05)
        (tmp_path / "local.pid").write_text(f'{{"pid": {stuck.pid}}}\n', encoding="utf-8")
        assert stop_previous(tmp_path, [free_port()], timeout=1.0) is True
        assert stuck.wait(timeout=10) == -9
    finally:
        if stuck.poll() is None:
            stuck.kill()
    assert "stuck_in_here" in log.read_text(errors="replace")


def test_a_pidfile_of_our_own_process_is_not_stopped(tmp_path: Path) -> None:
    write_pidfile(tmp_path)
    assert stop_previous(tmp_path, []) is False
