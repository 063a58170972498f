"""Settings come from the environment and fail loudly."""

from __future__ import annotations

import pytest
from newsroom.configuration.settings import REQUIRED, Settings
from newsroom.domain.errors import SettingsError

from tests.support.environment import SETTINGS_ENVIRONMENT

GOOD = SETTINGS_ENVIRONMENT


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
