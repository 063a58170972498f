"""What one publish costs the project's own code, from 100 to 100,000 articles, with no moto in the loop.

Why: ``bench/publish_cost.py`` measures on moto, whose own cost grows with the
table and swamps ours. Here every storage port is an in-memory fake from
``tests/support`` behind a counting proxy, and the real ``Publisher`` publishes
one new, newest article into ``tin-tuc/tin-vifotec`` (ingest, render, tell:
what ``handle_batch`` does for one S3 event), then unpublishes it (its source
deleted, the same steps), so every repetition meets the same site. The claim
under test: every column is flat, whatever the size of the site.

The site: N articles, 20 a day over N/20 days, in 8 categories, some nested
(``examples/site/categories.yaml`` and three more), pictures known; and the busy
month: at 10,000 articles (or the largest size) the new article's month holds
5,000 of ``tin-tuc/tin-vifotec``. Seeding parses one example article per
category and clones its record straight into the fake table; two warm-up
publishes and unpublishes then write the pages a publish touches through the
real path, so "written only when the bytes change" holds as in production.

Reading it (one row per case and operation): ``cpu ms`` is process CPU (median
of ``--repeat``), fakes included; ``own ms`` is that minus the time inside the
fakes: the project's code (no adapter's CPU is in either). ``written``,
``bytes``, ``removed``: site objects; ``tbl-calls``/``tbl-items``: table reads
and the items they returned, but for ``bounded``: the items of the two reads
that grow with a young site or a busy day up to a constant and stop there (the
newest 13 months of each listing, the News sitemap's newest 100);
``tbl-writes``: table writes (a transaction is one); ``site-reads``: HEADs of
site objects; ``paths``: invalidation paths; ``search``: search-index items
written or deleted; ``source``: source-bucket calls. ``flat`` gives max/min per
column (counts must be equal, CPU and bytes within 1.5×, ``bounded`` at most
its bound); ``differ`` names the port calls whose counts or items differ by case.

Run: ``make bench``, or ``.venv/bin/python bench/publish_inmemory.py --sizes 100 1000
--repeat 5``; ``--profile 10000`` prints a cProfile of the publish at that size instead.
"""

from __future__ import annotations

import cProfile
import gc
import json
import os
import platform
import pstats
import sys
import time
from argparse import ArgumentParser, RawDescriptionHelpFormatter
from collections import Counter, defaultdict
from contextlib import nullcontext
from dataclasses import dataclass, field, fields, replace
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any, cast
from zoneinfo import ZoneInfo

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT / "layers" / "newsroom"), str(ROOT)]

from newsroom.configuration.settings import Settings  # noqa: E402
from newsroom.domain.article import Article, parse_article  # noqa: E402
from newsroom.domain.pictures import PictureInfo, pictures_in  # noqa: E402
from newsroom.domain.records import DELETED, PUBLISHED, IndexedArticle, StoredConfig  # noqa: E402
from newsroom.domain.source_keys import classify  # noqa: E402
from newsroom.domain.transitions import uploaded  # noqa: E402
from newsroom.usecases.fanout import Fanout  # noqa: E402
from newsroom.usecases.ports import ContentIndex  # noqa: E402
from newsroom.usecases.publish import Publisher  # noqa: E402
from newsroom.usecases.site_render import MONTH_LINKS, NEWS_LIMIT, ContextLoader  # noqa: E402

from tests.support import fakes  # noqa: E402
from tests.support.environment import SETTINGS_ENVIRONMENT  # noqa: E402
from tests.support.fake_table import FakeArticles, TableState, fake_content_index  # noqa: E402

