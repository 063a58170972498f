"""Our publish and our full rebuild beside Hugo's and Pelican's, on one corpus, in one run.

Why: "a publish costs N ms" says little alone. The performance issue asks
how it compares with the usual ways to put a news site on a CDN: a static
generator rebuilt whole (Hugo, Pelican), or ``hugo server`` re-rendering
in memory on a change. So this script gives all of them the same N articles
(``bench/peer_corpus.py``: those ``bench/publish_inmemory.py`` seeds) and
measures, median of ``--repeat``:

- ours: the full re-render as the render function's fan-out runs it (a plan,
  then every chunk), in process on the in-memory fakes. ``cpu`` is process
  CPU, ``own`` that minus the time inside the fakes (publish_inmemory's
  ``Meter``); the pages are the HTML objects written (every object in ``objects``).
- ``hugo --renderToMemory``: CPU (user+sys, ``getrusage(RUSAGE_CHILDREN)``),
  wall, and its pages (``Pages`` + ``Paginator pages`` as it prints them).
- ``hugo server`` (memory is its default): after its first build, an article
  is added (renamed into ``content/``, one event) and one edited; the update
  is its CPU (``/proc/PID/stat``, 10 ms ticks), its own ``Total in`` and the
  wall from the write to that line (which includes its watcher's batching).
  Once in Fast Render Mode (its default), once with ``--disableFastRender``.
- Pelican (``.venv-pelican``, ``requirements/pelican.txt``): CPU, wall, the
  HTML files it wrote (every file in ``files``).

Then, from ``.bench/publish_inmemory.json`` when present, our own CPU per
publish beside Hugo's update and Hugo's full build. A peer that is not
installed is skipped with one line (``scripts/bootstrap --bench`` installs
both). Run: ``make bench``, or ``.venv/bin/python bench/peers.py --articles 2000``.
"""

from __future__ import annotations

import gc
import json
import os
import queue
import re
import resource
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
import time
from argparse import ArgumentParser, RawDescriptionHelpFormatter
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, cast

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT / "bench"), str(ROOT / "layers" / "newsroom"), str(ROOT)]

import peer_corpus  # noqa: E402
import publish_inmemory as ours  # noqa: E402

PELICAN = ROOT / ".venv-pelican" / "bin" / "pelican"
INMEMORY_JSON = ROOT / ".bench" / "publish_inmemory.json"
TICK = os.sysconf("SC_CLK_TCK")
UPDATE_TIMEOUT = 300.0
SERVER_MODES: list[tuple[str, str, tuple[str, ...]]] = [
    ("(Fast Render Mode)", "hugo server", ()),  # its default
    ("--disableFastRender", "hugo server full", ("--disableFastRender",)),
]


@dataclass
class Run:
    """One measured build: CPU and wall seconds, pages (HTML) and every output."""

    cpu: float
    wall: float
    pages: int
    outputs: int
    own: float | None = None
    chunks: list[float] | None = None
    """Ours: each chunk's CPU seconds (the plan's excluded)."""


