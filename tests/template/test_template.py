"""template.yaml: linters, a real ``sam build``, and the properties the design depends on.

The template is read with cfn-lint's decoder, which turns ``!Sub``/``!GetAtt``
tags into their ``Fn::`` forms: the assertions see what CloudFormation sees.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
import tomllib
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from cfnlint.decode import cfn_yaml
from newsroom.usecases.publish import ABANDONED_AFTER

ROOT = Path(__file__).resolve().parents[2]
TEMPLATE = ROOT / "template.yaml"
FUNCTION_JS = ROOT / "cloudfront" / "viewer-request.js"
SAM = ROOT / ".venv-sam" / "bin" / "sam"

BUCKETS = ("SourceBucket", "SiteBucket", "LogsBucket")
SOURCE_PREFIXES = ("articles/", "media/", "site/")
CACHING_OPTIMIZED = "658327ea-f89d-4fab-a63d-7e88639e58f6"
SOURCE_BUCKET_NAME = "${AWS::StackName}-source-${AWS::AccountId}-${AWS::Region}"
DISTRIBUTION_ARN = "arn:${AWS::Partition}:cloudfront::${AWS::AccountId}:distribution/${SiteDistribution}"
PUBLISH_ENVIRONMENT = {
    "SOURCE_BUCKET_NAME",
    "SITE_BUCKET_NAME",
    "CONTENT_TABLE_NAME",
    "DISTRIBUTION_ID",
    "SITE_BASE_URL",
    "SITE_LOCALE",
    "SITE_TIMEZONE",
    "MAX_SOURCE_BYTES",
    "RENDER_QUEUE_URL",
    "SEARCH_TABLE_NAME",
}
# Read by settings when set (newsroom.configuration.settings.OPTIONAL).
PUBLISH_OPTIONAL_ENVIRONMENT = {
    "REDIRECT_QUEUE_URL",
    "IMAGE_HOSTS",
    "SCHEDULE_GROUP_NAME",
    "SCHEDULER_ROLE_ARN",
    "PUBLISH_QUEUE_ARN",
    "PUBLISH_DEAD_LETTER_ARN",
    "PDF_QUEUE_URL",
    "PICTURES_QUEUE_URL",
}
REDIRECT_STORE_ARN = {"Fn::GetAtt": ["RedirectStore", "Arn"]}


def tool_environment() -> dict[str, str]:
    """What cfn-lint and the SAM CLI need to run offline and quietly."""
    return {**os.environ, "AWS_DEFAULT_REGION": "us-east-1", "SAM_CLI_TELEMETRY": "0"}


def sam() -> str:
    assert SAM.exists(), f"{SAM} is missing: run scripts/bootstrap --test"
    return str(SAM)


def run_tool(command: list[str], env: dict[str, str] | None = None, timeout: int = 300) -> str:
    """Run a checker from the repository root; fail with its output unless it exits 0."""
    completed = subprocess.run(
        command,
        capture_output=True,
        text=True,
        check=False,
        cwd=ROOT,
        env=env if env is not None else tool_environment(),
        timeout=timeout,
    )
    output = completed.stdout + completed.stderr
    assert completed.returncode == 0, output
    return output


def as_list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else [value]


def walk(node: Any) -> Iterator[Any]:
    """Every node under ``node``, itself included."""
    yield node
    if isinstance(node, dict):
        for value in node.values():
            yield from walk(value)
    elif isinstance(node, list):
        for item in node:
            yield from walk(item)


@pytest.fixture(scope="module")
def template() -> dict[str, Any]:
    loaded: dict[str, Any] = cfn_yaml.load(str(TEMPLATE))
    return loaded


@pytest.fixture(scope="module")
def resources(template: dict[str, Any]) -> dict[str, Any]:
    found: dict[str, Any] = template["Resources"]
    return found


def props(resources: dict[str, Any], logical: str) -> dict[str, Any]:
    found: dict[str, Any] = resources[logical]["Properties"]
    return found


def statements(resources: dict[str, Any], logical: str) -> list[dict[str, Any]]:
    found: list[dict[str, Any]] = props(resources, logical)["PolicyDocument"]["Statement"]
    return found


def function_timeout(template: dict[str, Any], logical: str) -> int:
    own = template["Resources"][logical]["Properties"].get("Timeout")
    return int(own if own is not None else template["Globals"]["Function"]["Timeout"])


# ------------------------------------------------------------------ tools


def test_cfn_lint_passes_including_informational_checks() -> None:
    cfn_lint = Path(sys.executable).with_name("cfn-lint")
    command = str(cfn_lint) if cfn_lint.exists() else shutil.which("cfn-lint")
    assert command, "cfn-lint is not installed: run scripts/bootstrap"
    run_tool([command, "--include-checks", "I", "--", str(TEMPLATE)])


@pytest.mark.slow
def test_sam_validate_lint_passes() -> None:
    output = run_tool([sam(), "validate", "--lint", "--template-file", str(TEMPLATE)])
    assert "is a valid SAM Template" in output


@pytest.mark.slow
def test_sam_build_packages_function_and_arm64_layer(tmp_path: Path) -> None:
    """The real tree builds without Docker: python3.13 must be on PATH (this venv's, or pyenv's)."""
    env = tool_environment()
    env.setdefault("PYENV_VERSION", "3.11.7:3.13.0")
    here = Path(sys.executable).parent
    if (here / "python3.13").exists():
        env["PATH"] = f"{here}{os.pathsep}{env.get('PATH', '')}"
    build = tmp_path / "build"
    run_tool(
        [sam(), "build", "--no-cached", "--build-dir", str(build), "--template-file", str(TEMPLATE)],
        env=env,
        timeout=900,
    )
    assert (build / "PublishFunction" / "app.py").is_file()
    layer = build / "CoreLayer" / "python"
    assert (layer / "newsroom" / "__init__.py").is_file(), "the layer must hold the package under python/"
    compiled = [path.name for path in layer.rglob("*.so")]
    assert compiled, "expected compiled dependencies in the layer"
    assert not [name for name in compiled if "x86_64" in name], "the layer must be built for arm64"
    built = cfn_yaml.load(str(build / "template.yaml"))
    code = built["Resources"]["DirectoryIndexFunction"]["Properties"]["FunctionCode"]
    assert code == FUNCTION_JS.read_text(encoding="utf-8")


def test_samconfig_targets_this_template() -> None:
    config = tomllib.loads((ROOT / "samconfig.toml").read_text(encoding="utf-8"))
    assert config["version"] == 0.1
    stack_name = config["default"]["global"]["parameters"]["stack_name"]
    # The stack name is part of bucket names: lowercase, and short enough for 63 characters.
    assert re.fullmatch(r"[a-z][a-z0-9-]{0,27}", stack_name)
    deploy = config["default"]["deploy"]["parameters"]
    assert "CAPABILITY_IAM" in deploy["capabilities"]


# ---------------------------------------------------------------- buckets


@pytest.mark.parametrize("logical", BUCKETS)
def test_bucket_is_private_and_encrypted(resources: dict[str, Any], logical: str) -> None:
    bucket = props(resources, logical)
    block = bucket["PublicAccessBlockConfiguration"]
    assert all(
        block.get(name) is True
        for name in ("BlockPublicAcls", "BlockPublicPolicy", "IgnorePublicAcls", "RestrictPublicBuckets")
    ), block
    (rule,) = bucket["BucketEncryption"]["ServerSideEncryptionConfiguration"]
    assert rule["ServerSideEncryptionByDefault"]["SSEAlgorithm"] == "AES256"
    assert rule["BucketKeyEnabled"] is True
    assert "AccessControl" not in bucket


@pytest.mark.parametrize(
    ("logical", "ownership"),
    [
        ("SourceBucket", "BucketOwnerEnforced"),
        ("SiteBucket", "BucketOwnerEnforced"),
        # CloudFront standard logging writes through ACLs.
        ("LogsBucket", "BucketOwnerPreferred"),
    ],
)
def test_bucket_ownership(resources: dict[str, Any], logical: str, ownership: str) -> None:
    rules = props(resources, logical)["OwnershipControls"]["Rules"]
    assert [rule["ObjectOwnership"] for rule in rules] == [ownership]


@pytest.mark.parametrize(
    ("logical", "policy"),
    [
        ("SourceBucket", "SourceBucketPolicy"),
        ("SiteBucket", "SiteBucketPolicy"),
        ("LogsBucket", "LogsBucketPolicy"),
    ],
)
def test_bucket_policy_denies_plain_http(resources: dict[str, Any], logical: str, policy: str) -> None:
    assert props(resources, policy)["Bucket"] == {"Ref": logical}
    denies = [
        s
        for s in statements(resources, policy)
        if s["Effect"] == "Deny"
        and s["Principal"] == "*"
        and s["Action"] == "s3:*"
        and s["Condition"] == {"Bool": {"aws:SecureTransport": "false"}}
    ]
    assert len(denies) == 1
    covered = {value["Fn::Sub"] for value in as_list(denies[0]["Resource"])}
    assert covered == {
        f"arn:${{AWS::Partition}}:s3:::${{{logical}}}",
        f"arn:${{AWS::Partition}}:s3:::${{{logical}}}/*",
    }


def test_bucket_names_are_fixed_for_the_notification_cycle(resources: dict[str, Any]) -> None:
    for logical, role in (("SourceBucket", "source"), ("SiteBucket", "site"), ("LogsBucket", "logs")):
        expected = f"${{AWS::StackName}}-{role}-${{AWS::AccountId}}-${{AWS::Region}}"
        assert props(resources, logical)["BucketName"] == {"Fn::Sub": expected}


def test_source_bucket_is_versioned_and_retained(resources: dict[str, Any]) -> None:
    source = resources["SourceBucket"]
    assert source["Properties"]["VersioningConfiguration"] == {"Status": "Enabled"}
    assert source["DeletionPolicy"] == "Retain"
    assert source["UpdateReplacePolicy"] == "Retain"


def test_source_notifications_cover_every_event_and_prefix(resources: dict[str, Any]) -> None:
    configurations = props(resources, "SourceBucket")["NotificationConfiguration"]["QueueConfigurations"]
    pairs = []
    for configuration in configurations:
        (rule,) = configuration["Filter"]["S3Key"]["Rules"]
        assert rule["Name"] == "prefix"
        # Media go to the picture function's queue; articles and site files to the publish queue.
        queue = "PicturesQueue" if rule["Value"] == "media/" else "PublishQueue"
        assert configuration["Queue"] == {"Fn::GetAtt": [queue, "Arn"]}
        pairs.append((configuration["Event"], rule["Value"]))
    expected = [
        (event, prefix)
        for prefix in SOURCE_PREFIXES
        for event in ("s3:ObjectCreated:*", "s3:ObjectRemoved:*")
    ]
    assert sorted(pairs) == sorted(expected)
    assert len(pairs) == len(set(pairs)) == 6


def test_queue_policy_lets_the_source_bucket_send_without_a_cycle(resources: dict[str, Any]) -> None:
    assert "PublishQueuePolicy" in as_list(resources["SourceBucket"]["DependsOn"])
    policy = props(resources, "PublishQueuePolicy")
    assert policy["Queues"] == [{"Ref": "PublishQueue"}]
    (statement,) = policy["PolicyDocument"]["Statement"]
    assert statement["Effect"] == "Allow"
    assert statement["Principal"] == {"Service": "s3.amazonaws.com"}
    assert statement["Action"] == "sqs:SendMessage"
    assert statement["Resource"] == {"Fn::GetAtt": ["PublishQueue", "Arn"]}
    condition = statement["Condition"]
    source_arn = next(iter(v["aws:SourceArn"] for v in condition.values() if "aws:SourceArn" in v))
    assert source_arn == {"Fn::Sub": f"arn:${{AWS::Partition}}:s3:::{SOURCE_BUCKET_NAME}"}
    assert condition["StringEquals"]["aws:SourceAccount"] == {"Ref": "AWS::AccountId"}
    # The ARN must match the bucket's own name, and must not reference the bucket (circular).
    assert props(resources, "SourceBucket")["BucketName"] == {"Fn::Sub": SOURCE_BUCKET_NAME}
    mentioned = {
        str(node.get("Ref") or (node.get("Fn::GetAtt") or [""])[0])
        for node in walk(policy)
        if isinstance(node, dict)
    }
    assert "SourceBucket" not in mentioned


def test_site_bucket_is_readable_only_by_this_distribution(resources: dict[str, Any]) -> None:
    allowed = [s for s in statements(resources, "SiteBucketPolicy") if s["Effect"] == "Allow"]
    assert allowed
    actions = set()
    for statement in allowed:
        assert statement["Principal"] == {"Service": "cloudfront.amazonaws.com"}
        assert statement["Condition"] == {"StringEquals": {"AWS:SourceArn": {"Fn::Sub": DISTRIBUTION_ARN}}}
        actions.update(as_list(statement["Action"]))
    # ListBucket turns a missing page into 404 instead of 403.
    assert actions == {"s3:GetObject", "s3:ListBucket"}


def test_cdn_logs_expire_after_90_days(resources: dict[str, Any]) -> None:
    rules = props(resources, "LogsBucket")["LifecycleConfiguration"]["Rules"]
    cdn = [rule for rule in rules if rule.get("Prefix") == "cdn/"]
    assert len(cdn) == 1
    assert cdn[0]["Status"] == "Enabled"
    assert cdn[0]["ExpirationInDays"] == 90


# ----------------------------------------------------------- queue, table


def test_queue_visibility_is_at_least_six_function_timeouts(
    template: dict[str, Any], resources: dict[str, Any]
) -> None:
    visibility = int(props(resources, "PublishQueue")["VisibilityTimeout"])
    timeout = function_timeout(template, "PublishFunction")
    assert timeout == 60
    assert visibility >= 6 * timeout


def test_a_crashed_publish_leaves_its_invalidation_to_the_redelivered_batch(
    template: dict[str, Any], resources: dict[str, Any]
) -> None:
    """Pending invalidations are abandoned after the timeout, and before the batch comes back."""
    visibility = int(props(resources, "PublishQueue")["VisibilityTimeout"])
    timeout = function_timeout(template, "PublishFunction")
    assert timeout < ABANDONED_AFTER.total_seconds() < visibility


def test_dead_letter_queue_outlives_the_queue(resources: dict[str, Any]) -> None:
    queue, dlq = props(resources, "PublishQueue"), props(resources, "PublishDeadLetterQueue")
    assert int(dlq["MessageRetentionPeriod"]) > int(queue["MessageRetentionPeriod"])
    assert queue["RedrivePolicy"]["deadLetterTargetArn"] == {"Fn::GetAtt": ["PublishDeadLetterQueue", "Arn"]}
    assert 1 < int(queue["RedrivePolicy"]["maxReceiveCount"]) <= 10
    # S3 cannot write to queues encrypted with the aws/sqs key: SSE-SQS only.
    for queue_props in (queue, dlq):
        assert queue_props["SqsManagedSseEnabled"] is True
        assert "KmsMasterKeyId" not in queue_props


def test_content_table_keys_and_protection(resources: dict[str, Any]) -> None:
    table = resources["ContentTable"]
    properties = table["Properties"]
    assert properties["KeySchema"] == [
        {"AttributeName": "pk", "KeyType": "HASH"},
        {"AttributeName": "sk", "KeyType": "RANGE"},
    ]
    assert sorted((a["AttributeName"], a["AttributeType"]) for a in properties["AttributeDefinitions"]) == [
        ("pk", "S"),
        ("sk", "S"),
    ]
    assert properties["BillingMode"] == "PAY_PER_REQUEST"
    assert properties["PointInTimeRecoverySpecification"] == {"PointInTimeRecoveryEnabled": True}
    assert properties["SSESpecification"] == {"SSEEnabled": True}
    assert "GlobalSecondaryIndexes" not in properties
    assert table["DeletionPolicy"] == table["UpdateReplacePolicy"] == "Retain"


# --------------------------------------------------------------- function


def test_publish_function_environment_is_what_settings_read(resources: dict[str, Any]) -> None:
    from newsroom.configuration.settings import OPTIONAL, REQUIRED  # noqa: PLC0415 - the layer is on pytest's pythonpath

    variables = props(resources, "PublishFunction")["Environment"]["Variables"]
    assert set(OPTIONAL) == PUBLISH_OPTIONAL_ENVIRONMENT
    assert set(variables) - set(OPTIONAL) == set(REQUIRED) == PUBLISH_ENVIRONMENT
    assert variables["REDIRECT_QUEUE_URL"] == {"Ref": "RedirectQueue"}
    assert variables["DISTRIBUTION_ID"] == {"Ref": "SiteDistribution"}
    assert variables["SOURCE_BUCKET_NAME"] == {"Ref": "SourceBucket"}
    assert variables["SITE_BUCKET_NAME"] == {"Ref": "SiteBucket"}
    assert variables["CONTENT_TABLE_NAME"] == {"Ref": "ContentTable"}
    assert int(variables["MAX_SOURCE_BYTES"]) > 0


def test_site_url_output_matches_the_function_setting(
    template: dict[str, Any], resources: dict[str, Any]
) -> None:
    base_url = props(resources, "PublishFunction")["Environment"]["Variables"]["SITE_BASE_URL"]
    assert base_url == template["Outputs"]["SiteUrl"]["Value"]
    assert base_url["Fn::If"][0] == "HasCustomDomain"


def test_publish_function_consumes_the_queue_with_partial_batch_failures(
    template: dict[str, Any], resources: dict[str, Any]
) -> None:
    function = props(resources, "PublishFunction")
    assert function["CodeUri"] == "functions/publish/"
    assert function["Handler"] == "app.lambda_handler"
    (event,) = function["Events"].values()
    assert event["Type"] == "SQS"
    sqs = event["Properties"]
    assert sqs["Queue"] == {"Fn::GetAtt": ["PublishQueue", "Arn"]}
    assert sqs["FunctionResponseTypes"] == ["ReportBatchItemFailures"]
    assert 1 <= int(sqs["BatchSize"]) <= 10
    globals_ = template["Globals"]["Function"]
    assert globals_["Runtime"] == "python3.13"
    assert globals_["Architectures"] == ["arm64"]
    # Globals' layers would be added to every function's, the redirects function's too (no core).
    assert "Layers" not in globals_
    for logical, resource in resources.items():
        if resource["Type"] == "AWS::Serverless::Function":
            layers = resource["Properties"]["Layers"]
            assert (layers[0] == {"Ref": "CoreLayer"}) == (logical != "RedirectsFunction"), logical


def test_layer_is_built_like_the_function(template: dict[str, Any], resources: dict[str, Any]) -> None:
    layer = resources["CoreLayer"]
    assert layer["Properties"]["ContentUri"] == "layers/newsroom"
    # Its Makefile (docs/cold-start.md) installs for the functions' runtime and architecture.
    assert layer["Metadata"]["BuildMethod"] == "makefile"
    assert layer["Metadata"]["BuildArchitecture"] == "arm64"
    assert template["Globals"]["Function"]["Runtime"] == "python3.13"
    makefile = (ROOT / "layers" / "newsroom" / "Makefile").read_text(encoding="utf-8")
    assert "--python-version 3.13" in makefile
    assert "aarch64" in makefile
    assert (ROOT / "layers" / "newsroom" / "newsroom").is_dir()
    assert (ROOT / "layers" / "newsroom" / "requirements.txt").is_file()


def test_publish_function_policy_is_least_privilege(resources: dict[str, Any]) -> None:
    (policy,) = props(resources, "PublishFunction")["Policies"]
    granted: dict[str, set[str]] = {}
    for statement in policy["Statement"]:
        assert statement["Effect"] == "Allow"
        resources_ = [
            r["Fn::Sub"] if "Fn::Sub" in r else f"GetAtt:{'.'.join(r['Fn::GetAtt'])}"
            for r in as_list(statement["Resource"])
        ]
        for action in as_list(statement["Action"]):
            assert "*" not in action, f"wildcard action {action}"
            for resource in resources_:
                granted.setdefault(resource, set()).add(action)
    arn = "arn:${AWS::Partition}:s3:::"
    # Exactly what the code calls: tests/integration/test_least_privilege.py records it.
    for prefix in SOURCE_PREFIXES:
        if prefix == "media/":  # the picture function's: the publish function never reads media
            assert f"{arn}${{SourceBucket}}/{prefix}*" not in granted
            continue
        assert granted.pop(f"{arn}${{SourceBucket}}/{prefix}*") == {
            "s3:GetObject",
            "s3:GetObjectTagging",
            "s3:GetObjectVersionTagging",
            "s3:PutObjectTagging",
            "s3:PutObjectVersionTagging",
        }
    assert granted.pop(f"{arn}${{SourceBucket}}") == {"s3:ListBucket"}
    site = granted.pop(f"{arn}${{SiteBucket}}/*")
    assert site == {"s3:GetObject", "s3:PutObject", "s3:DeleteObject"}
    assert granted.pop(f"{arn}${{SiteBucket}}") == {"s3:ListBucket"}
    assert granted.pop("GetAtt:ContentTable.Arn") >= {
        "dynamodb:GetItem",
        "dynamodb:Query",
        "dynamodb:PutItem",
    }
    assert granted.pop(DISTRIBUTION_ARN) == {"cloudfront:CreateInvalidation"}
    assert granted.pop(f"{arn}${{SourceBucket}}/status/*") == {"s3:PutObject", "s3:DeleteObject"}
    assert granted.pop("GetAtt:RenderQueue.Arn") == {"sqs:SendMessage"}
    assert granted.pop("GetAtt:PdfQueue.Arn") == {"sqs:SendMessage"}
    assert granted.pop("GetAtt:RedirectQueue.Arn") == {"sqs:SendMessage"}  # never the store itself
    # Scheduled articles: one-time schedules in their own group, and the role Scheduler delivers with.
    schedules = (
        "arn:${AWS::Partition}:scheduler:${AWS::Region}:${AWS::AccountId}:schedule/${ArticleScheduleGroup}/*"
    )
    assert granted.pop(schedules) == {
        "scheduler:CreateSchedule",
        "scheduler:UpdateSchedule",
        "scheduler:DeleteSchedule",
    }
    assert granted.pop("GetAtt:SchedulerRole.Arn") == {"iam:PassRole"}
    # Word articles' pictures go where the picture function picks them up.
    assert granted.pop(f"{arn}${{SourceBucket}}/media/word/*") == {
        "s3:GetObject",
        "s3:PutObject",
        "s3:DeleteObject",
    }
    assert granted.pop("GetAtt:SearchTable.Arn") == {
        "dynamodb:GetItem",
        "dynamodb:PutItem",
        "dynamodb:BatchWriteItem",
        "dynamodb:DeleteItem",
    }
    assert granted == {}, f"unexpected grants: {granted}"


def test_redirects_function_writes_the_store_alone_from_its_fifo_queue(resources: dict[str, Any]) -> None:
    function = props(resources, "RedirectsFunction")
    assert function["CodeUri"] == "functions/redirects/"
    assert function["Layers"] == [{"Ref": "RedirectsLayer"}]
    assert function["Environment"]["Variables"] == {
        "REDIRECT_STORE_ARN": REDIRECT_STORE_ARN,
        "REDIRECT_DEAD_LETTER_URL": {"Ref": "RedirectDeadLetterQueue"},
    }
    assert function["LoggingConfig"]["LogFormat"] == "JSON"  # the runtime's JSON logs: no Powertools
    (event,) = function["Events"].values()
    assert event["Properties"]["Queue"] == {"Fn::GetAtt": ["RedirectQueue", "Arn"]}
    assert event["Properties"]["FunctionResponseTypes"] == ["ReportBatchItemFailures"]
    assert "MaximumBatchingWindowInSeconds" not in event["Properties"]  # FIFO sources take none
    queue = props(resources, "RedirectQueue")
    assert queue["FifoQueue"] is True and queue["ContentBasedDeduplication"] is False
    assert queue["RedrivePolicy"]["deadLetterTargetArn"] == {"Fn::GetAtt": ["RedirectDeadLetterQueue", "Arn"]}
    assert props(resources, "RedirectDeadLetterQueue")["FifoQueue"] is True
    assert int(queue["VisibilityTimeout"]) >= 6 * int(function.get("Timeout", 60))  # Globals: 60 s
    # A write that keeps failing holds the group back for hours (and says so) rather than dropping it.
    assert int(queue["RedrivePolicy"]["maxReceiveCount"]) >= 50
    stalled = props(resources, "RedirectQueueStalledAlarm")
    assert stalled["MetricName"] == "ApproximateAgeOfOldestMessage"
    assert stalled["Dimensions"][0]["Value"] == {"Fn::GetAtt": ["RedirectQueue", "QueueName"]}
    (policy,) = function["Policies"]
    granted = {
        (statement["Resource"]["Fn::GetAtt"][0], action)
        for statement in policy["Statement"]
        for action in ([statement["Action"]] if isinstance(statement["Action"], str) else statement["Action"])
    }
    # The ETag, absent-key checks and writes, on this store only; refused changes to the DLQ.
    assert granted == {
        ("RedirectStore", "cloudfront-keyvaluestore:DescribeKeyValueStore"),
        ("RedirectStore", "cloudfront-keyvaluestore:GetKey"),
        ("RedirectStore", "cloudfront-keyvaluestore:UpdateKeys"),
        ("RedirectDeadLetterQueue", "sqs:SendMessage"),
    }
    for logical, resource in resources.items():
        if resource["Type"] == "AWS::Serverless::Function" and logical != "RedirectsFunction":
            assert "cloudfront-keyvaluestore" not in json.dumps(resource["Properties"].get("Policies")), (
                logical
            )


def test_render_function_reads_the_same_settings_and_consumes_its_own_queue(
    resources: dict[str, Any],
) -> None:
    from newsroom.configuration.settings import REQUIRED  # noqa: PLC0415 - the layer is on pytest's pythonpath

    render = props(resources, "RenderFunction")
    publish = props(resources, "PublishFunction")["Environment"]["Variables"]
    variables = render["Environment"]["Variables"]
    # A rebuild asks for pictures, PDFs and redirects again.
    assert set(variables) == {*REQUIRED, "PDF_QUEUE_URL", "PICTURES_QUEUE_URL", "REDIRECT_QUEUE_URL"}
    assert all(variables[name] == publish[name] for name in REQUIRED)
    (event,) = render["Events"].values()
    assert event["Properties"]["Queue"] == {"Fn::GetAtt": ["RenderQueue", "Arn"]}
    assert event["Properties"]["FunctionResponseTypes"] == ["ReportBatchItemFailures"]
    queue = props(resources, "RenderQueue")
    assert int(queue["VisibilityTimeout"]) >= 6 * int(render["Timeout"])
    assert queue["RedrivePolicy"]["deadLetterTargetArn"] == {"Fn::GetAtt": ["RenderDeadLetterQueue", "Arn"]}
    dead = props(resources, "RenderDeadLetterQueue")
    assert int(dead["MessageRetentionPeriod"]) > int(queue["MessageRetentionPeriod"])


def test_render_function_policy_is_least_privilege(resources: dict[str, Any]) -> None:
    (policy,) = props(resources, "RenderFunction")["Policies"]
    granted: dict[str, set[str]] = {}
    for statement in policy["Statement"]:
        assert statement["Effect"] == "Allow"
        for resource in as_list(statement["Resource"]):
            name = (
                resource["Fn::Sub"] if "Fn::Sub" in resource else f"GetAtt:{'.'.join(resource['Fn::GetAtt'])}"
            )
            for action in as_list(statement["Action"]):
                assert "*" not in action
                granted.setdefault(name, set()).add(action)
    arn = "arn:${AWS::Partition}:s3:::"
    # Media only, read only: a rebuild never writes or tags a source file.
    assert granted.pop(f"{arn}${{SourceBucket}}/media/*") == {"s3:GetObject", "s3:GetObjectVersion"}
    assert granted.pop(f"{arn}${{SourceBucket}}") == {"s3:ListBucket"}
    assert granted.pop(f"{arn}${{SiteBucket}}/*") == {"s3:GetObject", "s3:PutObject", "s3:DeleteObject"}
    assert granted.pop(f"{arn}${{SiteBucket}}") == {"s3:ListBucket"}
    assert "dynamodb:DeleteItem" not in granted.pop("GetAtt:ContentTable.Arn")
    assert granted.pop(DISTRIBUTION_ARN) == {"cloudfront:CreateInvalidation"}
    assert granted.pop("GetAtt:RenderQueue.Arn") == {"sqs:SendMessage"}
    for queue in ("PicturesQueue", "PdfQueue", "RedirectQueue"):
        assert granted.pop(f"GetAtt:{queue}.Arn") == {"sqs:SendMessage"}, queue
    assert "dynamodb:Query" not in granted.pop("GetAtt:SearchTable.Arn")
    assert granted == {}, f"unexpected grants: {granted}"


def test_publish_function_writes_source_files_only_where_no_event_fires(resources: dict[str, Any]) -> None:
    """Writing into the bucket that triggers the function would loop forever: only status/ is written,
    and a Word article's pictures under media/word/, whose events go to the picture function (which
    writes back only status/); the publish function adds a picture only when it is absent."""
    from newsroom.domain.feedback_tags import STATUS_PREFIX  # noqa: PLC0415 - the layer is on pytest's pythonpath

    (policy,) = props(resources, "PublishFunction")["Policies"]
    for statement in policy["Statement"]:
        targets = [r.get("Fn::Sub", "") for r in as_list(statement["Resource"]) if isinstance(r, dict)]
        if any("${SourceBucket}" in target for target in targets) and {
            "s3:PutObject",
            "s3:DeleteObject",
            "s3:DeleteObjectVersion",
        } & set(as_list(statement["Action"])):
            assert targets in (
                [f"arn:${{AWS::Partition}}:s3:::${{SourceBucket}}/{STATUS_PREFIX}*"],
                ["arn:${AWS::Partition}:s3:::${SourceBucket}/media/word/*"],
            )
    media = props(resources, "SourceBucket")["NotificationConfiguration"]["QueueConfigurations"]
    assert all(
        n["Queue"] == {"Fn::GetAtt": ["PicturesQueue", "Arn"]}
        for n in media
        if n["Filter"]["S3Key"]["Rules"][0]["Value"] == "media/"
    )
    notified = props(resources, "SourceBucket")["NotificationConfiguration"]["QueueConfigurations"]
    prefixes = {rule["Value"] for n in notified for rule in n["Filter"]["S3Key"]["Rules"]}
    assert prefixes == set(SOURCE_PREFIXES) and not any(STATUS_PREFIX.startswith(p) for p in prefixes)


def test_function_logs_have_a_retention(resources: dict[str, Any]) -> None:
    group = props(resources, "PublishFunctionLogGroup")
    assert group["RetentionInDays"] == 90
    assert props(resources, "PublishFunction")["LoggingConfig"]["LogGroup"] == {
        "Ref": "PublishFunctionLogGroup"
    }


# -------------------------------------------------------------------- CDN


def test_inline_cloudfront_function_is_the_js_file(resources: dict[str, Any]) -> None:
    function = props(resources, "DirectoryIndexFunction")
    code = FUNCTION_JS.read_text(encoding="utf-8")
    assert function["FunctionCode"] == code, (
        "template.yaml's DirectoryIndexFunction.FunctionCode differs from cloudfront/viewer-request.js: "
        "paste the file into the literal block (indented 12 spaces)"
    )
    assert function["FunctionConfig"]["Runtime"] == "cloudfront-js-2.0"
    assert function["AutoPublish"] is True
    # cf.kvs() without an id reads the one store associated here.
    associations = function["FunctionConfig"]["KeyValueStoreAssociations"]
    assert associations == [{"KeyValueStoreARN": REDIRECT_STORE_ARN}]


def test_redirect_store_is_named_after_the_stack(resources: dict[str, Any]) -> None:
    store = resources["RedirectStore"]
    assert store["Type"] == "AWS::CloudFront::KeyValueStore"
    assert store["Properties"]["Name"] == {"Fn::Sub": "${AWS::StackName}-redirects"}
    assert "ImportSource" not in store["Properties"], "the publisher owns the keys"


def test_distribution_serves_the_private_bucket_over_https(resources: dict[str, Any]) -> None:
    config = props(resources, "SiteDistribution")["DistributionConfig"]
    assert config["Enabled"] is True
    assert config["DefaultRootObject"] == "index.html"
    origin = next(o for o in config["Origins"] if o["Id"] == "SiteOrigin")
    assert origin["DomainName"] == {"Fn::GetAtt": ["SiteBucket", "RegionalDomainName"]}
    assert origin["OriginAccessControlId"] == {"Fn::GetAtt": ["SiteOriginAccessControl", "Id"]}
    assert origin["S3OriginConfig"] == {"OriginAccessIdentity": ""}
    oac = props(resources, "SiteOriginAccessControl")["OriginAccessControlConfig"]
    assert (oac["OriginAccessControlOriginType"], oac["SigningBehavior"], oac["SigningProtocol"]) == (
        "s3",
        "always",
        "sigv4",
    )
    behavior = config["DefaultCacheBehavior"]
    assert behavior["TargetOriginId"] == origin["Id"]
    assert behavior["ViewerProtocolPolicy"] == "redirect-to-https"
    assert behavior["Compress"] is True
    assert behavior["CachePolicyId"] == CACHING_OPTIMIZED
    assert set(behavior["AllowedMethods"]) == {"GET", "HEAD", "OPTIONS"}
    assert behavior["FunctionAssociations"] == [
        {
            "EventType": "viewer-request",
            "FunctionARN": {"Fn::GetAtt": ["DirectoryIndexFunction", "FunctionMetadata.FunctionARN"]},
        }
    ]


def test_distribution_maps_missing_pages_to_the_404_page(resources: dict[str, Any]) -> None:
    config = props(resources, "SiteDistribution")["DistributionConfig"]
    errors = {int(e["ErrorCode"]): e for e in config["CustomErrorResponses"]}
    assert set(errors) == {403, 404}
    for error in errors.values():
        assert error["ResponsePagePath"] == "/404.html"
        assert int(error["ResponseCode"]) == 404


def test_distribution_logs_to_the_logs_bucket(resources: dict[str, Any]) -> None:
    logging = props(resources, "SiteDistribution")["DistributionConfig"]["Logging"]
    assert logging["Bucket"] == {"Fn::GetAtt": ["LogsBucket", "DomainName"]}
    assert logging["Prefix"] == "cdn/"


def test_custom_domain_is_all_or_nothing(template: dict[str, Any], resources: dict[str, Any]) -> None:
    config = props(resources, "SiteDistribution")["DistributionConfig"]
    condition, aliases, no_aliases = config["Aliases"]["Fn::If"]
    assert condition == "HasCustomDomain"
    assert aliases == [{"Ref": "DomainName"}]
    assert no_aliases == {"Ref": "AWS::NoValue"}
    condition, custom, default = config["ViewerCertificate"]["Fn::If"]
    assert condition == "HasCustomDomain"
    assert custom == {
        "AcmCertificateArn": {"Ref": "CertificateArn"},
        "SslSupportMethod": "sni-only",
        "MinimumProtocolVersion": "TLSv1.2_2021",
    }
    assert default == {"CloudFrontDefaultCertificate": True}
    refs = {
        node.get("Ref") for node in walk(template["Conditions"]["HasCustomDomain"]) if isinstance(node, dict)
    }
    assert {"DomainName", "CertificateArn"} <= refs


# ---------------------------------------------------------------- outputs


def test_outputs(template: dict[str, Any]) -> None:
    outputs = template["Outputs"]
    assert set(outputs) == {
        "SourceBucketName",
        "SiteBucketName",
        "LogsBucketName",
        "ContentTableName",
        "PublishQueueUrl",
        "PublishDeadLetterQueueUrl",
        "DistributionId",
        "SiteUrl",
        "PublishFunctionName",
        "RedirectStoreArn",
        "RenderQueueUrl",
        "RenderDeadLetterQueueUrl",
        "HitsQueueUrl",
        "HitsDeadLetterQueueUrl",
        "PicturesQueueUrl",
        "PicturesDeadLetterQueueUrl",
        "PdfQueueUrl",
        "PdfDeadLetterQueueUrl",
        "SearchFunctionName",
        "EditorsGroupName",
        "AlarmTopicArn",
    }
    assert all(output.get("Description") for output in outputs.values())
    assert outputs["PublishQueueUrl"]["Value"] == {"Ref": "PublishQueue"}
    assert outputs["DistributionId"]["Value"] == {"Ref": "SiteDistribution"}


def test_the_local_stack_can_resolve_the_template() -> None:
    """The local stack builds itself from this template with its own intrinsic resolver."""
    from local.template import Template  # noqa: PLC0415 - only this test needs the local stack

    local = Template.load(TEMPLATE)
    local.register(
        "SiteDistribution", "E2EXAMPLE", Id="E2EXAMPLE", DomainName="d111111abcdef8.cloudfront.net"
    )
    store_arn = f"arn:aws:cloudfront::{local.account_id}:key-value-store/a1b2c3d4-5678-90ab-cdef-EXAMPLE1"
    local.register("RedirectStore", f"{local.stack_name}-redirects", Arn=store_arn)
    local.register("RedirectQueue", "https://sqs.local/redirects.fifo", Arn="arn:aws:sqs:::redirects.fifo")
    environment = local.function_environment("PublishFunction")
    assert environment["SOURCE_BUCKET_NAME"] == f"{local.stack_name}-source-{local.account_id}-{local.region}"
    assert environment["DISTRIBUTION_ID"] == "E2EXAMPLE"
    assert environment["SITE_BASE_URL"] == "https://d111111abcdef8.cloudfront.net"
    assert environment["SITE_LOCALE"] == "vi"
    assert environment["POWERTOOLS_SERVICE_NAME"] == "newsroom"
    assert environment["REDIRECT_QUEUE_URL"] == "https://sqs.local/redirects.fifo"
    assert local.function_environment("RedirectsFunction")["REDIRECT_STORE_ARN"] == store_arn


def test_search_is_a_function_url_only_cloudfront_may_call(resources: dict[str, Any]) -> None:
    search = props(resources, "SearchFunction")
    assert search["FunctionUrlConfig"]["AuthType"] == "AWS_IAM"
    assert set(search["Environment"]["Variables"]) == {
        "CONTENT_TABLE_NAME",
        "SEARCH_TABLE_NAME",
        "SITE_BASE_URL",
        "SITE_LOCALE",
        "SITE_TIMEZONE",
    }
    (policy,) = search["Policies"]
    grants = {(s["Action"], s["Resource"]["Fn::GetAtt"][0]) for s in policy["Statement"]}
    assert grants == {("dynamodb:GetItem", "ContentTable"), ("dynamodb:Query", "SearchTable")}  # read only
    for permission in ("SearchFunctionUrlPermission", "SearchFunctionInvokePermission"):
        granted = props(resources, permission)
        assert granted["Principal"] == "cloudfront.amazonaws.com"
        assert "distribution/${SiteDistribution}" in granted["SourceArn"]["Fn::Sub"]
    assert (
        props(resources, "SearchOriginAccessControl")["OriginAccessControlConfig"][
            "OriginAccessControlOriginType"
        ]
        == "lambda"
    )
    config = props(resources, "SiteDistribution")["DistributionConfig"]
    (behavior,) = [b for b in config["CacheBehaviors"] if b["TargetOriginId"] == "SearchOrigin"]
    assert behavior["PathPattern"] == "/api/search*"
    assert "FunctionAssociations" not in behavior
    policy_config = props(resources, "SearchCachePolicy")["CachePolicyConfig"]
    assert int(policy_config["MaxTTL"]) == 60
    keyed = policy_config["ParametersInCacheKeyAndForwardedToOrigin"]["QueryStringsConfig"]
    assert keyed == {"QueryStringBehavior": "whitelist", "QueryStrings": ["q"]}


def test_every_response_carries_a_strict_csp_hsts_and_no_framing(resources: dict[str, Any]) -> None:
    config = props(resources, "SiteDistribution")["DistributionConfig"]
    behaviors = [config["DefaultCacheBehavior"], *config["CacheBehaviors"]]
    previews = [b for b in behaviors if b.get("PathPattern") == "/preview/*"]
    assert all(b["ResponseHeadersPolicyId"] == {"Ref": "PreviewResponseHeadersPolicy"} for b in previews)
    assert len(previews) == 1
    others = [b for b in behaviors if b not in previews]
    assert all(b["ResponseHeadersPolicyId"] == {"Ref": "SiteResponseHeadersPolicy"} for b in others)
    site_policy = props(resources, "SiteResponseHeadersPolicy")["ResponseHeadersPolicyConfig"]
    preview_policy = props(resources, "PreviewResponseHeadersPolicy")["ResponseHeadersPolicyConfig"]
    # A draft's preview: the same security headers, but no referrer at all, noindex, never stored.
    preview_security = dict(preview_policy["SecurityHeadersConfig"])
    assert preview_security.pop("ReferrerPolicy") == {"ReferrerPolicy": "no-referrer", "Override": True}
    site_security = dict(site_policy["SecurityHeadersConfig"])
    site_security.pop("ReferrerPolicy")
    assert preview_security == site_security
    custom = {h["Header"]: h["Value"] for h in preview_policy["CustomHeadersConfig"]["Items"]}
    assert custom == {"X-Robots-Tag": "noindex, nofollow, noarchive", "Cache-Control": "private, no-store"}
    security = site_policy["SecurityHeadersConfig"]
    csp = security["ContentSecurityPolicy"]["ContentSecurityPolicy"]["Fn::Sub"]
    directives = dict(d.strip().split(" ", 1) for d in csp.split(";"))
    # Pictures: the site's own, and the hosts the publisher accepts pictures from (the same parameter).
    assert directives["img-src"] == "'self' data: ${ImageHosts}"
    publish = props(resources, "PublishFunction")["Environment"]["Variables"]
    assert publish["IMAGE_HOSTS"] == {"Ref": "ImageHosts"}
    assert directives["script-src"] == "'self'" and "unsafe-inline" not in csp  # no inline script, ever
    assert directives["object-src"] == "'none'" and directives["frame-ancestors"] == "'none'"
    assert int(security["StrictTransportSecurity"]["AccessControlMaxAgeSec"]) >= 31536000
    assert security["FrameOptions"]["FrameOption"] == "DENY"
    assert all(part.get("Override", True) for part in security.values())


def test_alarms_watch_every_dead_letter_queue_and_every_function_and_notify_the_topic(
    resources: dict[str, Any],
) -> None:
    alarms = {k: v["Properties"] for k, v in resources.items() if v["Type"] == "AWS::CloudWatch::Alarm"}
    # The one alarm on a queue's age: redirect changes held back by a store that keeps refusing them.
    stalled = alarms.pop("RedirectQueueStalledAlarm")
    assert stalled["AlarmActions"] == [{"Ref": "AlarmTopic"}] and int(stalled["Threshold"]) == 900
    watched_queues = {
        a["Dimensions"][0]["Value"]["Fn::GetAtt"][0] for a in alarms.values() if a["Namespace"] == "AWS/SQS"
    }
    dead_letter_queues = {k for k in resources if k.endswith("DeadLetterQueue")}
    assert (
        watched_queues
        == dead_letter_queues
        == {
            "PublishDeadLetterQueue",
            "RenderDeadLetterQueue",
            "HitsDeadLetterQueue",
            "PicturesDeadLetterQueue",
            "PdfDeadLetterQueue",
            "RedirectDeadLetterQueue",
        }
    )
    watched_functions = {
        a["Dimensions"][0]["Value"]["Ref"] for a in alarms.values() if a["Namespace"] == "AWS/Lambda"
    }
    functions = {k for k, v in resources.items() if v["Type"] == "AWS::Serverless::Function"}
    assert watched_functions == functions
    assert all(a["AlarmActions"] == [{"Ref": "AlarmTopic"}] for a in alarms.values())
    assert all(
        a["Threshold"] == 0 and a["ComparisonOperator"] == "GreaterThanThreshold" for a in alarms.values()
    )


def test_cloudwatch_can_use_the_alarm_topics_key_so_alarms_reach_someone(resources: dict[str, Any]) -> None:
    """CloudWatch publishes to an encrypted topic only with a customer-managed key that lets it.

    The AWS-managed ``alias/aws/sns`` key's policy cannot grant that: alarms
    sent through it are dropped (SNS developer guide, encrypted topics and
    AWS service event sources).
    """
    key_id = props(resources, "AlarmTopic")["KmsMasterKeyId"]
    assert key_id == {"Ref": "AlarmTopicKey"}, "an AWS-managed key (alias/aws/sns) would drop every alarm"
    key = props(resources, "AlarmTopicKey")
    assert key["EnableKeyRotation"] is True
    by_principal = {
        str(statement["Principal"].get("Service") or statement["Principal"].get("AWS")): statement
        for statement in key["KeyPolicy"]["Statement"]
    }
    cloudwatch = by_principal["cloudwatch.amazonaws.com"]
    assert cloudwatch["Effect"] == "Allow"
    assert set(as_list(cloudwatch["Action"])) == {"kms:Decrypt", "kms:GenerateDataKey*"}
    assert cloudwatch["Condition"]["StringEquals"]["aws:SourceAccount"] == {"Ref": "AWS::AccountId"}
    (publish,) = props(resources, "AlarmTopicPolicy")["PolicyDocument"]["Statement"]
    assert publish["Principal"] == {"Service": "cloudwatch.amazonaws.com"}
    assert publish["Action"] == "sns:Publish" and publish["Resource"] == {"Ref": "AlarmTopic"}
    assert props(resources, "AlarmTopicPolicy")["Topics"] == [{"Ref": "AlarmTopic"}]


def test_editors_may_write_only_under_the_three_source_prefixes_and_never_forge_feedback(
    resources: dict[str, Any],
) -> None:
    (policy,) = props(resources, "EditorsGroup")["Policies"]
    arn = "arn:${AWS::Partition}:s3:::${SourceBucket}"
    by_sid = {statement["Sid"]: statement for statement in policy["PolicyDocument"]["Statement"]}
    assert set(by_sid) == {"WriteSourceFiles", "NoForgedFeedback", "ReadStatusFiles", "ListSourceFiles"}
    write = by_sid["WriteSourceFiles"]
    assert write["Effect"] == "Allow"
    assert sorted(r["Fn::Sub"] for r in write["Resource"]) == sorted(
        f"{arn}/{prefix}*" for prefix in ("articles/", "media/", "site/")
    )
    # publish-status and the rest are the publisher's answer: an editor may not write them.
    deny = by_sid["NoForgedFeedback"]
    assert deny["Effect"] == "Deny" and set(deny["Action"]) == {"s3:PutObject", "s3:PutObjectTagging"}
    assert deny["Resource"] == {"Fn::Sub": f"{arn}/*"}
    assert deny["Condition"] == {"ForAnyValue:StringLike": {"s3:RequestObjectTagKeys": "publish-*"}}
    from newsroom.domain.feedback_tags import OUR_TAGS, STATUS_PREFIX  # noqa: PLC0415 - the layer is on pytest's pythonpath

    assert all(tag.startswith("publish-") for tag in OUR_TAGS)
    read = by_sid["ReadStatusFiles"]
    assert read["Action"] == "s3:GetObject" and read["Resource"] == {"Fn::Sub": f"{arn}/{STATUS_PREFIX}*"}
    listing = by_sid["ListSourceFiles"]
    assert listing["Action"] == "s3:ListBucket" and listing["Resource"] == {"Fn::Sub": arn}
    prefixes = listing["Condition"]["StringLike"]["s3:prefix"]
    assert all(p == "" or p.split("/")[0] in ("articles", "media", "site", "status") for p in prefixes)


CHECKOV = ROOT / ".venv-checkov" / "bin" / "checkov"


def test_checkov_finds_no_failed_check_and_every_skip_says_why() -> None:
    """checkov on template.yaml: every check passes, or is skipped on the resource with a reason."""
    if not CHECKOV.exists():
        pytest.fail("checkov is missing: run scripts/bootstrap --test (make test does)")
    completed = subprocess.run(
        [
            str(CHECKOV),
            "-f",
            "template.yaml",
            "--framework",
            "cloudformation",
            "--skip-download",
            "-o",
            "json",
        ],
        capture_output=True,
        text=True,
        check=False,
        cwd=ROOT,
        timeout=300,
    )
    report = json.loads(completed.stdout)
    summary = report["summary"]
    failed = [f"{c['check_id']} {c['resource']}" for c in report["results"]["failed_checks"]]
    print(f"checkov: {summary['passed']} passed, {summary['failed']} failed, {summary['skipped']} skipped")
    assert failed == []
    assert summary["passed"] >= 40
    for skipped in report["results"]["skipped_checks"]:
        reason = (skipped.get("check_result") or {}).get("suppress_comment", "")
        assert len(reason) > 40, f"{skipped['check_id']} on {skipped['resource']} is skipped without a reason"


def test_search_cannot_starve_publishing(template: dict[str, Any], resources: dict[str, Any]) -> None:
    """Random queries miss the CDN's cache: the search function is capped, the SQS paths bounded."""
    search = props(resources, "SearchFunction")
    assert search["ReservedConcurrentExecutions"] == {
        "Fn::If": ["CapsSearch", {"Ref": "SearchConcurrency"}, {"Ref": "AWS::NoValue"}]
    }
    parameters = template["Parameters"]
    assert int(parameters["SearchConcurrency"]["Default"]) > 0
    assert template["Conditions"]["CapsSearch"] == {
        "Fn::Not": [{"Fn::Equals": [{"Ref": "SearchConcurrency"}, "0"]}]
    }
    for function in ("PublishFunction", "RenderFunction"):
        (event,) = props(resources, function)["Events"].values()
        assert 2 <= int(event["Properties"]["ScalingConfig"]["MaximumConcurrency"]) <= 10
    # Optional rate-based rule at the edge, on /api/search only, attached when asked for.
    acl = resources["SearchRateLimitWebAcl"]
    assert acl["Condition"] == "HasRateLimit" and acl["Properties"]["Scope"] == "CLOUDFRONT"
    (rule,) = acl["Properties"]["Rules"]
    rate = rule["Statement"]["RateBasedStatement"]
    assert rate["Limit"] == {"Ref": "SearchRateLimit"} and rate["AggregateKeyType"] == "IP"
    match = rate["ScopeDownStatement"]["ByteMatchStatement"]
    assert match["SearchString"] == "/api/search" and match["PositionalConstraint"] == "STARTS_WITH"
    assert rule["Action"]["Block"]["CustomResponse"]["ResponseCode"] == 429
    web_acl = props(resources, "SiteDistribution")["DistributionConfig"]["WebACLId"]
    assert web_acl["Fn::If"][0] == "HasRateLimit"
    assert web_acl["Fn::If"][1] == {"Fn::GetAtt": ["SearchRateLimitWebAcl", "Arn"]}
    assertions = template["Rules"]["RateLimitNeedsUsEast1"]["Assertions"]
    assert {"Fn::Equals": [{"Ref": "AWS::Region"}, "us-east-1"]} in [a["Assert"] for a in assertions]


