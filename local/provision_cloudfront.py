"""The template's CloudFront distribution and KeyValueStore in moto, and what the local CDN needs of them.

moto holds a minimal distribution (one S3 origin on the site bucket) so that
invalidations have somewhere to go; the settings the local CDN applies
(error responses, logging, the default root object, security headers, the
viewer-request function's store) are read from the template itself.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from local.template import NO_VALUE, Template, TemplateError, to_text

log = logging.getLogger("local.provision")  # the provisioning log, whichever service

DEFAULT_LOG_PREFIX = "cdn/"
# AWS's managed cache policy "Managed-CachingDisabled" (TTL 0: every request goes to the origin).
CACHING_DISABLED = "4135ea2d-6df8-44a3-9df3-4b5a84be39ad"


@dataclass(frozen=True)
class ErrorResponse:
    """One CloudFront CustomErrorResponse: what the CDN answers for an origin error."""

    error_code: int
    response_code: int | None
    page_path: str | None
    caching_min_ttl: int


@dataclass(frozen=True)
class Behavior:
    """One of the distribution's ``CacheBehaviors`` on the site bucket, as the local CDN applies it."""

    path_pattern: str
    # False under Managed-CachingDisabled: CloudFront asks the origin on every request.
    cached: bool
    # What the behavior's response headers policy adds (security and custom headers).
    response_headers: tuple[tuple[str, str], ...]


@dataclass(frozen=True)
class DistributionInfo:
    """What the local CDN needs to impersonate the template's distribution."""

    logical_id: str
    id: str
    domain_name: str
    origin_bucket: str
    default_root_object: str
    error_responses: tuple[ErrorResponse, ...]
    log_bucket: str | None
    log_prefix: str
    # The KeyValueStore associated with the viewer-request function (moved pages' redirects).
    key_value_store_arn: str | None = None
    # The security headers of the default behavior's response headers policy, as CloudFront adds them.
    response_headers: tuple[tuple[str, str], ...] = ()
    # The cache behaviors whose origin is the site bucket, in the template's order (first match wins).
    behaviors: tuple[Behavior, ...] = ()
    # CacheTagConfig's HeaderName: the origin response header whose tags ``#tag`` invalidations match.
    cache_tag_header: str | None = None


def _bucket_from_domain(domain: str, buckets: Mapping[str, str]) -> str | None:
    """``name.s3.region.amazonaws.com`` (or the global form) back to a provisioned bucket name."""
    for name in buckets.values():
        if domain == name or domain.startswith(f"{name}.s3.") or domain.startswith(f"{name}.s3-"):
            return name
    return None


def _optional(template: Template, logical: str, path: str, node: Any, default: Any) -> Any:
    """Resolve an optional part of the distribution; local-only gaps fall back with a log line."""
    if node is None:
        return default
    try:
        value = template.resolve(node, f"Resources.{logical}.Properties.DistributionConfig.{path}")
    except TemplateError as error:
        log.warning("distribution %s: %s; using %r", logical, error, default)
        return default
    return default if value is NO_VALUE else value


