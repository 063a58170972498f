"""What each object is tagged with at the CDN, and the few items that invalidate what a batch changed.

CloudFront bills an invalidation by the item, a path or a tag (beyond 1,000 a
month, $0.005 each), and a publish changes about twenty objects: its article,
the neighbours whose lists show it, its listings, feeds, archive pages,
sitemaps. With ``CacheTagConfig`` on the distribution, CloudFront keeps the
tags each object carried when it was cached (from its S3 metadata
``cache-tag``) and ``#tag`` invalidates every cached object carrying it, in
one item. So every object is tagged with what it is rendered from:

- ``lists``: everything rendered from the timeline but an article's own page
  (home, category pages, feeds, month and year archives, sitemaps, the News
  sitemap, ``stats.json``): one item a batch, whatever it touched;
- ``a:<category>:<yyyy-mm>``: an article page, by where it sits; its newer and
  older lists show its category's neighbours, which a publish changes around
  its own place, so the pages a batch changes share one or two of these;
- ``pages``: every article page, for a batch whose changes spread wider.

A batch therefore sends ``#lists``, at most ``MAX_ARTICLE_TAGS`` article tags
(or ``#pages``), and the paths of the few untagged objects it changed (assets,
the 404 page, previews): at most 3 billed items in the steady state. A tag
invalidation also drops unchanged objects carrying the tag: they are fetched
again on their next request, which is cheaper than a billed path.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

CACHE_TAG_METADATA = "cache-tag"
"""The S3 metadata key: S3 answers it as ``x-amz-meta-cache-tag``, the header the distribution reads."""

CACHE_TAG_HEADER = f"x-amz-meta-{CACHE_TAG_METADATA}"

LISTS = "lists"
PAGES = "pages"
MAX_ARTICLE_TAGS = 2


def article_tag(category: tuple[str, ...], month: str) -> str:
    """The tag of the article pages of one category and month (slugs are ASCII, as tags must be)."""
    return f"a:{'/'.join(category)}:{month}"


def tag_metadata(*tags: str) -> dict[str, str]:
    """The metadata that tags an object (comma-separated, as CloudFront parses the header)."""
    return {CACHE_TAG_METADATA: ",".join(tags)}


def tags_of(metadata: Mapping[str, str]) -> set[str]:
    """The tags an object's metadata carries (CloudFront compares them case-insensitively)."""
    value = metadata.get(CACHE_TAG_METADATA, "")
    return {tag.strip().lower() for tag in value.split(",") if tag.strip()}


def invalidation_items(tags: Iterable[str], paths: Iterable[str]) -> list[str]:
    """What to send for objects carrying ``tags`` and untagged ``paths``: ``#lists``, the article tags
    (or ``#pages`` when there are more than ``MAX_ARTICLE_TAGS``), then the paths."""
    wanted = set(tags)
    articles = {tag for tag in wanted if tag.startswith("a:")}
    items = {f"#{LISTS}"} if LISTS in wanted else set()
    if len(articles) > MAX_ARTICLE_TAGS or (PAGES in wanted and not articles):
        items.add(f"#{PAGES}")
    else:
        items |= {f"#{tag}" for tag in articles}
    return sorted(items) + sorted(set(paths))
