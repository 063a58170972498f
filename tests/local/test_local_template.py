"""Intrinsic resolution for the local stack: names must match what CloudFormation would build."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from local.template import NO_VALUE, Template, TemplateError, merge_globals

REPO_TEMPLATE = Path(__file__).resolve().parents[2] / "template.yaml"


def body(**sections: Any) -> dict[str, Any]:
    """A template body with a bucket, a queue pair, a table and a distribution to refer to."""
    resources = {
        "Bucket": {
            "Type": "AWS::S3::Bucket",
            "Properties": {"BucketName": {"Fn::Sub": "${AWS::StackName}-b"}},
        },
        "Dlq": {"Type": "AWS::SQS::Queue"},
        "Queue": {
            "Type": "AWS::SQS::Queue",
            "Properties": {"RedrivePolicy": {"deadLetterTargetArn": {"Fn::GetAtt": ["Dlq", "Arn"]}}},
        },
        "Table": {"Type": "AWS::DynamoDB::Table", "Properties": {"TableName": "content"}},
        "Dist": {"Type": "AWS::CloudFront::Distribution", "Properties": {}},
        "Fn": {"Type": "AWS::Serverless::Function", "Properties": {"FunctionName": "publish"}},
    }
    resources.update(sections.pop("Resources", {}))
    return {"Resources": resources, **sections}


def test_pseudo_parameters_have_the_local_stack_values() -> None:
    template = Template(body())
    assert template.resolve({"Ref": "AWS::StackName"}) == "newsroom-local"
    assert template.resolve({"Ref": "AWS::AccountId"}) == "123456789012"
    assert template.resolve({"Ref": "AWS::Region"}) == "us-east-1"
    assert template.resolve({"Ref": "AWS::Partition"}) == "aws"
    assert template.resolve({"Ref": "AWS::URLSuffix"}) == "amazonaws.com"
    assert template.resolve({"Ref": "AWS::StackId"}).startswith(
        "arn:aws:cloudformation:us-east-1:123456789012:stack/newsroom-local/"
    )


def test_parameters_use_defaults_and_overrides_and_check_allowed_values() -> None:
    params = {
        "Locale": {"Type": "String", "Default": "vi", "AllowedValues": ["vi", "en"]},
        "Count": {"Type": "Number", "Default": 5},
        "Hosts": {"Type": "CommaDelimitedList", "Default": "a.example, b.example"},
        "NoDefault": {"Type": "String"},
    }
    template = Template(body(Parameters=params))
    assert template.resolve({"Ref": "Locale"}) == "vi"
    assert template.resolve({"Ref": "Count"}) == "5"
    assert template.resolve({"Ref": "Hosts"}) == ["a.example", "b.example"]
    with pytest.raises(TemplateError, match="NoDefault has no Default"):
        template.resolve({"Ref": "NoDefault"}, "Outputs.X.Value")
    assert Template(body(Parameters=params), parameters={"Locale": "en"}).resolve({"Ref": "Locale"}) == "en"
    with pytest.raises(TemplateError, match="not one of"):
        Template(body(Parameters=params), parameters={"Locale": "fr"})
    with pytest.raises(TemplateError, match="Nope"):
        Template(body(Parameters=params), parameters={"Nope": "x"})


def test_stack_name_override_changes_every_derived_name() -> None:
    template = Template(body(), stack_name="other")
    assert template.resolve({"Ref": "Bucket"}) == "other-b"


def test_ref_and_getatt_give_physical_ids() -> None:
    template = Template(body(), endpoint_url="http://127.0.0.1:4566/")
    assert template.resolve({"Ref": "Bucket"}) == "newsroom-local-b"
    assert template.resolve({"Fn::GetAtt": ["Bucket", "Arn"]}) == "arn:aws:s3:::newsroom-local-b"
    assert (
        template.resolve({"Fn::GetAtt": ["Bucket", "RegionalDomainName"]})
        == "newsroom-local-b.s3.us-east-1.amazonaws.com"
    )
    assert template.resolve({"Fn::GetAtt": "Bucket.DomainName"}) == "newsroom-local-b.s3.amazonaws.com"
    queue_name = template.physical_name("Queue")
    assert queue_name.startswith("newsroom-local-Queue-")
    assert template.resolve({"Ref": "Queue"}) == f"http://127.0.0.1:4566/123456789012/{queue_name}"
    assert (
        template.resolve({"Fn::GetAtt": ["Queue", "Arn"]})
        == f"arn:aws:sqs:us-east-1:123456789012:{queue_name}"
    )
    assert template.resolve({"Ref": "Table"}) == "content"
    assert (
        template.resolve({"Fn::GetAtt": ["Table", "Arn"]})
        == "arn:aws:dynamodb:us-east-1:123456789012:table/content"
    )
    assert template.resolve({"Ref": "Fn"}) == "publish"
    assert (
        template.resolve({"Fn::GetAtt": ["Fn", "Arn"]})
        == "arn:aws:lambda:us-east-1:123456789012:function:publish"
    )


def test_generated_names_are_stable_and_bucket_names_lowercase() -> None:
    resources = {"Anon": {"Type": "AWS::S3::Bucket"}}
    first = Template(body(Resources=resources)).physical_name("Anon")
    assert first == Template(body(Resources=resources)).physical_name("Anon")
    assert first == first.lower()
    assert first.startswith("newsroom-local-anon-")


def test_distribution_ids_exist_once_provisioned() -> None:
    template = Template(body())
    with pytest.raises(TemplateError, match=r"Outputs\.DistributionId\.Value\.Ref: distribution Dist"):
        template.resolve({"Ref": "Dist"}, "Outputs.DistributionId.Value")
    template.register("Dist", "E123", Id="E123", DomainName="d1.cloudfront.net")
    assert template.resolve({"Ref": "Dist"}) == "E123"
    assert template.resolve({"Fn::Sub": "https://${Dist.DomainName}/"}) == "https://d1.cloudfront.net/"


def test_registered_values_win_over_computed_ones() -> None:
    template = Template(body())
    template.register("Queue", "http://moto/q", QueueUrl="http://moto/q", Arn="arn:q")
    assert template.resolve({"Ref": "Queue"}) == "http://moto/q"
    assert template.resolve({"Fn::GetAtt": ["Queue", "Arn"]}) == "arn:q"


def test_sub_handles_both_forms_attributes_and_escapes() -> None:
    template = Template(body(Parameters={"Env": {"Type": "String", "Default": "dev"}}))
    assert (
        template.resolve({"Fn::Sub": "${AWS::StackName}-${Env}-${AWS::Region}"})
        == "newsroom-local-dev-us-east-1"
    )
    assert template.resolve({"Fn::Sub": "${Bucket.Arn}/*"}) == "arn:aws:s3:::newsroom-local-b/*"
    assert template.resolve({"Fn::Sub": "${!Literal} ${Env}"}) == "${Literal} dev"
    assert template.resolve({"Fn::Sub": ["${a}-${Env}", {"a": {"Ref": "Bucket"}}]}) == "newsroom-local-b-dev"


def test_conditions_if_and_novalue() -> None:
    conditions = {
        "IsProd": {"Fn::Equals": [{"Ref": "Env"}, "prod"]},
        "NotProd": {"Fn::Not": [{"Condition": "IsProd"}]},
        "Both": {"Fn::And": [{"Condition": "NotProd"}, {"Fn::Equals": ["a", "a"]}]},
        "Either": {"Fn::Or": [{"Condition": "IsProd"}, {"Condition": "Both"}]},
    }
    params = {"Env": {"Type": "String", "Default": "dev"}}
    template = Template(body(Parameters=params, Conditions=conditions))
    assert template.condition("NotProd")
    assert template.condition("Both")
    assert template.condition("Either")
    node = {
        "A": {"Fn::If": ["IsProd", "prod", "dev"]},
        "B": {"Fn::If": ["IsProd", "x", {"Ref": "AWS::NoValue"}]},
        "C": [1, {"Fn::If": ["IsProd", 2, {"Ref": "AWS::NoValue"}]}, 3],
    }
    assert template.resolve(node) == {"A": "dev", "C": [1, 3]}
    assert template.resolve({"Ref": "AWS::NoValue"}) is NO_VALUE
    prod = Template(body(Parameters=params, Conditions=conditions), parameters={"Env": "prod"})
    assert prod.resolve(node) == {"A": "prod", "B": "x", "C": [1, 2, 3]}


def test_join_select_split_findinmap_base64() -> None:
    template = Template(body(Mappings={"Sizes": {"small": {"mb": 128}}}))
    assert template.resolve({"Fn::Join": ["/", ["a", {"Ref": "Bucket"}, 3]]}) == "a/newsroom-local-b/3"
    assert template.resolve({"Fn::Select": ["1", {"Fn::Split": [",", "x,y,z"]}]}) == "y"
    assert template.resolve({"Fn::FindInMap": ["Sizes", "small", "mb"]}) == 128
    assert template.resolve({"Fn::Base64": "hi"}) == "aGk="
    with pytest.raises(TemplateError, match="out of range"):
        template.resolve({"Fn::Select": [5, ["a"]]})


def test_unknown_intrinsics_and_names_fail_with_the_path() -> None:
    template = Template(body())
    with pytest.raises(TemplateError, match=r"Resources\.X\.Properties\.Cidr\.Fn::Cidr: intrinsic Fn::Cidr"):
        template.resolve({"Cidr": {"Fn::Cidr": ["10.0.0.0/16", 2, 8]}}, "Resources.X.Properties")
    with pytest.raises(TemplateError, match=r"Outputs\.Y\.Value\.Ref: Missing is neither"):
        template.resolve({"Ref": "Missing"}, "Outputs.Y.Value")
    with pytest.raises(TemplateError, match=r"Fn::GetAtt Bucket\.Nope"):
        template.resolve({"Fn::GetAtt": ["Bucket", "Nope"]}, "P")
    with pytest.raises(TemplateError, match="Fn::ImportValue"):
        template.resolve({"Fn::ImportValue": "shared"})


def test_resources_with_a_false_condition_do_not_exist() -> None:
    extra = {"Optional": {"Type": "AWS::S3::Bucket", "Condition": "Never"}}
    template = Template(body(Resources=extra, Conditions={"Never": {"Fn::Equals": ["a", "b"]}}))
    assert not template.exists("Optional")
    assert "Optional" not in template.logical_ids("AWS::S3::Bucket")
    with pytest.raises(TemplateError, match="Condition is false"):
        template.resolve({"Ref": "Optional"})


def test_globals_merge_like_sam_and_environment_is_text() -> None:
    merged = merge_globals(
        {"Timeout": 30, "Layers": ["a"], "Environment": {"Variables": {"A": "1", "B": "2"}}},
        {"Timeout": 60, "Layers": ["b"], "Environment": {"Variables": {"B": "3"}}},
    )
    assert merged == {"Timeout": 60, "Layers": ["a", "b"], "Environment": {"Variables": {"A": "1", "B": "3"}}}
    template = Template(
        body(
            Globals={"Function": {"MemorySize": 512, "Environment": {"Variables": {"LOCALE": "vi", "N": 5}}}},
            Resources={
                "Fn": {
                    "Type": "AWS::Serverless::Function",
                    "Properties": {
                        "FunctionName": "publish",
                        "Environment": {"Variables": {"BUCKET": {"Ref": "Bucket"}, "FLAG": True}},
                    },
                }
            },
        )
    )
    assert template.property("Fn", "MemorySize") == 512
    assert template.function_environment("Fn") == {
        "LOCALE": "vi",
        "N": "5",
        "BUCKET": "newsroom-local-b",
        "FLAG": "true",
    }


def test_dependency_order_puts_dead_letter_queues_first_and_detects_cycles() -> None:
    template = Template(body())
    assert template.dependency_order(["Queue", "Dlq"]) == ["Dlq", "Queue"]
    cyclic = Template(
        body(
            Resources={
                "A": {"Type": "AWS::SQS::Queue", "Properties": {"X": {"Ref": "B"}}},
                "B": {"Type": "AWS::SQS::Queue", "Properties": {"X": {"Fn::Sub": "${A.Arn}"}}},
            }
        )
    )
    with pytest.raises(TemplateError, match="circular"):
        cyclic.dependency_order(["A", "B"])


def test_outputs_skip_false_conditions() -> None:
    template = Template(
        body(
            Conditions={"Never": {"Fn::Equals": ["a", "b"]}},
            Outputs={
                "BucketName": {"Value": {"Ref": "Bucket"}},
                "Hidden": {"Condition": "Never", "Value": {"Ref": "Bucket"}},
            },
        )
    )
    assert template.outputs() == {"BucketName": "newsroom-local-b"}


def test_the_real_template_loads_and_its_source_bucket_name_resolves() -> None:
    template = Template.load(REPO_TEMPLATE)
    assert template.physical_name("SourceBucket") == "newsroom-local-source-123456789012-us-east-1"
    template.register("SiteDistribution", "E1LOCAL", Id="E1LOCAL", DomainName="d1.cloudfront.net")
    environment = template.function_environment("PublishFunction")
    assert environment["DISTRIBUTION_ID"] == "E1LOCAL"
    assert environment["SITE_BASE_URL"] == "https://d1.cloudfront.net"  # no custom domain by default
    assert environment["POWERTOOLS_METRICS_NAMESPACE"]  # from Globals
