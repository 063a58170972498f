"""The live figures as files: ``/stats.json`` and the per-article ``views/<shard>.json``.

Pages carry no figure (a view must never re-render a page, and a rebuild
must reproduce every page byte for byte); the browser reads these instead.
Both are rewritten by whoever moved a figure (a publish moves the article
count, a log batch the views) and live at the CDN for ``FIGURES_CACHE``
only: the log path sends no invalidation at all.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from newsroom.configuration.site_config import SiteConfig
from newsroom.domain.records import MostRead, Stats, ViewFigures
from newsroom.domain.site_paths import views_shard_key
from newsroom.web.outputs import Output, listed

FIGURES_CACHE = "public, max-age=15, s-maxage=15"
"""Short at both ends: figures move with every log file, and nothing invalidates them."""


def _json(body: Any) -> bytes:
    return json.dumps(body, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode("utf-8")


def _lines(lines: tuple[MostRead, ...]) -> list[dict[str, Any]]:
    return [{"title": line.title, "url": line.url, "views": line.views} for line in lines]


def stats_output(config: SiteConfig, stats: Stats, figures: ViewFigures) -> Output:
    """``/stats.json``: the statistics, readers online (with its time) and the most-read lists.

    ``views`` adds the configured base figure (``statistics: views:`` in
    ``site.yaml``, a moved portal's old total) to what the logs counted.
    """
    body = {
        "articles": stats.articles,
        "members": config.members,
        "web_links": config.web_links,
        "views": config.views + figures.views,
        "online": figures.online,
        "online_as_of": figures.as_of,
        "most_read": {"today": _lines(figures.today), "week": _lines(figures.week)},
        "view_shards": list(figures.shards),
    }
    return listed(
        Output("stats.json", _json(body), content_type="application/json", cache_control=FIGURES_CACHE)
    )


def views_shard_output(shard: str, views: Mapping[str, int]) -> Output:
    """``views/<shard>.json``: ``{url: views}`` for the articles of one shard that were read."""
    return Output(
        views_shard_key(shard),
        _json(dict(sorted(views.items()))),
        content_type="application/json",
        cache_control=FIGURES_CACHE,
    )
