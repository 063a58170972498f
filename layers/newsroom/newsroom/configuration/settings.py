"""Settings: one frozen object built from the environment, failing loudly.

The template sets exactly the variables read here (a test compares the two),
so a missing variable is a deployment bug and must not become an empty string.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass

from newsroom.domain.editor_urls import parse_image_hosts
from newsroom.domain.errors import SettingsError

REQUIRED = (
    "SOURCE_BUCKET_NAME",
    "SITE_BUCKET_NAME",
    "CONTENT_TABLE_NAME",
    "DISTRIBUTION_ID",
    "SITE_BASE_URL",
    "SITE_LOCALE",
    "SITE_TIMEZONE",
    "MAX_SOURCE_BYTES",
    "RENDER_QUEUE_URL",
    "SEARCH_TABLE_NAME",
)

# Read when set; a deployment without them still works (the feature is off).
OPTIONAL = (
    "REDIRECT_QUEUE_URL",
    "IMAGE_HOSTS",
    "SCHEDULE_GROUP_NAME",
    "SCHEDULER_ROLE_ARN",
    "PUBLISH_QUEUE_ARN",
    "PUBLISH_DEAD_LETTER_ARN",
    "PDF_QUEUE_URL",
    "PICTURES_QUEUE_URL",
)


@dataclass(frozen=True)
class Settings:
    """What the publish function needs to know about its deployment."""

    source_bucket: str
    site_bucket: str
    content_table: str
    distribution_id: str
    base_url: str
    locale: str
    timezone: str
    max_source_bytes: int
    render_queue_url: str
    search_table: str
    # The redirects function's FIFO queue (moved pages' redirects); "" when there is none.
    redirect_queue_url: str = ""
    # Hosts pictures may come from besides /media/: the deployment's ImageHosts, also in the CSP.
    image_hosts: frozenset[str] = frozenset()
    # EventBridge Scheduler: the group of the articles' one-time schedules, the role it assumes,
    # the queue it delivers to (and its dead-letter queue); "" when scheduling is not deployed.
    schedule_group: str = ""
    scheduler_role_arn: str = ""
    publish_queue_arn: str = ""
    publish_dead_letter_arn: str = ""
    # Where the PDF function is asked for an article's PDF; "" when the PDF function is not deployed.
    pdf_queue_url: str = ""
    # Where a rebuild asks the picture function to make pictures' variants again.
    pictures_queue_url: str = ""

    @classmethod
    def from_environment(cls, environ: Mapping[str, str] | None = None) -> Settings:
        """Build settings from ``environ`` (default: ``os.environ``)."""
        env = _environment(environ, REQUIRED)
        _check_locale(env)
        locale = env["SITE_LOCALE"]
        try:
            max_bytes = int(env["MAX_SOURCE_BYTES"])
        except ValueError as exc:
            raise SettingsError("MAX_SOURCE_BYTES must be an integer") from exc
        if max_bytes <= 0:
            raise SettingsError("MAX_SOURCE_BYTES must be positive")
        try:
            image_hosts = parse_image_hosts(env.get("IMAGE_HOSTS", ""))
        except ValueError as exc:
            raise SettingsError(f"IMAGE_HOSTS: {exc}") from exc
        return cls(
            source_bucket=env["SOURCE_BUCKET_NAME"],
            site_bucket=env["SITE_BUCKET_NAME"],
            content_table=env["CONTENT_TABLE_NAME"],
            distribution_id=env["DISTRIBUTION_ID"],
            base_url=env["SITE_BASE_URL"].rstrip("/"),
            locale=locale,
            timezone=env["SITE_TIMEZONE"],
            max_source_bytes=max_bytes,
            render_queue_url=env["RENDER_QUEUE_URL"],
            search_table=env["SEARCH_TABLE_NAME"],
            redirect_queue_url=env.get("REDIRECT_QUEUE_URL", ""),
            image_hosts=image_hosts,
            schedule_group=env.get("SCHEDULE_GROUP_NAME", ""),
            scheduler_role_arn=env.get("SCHEDULER_ROLE_ARN", ""),
            publish_queue_arn=env.get("PUBLISH_QUEUE_ARN", ""),
            publish_dead_letter_arn=env.get("PUBLISH_DEAD_LETTER_ARN", ""),
            pdf_queue_url=env.get("PDF_QUEUE_URL", ""),
            pictures_queue_url=env.get("PICTURES_QUEUE_URL", ""),
        )


@dataclass(frozen=True)
class SearchSettings:
    """The variables the search function reads (it needs no bucket, queue or CDN)."""

    content_table: str
    search_table: str
    base_url: str
    locale: str
    timezone: str

    @classmethod
    def from_environment(cls, environ: Mapping[str, str] | None = None) -> SearchSettings:
        """Read and check the environment, failing loudly like ``Settings``."""
        names = ("CONTENT_TABLE_NAME", "SEARCH_TABLE_NAME", "SITE_BASE_URL", "SITE_LOCALE", "SITE_TIMEZONE")
        env = _environment(environ, names)
        _check_locale(env)
        return cls(
            content_table=env["CONTENT_TABLE_NAME"],
            search_table=env["SEARCH_TABLE_NAME"],
            base_url=env["SITE_BASE_URL"].rstrip("/"),
            locale=env["SITE_LOCALE"],
            timezone=env["SITE_TIMEZONE"],
        )


@dataclass(frozen=True)
class HitsSettings:
    """The variables the hits function reads: where the counters are, where the logs arrive, whose days.

    The site bucket, base URL and locale are for the figure files it writes
    (``/stats.json`` and ``views/*.json``) from the configuration in force.
    """

    content_table: str
    logs_bucket: str
    timezone: str
    site_bucket: str
    base_url: str
    locale: str

    @classmethod
    def from_environment(cls, environ: Mapping[str, str] | None = None) -> HitsSettings:
        """Read and check the environment, failing loudly like ``Settings``."""
        names = (
            "CONTENT_TABLE_NAME",
            "LOGS_BUCKET_NAME",
            "SITE_TIMEZONE",
            "SITE_BUCKET_NAME",
            "SITE_BASE_URL",
            "SITE_LOCALE",
        )
        env = _environment(environ, names)
        _check_locale(env)
        return cls(
            content_table=env["CONTENT_TABLE_NAME"],
            logs_bucket=env["LOGS_BUCKET_NAME"],
            timezone=env["SITE_TIMEZONE"],
            site_bucket=env["SITE_BUCKET_NAME"],
            base_url=env["SITE_BASE_URL"].rstrip("/"),
            locale=env["SITE_LOCALE"],
        )


@dataclass(frozen=True)
class PictureSettings:
    """The variables the picture function reads: where media come from and go, whom to tell.

    ``locale`` is the language its status files speak unless ``site.yaml`` sets another.
    """

    source_bucket: str
    site_bucket: str
    content_table: str
    distribution_id: str
    publish_queue_url: str
    locale: str

    @classmethod
    def from_environment(cls, environ: Mapping[str, str] | None = None) -> PictureSettings:
        """Read and check the environment, failing loudly like ``Settings``."""
        names = (
            "SOURCE_BUCKET_NAME",
            "SITE_BUCKET_NAME",
            "CONTENT_TABLE_NAME",
            "DISTRIBUTION_ID",
            "PUBLISH_QUEUE_URL",
            "SITE_LOCALE",
        )
        env = _environment(environ, names)
        _check_locale(env)
        return cls(*(env[name] for name in names))


@dataclass(frozen=True)
class PdfSettings:
    """The variables the PDF function reads: the index, the site, and how pages show dates."""

    content_table: str
    site_bucket: str
    base_url: str
    locale: str
    timezone: str

    @classmethod
    def from_environment(cls, environ: Mapping[str, str] | None = None) -> PdfSettings:
        """Read and check the environment, failing loudly like ``Settings``."""
        names = (
            "CONTENT_TABLE_NAME",
            "SITE_BUCKET_NAME",
            "SITE_BASE_URL",
            "SITE_LOCALE",
            "SITE_TIMEZONE",
        )
        env = _environment(environ, names)
        _check_locale(env)
        return cls(
            content_table=env["CONTENT_TABLE_NAME"],
            site_bucket=env["SITE_BUCKET_NAME"],
            base_url=env["SITE_BASE_URL"].rstrip("/"),
            locale=env["SITE_LOCALE"],
            timezone=env["SITE_TIMEZONE"],
        )


TRUTHY = frozenset({"1", "y", "yes", "t", "true", "on"})
"""What Powertools reads as true in an environment variable (its ``strtobool``)."""


def tracing_enabled(environ: Mapping[str, str] | None = None) -> bool:
    """Whether Powertools' Tracer would trace here, decided without creating one.

    Powertools' own rule (``Tracer._is_tracer_disabled``): off when
    ``POWERTOOLS_TRACE_DISABLED`` is true, outside Lambda (no
    ``LAMBDA_TASK_ROOT``) and under ``sam local`` or Chalice's local mode.
    A ``Tracer()`` imports the X-Ray SDK even when disabled, so the handlers
    ask this first and make their Tracer only where it traces.
    """
    env = os.environ if environ is None else environ
    if env.get("POWERTOOLS_TRACE_DISABLED", "false").lower() in TRUTHY:
        return False
    in_lambda = bool(env.get("LAMBDA_TASK_ROOT"))
    return in_lambda and not env.get("AWS_SAM_LOCAL") and not env.get("AWS_CHALICE_CLI_MODE")


def _check_locale(env: Mapping[str, str]) -> None:
    """Every function renders in the deployment's locale: it must be one the site ships."""
    # Imported here: site_config pulls the categories and the article model (Markdown, slugs),
    # which a handler's start-up does not need (docs/cold-start.md).
    from newsroom.configuration.site_config import SUPPORTED_LOCALES  # noqa: PLC0415

    if env["SITE_LOCALE"] not in SUPPORTED_LOCALES:
        raise SettingsError(f"SITE_LOCALE must be one of {SUPPORTED_LOCALES}, not {env['SITE_LOCALE']!r}")


def _environment(environ: Mapping[str, str] | None, required: tuple[str, ...]) -> Mapping[str, str]:
    """``environ`` (default: ``os.environ``), once every ``required`` variable is set and not empty."""
    env = os.environ if environ is None else environ
    missing = [name for name in required if not env.get(name)]
    if missing:
        raise SettingsError(f"missing environment variables: {', '.join(missing)}")
    return env
