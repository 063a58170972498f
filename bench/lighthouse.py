"""Lighthouse on the home, a category and an article page, mobile and desktop, on the local stack.

Prints the four category scores (performance, accessibility, best practices,
SEO), the bytes transferred and the compression of the text each page loads,
for each page and form factor. With ``--strict`` it exits 1 when any score is
below 100.

Lighthouse is the npm package, pinned (``LIGHTHOUSE``): the script installs it
into ``.local/lighthouse`` with npm on its first run (or pass ``--lighthouse
PATH``). Chromium is Debian's (``/usr/bin/chromium``, which ``scripts/bootstrap
--test`` installs; or set CHROME_PATH).

By default it starts its own stack in this process, as the browser tests do
(``LocalStack``, handlers run synchronously): the sample content (``examples/``)
is uploaded and every queue drained before the first run, so every run
measures the same pages, and nothing is left running afterwards. ``--url``
measures a site that is already serving instead (``make run``).

Run: ``.venv/bin/python bench/lighthouse.py [--strict] [--runs 3] [--reports DIR]``.
Not part of ``make test`` or ``make bench``: a run takes a few minutes and its
simulated timings move with the machine's load.
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import urllib.request
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "layers" / "newsroom"))
sys.path.insert(0, str(ROOT))

LIGHTHOUSE = "12.8.2"
"""The pinned npm package version (its scores and audits change between releases)."""
PREFIX = ROOT / ".local" / "lighthouse"
LOCAL_LIGHTHOUSE = PREFIX / "node_modules" / ".bin" / "lighthouse"
CATEGORIES = ("performance", "accessibility", "best-practices", "seo")
HEADERS = ("perf", "a11y", "best", "seo")
# Pages of the sample content (examples/): a category with a lead picture, an article with figures.
PAGES = {
    "home": "/",
    "category": "/chuyen-giao-cong-nghe/",
    "article": "/tin-tuc/tin-vifotec/hoi-nghi-tong-ket.html",
}
FORM_FACTORS = ("mobile", "desktop")
CHROMES = ("/usr/bin/chromium", "chromium", "chromium-browser", "google-chrome", "google-chrome-stable")
TEXT_TYPES = ("text/html", "text/css", "text/javascript", "application/javascript", "application/json")


def installed_version() -> str | None:
    """The version of the lighthouse package under ``.local/lighthouse``, if any."""
    manifest = PREFIX / "node_modules" / "lighthouse" / "package.json"
    if not manifest.exists():
        return None
    return str(json.loads(manifest.read_text(encoding="utf-8")).get("version"))


def find_lighthouse(explicit: str | None) -> str | None:
    """The lighthouse executable: --lighthouse, else the pinned one (installed into .local/lighthouse)."""
    if explicit:
        return explicit if Path(explicit).exists() or shutil.which(explicit) else None
    if installed_version() != LIGHTHOUSE or not LOCAL_LIGHTHOUSE.exists():
        npm = shutil.which("npm")
        if npm is None:
            print("npm not found: apt-get install npm, or pass --lighthouse PATH.", file=sys.stderr)
            return None
        print(f"Installing lighthouse@{LIGHTHOUSE} into {PREFIX} ...", file=sys.stderr)
        PREFIX.mkdir(parents=True, exist_ok=True)
        command = [npm, "install", "--prefix", str(PREFIX), "--no-audit", "--no-fund", "--save-exact"]
        result = subprocess.run([*command, f"lighthouse@{LIGHTHOUSE}"], check=False)
        if result.returncode != 0 or installed_version() != LIGHTHOUSE:
            return None
    return str(LOCAL_LIGHTHOUSE)


def find_chrome() -> str | None:
    """CHROME_PATH, else Debian's chromium, else a Chrome on PATH."""
    if os.environ.get("CHROME_PATH"):
        return os.environ["CHROME_PATH"]
    for name in CHROMES:
        found = shutil.which(name)
        if found:
            return found
    return None


@contextmanager
def stdout_to(path: Path) -> Iterator[None]:
    """Send this process's standard output (the functions' JSON logs) to ``path`` until the end."""
    sys.stdout.flush()
    saved = os.dup(1)
    with path.open("ab") as log_file:
        os.dup2(log_file.fileno(), 1)
        try:
            yield
        finally:
            sys.stdout.flush()
            os.dup2(saved, 1)
            os.close(saved)