NOW = datetime(2025, 6, 20, 3, 0, tzinfo=UTC)
"""10:00 in Hà Nội on the 20th: the clock every publish is judged at."""
PER_DAY = 20
MEASURED = ("tin-tuc", "tin-vifotec")
NEW_KEY = "articles/tin-tuc/tin-vifotec/bai-moi-nhat.md"
EXAMPLES = ROOT / "examples" / "articles"
CATEGORIES: list[tuple[tuple[str, ...], int, str]] = [
    # category, its articles of the 20 a day, the example article its clones are made of
    (MEASURED, 5, "tin-tuc/tin-vifotec/ky-su-tre-doat-giai-vifotec.md"),
    (("tin-tuc", "hoat-dong-khcn"), 4, "tin-tuc/hoat-dong-khcn/nghiem-thu-de-tai-cay-cam-dau-dong.md"),
    (("tin-tuc",), 1, "tin-tuc/hoat-dong-khcn/kiem-tra-do-luong-xang-dau.md"),
    (("chuyen-giao-cong-nghe",), 3, "chuyen-giao-cong-nghe/nuoi-trong-nam-linh-chi.md"),
    (("so-huu-tri-tue",), 2, "so-huu-tri-tue/nhan-hieu-tap-the-nep-cam-ban-khuong.md"),
    (("thong-bao",), 3, "chuyen-giao-cong-nghe/tuoi-nho-giot-cho-vuon-cam-doi.md"),
    (("van-ban", "quyet-dinh"), 2, "so-huu-tri-tue/hoi-dap-dang-ky-nhan-hieu-san-pham-ocop.md"),
]
SLOTS = [category for category, share, _ in CATEGORIES for _ in range(share)]
MORE_CATEGORIES = """
- {slug: thong-bao, name: Thông báo}
- {slug: van-ban, name: Văn bản, children: [{slug: quyet-dinh, name: Quyết định}]}
"""
WRITES = set("apply put record clear use delete start finish_chunk mark_dispatched mark_invalidated".split())  # noqa: SIM905
"""The names of the table's methods that write (a transaction is one write)."""
COUNTS = "written bytes removed tbl-calls tbl-items bounded tbl-writes site-reads paths search source".split()  # noqa: SIM905
CPU_TOLERANCE = 1.5
"""CPU and bytes are flat within this ratio (the bytes: titles and summaries differ in length)."""
LISTINGS = 3
"""Home and the two categories above the new article: each links its newest months."""
BOUNDED = {
    # Reads whose items grow with a young site or a busy day up to a constant, then stop.
    "table.counts.recent_months": MONTH_LINKS + 1,  # per listing: its newest months, and one to know of more
    "table.listings.since": NEWS_LIMIT,  # the News sitemap: the newest of the last two days
}
BOUND = LISTINGS * BOUNDED["table.counts.recent_months"] + BOUNDED["table.listings.since"]


@dataclass
class Meter:
    """What the fakes were asked, what they answered, and the CPU spent inside them."""

    calls: Counter[str] = field(default_factory=Counter)
    items: Counter[str] = field(default_factory=Counter)
    seconds: float = 0.0
    bytes: int = 0
    paths: int = 0
    search: int = 0

    def reset(self) -> None:
        self.calls.clear()
        self.items.clear()
        self.seconds, self.bytes, self.paths, self.search = 0.0, 0, 0, 0

    def note(self, name: str, args: tuple[Any, ...], result: Any) -> None:
        self.calls[name] += 1
        sized = isinstance(result, list | dict | set | tuple)
        self.items[name] += len(result) if sized else 0 if result is None else 1
        if name == "site.put":
            self.bytes += len(args[0].body)
        elif name == "invalidator.invalidate":
            self.paths += len(args[1])
        elif name == "search.sync":
            self.search += int(result)

    def figures(self) -> dict[str, int]:
        """The counted columns (``COUNTS``)."""
        c = self.calls
        table = [name for name in c if name.startswith("table.")]
        writes = [name for name in table if name.rsplit(".", 1)[1] in WRITES]
        reads = [name for name in table if name not in writes]
        bounded = [name for name in reads if name in BOUNDED]
        return {
            "written": c["site.put"],
            "bytes": self.bytes,
            "removed": c["site.remove"],
            "tbl-calls": sum(c[name] for name in reads),
            "tbl-items": sum(self.items[name] for name in reads if name not in bounded),
            "bounded": sum(self.items[name] for name in bounded),
            "tbl-writes": sum(c[name] for name in writes),
            "site-reads": c["site.head"] + c["site.differs"] + c["site.read"],
            "paths": self.paths,
            "search": self.search,
            "source": sum(n for name, n in c.items() if name.startswith("source.")),
        }