def create_distribution(
    cloudfront: Any, template: Template, logical: str, buckets: Mapping[str, str]
) -> DistributionInfo:
    """Create a minimal distribution in moto (one S3 origin on the site bucket) and read its settings."""
    config = template.properties(logical).get("DistributionConfig") or {}
    origins = _optional(template, logical, "Origins", config.get("Origins"), [])
    origin_bucket = None
    origin_id = "site"
    for origin in origins:
        origin_bucket = _bucket_from_domain(str(origin.get("DomainName", "")), buckets)
        if origin_bucket:
            origin_id = str(origin.get("Id", origin_id))
            break
    if origin_bucket is None:
        origin_bucket = buckets.get("SiteBucket")
    if origin_bucket is None:
        raise TemplateError(f"Resources.{logical}: no origin points at a bucket of this template")

    reference = f"{template.stack_name}-{logical}"
    distribution = _find_distribution(cloudfront, reference)
    if distribution is None:
        comment = _optional(template, logical, "Comment", config.get("Comment"), reference)
        distribution = cloudfront.create_distribution(
            DistributionConfig={
                "CallerReference": reference,
                "Comment": str(comment)[:128],
                "Enabled": True,
                "Origins": {
                    "Quantity": 1,
                    "Items": [
                        {
                            "Id": origin_id,
                            "DomainName": f"{origin_bucket}.s3.{template.region}.amazonaws.com",
                            "S3OriginConfig": {"OriginAccessIdentity": ""},
                        }
                    ],
                },
                "DefaultCacheBehavior": {
                    "TargetOriginId": origin_id,
                    "ViewerProtocolPolicy": "redirect-to-https",
                },
            }
        )["Distribution"]
    distribution_id, domain = distribution["Id"], distribution["DomainName"]
    template.register(logical, distribution_id, Id=distribution_id, DomainName=domain)

    errors = []
    for item in _optional(template, logical, "CustomErrorResponses", config.get("CustomErrorResponses"), []):
        errors.append(
            ErrorResponse(
                error_code=int(item["ErrorCode"]),
                response_code=int(item["ResponseCode"]) if item.get("ResponseCode") else None,
                page_path=str(item["ResponsePagePath"]) if item.get("ResponsePagePath") else None,
                caching_min_ttl=int(item.get("ErrorCachingMinTTL", 10)),
            )
        )
    logging_config = _optional(template, logical, "Logging", config.get("Logging"), {}) or {}
    log_bucket = _bucket_from_domain(str(logging_config.get("Bucket", "")), buckets)
    log_prefix = str(logging_config.get("Prefix", DEFAULT_LOG_PREFIX)) if log_bucket else DEFAULT_LOG_PREFIX
    if log_bucket is None:
        log_bucket = buckets.get("LogsBucket")
    root_object = _optional(template, logical, "DefaultRootObject", config.get("DefaultRootObject"), "")
    store = viewer_request_store(template, logical)
    tag_config = _optional(template, logical, "CacheTagConfig", config.get("CacheTagConfig"), {}) or {}
    log.info("distribution %s: %s (%s) on bucket %s", logical, distribution_id, domain, origin_bucket)
    return DistributionInfo(
        logical_id=logical,
        id=distribution_id,
        domain_name=domain,
        origin_bucket=origin_bucket,
        default_root_object=str(root_object or ""),
        error_responses=tuple(errors),
        log_bucket=log_bucket,
        log_prefix=log_prefix,
        key_value_store_arn=store,
        response_headers=response_headers(template, logical),
        behaviors=site_behaviors(template, logical, origin_id),
        cache_tag_header=str(tag_config["HeaderName"]) if tag_config.get("HeaderName") else None,
    )


def response_headers(template: Template, logical: str) -> tuple[tuple[str, str], ...]:
    """The headers the default behavior's ``AWS::CloudFront::ResponseHeadersPolicy`` adds."""
    config = template.properties(logical).get("DistributionConfig") or {}
    return policy_headers(template, (config.get("DefaultCacheBehavior") or {}).get("ResponseHeadersPolicyId"))


def site_behaviors(template: Template, logical: str, origin_id: str) -> tuple[Behavior, ...]:
    """The ``CacheBehaviors`` served from the site bucket (``origin_id``), with their caching and headers.

    Behaviors on other origins (the search function URL) are routed by the
    local stack itself and left out here.
    """
    config = template.properties(logical).get("DistributionConfig") or {}
    behaviors = config.get("CacheBehaviors") or []  # unresolved: the policies are read by their Ref
    return tuple(
        Behavior(
            path_pattern=str(item["PathPattern"]),
            cached=item.get("CachePolicyId") != CACHING_DISABLED,
            response_headers=policy_headers(template, item.get("ResponseHeadersPolicyId")),
        )
        for item in behaviors
        if isinstance(item, dict)
        and isinstance(item.get("PathPattern"), str)
        and item.get("TargetOriginId", origin_id) == origin_id
    )


