"""How fast view counting reads CloudFront logs, beside GoAccess on the same file, in the same run.

Builds one standard log file from the sample lines of AWS's documentation
(events/cloudfront-standard-log.txt): article pages, listings, assets, 404s
and 502s, browsers and bots, many readers, an hour of time. Then, taking
turns, it times our reading and classifying of every line (``read_log``,
``candidate_views``, ``tally_views``: everything but DynamoDB) and GoAccess
(Debian's ``goaccess``, ``--log-format=CLOUDFRONT``) on the same bytes, and
prints lines per CPU-second of each, the median of ``--runs`` turns, and the
ratio. One core each: both are single-threaded here.

Run: ``.venv/bin/python bench/log_throughput.py --lines 200000``
"""

from __future__ import annotations

import argparse
import io
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "layers" / "newsroom"))

from newsroom.domain.access_logs import LogReport, read_log  # noqa: E402
from newsroom.domain.view_counting import candidate_views, tally_views  # noqa: E402

SAMPLE = (ROOT / "events" / "cloudfront-standard-log.txt").read_bytes().splitlines(keepends=True)
PATHS = [f"/tin-tuc/hoat-dong-khcn/bai-{n}.html" for n in range(300)]
PATHS += ["/", "/tin-tuc/", "/rss.xml", "/assets/site.5845272720.css", "/media/hoi-nghi.jpg", "/404.html"]
AGENTS = [
    "Mozilla/5.0%20(Windows%20NT%2010.0;%20Win64;%20x64)%20AppleWebKit/537.36%20Chrome/120.0%20Safari/537.36",
    "Mozilla/5.0%20(iPhone;%20CPU%20iPhone%20OS%2017_0%20like%20Mac%20OS%20X)%20AppleWebKit/605.1.15%20Mobile/15E148",
    "Mozilla/5.0%20(compatible;%20Googlebot/2.1;%20+http://www.google.com/bot.html)",
    "curl/8.5.0",
]


def build(lines: int) -> bytes:
    """``lines`` requests over one hour, AWS's sample lines with their path, reader, agent and time varied."""
    header, fields, *rows = SAMPLE
    template = [row.rstrip(b"\n").split(b"\t") for row in rows]
    start = datetime(2024, 4, 28, 1, 0, tzinfo=UTC)
    out = [header, fields]
    for n in range(lines):
        row = list(template[n % len(template)])
        at = start + timedelta(seconds=n * 3600 // max(lines, 1))
        row[0], row[1] = at.strftime("%Y-%m-%d").encode(), at.strftime("%H:%M:%S").encode()
        row[4] = f"198.51.{n % 200}.{(n // 200) % 250}".encode()
        row[7] = PATHS[(n * 7) % len(PATHS)].encode()
        row[8] = b"200" if n % 10 else b"404"
        row[10] = AGENTS[n % len(AGENTS)].encode()
        out.append(b"\t".join(row) + b"\n")
    return b"".join(out)


def ours(data: bytes) -> tuple[float, int]:
    """CPU seconds to read and classify every line, and the views found."""
    started = time.process_time()
    report = LogReport()
    candidates = candidate_views(read_log(io.BytesIO(data), report, compressed=False), lambda day: b"salt")
    tally = tally_views(candidates, {}, lambda moment: moment.date())
    return time.process_time() - started, sum(tally.views.values())


def goaccess(path: Path, output: Path) -> float:
    """CPU seconds GoAccess spends on the file (its own, from the children's usage)."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    subprocess.run(
        ["goaccess", str(path), "--log-format=CLOUDFRONT", "--no-progress", "-o", str(output)],
        check=True,
        capture_output=True,
    )
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)


def main() -> int:
    cli = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    cli.add_argument("--lines", type=int, default=200_000)
    cli.add_argument("--runs", type=int, default=3)
    args = cli.parse_args()
    data = build(args.lines)
    have_goaccess = shutil.which("goaccess") is not None
    with tempfile.TemporaryDirectory() as folder:
        log = Path(folder) / "access.log"
        log.write_bytes(data)
        mine: list[float] = []
        theirs: list[float] = []
        views = 0
        for _ in range(args.runs):  # in turn, so both meet the same machine
            seconds, views = ours(data)
            mine.append(seconds)
            if have_goaccess:
                theirs.append(goaccess(log, Path(folder) / "report.json"))
    size = f"{len(data) / 1e6:.1f} MB"
    print(f"{args.lines:,} lines ({size}), {views:,} views counted, median of {args.runs} runs")
    print(f"newsroom view counting: {args.lines / statistics.median(mine):>12,.0f} lines per CPU-second")
    if have_goaccess:
        print(
            f"GoAccess (CLOUDFRONT):  {args.lines / statistics.median(theirs):>12,.0f} lines per CPU-second"
        )
        print(f"ratio (GoAccess time / ours): {statistics.median(theirs) / statistics.median(mine):.2f}")
    else:
        print("GoAccess is not installed (Debian: apt-get install goaccess): no comparison")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