class Counted:
    """A port that counts its calls on a ``Meter``, and times them as the fakes' CPU."""

    def __init__(self, target: object, name: str, meter: Meter) -> None:
        self._target, self._name, self._meter = target, name, meter

    def __getattr__(self, attribute: str) -> Any:
        value = getattr(self._target, attribute)
        if not callable(value):
            return value
        name, meter = f"{self._name}.{attribute}", self._meter

        def call(*args: Any, **kwargs: Any) -> Any:
            started = time.process_time()
            try:
                result = value(*args, **kwargs)
            finally:
                meter.seconds += time.process_time() - started
            meter.note(name, args, result)
            return result

        return call


@dataclass
class Site:
    """One seeded deployment on counted fakes."""

    publisher: Publisher
    source: fakes.FakeSourceBucket
    state: TableState
    meter: Meter
    new_article: bytes
    seeded: float = 0.0


@dataclass
class Sample:
    """One measured publish or unpublish."""

    cpu: float
    fakes: float
    figures: dict[str, int]
    calls: dict[str, tuple[int, int]]


def wired(settings: Settings, meter: Meter) -> tuple[Publisher, fakes.FakeSourceBucket, TableState]:
    """The publisher as ``tests/support/fake_site.py`` builds it, every port behind a ``Counted``."""
    raw, state = fake_content_index(settings.timezone)
    index = ContentIndex(
        **{f.name: Counted(getattr(raw, f.name), f"table.{f.name}", meter) for f in fields(raw)}
    )
    source = fakes.FakeSourceBucket(settings.source_bucket)
    ports = {
        name: cast(Any, Counted(fake, name, meter))
        for name, fake in [
            ("source", source),
            ("site", fakes.FakeSiteBucket(source)),
            ("invalidator", fakes.FakeInvalidations()),
            ("search", fakes.FakeSearchTerms()),
            ("redirects", fakes.FakeRedirects()),
            ("schedules", fakes.FakeSchedules()),
        ]
    }
    context = ContextLoader(index, settings)
    queue = fakes.FakeWorkQueue()
    fanout = Fanout(index, ports["site"], ports["source"], ports["invalidator"], queue, context)
    return Publisher(settings, index, fanout=fanout, context=context, **ports), source, state


def example(path: str, when: datetime | None = None) -> bytes:
    """An example article without its ``category:`` line (its folder decides), dated ``when``."""
    lines = (EXAMPLES / path).read_text(encoding="utf-8").splitlines(keepends=True)
    kept = [line for line in lines if not line.startswith("category:")]
    if when is not None:
        kept = [f"date: {when.isoformat()}\n" if line.startswith("date:") else line for line in kept]
    return "".join(kept).encode()


def templates(settings: Settings) -> dict[tuple[str, ...], Article]:
    """One parsed article per category: what its seeded articles are cloned from."""
    found = {}
    for category, _, path in CATEGORIES:
        key = classify(f"articles/{'/'.join(category)}/mau.md")
        found[category] = parse_article(
            key, example(path), first_seen=NOW, timezone=settings.timezone, image_hosts=settings.image_hosts
        )
        assert found[category].category == category, found[category].category
    return found


