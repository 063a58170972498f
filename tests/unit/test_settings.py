"""Settings come from the environment and fail loudly."""

from __future__ import annotations

import pytest
from newsroom.errors import SettingsError
from newsroom.settings import REQUIRED, Settings

GOOD = {
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


def test_settings_from_a_complete_environment() -> None:
    settings = Settings.from_environment(GOOD)
    assert settings.base_url == "https://tin.example.vn"
    assert settings.max_source_bytes == 1048576


@pytest.mark.parametrize("name", REQUIRED)
def test_a_missing_or_empty_variable_is_named(name: str) -> None:
    with pytest.raises(SettingsError, match=name):
        Settings.from_environment({**GOOD, name: ""})


@pytest.mark.parametrize(
    ("name", "value", "message"),
    [
        ("SITE_LOCALE", "fr", "SITE_LOCALE"),
        ("MAX_SOURCE_BYTES", "1MB", "integer"),
        ("MAX_SOURCE_BYTES", "0", "positive"),
    ],
)
def test_invalid_values_are_refused(name: str, value: str, message: str) -> None:
    with pytest.raises(SettingsError, match=message):
        Settings.from_environment({**GOOD, name: value})
