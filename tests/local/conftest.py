"""Fixtures shared by the local-stack tests."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from local.stack import MotoServer


@pytest.fixture(scope="session")
def endpoint() -> Iterator[str]:
    """One moto server for the local-stack tests (moto's state is per process anyway)."""
    server = MotoServer(port=0)
    yield server.endpoint_url
    server.stop()
