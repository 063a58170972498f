"""Every use-case test gets a fresh deployment on in-memory fakes (no moto, no AWS client)."""

from __future__ import annotations

import pytest

from tests.support.fake_site import FakeSite, fake_site


@pytest.fixture
def site() -> FakeSite:
    """A new, empty site: fakes of every port and the use cases wired on them."""
    return fake_site()