def policy_headers(template: Template, reference: Any) -> tuple[tuple[str, str], ...]:
    """The headers a ``Ref`` to an ``AWS::CloudFront::ResponseHeadersPolicy`` adds, custom ones last.

    Managed policies (an id, not a ``Ref``) are not known locally: none are added.
    """
    if not isinstance(reference, dict) or "Ref" not in reference:
        return ()
    policy = template.property(str(reference["Ref"]), "ResponseHeadersPolicyConfig") or {}
    security = policy.get("SecurityHeadersConfig") or {}
    headers: list[tuple[str, str]] = []
    if "ContentSecurityPolicy" in security:
        headers.append(
            ("Content-Security-Policy", str(security["ContentSecurityPolicy"]["ContentSecurityPolicy"]))
        )
    if "StrictTransportSecurity" in security:
        hsts = security["StrictTransportSecurity"]
        value = f"max-age={int(hsts['AccessControlMaxAgeSec'])}"
        value += "; includeSubDomains" if hsts.get("IncludeSubdomains") else ""
        value += "; preload" if hsts.get("Preload") else ""
        headers.append(("Strict-Transport-Security", value))
    if "ContentTypeOptions" in security:
        headers.append(("X-Content-Type-Options", "nosniff"))
    if "FrameOptions" in security:
        headers.append(("X-Frame-Options", str(security["FrameOptions"]["FrameOption"])))
    if "ReferrerPolicy" in security:
        headers.append(("Referrer-Policy", str(security["ReferrerPolicy"]["ReferrerPolicy"])))
    for item in (policy.get("CustomHeadersConfig") or {}).get("Items") or []:
        headers.append((str(item["Header"]), str(item["Value"])))
    return tuple(headers)


def viewer_request_store(template: Template, logical: str) -> str | None:
    """ARN of the KeyValueStore associated with the distribution's viewer-request function, if any."""
    config = template.properties(logical).get("DistributionConfig") or {}
    behavior = config.get("DefaultCacheBehavior") or {}
    for association in behavior.get("FunctionAssociations") or []:
        if association.get("EventType") != "viewer-request":
            continue
        for function in sorted(template.references(association.get("FunctionARN"))):
            if template.resource_type(function) != "AWS::CloudFront::Function":
                continue
            function_config = template.properties(function).get("FunctionConfig") or {}
            for index, item in enumerate(function_config.get("KeyValueStoreAssociations") or []):
                path = f"Resources.{function}.Properties.FunctionConfig.KeyValueStoreAssociations[{index}]"
                try:
                    return to_text(template.resolve(item.get("KeyValueStoreARN"), path))
                except TemplateError as error:
                    log.warning("distribution %s: %s; no redirects locally", logical, error)
    return None


def create_key_value_store(cloudfront: Any, template: Template, logical: str) -> str:
    """Create the store in moto's CloudFront (control plane), or find it; returns its ARN.

    moto has no data plane: ``local/kvs.py`` serves the keys, and the local
    stack registers every ARN provisioned here with it.
    """
    name = to_text(template.property(logical, "Name") or template.physical_name(logical))
    existing = cloudfront.list_key_value_stores().get("KeyValueStoreList", {}).get("Items") or []
    store = next((item for item in existing if item.get("Name") == name), None)
    if store is None:
        comment = to_text(template.property(logical, "Comment") or "")
        store = cloudfront.create_key_value_store(Name=name, Comment=comment)["KeyValueStore"]
    arn = str(store["ARN"])
    template.register(logical, name, Arn=arn, Id=store["Id"], Status=store.get("Status", "READY"))
    log.info("key value store %s: %s (%s)", logical, name, arn)
    return arn


def _find_distribution(cloudfront: Any, reference: str) -> dict[str, Any] | None:
    """The distribution an earlier run created (same CallerReference), if moto still has it."""
    listing = cloudfront.list_distributions().get("DistributionList", {})
    for item in listing.get("Items") or []:
        config = cloudfront.get_distribution_config(Id=item["Id"])["DistributionConfig"]
        if config.get("CallerReference") == reference:
            return {"Id": item["Id"], "DomainName": item["DomainName"]}
    return None
