"""Wiring: build the use cases once per container from settings and clients.

Clients are created here, once, and can be injected by tests. boto3 reads
``AWS_ENDPOINT_URL`` itself, which is how the same code talks to moto locally.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import boto3
from botocore.config import Config

from newsroom.adapters.content_table.articles import Articles
from newsroom.adapters.content_table.config_item import ConfigItem
from newsroom.adapters.content_table.counts import Counts
from newsroom.adapters.content_table.failures import Failures
from newsroom.adapters.content_table.jobs import Jobs
from newsroom.adapters.content_table.listings import Listings
from newsroom.adapters.content_table.pending_invalidations import PendingInvalidations
from newsroom.adapters.content_table.pictures import Pictures
from newsroom.adapters.content_table.table import Table
from newsroom.adapters.content_table.ticks import Ticks
from newsroom.adapters.content_table.view_counts import ViewCounts
from newsroom.adapters.invalidations import Invalidator
from newsroom.adapters.logs_bucket import LogsBucket
from newsroom.adapters.redirect_queue import QueuedRedirects
from newsroom.adapters.render_queue import WorkQueue
from newsroom.adapters.schedules import EventBridgeSchedules
from newsroom.adapters.search_table import SearchIndex
from newsroom.adapters.site_bucket import SiteStore
from newsroom.adapters.source_bucket import SourceStore
from newsroom.configuration.settings import (
    HitsSettings,
    PdfSettings,
    PictureSettings,
    SearchSettings,
    Settings,
)
from newsroom.usecases.article_pdfs import PdfMaker, PdfWorker
from newsroom.usecases.count_views import ViewCounter
from newsroom.usecases.fanout import Fanout
from newsroom.usecases.feedback import SiteLocale
from newsroom.usecases.pictures import PictureWorker, Preparer
from newsroom.usecases.ports import ContentIndex, NoRedirects, NoSchedules, Redirects, Schedules
from newsroom.usecases.publish import Publisher
from newsroom.usecases.search import SearchService
from newsroom.usecases.site_render import ContextLoader
from newsroom.usecases.view_figures import FigurePublisher

RETRIES = Config(retries={"max_attempts": 8, "mode": "adaptive"}, connect_timeout=5, read_timeout=20)


@dataclass(frozen=True)
class Clients:
    """The AWS clients the publisher uses."""

    s3: Any
    dynamodb: Any
    cloudfront: Any
    sqs: Any
    # EventBridge Scheduler: made by build_schedules when scheduling is deployed, unless given.
    scheduler: Any = None

    @classmethod
    def default(cls) -> Clients:
        """Clients with adaptive retries (throttling and 5xx are retried by botocore)."""
        return cls(
            s3=boto3.client("s3", config=RETRIES),
            dynamodb=boto3.client("dynamodb", config=RETRIES),
            cloudfront=boto3.client("cloudfront", config=RETRIES),
            sqs=boto3.client("sqs", config=RETRIES),
        )


def content_index(client: Any, table: str, timezone: str = "UTC") -> ContentIndex:
    """The index's stores on one DynamoDB table (``timezone``: the site's, for monthly counts)."""
    shared = Table(client, table)
    listings, counts = Listings(shared, timezone), Counts(shared, timezone)
    return ContentIndex(
        articles=Articles(shared, listings, counts),
        listings=listings,
        counts=counts,
        configuration=ConfigItem(shared, counts),
        jobs=Jobs(shared),
        failures=Failures(shared),
        invalidations=PendingInvalidations(shared),
        figures=ViewCounts(shared),
        pictures=Pictures(shared),
        ticks=Ticks(shared),
    )


def build_search(settings: SearchSettings, dynamodb: Any = None) -> SearchService:
    """The search function's use case: it reads the index and the search table, nothing else."""
    client = dynamodb if dynamodb is not None else boto3.client("dynamodb", config=RETRIES)
    index = content_index(client, settings.content_table, settings.timezone)
    return SearchService(settings, index, SearchIndex(client, settings.search_table))


@dataclass(frozen=True)
class HitsWorker:
    """What the hits function needs: the counter, the figures' publisher, where failures go."""

    counter: ViewCounter
    failures: Failures
    figures: FigurePublisher


def build_hits(settings: HitsSettings, dynamodb: Any = None, s3: Any = None) -> HitsWorker:
    """The hits function's core for ``settings``."""
    client = dynamodb if dynamodb is not None else boto3.client("dynamodb", config=RETRIES)
    s3_client = s3 if s3 is not None else boto3.client("s3", config=RETRIES)
    counter = build_view_counter(
        settings.content_table, settings.logs_bucket, settings.timezone, client, s3_client
    )
    index = content_index(client, settings.content_table, settings.timezone)
    figures = FigurePublisher(
        views=ViewCounts(Table(client, settings.content_table)),
        articles=index.articles,
        counts=index.counts,
        site=SiteStore(s3_client, settings.site_bucket),
        context=ContextLoader(index, settings),
        timezone=settings.timezone,
    )
    return HitsWorker(counter, Failures(Table(client, settings.content_table)), figures)


