"""The whole local stack in one object: moto, provisioning, runner, delete watcher, CDN.

``python -m local run`` uses it to serve the site; integration tests use it
in-process (random free ports, ``background=False`` and ``process_queue()``
for determinism) to drive real S3 -> SQS notifications through the real
handler and read the result through the CDN.

moto keeps its state in module globals: every LocalStack in one process
shares one moto backend, whatever its port. Give concurrent stacks different
``stack_name`` values if they must not see each other's resources.
"""

from __future__ import annotations

import contextlib
import logging
import mimetypes
import shlex
import traceback
from collections.abc import Mapping, Sequence
from pathlib import Path
from types import TracebackType
from typing import Any, Self

from moto.server import ThreadedMotoServer

from local import moto_patches
from local.aws import client, local_aws_environment, patched_environ
from local.cdn import FunctionCall, LocalCdn, Rewrite
from local.deletes import DeleteWatcher, queue_targets
from local.function_url import call, function_url_routes
from local.kvs import KvsServer
from local.ports import free_port, require_free
from local.provision import DistributionInfo, Provisioned, provision
from local.runner import (
    DEFAULT_RETRY_DELAY,
    Handler,
    QueueRunner,
    function_spec,
    load_handler,
    sqs_event_sources,
)
from local.template import STACK_NAME, Template
from local.viewer_request import rewrite as viewer_request

log = logging.getLogger("local.stack")

REPO_ROOT = Path(__file__).resolve().parents[1]
HOST = "127.0.0.1"
DEFAULT_MOTO_PORT = 4566
DEFAULT_CDN_PORT = 3000
DEFAULT_METRICS_NAMESPACE = "Newsroom"
# How often the delete watcher looks anyway when moto tells it of each delete.
TOLD_DELETE_INTERVAL = 30.0
# Configuration first, then what articles embed, then the articles.
UPLOAD_ORDER = ("site/", "media/", "articles/")
_CONTENT_TYPES = {
    ".md": "text/markdown; charset=utf-8",
    ".markdown": "text/markdown; charset=utf-8",
    ".yaml": "application/yaml; charset=utf-8",
    ".yml": "application/yaml; charset=utf-8",
    ".html": "text/html; charset=utf-8",
}


def content_type(path: Path) -> str:
    """Content-Type for an uploaded source file (text types carry their charset)."""
    suffix = path.suffix.lower()
    if suffix in _CONTENT_TYPES:
        return _CONTENT_TYPES[suffix]
    guessed, _ = mimetypes.guess_type(path.name)
    return guessed or "application/octet-stream"


class MotoServer:
    """moto's ThreadedMotoServer, started, quiet, and closing its socket on stop."""

    def __init__(self, host: str = HOST, port: int = 0) -> None:
        logging.getLogger("werkzeug").setLevel(logging.WARNING)
        moto_patches.apply()  # transactions that do not copy whole tables
        self._server = ThreadedMotoServer(ip_address=host, port=port, verbose=False)
        self._server.start()
        bound_host, bound_port = self._server.get_host_and_port()
        self.endpoint_url = f"http://{bound_host}:{bound_port}"

    def stop(self) -> None:
        """Stop serving and release the port (moto's own stop leaves the socket open)."""
        self._server.stop()
        werkzeug_server = self._server._server  # moto does not close it
        if werkzeug_server is not None:
            werkzeug_server.server_close()


