"""`make bench` keeps working: each benchmark runs end to end on a small input (a restructure broke one once)."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def run(*args: str) -> str:
    done = subprocess.run(
        [sys.executable, *args], cwd=ROOT, capture_output=True, text=True, timeout=600, check=False
    )
    assert done.returncode == 0, done.stderr[-2000:]
    return done.stdout


def test_the_publish_cost_benchmark_runs_and_compares_two_sizes() -> None:
    out = run("bench/publish_cost.py", "--sizes", "5", "20", "--repeat", "1")
    assert "time ratio 20/5" in out
    assert "same objects written: True" in out and "same AWS calls by operation: True" in out, out


def test_the_log_throughput_benchmark_runs() -> None:
    out = run("bench/log_throughput.py", "--lines", "2000", "--runs", "1")
    assert "newsroom view counting:" in out and "lines per CPU-second" in out


def test_the_peers_benchmark_runs_with_or_without_hugo_and_pelican() -> None:
    """Our rebuild's pages per CPU-second is printed, and a missing peer is a skipped line, not a failure."""
    command = [sys.executable, "bench/peers.py", "--articles", "60", "--repeat", "1"]
    no_hugo = ":".join(p for p in os.environ.get("PATH", "").split(":") if p and not Path(p, "hugo").exists())
    for path in (os.environ.get("PATH", ""), no_hugo):
        done = subprocess.run(
            command,
            cwd=ROOT,
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
            env={**os.environ, "PATH": path},
        )
        assert done.returncode == 0, done.stderr[-2000:]
        assert re.search(r"^ours: [\d,]+ pages .* pages per own CPU-second$", done.stdout, re.M), done.stdout
        assert "hugo --renderToMemory:" in done.stdout or "hugo: skipped" in done.stdout, done.stdout
        assert "pelican:" in done.stdout, done.stdout
    assert "hugo: skipped" in done.stdout, done.stdout