def test_a_batch_keeps_time_to_render_within_the_publish_timeout(resources: dict[str, Any]) -> None:
    from newsroom.domain.markdown import MAX_RENDER_SECONDS  # noqa: PLC0415
    from newsroom.usecases.batch import RESERVED_MILLIS  # noqa: PLC0415 - the layer is on pytest's pythonpath

    timeout_ms = 1000 * int(props(resources, "PublishFunction").get("Timeout", 60))
    # Room to ingest a few records before the reserve, and the reserve holds one file's worst case.
    assert timeout_ms / 2 > RESERVED_MILLIS
    assert RESERVED_MILLIS > 2 * 1000 * MAX_RENDER_SECONDS


def test_log_files_reach_the_hits_function_through_a_queue_of_their_own(resources: dict[str, Any]) -> None:
    """Counting views never shares the publish queue, and fails into a dead-letter queue of its own."""
    (notification,) = resources["LogsBucket"]["Properties"]["NotificationConfiguration"][
        "QueueConfigurations"
    ]
    assert notification["Queue"] == {"Fn::GetAtt": ["HitsQueue", "Arn"]}
    rules = {r["Name"]: r["Value"] for r in notification["Filter"]["S3Key"]["Rules"]}
    assert rules == {"prefix": "cdn/", "suffix": ".gz"}
    distribution = resources["SiteDistribution"]["Properties"]["DistributionConfig"]
    assert distribution["Logging"]["Prefix"] == rules["prefix"]
    queue = resources["HitsQueue"]["Properties"]
    assert queue["RedrivePolicy"]["deadLetterTargetArn"] == {"Fn::GetAtt": ["HitsDeadLetterQueue", "Arn"]}
    function = resources["HitsFunction"]["Properties"]
    (event,) = function["Events"].values()
    assert event["Properties"]["Queue"] == {"Fn::GetAtt": ["HitsQueue", "Arn"]}
    assert event["Properties"]["FunctionResponseTypes"] == ["ReportBatchItemFailures"]
    assert queue["VisibilityTimeout"] >= 6 * function["Timeout"]
    from newsroom.configuration.settings import HitsSettings  # noqa: PLC0415 - the layer is on pytest's pythonpath

    variables = function["Environment"]["Variables"]
    assert set(variables) == {
        "CONTENT_TABLE_NAME",
        "LOGS_BUCKET_NAME",
        "SITE_TIMEZONE",
        "SITE_BUCKET_NAME",  # the figures files: stats.json, views/*.json
        "SITE_BASE_URL",
        "SITE_LOCALE",
    }
    settings = HitsSettings.from_environment(dict.fromkeys(variables, "x") | {"SITE_LOCALE": "vi"})
    assert (settings.logs_bucket, settings.site_bucket) == ("x", "x")