def build_pictures(
    settings: PictureSettings, prepare: Preparer, clients: Clients | None = None
) -> PictureWorker:
    """The picture function's core; ``prepare`` is the picture layer's (Pillow loads only there).

    Its status files speak the locale of the configuration in force (read from the content table).
    """
    c = clients or Clients.default()
    configuration = content_index(c.dynamodb, settings.content_table).configuration
    return PictureWorker(
        source=SourceStore(c.s3, settings.source_bucket),
        site=SiteStore(c.s3, settings.site_bucket),
        pictures=Pictures(Table(c.dynamodb, settings.content_table)),
        invalidator=Invalidator(c.cloudfront, settings.distribution_id),
        publish_queue=WorkQueue(c.sqs, settings.publish_queue_url),
        prepare=prepare,
        locale=SiteLocale(configuration, settings.locale),
    )


def build_pdfs(settings: PdfSettings, make: PdfMaker, clients: Clients | None = None) -> PdfWorker:
    """The PDF function's core; ``make`` is the PDF layer's renderer (fpdf2 loads only there)."""
    c = clients or Clients.default()
    index = content_index(c.dynamodb, settings.content_table, settings.timezone)
    return PdfWorker(
        index=index,
        site=SiteStore(c.s3, settings.site_bucket),
        context=ContextLoader(index, settings),
        make=make,
    )


def build_view_counter(
    content_table: str, logs_bucket: str, timezone: str, dynamodb: Any = None, s3: Any = None
) -> ViewCounter:
    """Counts the CDN's log files into the content table's view counters."""
    table = Table(
        dynamodb if dynamodb is not None else boto3.client("dynamodb", config=RETRIES), content_table
    )
    logs = LogsBucket(s3 if s3 is not None else boto3.client("s3", config=RETRIES), logs_bucket)
    return ViewCounter(ViewCounts(table), logs, timezone)


def build_fanout(settings: Settings, clients: Clients | None = None) -> Fanout:
    """The re-render worker for ``settings`` (the render function's core)."""
    c = clients or Clients.default()
    index = content_index(c.dynamodb, settings.content_table, settings.timezone)
    return Fanout(
        index=index,
        site=SiteStore(c.s3, settings.site_bucket),
        source=SourceStore(c.s3, settings.source_bucket),
        invalidator=Invalidator(c.cloudfront, settings.distribution_id),
        queue=WorkQueue(c.sqs, settings.render_queue_url),
        context=ContextLoader(index, settings),
        search=SearchIndex(c.dynamodb, settings.search_table),
        pictures=WorkQueue(c.sqs, settings.pictures_queue_url) if settings.pictures_queue_url else None,
        pdfs=WorkQueue(c.sqs, settings.pdf_queue_url) if settings.pdf_queue_url else None,
        redirects=build_redirects(settings, c) if settings.redirect_queue_url else None,
    )


def build_redirects(settings: Settings, clients: Clients | None = None) -> Redirects:
    """Where moved pages' redirects go: the redirects function's queue, else nowhere (``NoRedirects``).

    The store itself is written by the redirects function (``functions/redirects``):
    its API is signed with SigV4A, which needs awscrt, and only that function
    carries it.
    """
    if not settings.redirect_queue_url:
        return NoRedirects()
    sqs = clients.sqs if clients is not None else boto3.client("sqs", config=RETRIES)
    return QueuedRedirects(sqs, settings.redirect_queue_url)


def build_publisher(settings: Settings, clients: Clients | None = None) -> Publisher:
    """The publisher for ``settings``, talking to AWS through ``clients``."""
    c = clients or Clients.default()
    fanout = build_fanout(settings, c)
    return Publisher(
        settings=settings,
        index=fanout.index,
        source=fanout.source,
        site=fanout.site,
        invalidator=fanout.invalidator,
        fanout=fanout,
        context=fanout.context,
        redirects=build_redirects(settings, c),
        search=fanout.search,
        schedules=build_schedules(settings, c),
        pdfs=WorkQueue(c.sqs, settings.pdf_queue_url) if settings.pdf_queue_url else None,
    )


def build_schedules(settings: Settings, clients: Clients | None = None) -> Schedules:
    """Scheduled articles' one-time schedules on EventBridge Scheduler, or none when not deployed."""
    if not (settings.schedule_group and settings.publish_queue_arn and settings.scheduler_role_arn):
        return NoSchedules()
    client = clients.scheduler if clients is not None else None
    if client is None:
        client = boto3.client("scheduler", config=RETRIES)
    return EventBridgeSchedules(
        client,
        settings.schedule_group,
        settings.publish_queue_arn,
        settings.scheduler_role_arn,
        settings.publish_dead_letter_arn,
    )


__all__ = [
    "RETRIES",
    "Clients",
    "ContentIndex",
    "HitsWorker",
    "build_fanout",
    "build_hits",
    "build_pdfs",
    "build_pictures",
    "build_publisher",
    "build_redirects",
    "build_schedules",
    "build_search",
    "build_view_counter",
    "content_index",
]
