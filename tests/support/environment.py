"""A complete, valid function environment for tests that build ``Settings`` without a stack."""

from __future__ import annotations

SETTINGS_ENVIRONMENT = {
    "SOURCE_BUCKET_NAME": "src",
    "SITE_BUCKET_NAME": "site",
    "CONTENT_TABLE_NAME": "table",
    "DISTRIBUTION_ID": "E123",
    "SITE_BASE_URL": "https://tin.example.vn/",
    "SITE_LOCALE": "vi",
    "SITE_TIMEZONE": "Asia/Ho_Chi_Minh",
    "MAX_SOURCE_BYTES": "1048576",
    "RENDER_QUEUE_URL": "https://sqs.ap-southeast-1.amazonaws.com/123456789012/render",
    "SEARCH_TABLE_NAME": "search",
}