@contextmanager
def sample_site(log_path: Path) -> Iterator[str]:
    """A fresh local stack in this process with the sample content published; yields its CDN's URL.

    The functions log to standard output, as in Lambda: that goes to ``log_path``.
    """
    os.environ.setdefault("AWS_DEFAULT_REGION", "us-east-1")
    from local import moto_patches  # noqa: PLC0415 (only when a stack is wanted)
    from local.stack import LocalStack, StackOptions  # noqa: PLC0415

    moto_patches.apply()
    logging.basicConfig(level=logging.WARNING)
    options = StackOptions(stack_name=f"lh-{uuid.uuid4().hex[:8]}", background=False, retry_delay=0)
    print(f"Starting a local stack and publishing examples/ (log: {log_path}) ...", file=sys.stderr)
    with stdout_to(log_path), LocalStack(options) as stack:
        stack.upload_directory(ROOT / "examples")
        stack.process_queue(timeout=300)
        yield stack.site_url


def run_lighthouse(lighthouse: str, chrome: str | None, url: str, form_factor: str, report: Path) -> None:
    """One Lighthouse run, its JSON report written to ``report``."""
    command = [
        lighthouse,
        url,
        "--output=json",
        f"--output-path={report}",
        "--quiet",
        "--chrome-flags=--headless=new --no-sandbox",
        f"--only-categories={','.join(CATEGORIES)}",
    ]
    if form_factor == "desktop":
        command.append("--preset=desktop")
    env = dict(os.environ)
    if chrome:
        env["CHROME_PATH"] = chrome
    result = subprocess.run(command, env=env, capture_output=True, text=True, check=False)
    if result.returncode != 0 or not report.exists():
        raise SystemExit(f"lighthouse failed on {url} ({form_factor}):\n{result.stderr[-2000:]}")


def served_sizes(url: str) -> dict[str, int]:
    """Bytes of ``url`` as the CDN sends them: as they are, gzipped and in Brotli."""
    sizes = {}
    for encoding in ("identity", "gzip", "br"):
        request = urllib.request.Request(url, headers={"Accept-Encoding": encoding})
        with urllib.request.urlopen(request, timeout=30) as response:
            sizes[encoding] = len(response.read())
    return sizes


def compression(base_url: str, path: str) -> dict[str, dict[str, int]]:
    """The page, its stylesheet and its script: their sizes as served in each encoding."""
    with urllib.request.urlopen(base_url + path, timeout=30) as response:
        html = response.read().decode("utf-8")
    found = {"page": path}
    for name, pattern in (
        ("css", r'href="(/assets/site\.[0-9a-f]+\.css)"'),
        ("js", r'src="(/assets/[^"]+\.js)"'),
    ):
        if match := re.search(pattern, html):
            found[name] = match.group(1)
    return {name: served_sizes(base_url + target) for name, target in found.items()}


def _category_audits(report: dict[str, Any], weighted: bool) -> set[str]:
    return {
        ref["id"]
        for category in report["categories"].values()
        for ref in category["auditRefs"]
        if (ref.get("weight", 0) > 0) == weighted
    }


def summarise(report: dict[str, Any]) -> dict[str, Any]:
    """Scores (0-100), bytes, the text's compression and the audits that cost points or are flagged."""
    scores = {name: round(100 * (report["categories"][name]["score"] or 0)) for name in CATEGORIES}
    audits = report["audits"]

    def below(ids: set[str], threshold: float) -> list[str]:
        return sorted(
            audit_id
            for audit_id in ids
            if audit_id in audits
            and audits[audit_id].get("score") is not None
            and audits[audit_id]["score"] < threshold
            and audits[audit_id].get("scoreDisplayMode") in {"binary", "numeric", "metricSavings"}
        )

    text_resource = text_transfer = 0
    for item in audits["network-requests"]["details"]["items"]:
        if str(item.get("mimeType", "")).startswith(TEXT_TYPES):
            text_resource += int(item.get("resourceSize") or 0)
            text_transfer += int(item.get("transferSize") or 0)
    return {
        "scores": scores,
        "bytes": int(audits["total-byte-weight"]["numericValue"]),
        "text_bytes": text_resource,
        "text_transferred": text_transfer,
        "lcp_ms": round(audits["largest-contentful-paint"]["numericValue"]),
        "failing": below(_category_audits(report, weighted=True), 1),
        "flagged": below(_category_audits(report, weighted=False), 0.9),
    }


