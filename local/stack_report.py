"""What a running local stack tells its user: the banner, ``outputs.json`` and ``env.sh``."""

from __future__ import annotations

import shlex
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from local.aws import local_aws_environment

if TYPE_CHECKING:
    from local.stack import LocalStack


def write_state(stack: LocalStack, state_dir: Path) -> dict[str, Path]:
    """Write ``outputs.json`` and ``env.sh`` (source it to use the AWS CLI against moto)."""
    template, provisioned = stack.started()
    outputs = provisioned.write_outputs(state_dir)
    variables = {
        **local_aws_environment(stack.endpoint_url, template.region),
        "SITE_URL": stack.site_url,
        **stack.environment(stack.functions[0]),
    }
    lines = ["# Written by `python -m local run`: `source` it to point the AWS CLI and boto3 at moto."]
    lines += [f"export {name}={shlex.quote(value)}" for name, value in variables.items()]
    env = state_dir / "env.sh"
    env.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return {"outputs": outputs, "env": env}


def banner(stack: LocalStack, published: Sequence[str] = (), state_dir: Path | None = None) -> str:
    """The short summary `make run` prints once the stack is serving."""
    outputs = stack.outputs
    shown = ("SourceBucketName", "SiteBucketName", "LogsBucketName", "ContentTableName")
    rows = [
        ("Site", f"{stack.site_url}/"),
        ("AWS API", f"{stack.endpoint_url}  (moto, region {outputs.get('Region')})"),
        *((name, outputs[name]) for name in shown if name in outputs),
    ]
    if state_dir is not None:
        rows.append(("All outputs", str(state_dir / "outputs.json")))
    lines = [
        "",
        "Newsroom local stack is up.",
        *(f"  {label + ':':<18} {value}" for label, value in rows),
    ]
    for logical, error in stack.handler_errors.items():
        lines.append(f"WARNING: {logical} is not running: {error.strip().splitlines()[-1]}")
    dead = dead_letters(stack)
    if dead:
        lines.append(f"WARNING: {dead} message(s) in the dead-letter queue: see the handler's logs above.")
    if published:
        lines.append(f"Published {len(published)} example file(s).")
    lines += ["", "Publish an article:"]
    if state_dir is not None:
        lines.append(f"  source {state_dir / 'env.sh'}")
    lines += [
        f"  aws --endpoint-url {stack.endpoint_url} s3 cp my-article.md "
        f"s3://{stack.source_bucket}/articles/tin-tuc/my-article.md",
        f"  then open {stack.site_url}/",
        "Press Ctrl+C to stop.",
        "",
    ]
    return "\n".join(lines)


def dead_letters(stack: LocalStack) -> int:
    """Messages waiting in the template's dead-letter queues (those other queues redrive to)."""
    _, provisioned = stack.started()
    sqs = stack.client("sqs")
    total = 0
    for queue in provisioned.queues.values():
        sources = sqs.list_dead_letter_source_queues(QueueUrl=queue.url).get("queueUrls") or []
        if sources:
            attributes = sqs.get_queue_attributes(
                QueueUrl=queue.url, AttributeNames=["ApproximateNumberOfMessages"]
            )["Attributes"]
            total += int(attributes["ApproximateNumberOfMessages"])
    return total
