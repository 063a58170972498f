"""Moved pages on the local stack: a moved article's old URL is a 301 at the CDN, through every part.

The stack provisions the template's ``RedirectStore`` in moto's CloudFront,
serves its keys from ``local/kvs.py``, points the handlers' boto3 at it with
``AWS_ENDPOINT_URL_CLOUDFRONT_KEYVALUESTORE``, and the local CDN reads the same
store through the Python port of the viewer-request function. The publish
function sends its redirect changes to ``RedirectQueue`` (FIFO), and the
redirects function, run by the stack like any queue-fed function, writes them.
"""

from __future__ import annotations

import http.client
import os
from urllib.parse import urlsplit

from newsroom.adapters.redirect_queue import QueuedRedirects
from newsroom.configuration.settings import Settings
from newsroom.wiring.assembly import build_redirects

from tests.support.site import article_md, local_site


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


def test_a_redirect_sent_from_the_handler_environment_is_a_301_at_the_cdn() -> None:
    with local_site() as stack:
        environment = stack.environment_variables()
        # What the in-process handlers see: the template's queue and store, and where its data plane is.
        assert stack.kvs is not None
        assert os.environ["AWS_ENDPOINT_URL_CLOUDFRONT_KEYVALUESTORE"] == stack.kvs.endpoint_url
        settings = Settings.from_environment(environment)
        assert settings.redirect_queue_url == stack.environment("PublishFunction")["REDIRECT_QUEUE_URL"]
        assert settings.redirect_queue_url.endswith(".fifo")
        arn = stack.outputs["RedirectStoreArn"]
        assert arn == stack.environment("RedirectsFunction")["REDIRECT_STORE_ARN"]
        assert "REDIRECT_STORE_ARN" not in stack.environment("PublishFunction")
        # moto's control plane holds the store under the template's name.
        stores = stack.client("cloudfront").list_key_value_stores()["KeyValueStoreList"]["Items"]
        assert {"Name": f"{stack.stack_name}-redirects", "ARN": arn}.items() <= next(
            store for store in stores if store["ARN"] == arn
        ).items()

        # Built exactly as the publish function builds it: boto3 finds the endpoint in the environment.
        redirects = build_redirects(settings)
        assert isinstance(redirects, QueuedRedirects)
        redirects.apply({"/old.html": "/new.html", "/tin-tuc/cu.html": "/tin-tuc/moi.html"}, [])
        assert get(stack.site_url, "/old.html")[0] == 404  # not before the redirects function ran
        stack.process_queue()

        status, headers = get(stack.site_url, "/old.html")
        assert (status, headers["Location"]) == (301, "/new.html")
        status, headers = get(stack.site_url, "/tin-tuc/cu.html?ref=rss")
        assert (status, headers["Location"]) == (301, "/tin-tuc/moi.html?ref=rss")

        # Removing the redirect (and an absent one) serves the old path again: here, the 404 page.
        redirects.apply({}, ["/old.html", "/never-moved.html"])
        stack.process_queue()
        status, headers = get(stack.site_url, "/old.html")
        assert status == 404
        assert "Location" not in headers
        # The directory index and trailing-slash redirect are unchanged.
        status, headers = get(stack.site_url, "/tin-tuc")
        assert (status, headers["Location"]) == (301, "/tin-tuc/")


def test_an_article_moved_twice_and_then_unpublished_redirects_then_does_not() -> None:
    with local_site() as stack:
        key = "articles/tin-tuc/hoi-nghi.md"
        date = "2024-04-28T08:30:00+07:00"
        stack.upload(key, article_md("Hội nghị", date, slug="hoi-nghi"))
        stack.process_queue()
        stack.upload(key, article_md("Hội nghị", date, slug="hoi-nghi-2024"))
        stack.process_queue()
        stack.upload(key, article_md("Hội nghị", date, slug="hoi-nghi-tong-ket"))
        stack.process_queue()
        for old in ("/tin-tuc/hoi-nghi.html", "/tin-tuc/hoi-nghi-2024.html"):
            status, headers = get(stack.site_url, old)
            assert (status, headers.get("Location")) == (301, "/tin-tuc/hoi-nghi-tong-ket.html")
        assert get(stack.site_url, "/tin-tuc/hoi-nghi-tong-ket.html")[0] == 200
        stack.upload(key, article_md("Hội nghị", date, slug="hoi-nghi-tong-ket", status="draft"))
        stack.process_queue()
        for old in (
            "/tin-tuc/hoi-nghi.html",
            "/tin-tuc/hoi-nghi-2024.html",
            "/tin-tuc/hoi-nghi-tong-ket.html",
        ):
            assert get(stack.site_url, old)[0] == 404