def clone(template: Article, n: int, when: datetime, stem: str) -> IndexedArticle:
    """The record a first publish of another article like ``template`` stores (fixed-width names)."""
    slug, title = f"{stem}-{n:06d}", f"{template.title[:70]} ({n:06d})"
    key = f"articles/{'/'.join(template.category)}/{slug}.md"
    article = replace(template, source_key=key, slug=slug, title=title, published_at=when)
    return uploaded(None, article.source_key, article, when.astimezone(UTC).isoformat(), now=NOW)


def seed(size: int, busy: int) -> Site:
    """A site of ``size`` articles (``busy`` of them in the measured category's current month)."""
    started = time.perf_counter()
    settings = Settings.from_environment(SETTINGS_ENVIRONMENT)
    meter = Meter()
    publisher, source, state = wired(settings, meter)
    zone = ZoneInfo(settings.timezone)
    made = templates(settings)
    categories = (ROOT / "examples" / "site" / "categories.yaml").read_text(encoding="utf-8")
    state.config = StoredConfig(1, None, (categories + MORE_CATEGORIES).encode())
    for key in {key for t in made.values() for key in pictures_in(t.body_html)}:
        state.pictures[key] = PictureInfo(key, "0123456789abcdef", 1600, 1067, "jpg", (480, 960, 1600))
    articles = FakeArticles(state, settings.timezone)
    end, step = NOW - timedelta(hours=2), timedelta(days=1) / PER_DAY
    normal = size - busy
    for n in range(normal):
        when = (end - (normal - 1 - n) * step).astimezone(zone)
        articles.apply(None, clone(made[SLOTS[n * 7 % len(SLOTS)]], n, when, "bai"))
    if busy:
        local = NOW.astimezone(zone)
        start = local.replace(day=1, hour=0, minute=0, second=0)
        extra = busy - state.month_counts.get(MEASURED, {}).get(local.strftime("%Y-%m"), 0)
        for n in range(extra):
            articles.apply(None, clone(made[MEASURED], n, start + (end - start) * (n + 0.5) / extra, "dot"))
    new_article = example(CATEGORIES[0][2], (NOW - timedelta(hours=1)).astimezone(zone))
    return Site(publisher, source, state, meter, new_article, seeded=time.perf_counter() - started)


def once(site: Site, publish: bool, profiler: cProfile.Profile | None = None) -> Sample:
    """Publish the new article (or unpublish it): ingest, render, tell, as ``handle_batch`` does."""
    if publish:
        site.source.upload(NEW_KEY, site.new_article)
    else:
        site.source.delete(NEW_KEY)
    meter = site.meter
    meter.reset()
    started = time.process_time()
    with profiler or nullcontext():
        ingested = [site.publisher.ingest(NEW_KEY, now=NOW)]
        site.publisher.render(ingested)
        site.publisher.tell(ingested)
    cpu = time.process_time() - started
    record = ingested[0].record
    assert record is not None, "the new article has no record"
    assert record.state == (PUBLISHED if publish else DELETED), record
    calls = {name: (n, meter.items[name]) for name, n in meter.calls.items()}
    return Sample(cpu, meter.seconds, meter.figures(), calls)


def built(size: int, busy: int) -> Site:
    """A seeded site whose pages a publish touches exist, written by the real path."""
    gc.unfreeze()
    gc.collect()
    site = seed(size, busy)
    started = time.perf_counter()
    for _ in range(2):  # the first pair writes the pages; the second warms caches (templates, locale)
        once(site, publish=True)
        once(site, publish=False)
    warmed, label = time.perf_counter() - started, f"{size:,}{' busy' if busy else ''}"
    print(f"{label}: seeded in {site.seeded:.1f} s, warmed up in {warmed:.1f} s", flush=True)
    gc.collect()
    gc.freeze()  # the fakes' records are the table's, not garbage a publish would make its GC trace
    return site


