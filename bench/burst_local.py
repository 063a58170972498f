"""2,000 uploads at once on the running local stack: how long until every page is live, what it invalidated.

An editor's sync of a folder, or a migration from Joomla, drops thousands of
files on SourceBucket in a minute. This uploads ``--articles`` generated
articles (``bench/upload_corpus.py``'s corpus, on 8 threads, as fast as moto
takes them), then waits until every page answers 200 through the local CDN
and prints: the time from the first upload to the last page live, the
CloudFront invalidation requests made meanwhile and their paths (in total
and per request: one per publish batch), and then, with ``--check-rebuild``,
whether ``make rebuild`` leaves the site's digest unchanged: no page lost,
none stale.

Run against ``make run`` (in another terminal):
``.venv/bin/python bench/burst_local.py --articles 2000 --check-rebuild``
"""

from __future__ import annotations

import argparse
import hashlib
import statistics
import sys
import time
import urllib.error
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from upload_corpus import article  # noqa: E402

from local.rebuild import RunningStack, digest, rebuild  # noqa: E402


def invalidations(stack: RunningStack) -> dict[str, list[str]]:
    """Every invalidation of the distribution so far, by id, with its paths."""
    cloudfront = stack.client("cloudfront")
    distribution = stack.outputs["DistributionId"]
    found: dict[str, list[str]] = {}
    for page in cloudfront.get_paginator("list_invalidations").paginate(DistributionId=distribution):
        for item in page["InvalidationList"].get("Items", []):
            detail = cloudfront.get_invalidation(DistributionId=distribution, Id=item["Id"])
            found[item["Id"]] = detail["Invalidation"]["InvalidationBatch"]["Paths"].get("Items", [])
    return found


def live(url: str) -> bool:
    """The page answers 200 through the CDN."""
    try:
        with urllib.request.urlopen(url, timeout=10) as response:
            return bool(response.status == 200)
    except urllib.error.HTTPError:
        return False


def main() -> int:
    cli = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    cli.add_argument("--articles", type=int, default=2000)
    cli.add_argument("--months", type=int, default=24)
    cli.add_argument("--state-dir", type=Path, default=ROOT / ".local")
    cli.add_argument("--timeout", type=float, default=3600.0)
    cli.add_argument("--check-rebuild", action="store_true", help="then make rebuild and compare digests")
    args = cli.parse_args()

    stack = RunningStack.find(args.state_dir.resolve())
    s3 = stack.client("s3")
    bucket = stack.outputs["SourceBucketName"]
    site = stack.outputs.get("SiteUrl") or "http://127.0.0.1:3000"
    before = set(invalidations(stack))
    files = [article(n, args.months) for n in range(10_001, 10_001 + args.articles)]
    started = time.monotonic()
    with ThreadPoolExecutor(max_workers=8) as pool:
        list(pool.map(lambda item: s3.put_object(Bucket=bucket, Key=item[0], Body=item[1]), files))
    uploaded = time.monotonic() - started
    print(f"{len(files)} uploads in {uploaded:.1f} s", flush=True)

    # Polling 2,000 objects' tags would load the very moto the functions run on: watch the queues
    # until they are empty (publish, render, pictures, PDF), then check every page once.
    sqs = stack.client("sqs")
    queues = [stack.outputs[name] for name in ("PublishQueueUrl", "RenderQueueUrl")]
    deadline = started + args.timeout
    quiet = 0
    while quiet < 3 and time.monotonic() < deadline:
        waiting = 0
        for url in queues:
            attributes = sqs.get_queue_attributes(
                QueueUrl=url,
                AttributeNames=["ApproximateNumberOfMessages", "ApproximateNumberOfMessagesNotVisible"],
            )["Attributes"]
            waiting += sum(int(value) for value in attributes.values())
        quiet = quiet + 1 if waiting == 0 else 0
        print(f"  {time.monotonic() - started:7.1f} s: {waiting} message(s) in the queues", flush=True)
        time.sleep(5 if waiting else 2)
    drained = time.monotonic() - started
    missing = []
    for key, _ in files:
        tags = {t["Key"]: t["Value"] for t in s3.get_object_tagging(Bucket=bucket, Key=key)["TagSet"]}
        if tags.get("publish-status") != "published" or not live(site + tags["publish-url"]):
            missing.append(f"{key}: {tags}")
    if missing:
        print(f"{len(missing)} of {len(files)} not live:", *missing[:5], sep="\n", file=sys.stderr)
        return 1
    elapsed = drained
    made = {i: paths for i, paths in invalidations(stack).items() if i not in before}
    sizes = [len(paths) for paths in made.values()]
    print(
        f"queues empty {elapsed:.1f} s after the first upload ({len(files) / elapsed:.1f} articles/s), "
        "then every page checked live"
    )
    print(
        f"invalidation requests: {len(made)}, paths: {sum(sizes)} in all, per request median "
        f"{statistics.median(sizes) if sizes else 0}, max {max(sizes, default=0)}; "
        f"wildcards: {sum(p.endswith('*') for paths in made.values() for p in paths)}"
    )
    if args.check_rebuild:
        first = digest(stack)
        result = rebuild(stack)
        second = digest(stack)
        same = first == second
        print(
            f"make rebuild: {result.chunks} chunks, {result.written} objects rewritten, "
            f"{result.seconds:.1f} s; "
            f"digest of {len(second)} objects {'identical' if same else 'DIFFERENT'} "
            f"(sha256 of the digest {hashlib.sha256(chr(10).join(second).encode()).hexdigest()[:16]})"
        )
        if not same:
            changed = sorted(set(first) ^ set(second))
            print("\n".join(changed[:20]), file=sys.stderr)
            return 1
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
