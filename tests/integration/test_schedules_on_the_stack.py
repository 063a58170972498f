"""Scheduled, expiring and draft articles on the local stack: the real functions, queues, scheduler and CDN.

moto stores schedules but never fires them; the stack's scheduler pump does,
the way EventBridge Scheduler does, on a clock the test advances. The fired
message goes to PublishQueue and through the unchanged publish handler.
"""

from __future__ import annotations

import json
import urllib.request
from datetime import UTC, datetime, timedelta

from newsroom.domain.schedule import schedule_name

from local.scheduler_pump import Fired
from local.stack import LocalStack
from tests.support.site import article_md, fetch, local_site, tags

SCHEDULED = "articles/tin-tuc/hoi-cho-cong-nghe.md"
EXPIRING = "articles/tin-tuc/thong-bao-tuyen-dung.md"
DRAFT = "articles/tin-tuc/ban-nhap.md"


def schedules(stack: LocalStack, group: str) -> dict[str, str]:
    client = stack.client("scheduler")
    names = [s["Name"] for s in client.list_schedules(GroupName=group)["Schedules"]]
    return {name: client.get_schedule(Name=name, GroupName=group)["ScheduleExpression"] for name in names}


def articles_fired(stack: LocalStack, now: datetime) -> list[Fired]:
    """What the pump fires by ``now`` in the articles' group (the daily tick may fire beside them)."""
    group = stack.environment_variables()["SCHEDULE_GROUP_NAME"]
    return [f for f in stack.scheduler.fire_due(now=now) if f.group == group]


def headers(url: str) -> dict[str, str]:
    with urllib.request.urlopen(url, timeout=10) as response:
        return dict(response.headers)


def test_a_scheduled_article_goes_live_and_an_expiring_one_comes_down_at_their_times() -> None:
    now = datetime.now(UTC).replace(microsecond=0)
    live_at, down_at = now + timedelta(hours=3), now + timedelta(hours=5)
    with local_site() as stack:
        group = stack.environment_variables()["SCHEDULE_GROUP_NAME"]
        stack.scheduler.fire_due(now=now)  # the pump's first look: nothing is due
        stack.upload(
            SCHEDULED, article_md("Hội chợ công nghệ", now.isoformat(), publish_at=live_at.isoformat())
        )
        stack.upload(
            EXPIRING, article_md("Thông báo tuyển dụng", now.isoformat(), unpublish_at=down_at.isoformat())
        )
        stack.process_queue()
        assert tags(stack, SCHEDULED)["publish-status"] == "scheduled"
        assert tags(stack, EXPIRING)["publish-status"] == "published"
        assert fetch(stack.site_url + "/tin-tuc/hoi-cho-cong-nghe.html")[0] == 404
        assert fetch(stack.site_url + "/tin-tuc/thong-bao-tuyen-dung.html")[0] == 200
        assert "Hội chợ công nghệ" not in fetch(stack.site_url + "/")[1]
        assert schedules(stack, group) == {
            schedule_name(SCHEDULED, "publish"): f"at({live_at.strftime('%Y-%m-%dT%H:%M:%S')})",
            schedule_name(EXPIRING, "unpublish"): f"at({down_at.strftime('%Y-%m-%dT%H:%M:%S')})",
        }

        assert articles_fired(stack, live_at - timedelta(seconds=1)) == []
        fired = articles_fired(stack, live_at)
        assert [f.name for f in fired] == [schedule_name(SCHEDULED, "publish")]
        assert json.loads(fired[0].body)["key"] == SCHEDULED
        stack.process_queue()
        assert tags(stack, SCHEDULED)["publish-status"] == "published"
        assert fetch(stack.site_url + "/tin-tuc/hoi-cho-cong-nghe.html")[0] == 200
        assert "Hội chợ công nghệ" in fetch(stack.site_url + "/")[1]
        assert schedule_name(SCHEDULED, "publish") not in schedules(stack, group)  # deleted once fired

        stack.scheduler.fire_due(now=down_at)
        stack.process_queue()
        assert tags(stack, EXPIRING)["publish-status"] == "expired"
        assert fetch(stack.site_url + "/tin-tuc/thong-bao-tuyen-dung.html")[0] == 404
        assert "Thông báo tuyển dụng" not in fetch(stack.site_url + "/")[1]
        assert schedules(stack, group) == {}


def test_an_edited_time_moves_the_schedule_and_a_deleted_file_cancels_it() -> None:
    now = datetime.now(UTC).replace(microsecond=0)
    with local_site() as stack:
        group = stack.environment_variables()["SCHEDULE_GROUP_NAME"]
        stack.upload(
            SCHEDULED,
            article_md("Hội chợ", now.isoformat(), publish_at=(now + timedelta(hours=1)).isoformat()),
        )
        stack.process_queue()
        later = now + timedelta(hours=4)
        stack.upload(SCHEDULED, article_md("Hội chợ", now.isoformat(), publish_at=later.isoformat()))
        stack.process_queue()
        assert schedules(stack, group) == {
            schedule_name(SCHEDULED, "publish"): f"at({later.strftime('%Y-%m-%dT%H:%M:%S')})"
        }
        stack.client("s3").delete_object(Bucket=stack.source_bucket, Key=SCHEDULED)
        stack.process_queue()
        assert schedules(stack, group) == {}
        stack.scheduler.fire_due(now=later)
        stack.process_queue()
        assert fetch(stack.site_url + "/tin-tuc/hoi-cho.html")[0] == 404


def test_a_drafts_preview_is_reachable_only_by_its_url_and_never_cached_or_indexed() -> None:
    with local_site() as stack:
        stack.upload(DRAFT, article_md("Bản nháp hội thảo", "2026-11-30T08:00:00+07:00", status="draft"))
        stack.process_queue()
        preview = tags(stack, DRAFT)["publish-url"]
        assert preview.startswith("/preview/") and len(preview) > len("/preview/") + 30
        status, page = fetch(stack.site_url + preview)
        assert status == 200 and "Bản nháp hội thảo" in page and "Bản xem trước" in page
        assert '<meta name="robots" content="noindex, nofollow, noarchive">' in page
        assert '<meta name="referrer" content="no-referrer">' in page
        answer = headers(
            stack.site_url + preview
        )  # the /preview/* behavior: CachingDisabled, its own headers
        assert answer["Cache-Control"] == "private, no-store" and answer["X-Cache"] == "Miss from localcdn"
        assert (answer["Referrer-Policy"], answer["X-Robots-Tag"]) == (
            "no-referrer",
            "noindex, nofollow, noarchive",
        )
        assert fetch(stack.site_url + "/tin-tuc/ban-nhap.html")[0] == 404
        for listing in ("/", "/tin-tuc/", "/rss.xml", "/sitemap-news.xml"):
            assert (
                "ban-nhap" not in fetch(stack.site_url + listing)[1]
                and preview not in fetch(stack.site_url + listing)[1]
            )
        assert fetch(stack.site_url + "/preview/" + "x" * 32 + ".html")[0] == 404  # guessing finds nothing

        stack.upload("site/site.yaml", "name: Cổng tin đổi tên\n")  # every page re-rendered, the preview too
        stack.process_queue()
        assert "Cổng tin đổi tên" in fetch(stack.site_url + preview)[1]

        stack.upload(DRAFT, article_md("Bản nháp hội thảo", "2026-11-30T08:00:00+07:00"))
        stack.process_queue()
        assert fetch(stack.site_url + preview)[0] == 404  # publishing revoked it
        assert fetch(stack.site_url + "/tin-tuc/ban-nhap.html")[0] == 200
