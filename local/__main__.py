"""``python -m local run``: the site on http://127.0.0.1:3000 with sample content (what `make run` calls).

Starts moto on 127.0.0.1:4566, creates the template's resources, runs the
publish handler on the queue, watches for deletes, serves the CDN, uploads
``examples/`` and waits until it is published, then serves until SIGINT or
SIGTERM. A previous instance (pidfile in the state directory) is stopped
first; ports used by another program fail with a clear message.
"""

from __future__ import annotations

import argparse
import faulthandler
import logging
import os
import signal
import sys
import time
from pathlib import Path
from types import FrameType

from local.instance import remove_pidfile, stop_previous, write_pidfile
from local.ports import PortInUseError
from local.rebuild import RunningStack, StackNotRunning, digest, rebuild
from local.redrive import redrive
from local.stack import DEFAULT_CDN_PORT, DEFAULT_MOTO_PORT, REPO_ROOT, LocalStack, StackOptions
from local.template import TemplateError

log = logging.getLogger("local")


class _Shutdown(BaseException):
    """Raised in the main thread by the first SIGINT/SIGTERM (a BaseException, like KeyboardInterrupt,
    so that ``except Exception`` around a handler call cannot swallow it)."""


def _port(value: str) -> int:
    port = int(value)
    if not 0 <= port <= 65535:
        raise argparse.ArgumentTypeError(f"{port} is not a TCP port")
    return port


def _parameter(value: str) -> tuple[str, str]:
    name, sep, text = value.partition("=")
    if not sep or not name:
        raise argparse.ArgumentTypeError("use NAME=VALUE")
    return name, text


def parser() -> argparse.ArgumentParser:
    """The CLI; every port/directory flag also has an environment variable."""
    cli = argparse.ArgumentParser(prog="python -m local", description=__doc__.splitlines()[0])
    commands = cli.add_subparsers(dest="command", required=True)
    run = commands.add_parser("run", help="serve the site on the embedded moto stack with sample content")
    run.add_argument(
        "--moto-port",
        type=_port,
        default=_port(os.environ.get("NEWSROOM_MOTO_PORT", str(DEFAULT_MOTO_PORT))),
        help="moto's port (0: any free port); env NEWSROOM_MOTO_PORT, default %(default)s",
    )
    run.add_argument(
        "--cdn-port",
        type=_port,
        default=_port(os.environ.get("NEWSROOM_CDN_PORT", str(DEFAULT_CDN_PORT))),
        help="the local CDN's port (0: any free port); env NEWSROOM_CDN_PORT, default %(default)s",
    )
    run.add_argument(
        "--state-dir",
        type=Path,
        default=Path(os.environ.get("NEWSROOM_STATE_DIR", REPO_ROOT / ".local")),
        help="where outputs.json, env.sh and the pidfile go; env NEWSROOM_STATE_DIR, default .local/",
    )
    run.add_argument(
        "--template", type=Path, default=REPO_ROOT / "template.yaml", help="default: template.yaml"
    )
    run.add_argument(
        "--examples", type=Path, default=REPO_ROOT / "examples", help="sample content to publish at start"
    )
    run.add_argument("--no-examples", action="store_true", help="start empty")
    run.add_argument(
        "--parameter",
        type=_parameter,
        action="append",
        default=[],
        metavar="NAME=VALUE",
        help="override a template parameter (repeatable)",
    )
    run.add_argument("--retry-delay", type=int, default=2, help="seconds before a failed message is retried")
    run.add_argument("--publish-timeout", type=float, default=180.0, help="seconds to wait for the examples")
    run.add_argument("--log-level", default=os.environ.get("NEWSROOM_LOG_LEVEL", "INFO"))
    state = argparse.ArgumentParser(add_help=False)
    state.add_argument(
        "--state-dir",
        type=Path,
        default=Path(os.environ.get("NEWSROOM_STATE_DIR", REPO_ROOT / ".local")),
        help="the running stack's state directory; default .local/",
    )
    state.add_argument("--log-level", default=os.environ.get("NEWSROOM_LOG_LEVEL", "INFO"))
    rebuild = commands.add_parser(
        "rebuild", parents=[state], help="re-render the whole site from the table and the source bucket"
    )
    rebuild.add_argument("--timeout", type=float, default=600.0, help="seconds to wait for the rebuild")
    digest = commands.add_parser(
        "digest", parents=[state], help="print the SHA-256 of every site object (compare two runs with diff)"
    )
    digest.add_argument("--output", type=Path, help="write to this file instead of stdout")
    commands.add_parser(
        "redrive", parents=[state], help="show why dead letters failed, then send them back to their queue"
    )
    return cli


def redrive_command(args: argparse.Namespace) -> int:
    """Move the dead letters back, printing each one's recorded reason."""
    moved = redrive(RunningStack.find(args.state_dir.resolve()))
    for letter in moved:
        print(f"{letter.queue} <- {letter.message_id} {', '.join(letter.keys) or '-'}: {letter.reason}")
    print(f"{len(moved)} dead letter(s) sent back.")
    return 0


