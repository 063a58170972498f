"""Leave `make run` serving while an editor works for a day: does it stay small and fast?

Against a running local stack (``make run`` in another terminal), uploads
``--publishes`` articles in bursts of ``--burst`` (an editor saving several
files), waits until each burst is tagged ``published``, and prints, every
``--every`` publishes, the stack process's resident memory and how long the
bursts took from upload to the last tag. Re-uploads and deletes are mixed
in, as editors do (every fifth upload rewrites an earlier article, every
tenth deletes one), so the source bucket gains versions and delete markers.

Run: ``.venv/bin/python bench/soak_local.py --publishes 2000`` (``--months 24`` spreads the
dates over two years: every article of an editor's day is in one month, whose archive page
lists all of them, so there each publish costs more as the month fills).
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from local.instance import read_pidfile  # noqa: E402
from local.rebuild import RunningStack  # noqa: E402

CATEGORY = "articles/tin-tuc/soak"


def resident_mb(pid: int) -> float:
    """The process's resident set (VmRSS), in MB."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def article(n: int, revision: int, months: int = 1) -> bytes:
    """Article ``n``, dated in one month (an editor's day) or over ``months`` (an archive moving in)."""
    back = n % months  # months before December 2024 (one month: May 2024)
    year, month = (2024 - back // 12, 12 - back % 12) if months > 1 else (2024, 5)
    day = 1 + n % 28
    body = "\n\n".join(f"Đoạn {p} của bài {n}, lần sửa {revision}: hội nghị tổng kết." for p in range(12))
    front = (
        f"title: Bài thử {n} (lần {revision})\ndate: {year}-{month:02d}-{day:02d}T08:{n % 60:02d}:00+07:00"
    )
    return f"---\n{front}\n---\n{body}\n".encode()


def wait_published(s3: Any, bucket: str, keys: dict[str, str], timeout: float) -> None:
    """Until every key's current version carries the status wanted (``published``; ``deleted``: gone)."""
    deadline = time.monotonic() + timeout
    pending = dict(keys)
    while pending:
        if time.monotonic() > deadline:
            raise TimeoutError(f"not published after {timeout:.0f} s: {sorted(pending)[:3]}")
        for key, wanted in list(pending.items()):
            if wanted == "deleted":
                done = "Contents" not in s3.list_objects_v2(Bucket=bucket, Prefix=f"status/{key}.json")
            else:
                try:
                    tags = s3.get_object_tagging(Bucket=bucket, Key=key)["TagSet"]
                except s3.exceptions.ClientError:
                    continue
                done = {t["Key"]: t["Value"] for t in tags}.get("publish-status") == wanted
            if done:
                del pending[key]
        time.sleep(0.05)


def main() -> int:
    cli = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    cli.add_argument("--publishes", type=int, default=2000)
    cli.add_argument("--burst", type=int, default=10)
    cli.add_argument("--every", type=int, default=200)
    cli.add_argument("--state-dir", type=Path, default=ROOT / ".local")
    cli.add_argument("--timeout", type=float, default=300.0)
    cli.add_argument(
        "--months", type=int, default=1, help="spread the dates over this many months (default: all in one)"
    )
    args = cli.parse_args()

    stack = RunningStack.find(args.state_dir.resolve())
    details = read_pidfile(args.state_dir.resolve())
    assert details is not None
    pid = int(details["pid"])
    s3 = stack.client("s3")
    bucket = stack.outputs["SourceBucketName"]
    rows: list[dict[str, Any]] = []
    times: list[float] = []
    started = time.monotonic()
    rows.append({"publishes": 0, "rss_mb": round(resident_mb(pid), 1)})
    print(json.dumps(rows[-1]), flush=True)
    done = 0
    while done < args.publishes:
        burst: dict[str, str] = {}
        for _ in range(min(args.burst, args.publishes - done)):
            done += 1
            if done % 10 == 0 and done > 20:  # an editor deletes an older article
                key = f"{CATEGORY}/bai-{done - 15:05d}.md"
                s3.delete_object(Bucket=bucket, Key=key)
                burst[key] = "deleted"
            elif done % 5 == 0 and done > 10:  # and rewrites another
                key = f"{CATEGORY}/bai-{done - 7:05d}.md"
                s3.put_object(Bucket=bucket, Key=key, Body=article(done - 7, done, args.months))
                burst[key] = "published"
            else:
                key = f"{CATEGORY}/bai-{done:05d}.md"
                s3.put_object(Bucket=bucket, Key=key, Body=article(done, 1, args.months))
                burst[key] = "published"
        t0 = time.monotonic()
        wait_published(s3, bucket, burst, args.timeout)
        times.append(time.monotonic() - t0)
        if done % args.every == 0 or done == args.publishes:
            recent = times[-max(1, args.every // args.burst) :]
            rows.append(
                {
                    "publishes": done,
                    "rss_mb": round(resident_mb(pid), 1),
                    "burst_s_median": round(statistics.median(recent), 2),
                    "burst_s_max": round(max(recent), 2),
                    "elapsed_s": round(time.monotonic() - started),
                }
            )
            print(json.dumps(rows[-1]), flush=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