@dataclass
class Result:
    """The repetitions of one case."""

    case: str
    articles: int
    seeded: float
    runs: dict[str, list[Sample]]

    def median(self, op: str) -> Sample:
        return sorted(self.runs[op], key=lambda s: s.cpu)[len(self.runs[op]) // 2]

    def steady(self, op: str) -> bool:
        """Every repetition counted the same."""
        return all(s.figures == self.runs[op][0].figures for s in self.runs[op])


def measure(case: str, size: int, busy: int, repeat: int) -> Result:
    site = built(size, busy)
    result = Result(case, site.state.articles_count, site.seeded, {"publish": [], "unpublish": []})
    for _ in range(repeat):
        result.runs["publish"].append(once(site, publish=True))
        result.runs["unpublish"].append(once(site, publish=False))
    return result


def machine() -> str:
    info = Path("/proc/cpuinfo")
    lines = info.read_text().splitlines() if info.exists() else []
    model = next((line.split(":", 1)[1].strip() for line in lines if line.startswith("model name")), None)
    usable = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    cpu = f"{model or platform.processor() or platform.machine()}, {os.cpu_count()} cores ({usable} usable)"
    return (
        f"machine: {cpu}; Python {platform.python_version()}; {datetime.now().astimezone():%Y-%m-%d %H:%M %z}"
    )


def table(results: list[Result], repeat: int) -> None:
    head = ["case", "articles", "seed s", "op", "cpu ms", "own ms", *COUNTS]
    rows = [head]
    for r in results:
        for op in r.runs:
            s, mark = r.median(op), "" if r.steady(op) else "*"
            cpu = [f"{s.cpu * 1e3:.1f}", f"{(s.cpu - s.fakes) * 1e3:.1f}"]
            counts = [f"{s.figures[c]:,}" for c in COUNTS]
            rows.append([r.case, f"{r.articles:,}", f"{r.seeded:.1f}", op + mark, *cpu, *counts])
    widths = [max(len(x) for x in column) for column in zip(*rows, strict=True)]
    for row in rows:
        print("  ".join(f"{x:>{w}}" for x, w in zip(row, widths, strict=True)))
    print(f"median of {repeat} after a warm-up; * counts varied between repetitions")


def flatness(results: list[Result], op: str, label: str) -> None:
    samples = [r.median(op) for r in results]
    columns = {"cpu ms": [s.cpu * 1e3 for s in samples], "own ms": [(s.cpu - s.fakes) * 1e3 for s in samples]}
    columns |= {c: [float(s.figures[c]) for s in samples] for c in COUNTS}
    flat, uneven = [], []
    for name, values in columns.items():
        low, high = min(values), max(values)
        ratio = high / low if low else (1.0 if high == low else float("inf"))
        if name.endswith("ms") or name == "bytes":
            ok = ratio <= CPU_TOLERANCE
        elif name == "bounded":
            ok, ratio = high <= BOUND, high / BOUND
        else:
            ok = high == low
        text = f"{name} {ratio:.2f}×" + ("" if ok else f" ({low:,.1f}..{high:,.1f})")
        (flat if ok else uneven).append(text)
    print(f"{op}, {label}: flat: {', '.join(flat) or '-'}")
    print(f"{' ' * len(op + label)}  NOT flat: {', '.join(uneven) or '-'}")


def differ(results: list[Result], op: str) -> None:
    """The port calls whose (calls, items) differ between cases, per case."""
    per_case = [r.median(op).calls for r in results]
    print(f"{op}: calls/items of the port methods that differ ({' | '.join(r.case for r in results)})")
    for name in sorted({name for calls in per_case for name in calls}):
        seen = [calls.get(name, (0, 0)) for calls in per_case]
        if len(set(seen)) > 1:
            print(f"  {name:32} " + " | ".join(f"{c}/{i:,}" for c, i in seen))


def where(file: str, line: int, function: str) -> tuple[str, str]:
    """``(module, label)`` of a profiled function: ours, a fake's, a library's or Python's."""
    if file == "~":
        return "builtins", function
    for marker, kind in (("layers/newsroom/", ""), ("tests/support/", "fake:"), ("site-packages/", "lib:")):
        if marker in file:
            relative = file.split(marker, 1)[1]
            module = relative.split("/", 1)[0] if kind == "lib:" else relative
            return kind + module, f"{kind}{relative}:{line}({function})"
    return f"py:{Path(file).name}", f"py:{Path(file).name}:{line}({function})"


def profile(size: int, repeat: int) -> None:
    site = built(size, 0)
    print(f"profile: {repeat} publishes into {site.state.articles_count:,} articles")
    profiler = cProfile.Profile()
    for _ in range(repeat):
        once(site, publish=True, profiler=profiler)
        once(site, publish=False)
    stats: dict[tuple[str, int, str], tuple[Any, ...]] = getattr(pstats.Stats(profiler), "stats")  # noqa: B009
    rows = [(where(*key), calls, own, total) for key, (_, calls, own, total, _) in stats.items()]
    per = 1e3 / repeat
    for title, column in (("cumulative", 3), ("total (own) time", 2)):
        print(f"\ntop 25 by {title}; per publish: calls, tottime ms, cumtime ms, function")
        for (_, label), calls, own, total in sorted(rows, key=lambda r: r[column], reverse=True)[:25]:
            print(f"  {calls / repeat:9.1f} {own * per:8.2f} {total * per:8.2f}  {label}")
    modules: dict[str, float] = defaultdict(float)
    for (module, _), _, own, _ in rows:
        modules[module] += own
    print("\nown time by module, ms per publish (newsroom/…: ours; fake:…: tests/support; lib:…: libraries)")
    for module, own in sorted(modules.items(), key=lambda m: m[1], reverse=True)[:20]:
        print(f"  {own * per:8.2f}  {module}")


def main() -> None:
    parser = ArgumentParser(description=__doc__, formatter_class=RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", type=int, nargs="+", default=[100, 1000, 10_000, 100_000])
    parser.add_argument("--busy-month", type=int, default=5000, help="articles of the busy month (0: none)")
    parser.add_argument("--repeat", type=int, default=5, help="publishes measured per case (median kept)")
    parser.add_argument("--profile", type=int, metavar="N", help="profile the publish at size N instead")
    parser.add_argument("--json", type=Path, help="also write the medians there (bench/peers.py)")
    args = parser.parse_args()
    print(machine(), flush=True)
    if args.profile:
        profile(args.profile, args.repeat)
        return
    cases = [(f"{size:,}", size, 0) for size in args.sizes]
    if args.busy_month:
        size = 10_000 if 10_000 in args.sizes else max(args.sizes)
        cases.append((f"{size:,} busy", size, args.busy_month))
    results = [measure(case, size, busy, args.repeat) for case, size, busy in cases]
    print()
    table(results, args.repeat)
    print(
        f"\nflat: max/min per column; counts must be equal, CPU and bytes within {CPU_TOLERANCE}×; "
        f"bounded (months linked, News sitemap) at most {BOUND} (the ratio shown is max/bound)"
    )
    normal = [r for r in results if not r.case.endswith("busy")]
    for op in ("publish", "unpublish"):
        flatness(normal, op, "sizes")
        if len(normal) < len(results):
            flatness(results, op, "with the busy month")
    for op in ("publish", "unpublish"):
        differ(results, op)
    if args.json:
        write_json(args.json, results)


def write_json(path: Path, results: list[Result]) -> None:
    """The median own CPU and counts of every case, for another script to compare with."""
    rows = [
        {
            "case": r.case,
            "articles": r.articles,
            "op": op,
            "cpu_ms": r.median(op).cpu * 1e3,
            "own_ms": (r.median(op).cpu - r.median(op).fakes) * 1e3,
            **r.median(op).figures,
        }
        for r in results
        for op in r.runs
    ]
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps({"machine": machine(), "cases": rows}, indent=2) + "\n")


if __name__ == "__main__":
    main()
