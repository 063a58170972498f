"""One `python -m local run` at a time: a pidfile in the state directory.

Starting the stack again (or after a crash) must just work: a live previous
instance is stopped with SIGTERM and its ports awaited; a stale pidfile (the
process is gone, or the pid now belongs to another program) is ignored.
"""

from __future__ import annotations

import itertools
import json
import logging
import os
import signal
import time
from pathlib import Path
from typing import Any

from local.ports import wait_ports_free

log = logging.getLogger("local.instance")

PIDFILE = "local.pid"


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def _is_local_stack(pid: int) -> bool:
    """The pid runs ``python -m local`` (guards against a recycled pid)."""
    try:
        argv = Path(f"/proc/{pid}/cmdline").read_bytes().split(b"\0")
    except OSError:
        return True  # no /proc (macOS): trust the pidfile
    return any(a == b"-m" and b == b"local" for a, b in itertools.pairwise(argv))


def read_pidfile(state_dir: Path) -> dict[str, Any] | None:
    """The recorded instance, or None when there is no readable pidfile."""
    try:
        data = json.loads((state_dir / PIDFILE).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return data if isinstance(data, dict) and isinstance(data.get("pid"), int) else None


def stop_previous(state_dir: Path, ports: list[int], timeout: float = 15.0) -> bool:
    """Stop a live earlier instance recorded in ``state_dir``; True if one was stopped."""
    previous = read_pidfile(state_dir)
    if previous is None:
        return False
    pid = int(previous["pid"])
    if pid == os.getpid() or not _alive(pid) or not _is_local_stack(pid):
        log.info("ignoring stale pidfile (pid %d)", pid)
        return False
    log.warning("stopping the previous local stack (pid %d)", pid)
    os.kill(pid, signal.SIGTERM)
    deadline = time.monotonic() + timeout
    while _alive(pid) and time.monotonic() < deadline:
        time.sleep(0.1)
    if _alive(pid):
        log.warning("pid %d ignored SIGTERM for %.0f s; stacks to its log, then SIGKILL", pid, timeout)
        os.kill(pid, signal.SIGUSR1)  # faulthandler in the stack dumps every thread
        time.sleep(0.5)
        os.kill(pid, signal.SIGKILL)
    recorded = [int(p) for p in (previous.get("moto_port"), previous.get("cdn_port")) if p]
    wait_ports_free([*recorded, *ports], timeout=timeout)
    return True


def write_pidfile(state_dir: Path, **details: Any) -> Path:
    """Record this process as the running instance."""
    state_dir.mkdir(parents=True, exist_ok=True)
    path = state_dir / PIDFILE
    path.write_text(json.dumps({"pid": os.getpid(), **details}) + "\n", encoding="utf-8")
    return path


def remove_pidfile(state_dir: Path) -> None:
    """Remove the pidfile if it is still ours (a newer instance may have replaced it)."""
    current = read_pidfile(state_dir)
    if current is not None and current.get("pid") == os.getpid():
        (state_dir / PIDFILE).unlink(missing_ok=True)