class LocalStack:
    """moto + the template's resources + the handler runner + the CDN, started and stopped together."""

    def __init__(
        self,
        root: str | Path = REPO_ROOT,
        *,
        template: str | Path = "template.yaml",
        stack_name: str = STACK_NAME,
        parameters: Mapping[str, Any] | None = None,
        host: str = HOST,
        moto_port: int = 0,
        cdn_port: int = 0,
        functions: Sequence[str] | None = None,
        handlers: Mapping[str, Handler] | None = None,
        background: bool = True,
        retry_delay: int = DEFAULT_RETRY_DELAY,
        delete_interval: float = 1.0,
        invalidation_interval: float = 0.5,
        log_flush_interval: float = 5.0,
        rewrite: Rewrite | None = None,
    ) -> None:
        self.root = Path(root).resolve()
        self.template_path = (self.root / template).resolve()
        self.stack_name = stack_name
        self.parameters = dict(parameters or {})
        self.host = host
        self.requested_moto_port = moto_port
        self.requested_cdn_port = cdn_port
        # None: every function of the template that an SQS queue feeds (publish, render).
        self.functions: tuple[str, ...] = tuple(functions) if functions is not None else ()
        self._all_queue_functions = functions is None
        self.handlers = dict(handlers or {})
        self.background = background
        self.retry_delay = retry_delay
        self.delete_interval = delete_interval
        self.invalidation_interval = invalidation_interval
        self.log_flush_interval = log_flush_interval
        self.rewrite = rewrite

        self.moto: MotoServer | None = None
        self.template: Template | None = None
        self.provisioned: Provisioned | None = None
        self.runners: dict[str, QueueRunner] = {}
        self.handler_errors: dict[str, str] = {}
        self.watchers: list[DeleteWatcher] = []
        self.cdn: LocalCdn | None = None
        self.kvs: KvsServer | None = None
        self.endpoint_url = ""
        self.site_url = ""
        self._exit = contextlib.ExitStack()

    # ------------------------------------------------------------ lifecycle

    def __enter__(self) -> Self:
        return self.start()

    def __exit__(
        self, kind: type[BaseException] | None, error: BaseException | None, trace: TracebackType | None
    ) -> None:
        self.stop()

    def start(self) -> Self:
        """Start everything; on any failure, what already started is stopped again."""
        try:
            self._start()
        except BaseException:
            self.stop()
            raise
        return self

    def _start(self) -> None:
        if not self.template_path.is_file():
            raise FileNotFoundError(f"no template at {self.template_path}")
        require_free({"moto": self.requested_moto_port, "CDN": self.requested_cdn_port}, self.host)
        cdn_port = self.requested_cdn_port or free_port(self.host)
        self._start_moto()
        self.site_url = f"http://{self.host}:{cdn_port}"

        self.template = Template.load(
            self.template_path, stack_name=self.stack_name, parameters=self.parameters
        )
        self.provisioned = provision(self.template, self.endpoint_url, site_url=self.site_url)
        if self._all_queue_functions:
            self.functions = tuple(
                logical
                for logical, resource in self.template.resources.items()
                if resource.get("Type") == "AWS::Serverless::Function"
                and any(
                    e.get("Type") == "SQS" for e in (self.template.property(logical, "Events") or {}).values()
                )
            )
        self._start_kvs()
        self._exit.enter_context(patched_environ(self.environment_variables()))

        self._start_runners()
        self._start_watchers()
        self._start_cdn(cdn_port)
        if self.background:
            for runner in self.runners.values():
                runner.start()
                self._exit.callback(runner.stop)

    def _start_moto(self) -> None:
        server = MotoServer(self.host, self.requested_moto_port)
        self.moto = server
        self._exit.callback(server.stop)
        self.endpoint_url = server.endpoint_url
        log.info("moto on %s", self.endpoint_url)

    def environment_variables(self) -> dict[str, str]:
        """What the in-process handlers see in ``os.environ`` (template env + Lambda runtime + moto)."""
        template, provisioned = self._started()
        region = template.region
        merged: dict[str, str] = {}
        for logical in self.functions:
            for name, value in provisioned.environment(logical).items():
                if merged.get(name, value) != value:
                    log.warning("%s sets %s differently from another local function", logical, name)
                merged[name] = value
        if len(self.functions) == 1:
            spec = function_spec(template, self.functions[0], merged)
            merged.update(spec.runtime_environment(region))
        merged.setdefault("POWERTOOLS_METRICS_NAMESPACE", DEFAULT_METRICS_NAMESPACE)
        merged["POWERTOOLS_TRACE_DISABLED"] = "true"
        merged.update(local_aws_environment(self.endpoint_url, region))
        if self.kvs is not None:  # botocore's per-service endpoint variable for cloudfront-keyvaluestore
            merged["AWS_ENDPOINT_URL_CLOUDFRONT_KEYVALUESTORE"] = self.kvs.endpoint_url
        return merged

    def _start_runners(self) -> None:
        template, provisioned = self._started()
        queue_urls = {queue.arn: queue.url for queue in provisioned.queues.values()}
        sqs = client("sqs", self.endpoint_url, template.region)
        for logical in self.functions:
            spec = function_spec(template, logical, provisioned.environment(logical))
            handler = self.handlers.get(logical)
            if handler is None:
                try:
                    handler = load_handler(spec)
                except Exception:  # serve the site anyway; the banner says the function is down
                    self.handler_errors[logical] = traceback.format_exc()
                    log.exception("%s cannot be loaded: its queue will not be processed", logical)
                    continue
            for source in sqs_event_sources(template, logical, queue_urls):
                if not source.enabled:
                    continue
                self.runners[f"{logical}.{source.name}"] = QueueRunner(
                    sqs,
                    source,
                    handler,
                    spec.context,
                    region=template.region,
                    function_name=logical,
                    retry_delay=self.retry_delay,
                )

    def _start_watchers(self) -> None:
        template, provisioned = self._started()
        region = template.region
        s3 = client("s3", self.endpoint_url, region)
        sqs = client("sqs", self.endpoint_url, region)
        for bucket in provisioned.buckets.values():
            if s3.get_bucket_versioning(Bucket=bucket).get("Status") != "Enabled":
                continue  # moto does send delete events for unversioned buckets
            if not queue_targets(s3.get_bucket_notification_configuration(Bucket=bucket)):
                continue
            # Told by moto of every delete, the watcher only needs a slow safety poll.
            told = moto_patches.apply()
            interval = max(self.delete_interval, TOLD_DELETE_INTERVAL) if told else self.delete_interval
            watcher = DeleteWatcher(s3, sqs, bucket, region=region, interval=interval)
            if self.background:
                if told:
                    moto_patches.on_delete(watcher.poke)
                    self._exit.callback(moto_patches.off_delete, watcher.poke)
                watcher.start()
                self._exit.callback(watcher.stop)
            else:
                watcher.scan_once()  # the baseline that later scans compare with
            self.watchers.append(watcher)

    def _start_kvs(self) -> None:
        """The KeyValueStore data plane moto lacks (local/kvs.py), holding the template's stores."""
        _, provisioned = self._started()
        server = KvsServer(self.host).start()
        self._exit.callback(server.stop)
        for arn in provisioned.key_value_stores.values():
            server.state.create_store(arn)
        self.kvs = server

    def _viewer_request(self, distribution: DistributionInfo) -> Rewrite:
        """The viewer-request function's port, reading the distribution's store as the edge does."""
        arn, kvs = distribution.key_value_store_arn, self.kvs
        if arn is None or kvs is None:
            return viewer_request
        store, state = arn, kvs.state

        def lookup(uri: str) -> str | None:
            return state.lookup(store, uri)

        def rewrite(uri: str, query: str) -> tuple[str, str | None]:
            return viewer_request(uri, query, lookup)

        return rewrite

    def _start_cdn(self, port: int) -> None:
        template, provisioned = self._started()
        if not provisioned.distributions:
            log.warning("the template has no CloudFront distribution: no local CDN")
            return
        distribution = next(iter(provisioned.distributions.values()))
        region = template.region
        cdn = LocalCdn(
            client("s3", self.endpoint_url, region),
            client("cloudfront", self.endpoint_url, region),
            distribution,
            host=self.host,
            port=port,
            rewrite=self.rewrite or self._viewer_request(distribution),
            invalidation_interval=self.invalidation_interval,
            log_flush_interval=self.log_flush_interval,
            function_routes=self._function_routes(),
        )
        cdn.start()
        self.cdn = cdn
        self._exit.callback(cdn.stop)

    def _function_routes(self) -> list[tuple[str, FunctionCall]]:
        """The distribution's function-URL behaviors (``/api/search*``), calling the unchanged handlers."""
        template, provisioned = self._started()
        routes: list[tuple[str, FunctionCall]] = []
        for route in function_url_routes(template):
            spec = function_spec(template, route.function, provisioned.environment(route.function))
            try:
                handler = self.handlers.get(route.function) or load_handler(spec)
            except Exception:  # serve the site anyway; the banner says the function is down
                self.handler_errors[route.function] = traceback.format_exc()
                log.exception("%s cannot be loaded: %s will answer 502", route.function, route.path_pattern)
                continue

            def invoke(
                method: str, path: str, query: str, headers: Any, handler: Handler = handler, spec: Any = spec
            ) -> tuple[int, dict[str, str], bytes]:
                return call(handler, spec.context(), method, path, query, dict(headers.items()))

            routes.append((route.path_pattern, invoke))
        return routes

    def stop(self) -> None:
        """Stop runners, watchers and CDN (flushing access logs), restore the environment, stop moto."""
        self._exit.close()
        self.runners.clear()
        self.watchers.clear()
        self.cdn = None
        self.kvs = None

    # ---------------------------------------------------------------- use

    def _started(self) -> tuple[Template, Provisioned]:
        if self.template is None or self.provisioned is None:
            raise RuntimeError("start() the local stack first")
        return self.template, self.provisioned

    @property
    def outputs(self) -> dict[str, str]:
        """The template's Outputs with local values (plus EndpointUrl and Region)."""
        _, provisioned = self._started()
        return dict(provisioned.outputs)

    def environment(self, function: str = "PublishFunction") -> dict[str, str]:
        """A function's resolved Environment.Variables (SITE_BASE_URL = the local CDN)."""
        _, provisioned = self._started()
        return provisioned.environment(function)

    def client(self, service: str) -> Any:
        """A boto3 client on the local endpoint."""
        template, _ = self._started()
        return client(service, self.endpoint_url, template.region)

    @property
    def endpoint(self) -> str:
        """The moto endpoint URL (same as ``endpoint_url``)."""
        return self.endpoint_url

    @property
    def source_bucket(self) -> str:
        """The bucket editors upload to."""
        return self.outputs.get("SourceBucketName") or self._bucket("SourceBucket")

    @property
    def site_bucket(self) -> str:
        """The bucket the CDN serves."""
        return self.outputs.get("SiteBucketName") or self._bucket("SiteBucket")

    def _bucket(self, logical: str) -> str:
        _, provisioned = self._started()
        return provisioned.buckets[logical]

    def process_queue(self, timeout: float = 60.0) -> int:
        """Run the handlers until every queue is empty; returns messages handled in this thread.

        With ``background=False`` the handler runs here, synchronously; with the
        background runner this waits for it.

        Pending delete markers are turned into events first, and again after
        each drain, so a delete made just before the call is processed too.
        """
        if not self.runners:
            problems = "; ".join(f"{k}: {v.strip().splitlines()[-1]}" for k, v in self.handler_errors.items())
            raise RuntimeError(f"no function is running locally ({problems or 'no SQS events'})")
        handled = 0
        while True:
            queued = sum(watcher.scan_once() for watcher in self.watchers)
            handled += sum(runner.drain(timeout) for runner in self.runners.values())
            # One function may feed another's queue (a configuration change fans
            # out on the render queue): done only when a pass leaves all empty.
            if queued == 0 and all(runner.queue_is_empty() for runner in self.runners.values()):
                return handled

    def upload(self, key: str, body: bytes | str, content_type_: str | None = None) -> dict[str, Any]:
        """Put one source object (S3 then notifies the queue, as in AWS)."""
        data = body.encode("utf-8") if isinstance(body, str) else body
        kind = content_type_ or content_type(Path(key))
        return dict(
            self.client("s3").put_object(Bucket=self.source_bucket, Key=key, Body=data, ContentType=kind)
        )

    def upload_directory(self, directory: str | Path) -> list[str]:
        """Upload files under ``directory`` with the same relative keys, if the bucket notifies on them.

        Files outside the notified prefixes (tools, READMEs) are skipped.
        """
        base = Path(directory)
        s3 = self.client("s3")
        notified = {
            t.prefix
            for t in queue_targets(s3.get_bucket_notification_configuration(Bucket=self.source_bucket))
        }

        def order(path: Path) -> tuple[int, str]:
            key = path.relative_to(base).as_posix()
            rank = next(
                (i for i, prefix in enumerate(UPLOAD_ORDER) if key.startswith(prefix)), len(UPLOAD_ORDER)
            )
            return rank, key

        keys = []
        files = [
            p for p in base.rglob("*") if p.is_file() and not any(part.startswith(".") for part in p.parts)
        ]
        for path in sorted(files, key=order):
            key = path.relative_to(base).as_posix()
            if "__pycache__" in key or not any(key.startswith(prefix) for prefix in notified):
                log.debug("not uploading %s: the source bucket does not notify on it", key)
                continue
            self.upload(key, path.read_bytes(), content_type(path))
            keys.append(key)
        return keys

    def write_state(self, state_dir: Path) -> dict[str, Path]:
        """Write ``outputs.json`` and ``env.sh`` (source it to use the AWS CLI against moto)."""
        template, provisioned = self._started()
        outputs = provisioned.write_outputs(state_dir)
        variables = {
            **local_aws_environment(self.endpoint_url, template.region),
            "SITE_URL": self.site_url,
            **self.environment(self.functions[0]),
        }
        lines = ["# Written by `python -m local run`: `source` it to point the AWS CLI and boto3 at moto."]
        lines += [f"export {name}={shlex.quote(value)}" for name, value in variables.items()]
        env = state_dir / "env.sh"
        env.write_text("\n".join(lines) + "\n", encoding="utf-8")
        return {"outputs": outputs, "env": env}

    def banner(self, published: Sequence[str] = (), state_dir: Path | None = None) -> str:
        """The short summary `make run` prints once the stack is serving."""
        outputs = self.outputs
        shown = ("SourceBucketName", "SiteBucketName", "LogsBucketName", "ContentTableName")
        rows = [
            ("Site", f"{self.site_url}/"),
            ("AWS API", f"{self.endpoint_url}  (moto, region {outputs.get('Region')})"),
            *((name, outputs[name]) for name in shown if name in outputs),
        ]
        if state_dir is not None:
            rows.append(("All outputs", str(state_dir / "outputs.json")))
        lines = [
            "",
            "Newsroom local stack is up.",
            *(f"  {label + ':':<18} {value}" for label, value in rows),
        ]
        for logical, error in self.handler_errors.items():
            lines.append(f"WARNING: {logical} is not running: {error.strip().splitlines()[-1]}")
        dead = self._dead_letters()
        if dead:
            lines.append(
                f"WARNING: {dead} message(s) in the dead-letter queue: see the handler's logs above."
            )
        if published:
            lines.append(f"Published {len(published)} example file(s).")
        lines += ["", "Publish an article:"]
        if state_dir is not None:
            lines.append(f"  source {state_dir / 'env.sh'}")
        lines += [
            f"  aws --endpoint-url {self.endpoint_url} s3 cp my-article.md "
            f"s3://{self.source_bucket}/articles/tin-tuc/my-article.md",
            f"  then open {self.site_url}/",
            "Press Ctrl+C to stop.",
            "",
        ]
        return "\n".join(lines)

    def _dead_letters(self) -> int:
        """Messages waiting in the template's dead-letter queues (those other queues redrive to)."""
        _, provisioned = self._started()
        sqs = self.client("sqs")
        total = 0
        for queue in provisioned.queues.values():
            sources = sqs.list_dead_letter_source_queues(QueueUrl=queue.url).get("queueUrls") or []
            if sources:
                attributes = sqs.get_queue_attributes(
                    QueueUrl=queue.url, AttributeNames=["ApproximateNumberOfMessages"]
                )["Attributes"]
                total += int(attributes["ApproximateNumberOfMessages"])
        return total