def median(values: Sequence[float]) -> float:
    ordered = sorted(values)
    return ordered[len(ordered) // 2]


def middle(runs: list[Run]) -> Run:
    """The run of median CPU."""
    return sorted(runs, key=lambda r: r.cpu)[len(runs) // 2]


def children_cpu() -> float:
    used = resource.getrusage(resource.RUSAGE_CHILDREN)
    return used.ru_utime + used.ru_stime


def measured(command: list[str], cwd: Path) -> tuple[float, float, str]:
    """Run ``command`` to its end: its CPU (user+sys), its wall time, its output."""
    cpu, wall = children_cpu(), time.perf_counter()
    done = subprocess.run(command, cwd=cwd, capture_output=True, text=True, check=False)
    wall, cpu = time.perf_counter() - wall, children_cpu() - cpu
    if done.returncode != 0:
        raise RuntimeError(f"{' '.join(command)} failed: {(done.stderr or done.stdout)[-2000:]}")
    return cpu, wall, done.stdout + done.stderr


# -- ours ----------------------------------------------------------------------------------------
def our_rebuild(count: int, repeat: int) -> list[Run]:
    """Full re-renders of a seeded site on the fakes: plan, then every chunk, from an empty site bucket."""
    site = ours.seed(count, 0)
    gc.collect()
    gc.freeze()  # the fakes' records are the table's: a Lambda does not hold them in its heap
    fanout = site.publisher.fanout
    assert fanout is not None, "the publisher has no fan-out"
    work = cast(Any, fanout.queue)  # a FakeWorkQueue: its bodies are the render queue's messages
    bucket = cast(Any, site.publisher.site)  # Counted forwards attributes: the fake's objects
    runs = []
    for n in range(repeat):
        bucket.objects.clear()  # every page new, as Hugo's and Pelican's outputs are
        site.meter.reset()
        cpu, wall = time.process_time(), time.perf_counter()
        fanout.plan(f"peers-{n}")
        chunks = []
        while (body := work.receive()) is not None:
            started = time.process_time()
            fanout.handle(body)
            chunks.append(time.process_time() - started)
        cpu, wall = time.process_time() - cpu, time.perf_counter() - wall
        keys = list(bucket.objects)
        pages = sum(key.endswith(".html") for key in keys)
        runs.append(Run(cpu, wall, pages, len(keys), own=cpu - site.meter.seconds, chunks=chunks))
    gc.unfreeze()
    return runs


def render_concurrency() -> tuple[int, str, int]:
    """How many chunks run at once on AWS, where template.yaml says so, and the render function's memory."""
    text = (ROOT / "template.yaml").read_text(encoding="utf-8")
    block = re.search(r"^  RenderFunction:\n(.*?)(?=^  \S)", text, re.S | re.M)
    assert block is not None, "template.yaml has no RenderFunction"
    reserved = re.search(r"ReservedConcurrentExecutions: (\d+)", block.group(1))
    if reserved:
        where = "template.yaml RenderFunction ReservedConcurrentExecutions"
        concurrency = int(reserved.group(1))
    else:
        found = re.search(r"RenderQueueEvent:.*?MaximumConcurrency: (\d+)", block.group(1), re.S)
        assert found is not None, "RenderFunction has neither a reservation nor a MaximumConcurrency"
        where = (
            "template.yaml RenderFunction RenderQueueEvent ScalingConfig.MaximumConcurrency (no reservation)"
        )
        concurrency = int(found.group(1))
    memory = re.search(r"MemorySize: (\d+)", block.group(1)) or re.search(
        r"^Globals:.*?MemorySize: (\d+)", text, re.S | re.M
    )
    return concurrency, where, int(memory.group(1)) if memory else 128


# -- Hugo ----------------------------------------------------------------------------------------
def hugo_build(site: Path, repeat: int) -> list[Run]:
    runs = []
    for _ in range(repeat):
        cpu, wall, out = measured(["hugo", "--renderToMemory"], site)
        counts = {
            name: int(n) for name, n in re.findall(r"^\s*(Pages|Paginator pages)\s*\|\s*(\d+)", out, re.M)
        }
        if "Pages" not in counts:
            raise RuntimeError(f"no page count in hugo's output: {out[-1000:]}")
        pages = counts["Pages"] + counts.get("Paginator pages", 0)
        runs.append(Run(cpu, wall, pages, pages))
    return runs


@dataclass
class Update:
    cpu: float
    reported: float
    wall: float


class HugoServer:
    """``hugo server`` on a free loopback port, its output read line by line on a thread."""

    def __init__(self, site: Path, *flags: str) -> None:
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            port = probe.getsockname()[1]
        command = [
            "hugo",
            "server",
            "--disableLiveReload",
            "--bind",
            "127.0.0.1",
            "--port",
            str(port),
            *flags,
        ]
        self.process = subprocess.Popen(
            command, cwd=site, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True
        )
        self.lines: queue.Queue[str | None] = queue.Queue()
        self.seen: list[str] = []
        threading.Thread(target=self._read, daemon=True).start()
        self.wait_for(r"Web Server is available at", UPDATE_TIMEOUT)

    def _read(self) -> None:
        assert self.process.stdout is not None
        for line in self.process.stdout:
            self.lines.put(line)
        self.lines.put(None)

    def wait_for(self, pattern: str, timeout: float) -> re.Match[str]:
        deadline = time.monotonic() + timeout
        while (left := deadline - time.monotonic()) > 0:
            try:
                line = self.lines.get(timeout=left)
            except queue.Empty:
                break
            if line is None:
                raise RuntimeError("hugo server stopped: " + "".join(self.seen[-20:]))
            self.seen.append(line)
            if found := re.search(pattern, line):
                return found
        raise RuntimeError(f"hugo server: no {pattern!r} in {timeout:.0f} s: " + "".join(self.seen[-20:]))

    def cpu(self) -> float:
        """The server's CPU so far (user+sys of all its threads)."""
        fields = Path(f"/proc/{self.process.pid}/stat").read_text().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / TICK

    def change(self, write: Callable[[], None]) -> Update:
        """Make a change and wait for the rebuild it causes."""
        time.sleep(1.0)  # the previous rebuild settled, and the watcher's batch is empty
        cpu, wall = self.cpu(), time.perf_counter()
        write()
        found = self.wait_for(r"^Total in (\d+) ms", UPDATE_TIMEOUT)
        wall, cpu = time.perf_counter() - wall, self.cpu() - cpu
        return Update(cpu, int(found.group(1)) / 1e3, wall)

    def stop(self) -> None:
        self.process.terminate()
        try:
            self.process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()


def hugo_updates(
    site: Path, entries: list[peer_corpus.Entry], repeat: int, flags: tuple[str, ...]
) -> dict[str, list[Update]]:
    """Add an article and edit the newest, ``repeat`` times each, on one server; the site restored after."""
    edited = peer_corpus.hugo_path(site, entries[-1])
    original = edited.read_text(encoding="utf-8")
    added: list[Path] = []
    found: dict[str, list[Update]] = {"add": [], "edit": []}
    server = HugoServer(site, *flags)
    try:
        for n in range(repeat):
            entry = peer_corpus.newest(n)
            added.append(peer_corpus.hugo_path(site, entry))
            found["add"].append(server.change(lambda e=entry: peer_corpus.write_hugo_page(site, e)))
            text = f"{original}\nCập nhật lần {n + 1}.\n"
            found["edit"].append(server.change(lambda t=text: peer_corpus.write_whole(edited, t)))
    finally:
        server.stop()
        for path in added:
            path.unlink(missing_ok=True)
        peer_corpus.write_whole(edited, original)
    return found


# -- Pelican -------------------------------------------------------------------------------------
def pelican_build(site: Path, repeat: int) -> list[Run]:
    runs = []
    for _ in range(repeat):
        cpu, wall, _ = measured([str(PELICAN), "content", "-o", "out", "-s", "pelicanconf.py", "-q"], site)
        files = [path for path in (site / "out").rglob("*") if path.is_file()]
        runs.append(Run(cpu, wall, sum(path.suffix == ".html" for path in files), len(files)))
    return runs


def version(command: list[str]) -> str:
    done = subprocess.run(command, capture_output=True, text=True, check=False)
    return (done.stdout or done.stderr).strip().splitlines()[0]


# -- the report ----------------------------------------------------------------------------------
def times(ratio: float) -> str:
    return f"{ratio:,.0f}×" if ratio >= 10 else f"{ratio:.2f}×"


def build_line(name: str, runs: list[Run], what: str) -> float:
    """Print a build's median; returns its pages per CPU-second (ours: per own CPU-second)."""
    r = middle(runs)
    own = f", own {r.own:.2f} s: {r.pages / r.own:,.0f} pages per own CPU-second" if r.own is not None else ""
    print(
        f"{name}: {r.pages:,} pages ({what.format(r.outputs)}), cpu {r.cpu:.2f} s, wall {r.wall:.2f} s:"
        f" {r.pages / r.cpu:,.0f} pages per CPU-second{own}"
    )
    return r.pages / (r.own if r.own is not None else r.cpu)


def aws_line(runs: list[Run]) -> None:
    chunks = middle(runs).chunks or []
    concurrency, where, memory = render_concurrency()
    chunk = median(chunks)
    estimate = len(chunks) * chunk / concurrency
    share = min(1.0, memory / 1769)  # Lambda gives a full vCPU at 1,769 MB, in proportion below
    print(
        f"ours on AWS (estimate): {len(chunks)} chunks × median chunk {chunk * 1e3:.0f} ms CPU"
        f" ÷ {concurrency} at once = {estimate:.2f} s wall (sum of chunks ÷ {concurrency}:"
        f" {sum(chunks) / concurrency:.2f} s); concurrency {concurrency} from {where}; at {memory} MB a"
        f" chunk gets ~{share:.2f} of a vCPU: ~{estimate / share:.2f} s. S3/DynamoDB latency not included."
    )


def update_line(label: str, found: dict[str, list[Update]]) -> float:
    """Print the median update of each change; returns the added article's CPU seconds."""
    for change, updates in found.items():
        u = sorted(updates, key=lambda u: u.cpu)[len(updates) // 2]
        print(
            f"hugo server {label}, {change} an article: cpu {u.cpu * 1e3:,.0f} ms,"
            f" its Total in {u.reported * 1e3:,.0f} ms, wall from the write {u.wall * 1e3:,.0f} ms"
        )
    return sorted(u.cpu for u in found["add"])[len(found["add"]) // 2]


def publish_lines(peers: list[tuple[str, str, float]]) -> None:
    """Our own CPU per publish (publish_inmemory's JSON) beside Hugo's updates and build: CPU to CPU."""
    source = INMEMORY_JSON.relative_to(ROOT)
    if not INMEMORY_JSON.exists():
        print(f"our publish: no {source} (bench/publish_inmemory.py --json makes it)")
        return
    cases = [c for c in json.loads(INMEMORY_JSON.read_text())["cases"] if c["op"] == "publish"]
    normal = [c for c in cases if not c["case"].endswith("busy")]
    chosen = [max(normal, key=lambda c: c["articles"])] if normal else []
    for c in chosen + [c for c in cases if c["case"].endswith("busy")]:
        own = c["own_ms"] / 1e3
        print(f"our publish into {c['case']} articles ({source}): own {own * 1e3:.1f} ms CPU")
        for label, short, cpu in peers:
            print(f"  {label}: {cpu * 1e3:,.0f} ms CPU: {short} / ours = {times(cpu / own)}")


def main() -> None:
    parser = ArgumentParser(description=__doc__, formatter_class=RawDescriptionHelpFormatter)
    parser.add_argument("--articles", type=int, default=10_000, help="articles in the corpus")
    parser.add_argument("--repeat", type=int, default=3, help="runs of each measurement (median kept)")
    args = parser.parse_args()
    print(ours.machine(), flush=True)
    hugo = shutil.which("hugo")
    pelican = PELICAN.exists() and (PELICAN.parent.parent / ".requirements.sha256").exists()
    print(f"hugo: {version(['hugo', 'version']) if hugo else 'not installed'}")
    print(f"pelican: {version([str(PELICAN), '--version']) if pelican else 'not installed'}", flush=True)
    print(f"\nfull rebuild of {args.articles:,} articles, median of {args.repeat}:", flush=True)
    ours_runs = our_rebuild(args.articles, args.repeat)
    rates = {"ours": build_line("ours", ours_runs, "HTML of {:,} objects written")}
    aws_line(ours_runs)
    against: list[tuple[str, str, float]] = []
    with tempfile.TemporaryDirectory(prefix="newsroom-peers-") as temp:
        entries = peer_corpus.corpus(args.articles)
        if hugo:
            site = peer_corpus.hugo_site(Path(temp) / "hugo", entries)
            runs = hugo_build(site, args.repeat)
            rates["hugo"] = build_line("hugo --renderToMemory", runs, "its Pages + Paginator pages")
            for label, short, flags in SERVER_MODES:
                added = update_line(label, hugo_updates(site, entries, args.repeat, flags))
                against.append((f"hugo server {label}, adding an article", short, added))
            against.append((f"hugo full build of {args.articles:,}", "hugo build", middle(runs).cpu))
        else:
            print("hugo: skipped (not installed; scripts/bootstrap --bench installs Debian's as root)")
        if pelican:
            site = peer_corpus.pelican_site(Path(temp) / "pelican", entries)
            rates["pelican"] = build_line("pelican", pelican_build(site, args.repeat), "HTML of {:,} files")
        else:
            print("pelican: skipped (no .venv-pelican; scripts/bootstrap --bench makes it)")
    for peer in ("hugo", "pelican"):
        if peer in rates:
            print(f"pages per CPU-second, ours (own) / {peer} = {times(rates['ours'] / rates[peer])}")
    print()
    publish_lines(against)


if __name__ == "__main__":
    main()
