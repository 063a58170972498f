"""The content table in DynamoDB (one table, ``pk``/``sk``), one module per owner of its items.

Items, and the module that alone spells their keys and attributes:
- ``ARTICLE#<source key>`` / ``ARTICLE``, ``URL#<url>`` / ``URL`` and
  ``WAITING#<url>`` / ``<source key>``: ``articles`` (a record per source
  key; which file owns each page URL; the files refused while another holds
  it, registered only while it is held, so whoever releases it finds them all).
- ``CAT#<category>`` / ``<sort key>`` and ``TREE#<prefix>`` / ``<sort key>``:
  ``listings`` (an article in its own category's timeline, and in the
  listings of home, empty prefix, and of each ancestor category).
- ``STATS`` / ``SITE``, ``SCOPES`` / ``<category>``, ``MONTHS#<category>`` /
  ``<yyyy-mm>``: ``counts`` (the site's counters and its ``revision``, which
  every change of stored state moves in the same transaction, so a render
  pass can tell whether what it read moved while it wrote; articles per
  category; articles per month of a category or of the site).
- ``CONFIG`` / ``SITE``: ``config_item`` (the accepted configuration files).
- ``JOB#<id>`` / ``JOB``: ``jobs`` (a fanned-out re-render and its chunks).
- ``FAILURE`` / ``<message id>``: ``failures`` (why a queue message failed).
- ``INVALIDATION`` / ``<reference>``: ``pending_invalidations``.

An article's change is one transaction that each owner adds its actions
to, with a condition on the article's version, so that counts move only
when an article really appears or disappears, even when deliveries are
duplicated or retried (``ADD`` alone is not idempotent).
"""
