"""The whole local stack in one object: moto, provisioning, runner, delete watcher, scheduler, CDN.

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
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from types import TracebackType
from typing import Any, Self

from moto.server import ThreadedMotoServer

from local import moto_patches, stack_report
from local.aws import client, patched_environ
from local.cdn import LocalCdn, Rewrite
from local.deletes import DeleteWatcher, queue_targets, watch_buckets
from local.kvs import KvsServer
from local.ports import free_port, require_free
from local.provision import Provisioned, provision
from local.runner import DEFAULT_RETRY_DELAY, Handler, QueueRunner
from local.scheduler_pump import SchedulerPump
from local.stack_functions import (
    add_queue_runners,
    function_routes,
    handler_environment,
    queue_fed_functions,
    viewer_request_rewrite,
)
from local.template import STACK_NAME, Template
from local.uploads import content_type, notified_files

log = logging.getLogger("local.stack")

REPO_ROOT = Path(__file__).resolve().parents[1]
HOST = "127.0.0.1"
DEFAULT_MOTO_PORT = 4566
DEFAULT_CDN_PORT = 3000


@dataclass(frozen=True, kw_only=True)
class StackOptions:
    """How to run a ``LocalStack``; the defaults are what ``python -m local run`` uses, on free ports."""

    root: str | Path = REPO_ROOT
    """The checkout: the template and the functions' CodeUri are relative to it."""
    template: str | Path = "template.yaml"
    stack_name: str = STACK_NAME
    """Prefix of every resource name; concurrent stacks in one process need different ones."""
    parameters: Mapping[str, Any] | None = None
    host: str = HOST
    moto_port: int = 0
    """0: any free port (as for ``cdn_port``)."""
    cdn_port: int = 0
    functions: Sequence[str] | None = None
    """None: every function of the template that an SQS queue feeds (publish, render)."""
    handlers: Mapping[str, Handler] | None = None
    """Stand-ins for functions' handlers, by logical id (the rest are imported from their code)."""
    background: bool = True
    """False: handlers run only in ``process_queue``, in the caller's thread (deterministic tests)."""
    retry_delay: int = DEFAULT_RETRY_DELAY
    delete_interval: float = 1.0
    invalidation_interval: float = 0.5
    log_flush_interval: float = 5.0
    rewrite: Rewrite | None = None
    """The CDN's viewer-request rewrite; None: the port of the template's CloudFront Function."""


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

    def __init__(self, options: StackOptions | None = None) -> None:
        self.options = options if options is not None else StackOptions()
        self.root = Path(self.options.root).resolve()
        self.template_path = (self.root / self.options.template).resolve()
        self.stack_name = self.options.stack_name
        self.parameters = dict(self.options.parameters or {})
        # Without options.functions: set on start, to every function an SQS queue feeds.
        functions = self.options.functions
        self.functions: tuple[str, ...] = tuple(functions) if functions is not None else ()
        self.handlers = dict(self.options.handlers or {})

        self.moto: MotoServer | None = None
        self.template: Template | None = None
        self.provisioned: Provisioned | None = None
        self.runners: dict[str, QueueRunner] = {}
        self.handler_errors: dict[str, str] = {}
        self.watchers: list[DeleteWatcher] = []
        self.cdn: LocalCdn | None = None
        self.kvs: KvsServer | None = None
        self._scheduler: SchedulerPump | None = None
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
        options = self.options
        if not self.template_path.is_file():
            raise FileNotFoundError(f"no template at {self.template_path}")
        require_free({"moto": options.moto_port, "CDN": options.cdn_port}, options.host)
        cdn_port = options.cdn_port or free_port(options.host)
        self._start_moto()
        self.site_url = f"http://{options.host}:{cdn_port}"

        self.template = Template.load(
            self.template_path, stack_name=self.stack_name, parameters=self.parameters
        )
        self.provisioned = provision(self.template, self.endpoint_url, site_url=self.site_url)
        if options.functions is None:
            self.functions = queue_fed_functions(self.template)
        self._start_kvs()
        self._exit.enter_context(patched_environ(self.environment_variables()))

        add_queue_runners(
            self.runners,
            self.handler_errors,
            template=self.template,
            provisioned=self.provisioned,
            sqs=client("sqs", self.endpoint_url, self.template.region),
            functions=self.functions,
            handlers=self.handlers,
            retry_delay=options.retry_delay,
        )
        watch_buckets(
            self.watchers,
            self._exit,
            client("s3", self.endpoint_url, self.template.region),
            client("sqs", self.endpoint_url, self.template.region),
            self.provisioned.buckets.values(),
            region=self.template.region,
            interval=options.delete_interval,
            background=options.background,
        )
        self._start_cdn(cdn_port)
        if options.background:
            for runner in self.runners.values():
                runner.start()
                self._exit.callback(runner.stop)
        self._scheduler = SchedulerPump.for_stack(self.provisioned, self._exit, background=options.background)

    def _start_moto(self) -> None:
        server = MotoServer(self.options.host, self.options.moto_port)
        self.moto = server
        self._exit.callback(server.stop)
        self.endpoint_url = server.endpoint_url
        log.info("moto on %s", self.endpoint_url)

    def environment_variables(self) -> dict[str, str]:
        """What the in-process handlers see in ``os.environ`` (template env + Lambda runtime + moto)."""
        template, provisioned = self.started()
        return handler_environment(template, provisioned, self.functions, self.endpoint_url, self.kvs)

    def _start_kvs(self) -> None:
        """The KeyValueStore data plane moto lacks (local/kvs.py), holding the template's stores."""
        _, provisioned = self.started()
        server = KvsServer(self.options.host).start()
        self._exit.callback(server.stop)
        for arn in provisioned.key_value_stores.values():
            server.state.create_store(arn)
        self.kvs = server

    def _start_cdn(self, port: int) -> None:
        template, provisioned = self.started()
        if not provisioned.distributions:
            log.warning("the template has no CloudFront distribution: no local CDN")
            return
        distribution = next(iter(provisioned.distributions.values()))
        region = template.region
        cdn = LocalCdn(
            client("s3", self.endpoint_url, region),
            client("cloudfront", self.endpoint_url, region),
            distribution,
            host=self.options.host,
            port=port,
            rewrite=self.options.rewrite or viewer_request_rewrite(distribution, self.kvs),
            invalidation_interval=self.options.invalidation_interval,
            log_flush_interval=self.options.log_flush_interval,
            function_routes=function_routes(
                self.handler_errors, template=template, provisioned=provisioned, handlers=self.handlers
            ),
        )
        cdn.start()
        self.cdn = cdn
        self._exit.callback(cdn.stop)

    def stop(self) -> None:
        """Stop runners, scheduler, watchers and CDN (flushing logs), restore the environment, stop moto."""
        self._exit.close()
        self.runners.clear()
        self.watchers.clear()
        self.cdn = None
        self.kvs = None
        self._scheduler = None

    # ---------------------------------------------------------------- use

    def started(self) -> tuple[Template, Provisioned]:
        """The template and what was provisioned from it; an error before ``start()``."""
        if self.template is None or self.provisioned is None:
            raise RuntimeError("start() the local stack first")
        return self.template, self.provisioned

    @property
    def scheduler(self) -> SchedulerPump:
        """Fires what moto's Scheduler holds when due: ``fire_due(now=...)``, then ``process_queue()``."""
        if self._scheduler is None:
            raise RuntimeError("start() the local stack first")
        return self._scheduler

    @property
    def outputs(self) -> dict[str, str]:
        """The template's Outputs with local values (plus EndpointUrl and Region)."""
        _, provisioned = self.started()
        return dict(provisioned.outputs)

    def environment(self, function: str = "PublishFunction") -> dict[str, str]:
        """A function's resolved Environment.Variables (SITE_BASE_URL = the local CDN)."""
        _, provisioned = self.started()
        return provisioned.environment(function)

    def client(self, service: str) -> Any:
        """A boto3 client on the local endpoint."""
        template, _ = self.started()
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
        _, provisioned = self.started()
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
        s3 = self.client("s3")
        notified = {
            t.prefix
            for t in queue_targets(s3.get_bucket_notification_configuration(Bucket=self.source_bucket))
        }
        keys = []
        for key, path in notified_files(Path(directory), notified):
            self.upload(key, path.read_bytes(), content_type(path))
            keys.append(key)
        return keys

    def write_state(self, state_dir: Path) -> dict[str, Path]:
        """Write ``outputs.json`` and ``env.sh`` (source it to use the AWS CLI against moto)."""
        return stack_report.write_state(self, state_dir)

    def banner(self, published: Sequence[str] = (), state_dir: Path | None = None) -> str:
        """The short summary `make run` prints once the stack is serving."""
        return stack_report.banner(self, published, state_dir)
