"""CloudFront invalidations."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any


class Invalidator:
    """Sends one invalidation; the caller reference makes a resend harmless.

    CloudFront answers a repeated CallerReference with the invalidation it
    already created instead of creating another.
    """

    def __init__(self, client: Any, distribution_id: str) -> None:
        self._cf = client
        self._distribution = distribution_id

    def invalidate(self, reference: str, paths: Sequence[str]) -> str:
        """Invalidate ``paths``; returns the invalidation id."""
        response = self._cf.create_invalidation(
            DistributionId=self._distribution,
            InvalidationBatch={
                "Paths": {"Quantity": len(paths), "Items": list(paths)},
                "CallerReference": reference,
            },
        )
        return str(response["Invalidation"]["Id"])
