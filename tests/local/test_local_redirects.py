"""Moved pages on the local stack: a redirect written as the publish function would is a 301 at the CDN.

The stack provisions the template's ``RedirectStore`` in moto's CloudFront,
serves its keys from ``local/kvs.py``, points the handlers' boto3 at it with
``AWS_ENDPOINT_URL_CLOUDFRONT_KEYVALUESTORE``, and the local CDN reads the same
store through the Python port of the viewer-request function.
"""

from __future__ import annotations

import http.client
import os
from urllib.parse import urlsplit

from newsroom.adapters.redirect_store import KeyValueStoreRedirects
from newsroom.configuration.settings import Settings
from newsroom.wiring.assembly import build_redirects

from tests.support.site import local_site


def get(site_url: str, path: str) -> tuple[int, dict[str, str]]:
    """One GET through the local CDN, without following redirects."""
    parts = urlsplit(site_url)
    connection = http.client.HTTPConnection(parts.hostname or "127.0.0.1", parts.port, timeout=10)
    try:
        connection.request("GET", path)
        response = connection.getresponse()
        response.read()
        return response.status, dict(response.getheaders())
    finally:
        connection.close()


def test_a_redirect_put_from_the_handler_environment_is_a_301_at_the_cdn() -> None:
    with local_site() as stack:
        environment = stack.environment_variables()
        # What the in-process handler sees: the template's store, and where its data plane is.
        assert stack.kvs is not None
        assert os.environ["AWS_ENDPOINT_URL_CLOUDFRONT_KEYVALUESTORE"] == stack.kvs.endpoint_url
        settings = Settings.from_environment(environment)
        arn = stack.outputs["RedirectStoreArn"]
        assert settings.redirect_store_arn == arn
        assert arn == stack.environment()["REDIRECT_STORE_ARN"]
        # moto's control plane holds the store under the template's name.
        stores = stack.client("cloudfront").list_key_value_stores()["KeyValueStoreList"]["Items"]
        assert {"Name": f"{stack.stack_name}-redirects", "ARN": arn}.items() <= next(
            store for store in stores if store["ARN"] == arn
        ).items()

        # Built exactly as the function builds it: boto3 finds the endpoint in the environment.
        redirects = build_redirects(settings)
        assert isinstance(redirects, KeyValueStoreRedirects)
        redirects.apply({"/old.html": "/new.html", "/tin-tuc/cu.html": "/tin-tuc/moi.html"}, [])

        status, headers = get(stack.site_url, "/old.html")
        assert (status, headers["Location"]) == (301, "/new.html")
        status, headers = get(stack.site_url, "/tin-tuc/cu.html?ref=rss")
        assert (status, headers["Location"]) == (301, "/tin-tuc/moi.html?ref=rss")

        # Removing the redirect (and an absent one) serves the old path again: here, the 404 page.
        redirects.apply({}, ["/old.html", "/never-moved.html"])
        status, headers = get(stack.site_url, "/old.html")
        assert status == 404
        assert "Location" not in headers
        # The directory index and trailing-slash redirect are unchanged.
        status, headers = get(stack.site_url, "/tin-tuc")
        assert (status, headers["Location"]) == (301, "/tin-tuc/")
