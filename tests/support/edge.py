"""A local CDN in front of fresh buckets and a moto distribution: what the local CDN tests start from."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from typing import Any

from local.aws import client
from local.provision import DistributionInfo, ErrorResponse


def edge_distribution(
    endpoint: str, comment: str, error_responses: Sequence[ErrorResponse]
) -> tuple[Any, Any, DistributionInfo]:
    """A site bucket, a logs bucket and a minimal moto distribution on the site bucket, as ``DistributionInfo``."""
    s3, cloudfront = client("s3", endpoint), client("cloudfront", endpoint)
    suffix = uuid.uuid4().hex[:8]
    bucket, logs = f"site-{suffix}", f"logs-{suffix}"
    s3.create_bucket(Bucket=bucket)
    s3.create_bucket(Bucket=logs)
    distribution = cloudfront.create_distribution(
        DistributionConfig={
            "CallerReference": suffix,
            "Comment": comment,
            "Enabled": True,
            "Origins": {
                "Quantity": 1,
                "Items": [
                    {
                        "Id": "site",
                        "DomainName": f"{bucket}.s3.us-east-1.amazonaws.com",
                        "S3OriginConfig": {"OriginAccessIdentity": ""},
                    }
                ],
            },
            "DefaultCacheBehavior": {"TargetOriginId": "site", "ViewerProtocolPolicy": "redirect-to-https"},
        }
    )["Distribution"]
    info = DistributionInfo(
        logical_id="SiteDistribution",
        id=distribution["Id"],
        domain_name=distribution["DomainName"],
        origin_bucket=bucket,
        default_root_object="index.html",
        error_responses=tuple(error_responses),
        log_bucket=logs,
        log_prefix="cdn/",
    )
    return s3, cloudfront, info
