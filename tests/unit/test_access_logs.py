"""CloudFront standard logs read as the CDN writes them, and hostile or broken ones read safely."""

from __future__ import annotations

import gzip
import io
import tracemalloc
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

from newsroom.domain.access_logs import LEGACY_FIELDS, LogReport, Request, read_log

from local.access_log import LOG_FIELDS

# The example log file of AWS's "Standard logging reference" (docs.aws.amazon.com), unchanged.
AWS_SAMPLE = (Path(__file__).resolve().parents[2] / "events" / "cloudfront-standard-log.txt").read_bytes()
HEADER, FIELDS_LINE, *SAMPLE_LINES = AWS_SAMPLE.splitlines(keepends=True)


def read(data: bytes, *, compressed: bool = True) -> tuple[list[Request], LogReport]:
    report = LogReport()
    body = gzip.compress(data) if compressed else data
    return list(read_log(io.BytesIO(body), report, compressed=compressed)), report


def test_the_aws_sample_file_reads_as_six_requests() -> None:
    requests, report = read(AWS_SAMPLE)
    assert (report.lines, report.requests, report.skipped_lines, report.truncated) == (6, 6, 0, False)
    first = requests[0]
    assert first == Request(
        at=datetime(2019, 12, 4, 21, 2, 31, tzinfo=UTC),
        client="192.0.2.100",
        method="GET",
        path="/index.html",
        status=200,
        user_agent="Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) "
        "Chrome/78.0.3904.108 Safari/537.36",
    )
    assert [r.status for r in requests] == [200, 200, 200, 502, 502, 502]
    assert requests[-1].user_agent == "curl/7.55.1"


def test_the_header_decides_the_order_of_the_fields() -> None:
    names = FIELDS_LINE.decode().split(":", 1)[1].split()
    order = [names.index(n) for n in ("cs-uri-stem", "c-ip", "date", "time", "cs-method", "sc-status")]
    rest = [i for i in range(len(names)) if i not in order]
    shuffled = [names[i] for i in order + rest]
    lines = [
        b"\t".join(line.rstrip(b"\n").split(b"\t")[i] for i in order + rest) + b"\n" for line in SAMPLE_LINES
    ]
    data = HEADER + b"#Fields: " + " ".join(shuffled).encode() + b"\n" + b"".join(lines)
    requests, report = read(data)
    assert report.requests == 6
    assert [(r.path, r.client) for r in requests[:1]] == [("/index.html", "192.0.2.100")]


def test_the_reader_the_local_cdn_and_aws_name_the_same_fields_in_the_same_order() -> None:
    """Two lists on purpose: the local CDN writes logs on its own, so it can catch the reader out."""
    documented = tuple(FIELDS_LINE.decode().split(":", 1)[1].split())
    assert LEGACY_FIELDS == LOG_FIELDS == documented


def test_a_file_without_a_header_is_read_in_the_documented_order() -> None:
    requests, report = read(b"".join(SAMPLE_LINES))
    assert report.no_header and len(requests) == report.requests == 6
    assert len(LEGACY_FIELDS) == 33


def test_garbage_and_broken_lines_are_skipped_and_counted_by_reason() -> None:
    good = SAMPLE_LINES[0]
    stray_tab = good.rstrip(b"\n") + b"\t\n"  # a stray tab at the end of the line: still read
    short = b"\t".join(good.split(b"\t")[:5]) + b"\n"
    extra = good.rstrip(b"\n") + b"\textra\tfields\n"
    bad_date = good.replace(b"2019-12-04", b"2019-13-45", 1)
    bad_status = good.replace(b"\t200\t", b"\tOK\t", 1)
    data = (
        HEADER
        + FIELDS_LINE
        + b"garbage \x00\xff line\n"
        + stray_tab
        + short
        + extra
        + bad_date
        + bad_status
        + b"\n"
    )
    requests, report = read(data)
    assert report.requests == 1 and len(requests) == 1
    assert report.skipped == {
        "too few fields": 2,  # the garbage line and the short one
        "more fields than the header names": 1,
        "no valid date, time or status": 2,
    }


def test_a_header_without_what_counting_needs_makes_every_line_skipped() -> None:
    data = HEADER + b"#Fields: date time x-edge-location\n" + b"2019-12-04\t21:02:31\tLAX1\n"
    requests, report = read(data)
    assert requests == []
    assert report.skipped == {
        "the #Fields header lacks c-ip, cs-method, cs-uri-stem, sc-status, cs(User-Agent)": 1
    }


def test_a_truncated_gzip_yields_what_it_held_and_says_so() -> None:
    whole = gzip.compress(AWS_SAMPLE * 200)
    report = LogReport()
    requests = list(read_log(io.BytesIO(whole[: len(whole) // 2]), report))
    assert report.truncated
    assert 0 < len(requests) < 1200
    garbage = LogReport()
    assert list(read_log(io.BytesIO(b"not gzip at all"), garbage)) == []
    assert garbage.truncated


def test_an_overlong_line_is_skipped_without_being_held() -> None:
    data = HEADER + FIELDS_LINE + b"x" * 300_000 + b"\n" + SAMPLE_LINES[0]
    requests, report = read(data)
    assert report.skipped == {"line too long": 1}
    assert len(requests) == 1


def test_a_large_log_streams_in_bounded_memory() -> None:
    """About 4 MB of log lines read through gzip: memory stays near one line, not the whole file."""
    lines = 12_000

    def chunks() -> Iterator[bytes]:
        yield HEADER + FIELDS_LINE
        block = b"".join(SAMPLE_LINES) * 500
        for _ in range(lines // (6 * 500)):
            yield block

    compressed = io.BytesIO()
    with gzip.GzipFile(fileobj=compressed, mode="wb", compresslevel=1) as out:
        for chunk in chunks():
            out.write(chunk)
    compressed.seek(0)
    report = LogReport()
    tracemalloc.start()
    try:
        count = sum(1 for _ in read_log(compressed, report))
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert count == report.requests == lines
    assert peak < 1_000_000, f"peak {peak} bytes"
