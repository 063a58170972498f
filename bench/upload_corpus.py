"""Fill the running local site with a generated corpus, to compare two versions byte for byte.

A restructure must not change a byte of what the site publishes. The example
site alone has fifteen articles in three months; this adds ``--articles``
more (default 300) across the example categories, ``--months`` months, tags,
summaries, pictures, headings, lists, tables and links between articles,
all deterministic, uploads them to the running ``make run`` stack and waits
until every one is tagged ``published``. Then ``make digest`` prints the
SHA-256 of every object the site serves: run the same steps on two commits
and ``diff`` the two digests.

Two example articles have no date: they are dated by their upload, so their
pages (and the listings around them) differ from one ``make run`` to the
next. ``--without-undated-examples`` deletes them first, leaving a site that
is the same, byte for byte, on every run of the same code.

Run: ``.venv/bin/python bench/upload_corpus.py --without-undated-examples --articles 300 --months 18``
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from local.rebuild import RunningStack  # noqa: E402

CATEGORIES = (
    ("articles/tin-tuc/hoat-dong-khcn", "Tin tức/Hoạt động KHCN"),
    ("articles/tin-tuc/tin-vifotec", "Tin tức/Tin VIFOTEC"),
    ("articles/chuyen-giao-cong-nghe", "Chuyển giao công nghệ"),
    ("articles/so-huu-tri-tue", "Sở hữu trí tuệ"),
)
TAGS = ("đo lường", "chuyển đổi số", "nông nghiệp", "sáng chế", "OCOP", "hội thảo", "đề tài")
UNDATED_EXAMPLES = (
    "articles/tin-tuc/tin-vifotec/Hội nghị tổng kết.md",
    "articles/tin-tuc/tin-vifotec/huong-dan-ho-so-giai-thuong-vifotec-2024.md",
)
PICTURES = ("giai-thuong.jpg", "hoi-nghi.jpg", "may-say.jpg", "nam-linh-chi.jpg", "vuon-cam.jpg")


def article(n: int, months: int) -> tuple[str, bytes]:
    """Article ``n`` of the corpus: its source key and file, the same on every run."""
    prefix, category = CATEGORIES[n % len(CATEGORIES)]
    back = n % months
    year, month = 2024 - back // 12, 12 - back % 12
    day, hour, minute = 1 + n % 28, 7 + n % 11, n % 60
    tags = ", ".join(TAGS[(n + i) % len(TAGS)] for i in range(1 + n % 3))
    picture = f"\nimage: /media/{PICTURES[n % len(PICTURES)]}" if n % 2 == 0 else ""
    front = (
        f"category: {category}\n"
        f'title: "Bài {n}: hội nghị khoa học và công nghệ số {n % 17}"\n'
        f"date: {year}-{month:02d}-{day:02d}T{hour:02d}:{minute:02d}:00+07:00\n"
        f'summary: "Tóm tắt bài {n} về hoạt động khoa học, công nghệ và đổi mới sáng tạo."\n'
        f"author: Phóng viên {n % 5}\n"
        f"tags: [{tags}]{picture}\n"
    )
    earlier = CATEGORIES[(n - 1) % len(CATEGORIES)][0].removeprefix("articles")
    body = "\n\n".join(
        [
            f"Sáng ngày {day}/{month}/{year}, Sở Khoa học và Công nghệ tổ chức hội nghị số {n}.",
            "## Nội dung chính",
            "- đánh giá kết quả thực hiện nhiệm vụ;\n"
            "- **thảo luận** giải pháp *chuyển đổi số*;\n- kiến nghị.",
            "| Chỉ tiêu | Kết quả |\n|---|---|\n| Đề tài | 12 |\n| Sáng chế | 3 |",
            f"Xem thêm [bài trước]({earlier}/bai-{n - 1:04d}/) và trang [tin tức](/tin-tuc/).",
            "> Đổi mới sáng tạo là động lực phát triển.",
        ]
    )
    return f"{prefix}/bai-{n:04d}.md", f"---\n{front}---\n{body}\n".encode()


def main() -> int:
    cli = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    cli.add_argument("--articles", type=int, default=300)
    cli.add_argument("--months", type=int, default=18)
    cli.add_argument("--state-dir", type=Path, default=ROOT / ".local")
    cli.add_argument("--timeout", type=float, default=900.0)
    cli.add_argument("--without-undated-examples", action="store_true", help="delete them first")
    args = cli.parse_args()

    stack = RunningStack.find(args.state_dir.resolve())
    s3 = stack.client("s3")
    bucket = stack.outputs["SourceBucketName"]
    if args.without_undated_examples:
        for key in UNDATED_EXAMPLES:
            s3.delete_object(Bucket=bucket, Key=key)
            while "Contents" in s3.list_objects_v2(Bucket=bucket, Prefix=f"status/{key}.json"):
                time.sleep(0.2)
        time.sleep(30)  # the pages around them are re-rendered after the status file goes
        print(f"deleted {len(UNDATED_EXAMPLES)} undated examples")
    keys = []
    for n in range(1, args.articles + 1):
        key, body = article(n, args.months)
        s3.put_object(Bucket=bucket, Key=key, Body=body)
        keys.append(key)
    deadline = time.monotonic() + args.timeout
    pending = set(keys)
    while pending:
        if time.monotonic() > deadline:
            print(f"not published after {args.timeout:.0f} s: {sorted(pending)[:3]}", file=sys.stderr)
            return 1
        for key in sorted(pending):
            tags = {t["Key"]: t["Value"] for t in s3.get_object_tagging(Bucket=bucket, Key=key)["TagSet"]}
            if tags.get("publish-status") == "published":
                pending.discard(key)
            elif tags.get("publish-status") == "error":
                print(f"{key}: {tags.get('publish-error')}", file=sys.stderr)
                return 1
        time.sleep(0.5)
    print(f"{len(keys)} articles published")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