def parser() -> argparse.ArgumentParser:
    cli = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    cli.add_argument("--url", help="measure this running site (make run: http://127.0.0.1:3000) instead")
    for kind, path in PAGES.items():
        cli.add_argument(f"--{kind}", default=path, help=f"path of the {kind} page (default {path})")
    cli.add_argument("--form-factor", choices=FORM_FACTORS, action="append", help="default: both")
    cli.add_argument("--runs", type=int, default=1, help="runs per page; the median score is kept")
    cli.add_argument("--reports", type=Path, help="keep the JSON reports in this directory")
    cli.add_argument("--lighthouse", help="the lighthouse executable (default: the pinned one, installed)")
    cli.add_argument("--strict", action="store_true", help="exit 1 when any score is below 100")
    cli.add_argument("--json", action="store_true", help="print the results as JSON too")
    return cli


@contextmanager
def site(url: str | None, log_path: Path) -> Iterator[str]:
    if url:
        yield url.rstrip("/")
        return
    with sample_site(log_path) as started:
        yield started


def measure(args: argparse.Namespace, lighthouse: str, chrome: str, reports: Path) -> tuple[str, list]:
    pages = {kind: getattr(args, kind) for kind in PAGES}
    rows: list[dict[str, Any]] = []
    with site(args.url, reports / "stack.log") as base_url:
        for kind, path in pages.items():
            for form_factor in args.form_factor or FORM_FACTORS:
                runs = []
                for run in range(max(1, args.runs)):
                    report = reports / f"{kind}-{form_factor}-{run + 1}.json"
                    run_lighthouse(lighthouse, chrome, base_url + path, form_factor, report)
                    runs.append(summarise(json.loads(report.read_text(encoding="utf-8"))))
                row: dict[str, Any] = {"page": kind, "path": path, "form_factor": form_factor}
                row["scores"] = {
                    name: round(statistics.median(r["scores"][name] for r in runs)) for name in CATEGORIES
                }
                for name in ("bytes", "text_bytes", "text_transferred", "lcp_ms"):
                    row[name] = round(statistics.median(r[name] for r in runs))
                row["runs"] = [r["scores"] for r in runs]
                row["failing"] = sorted({audit for r in runs for audit in r["failing"]})
                row["flagged"] = sorted({audit for r in runs for audit in r["flagged"]})
                rows.append(row)
            rows[-1]["compression"] = compression(base_url, path)
    return base_url, rows


def main(argv: list[str] | None = None) -> int:
    args = parser().parse_args(argv)
    lighthouse = find_lighthouse(args.lighthouse)
    if lighthouse is None:
        print(f"No lighthouse: npm install --prefix {PREFIX} lighthouse@{LIGHTHOUSE}", file=sys.stderr)
        return 2
    chrome = find_chrome()
    if chrome is None:
        print("No Chrome or Chromium found: apt-get install chromium, or set CHROME_PATH.", file=sys.stderr)
        return 2
    reports = args.reports or Path(tempfile.mkdtemp(prefix="lighthouse-reports-"))
    reports.mkdir(parents=True, exist_ok=True)
    base_url, rows = measure(args, lighthouse, chrome, reports)
    print(f"Lighthouse {LIGHTHOUSE} on {base_url} ({args.runs} run(s) each, median), reports in {reports}")
    print(
        f"{'page':<9} {'form':<8} "
        + " ".join(f"{h:>5}" for h in HEADERS)
        + f" {'bytes':>8} {'text':>15} {'LCP ms':>7}  lowest of each run"
    )
    for row in rows:
        lowest = "/".join(str(min(run.values())) for run in row["runs"])
        text = f"{row['text_bytes']}>{row['text_transferred']}"
        print(
            f"{row['page']:<9} {row['form_factor']:<8} "
            + " ".join(f"{row['scores'][name]:>5}" for name in CATEGORIES)
            + f" {row['bytes']:>8} {text:>15} {row['lcp_ms']:>7}  {lowest}"
            + (f"  costing points: {', '.join(row['failing'])}" if row["failing"] else "")
            + (f"  flagged: {', '.join(row['flagged'])}" if row["flagged"] else "")
        )
    print("bytes: all transferred; text: HTML, CSS, JS and JSON as served > as transferred (compressed)")
    print("Compression at the local CDN (bytes: as they are / gzip / br):")
    for row in rows:
        for name, sizes in row.get("compression", {}).items():
            plain, gzipped, brotli = sizes["identity"], sizes["gzip"], sizes["br"]
            print(
                f"  {row['page']:<9} {name:<5} {plain:>7} / {gzipped:>6} ({gzipped / plain:4.0%})"
                f" / {brotli:>6} ({brotli / plain:4.0%})"
            )
    if args.json:
        print(json.dumps(rows, indent=2))
    below_100 = [row for row in rows if any(score < 100 for score in row["scores"].values())]
    if args.strict and below_100:
        print(f"{len(below_100)} of {len(rows)} page runs scored below 100.", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