def rebuild_command(args: argparse.Namespace) -> int:
    """Rebuild the running stack's site and say what changed."""
    stack = RunningStack.find(args.state_dir.resolve())
    from local.rebuild_display import RebuildDisplay  # noqa: PLC0415 (rich loads for this command only)

    with RebuildDisplay() as display:
        result = rebuild(stack, timeout=args.timeout, on_progress=display)
    print(
        f"Rebuilt the site: job {result.job}, {result.chunks} chunk(s), "
        f"{result.written} object(s) rewritten because their bytes differed, {result.seconds:.1f} s.",
        flush=True,
    )
    return 0


def digest_command(args: argparse.Namespace) -> int:
    """Print or write the site bucket's digests."""
    lines = digest(RunningStack.find(args.state_dir.resolve()))
    text = "\n".join(lines) + "\n"
    if args.output:
        args.output.write_text(text, encoding="utf-8")
        print(f"{len(lines)} object(s) -> {args.output}")
    else:
        sys.stdout.write(text)
    return 0


def run(args: argparse.Namespace) -> int:
    """Start, publish the examples, serve until a signal, stop cleanly."""
    state_dir: Path = args.state_dir.resolve()
    # A plain flag, not a threading.Event: the handler runs between any two
    # bytecodes of the main thread, possibly while it holds the Event's
    # non-reentrant lock, and must never wait for a lock itself.
    stopping: list[int] = []

    def on_signal(number: int, frame: FrameType | None) -> None:
        if stopping:
            return
        stopping.append(number)
        log.info("%s: shutting down", signal.Signals(number).name)
        raise _Shutdown

    signal.signal(signal.SIGINT, on_signal)
    signal.signal(signal.SIGTERM, on_signal)
    # `kill -USR1 <pid>` (and stop_previous before a SIGKILL) prints every
    # thread's stack to the log: how a stack that will not stop says why.
    faulthandler.register(signal.SIGUSR1, all_threads=True)
    try:
        stop_previous(state_dir, [args.moto_port, args.cdn_port])
    except _Shutdown:
        return 0
    for name in ("outputs.json", "env.sh"):  # present only while a stack is serving
        (state_dir / name).unlink(missing_ok=True)
    # Claimed before starting, so that a run started meanwhile stops this one;
    # rewritten with the bound ports once they are known.
    write_pidfile(state_dir, moto_port=args.moto_port, cdn_port=args.cdn_port)
    stack = LocalStack(
        StackOptions(
            root=REPO_ROOT,
            template=args.template.resolve(),
            parameters=dict(args.parameter),
            moto_port=args.moto_port,
            cdn_port=args.cdn_port,
            retry_delay=args.retry_delay,
        )
    )
    try:
        with stack:
            write_pidfile(
                state_dir,
                moto_port=int(stack.endpoint_url.rsplit(":", 1)[1]),
                cdn_port=int(stack.site_url.rsplit(":", 1)[1]),
            )
            published: list[str] = []
            if not args.no_examples and args.examples.is_dir():
                published = stack.upload_directory(args.examples)
                log.info("uploaded %d example file(s); publishing", len(published))
                if stack.runners:
                    try:
                        stack.process_queue(timeout=args.publish_timeout)
                    except TimeoutError as error:
                        log.warning("examples not fully published yet: %s", error)
            # outputs.json last: its presence tells scripts the stack is ready.
            stack.write_state(state_dir)
            print(stack.banner(published, state_dir), flush=True)
            # Polled, not one long wait: a signal the kernel hands to another
            # thread only sets a flag, and the main thread runs the handler
            # the next time it returns to Python; a blocked wait never would.
            while not stopping:
                time.sleep(0.2)
    except _Shutdown:
        pass
    finally:
        remove_pidfile(state_dir)
        for name in ("outputs.json", "env.sh"):
            (state_dir / name).unlink(missing_ok=True)
    log.info("stopped")
    return 0


def main(argv: list[str] | None = None) -> int:
    """Entry point of ``python -m local``."""
    args = parser().parse_args(argv)
    logging.basicConfig(
        level=getattr(logging, str(args.log_level).upper(), logging.INFO),
        format="%(asctime)s %(levelname)-7s %(name)s: %(message)s",
        datefmt="%H:%M:%S",
    )
    for noisy in ("botocore", "boto3", "urllib3", "werkzeug"):
        logging.getLogger(noisy).setLevel(logging.WARNING)
    commands = {"run": run, "rebuild": rebuild_command, "digest": digest_command, "redrive": redrive_command}
    try:
        return commands[args.command](args)
    except (PortInUseError, TemplateError, FileNotFoundError, StackNotRunning, TimeoutError) as error:
        print(f"python -m local: {error}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    code = main()
    # Everything is stopped and flushed by now. Skip interpreter finalization:
    # tearing down moto's and the handler's module state takes seconds and
    # would only delay the port-free, pidfile-gone exit that callers wait for.
    logging.shutdown()
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(code)
