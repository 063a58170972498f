"""Provisioning builds moto resources from the template itself, so template and code cannot drift."""

from __future__ import annotations

import json
import logging
from pathlib import Path
from typing import Any

import pytest

from local.aws import client
from local.provision import Provisioned, provision
from local.template import Template

REPO_TEMPLATE = Path(__file__).resolve().parents[2] / "template.yaml"

# The shape of the real template.yaml (as agreed in the design), small enough to read here.
FIXTURE_TEMPLATE = """\
AWSTemplateFormatVersion: "2010-09-09"
Transform: AWS::Serverless-2016-10-31
Description: fixture like the Newsroom template
Parameters:
  SiteLocale:
    Type: String
    Default: vi
    AllowedValues: [vi, en]
  DomainName:
    Type: String
    Default: ""
  MaxReceiveCount:
    Type: Number
    Default: 3
Conditions:
  HasDomain: !Not [!Equals [!Ref DomainName, ""]]
Globals:
  Function:
    Runtime: python3.13
    Timeout: 60
    MemorySize: 512
    Layers: [!Ref CoreLayer]
    Environment:
      Variables:
        POWERTOOLS_SERVICE_NAME: newsroom
        POWERTOOLS_METRICS_NAMESPACE: Newsroom
        SITE_LOCALE: !Ref SiteLocale
Resources:
  SourceBucket:
    Type: AWS::S3::Bucket
    DependsOn: PublishQueuePolicy
    Properties:
      BucketName: !Sub "${AWS::StackName}-source-${AWS::AccountId}-${AWS::Region}"
      VersioningConfiguration: {Status: Enabled}
      BucketEncryption:
        ServerSideEncryptionConfiguration:
          - ServerSideEncryptionByDefault: {SSEAlgorithm: AES256}
      PublicAccessBlockConfiguration:
        BlockPublicAcls: true
        BlockPublicPolicy: true
        IgnorePublicAcls: true
        RestrictPublicBuckets: true
      NotificationConfiguration:
        QueueConfigurations:
          - Event: "s3:ObjectCreated:*"
            Queue: !GetAtt PublishQueue.Arn
            Filter: {S3Key: {Rules: [{Name: prefix, Value: articles/}]}}
          - Event: "s3:ObjectRemoved:*"
            Queue: !GetAtt PublishQueue.Arn
            Filter: {S3Key: {Rules: [{Name: prefix, Value: articles/}]}}
          - Event: "s3:ObjectCreated:*"
            Queue: !GetAtt PublishQueue.Arn
            Filter: {S3Key: {Rules: [{Name: prefix, Value: media/}]}}
          - Event: "s3:ObjectRemoved:*"
            Queue: !GetAtt PublishQueue.Arn
            Filter: {S3Key: {Rules: [{Name: prefix, Value: media/}]}}
          - Event: "s3:ObjectCreated:*"
            Queue: !GetAtt PublishQueue.Arn
            Filter: {S3Key: {Rules: [{Name: prefix, Value: site/}]}}
          - Event: "s3:ObjectRemoved:*"
            Queue: !GetAtt PublishQueue.Arn
            Filter: {S3Key: {Rules: [{Name: prefix, Value: site/}]}}
  SiteBucket:
    Type: AWS::S3::Bucket
    Properties:
      BucketName: !Sub "${AWS::StackName}-site-${AWS::AccountId}-${AWS::Region}"
      PublicAccessBlockConfiguration:
        BlockPublicAcls: true
        BlockPublicPolicy: true
        IgnorePublicAcls: true
        RestrictPublicBuckets: true
  LogsBucket:
    Type: AWS::S3::Bucket
    Properties:
      BucketName: !Sub "${AWS::StackName}-logs-${AWS::AccountId}-${AWS::Region}"
      OwnershipControls:
        Rules: [{ObjectOwnership: BucketOwnerPreferred}]
      LifecycleConfiguration:
        Rules: [{Id: expire, Status: Enabled, ExpirationInDays: 30}]
  SiteBucketPolicy:
    Type: AWS::S3::BucketPolicy
    Properties:
      Bucket: !Ref SiteBucket
      PolicyDocument:
        Statement:
          - Effect: Allow
            Principal: {Service: cloudfront.amazonaws.com}
            Action: s3:GetObject
            Resource: !Sub "${SiteBucket.Arn}/*"
            Condition:
              StringEquals:
                AWS:SourceArn: !Sub "arn:aws:cloudfront::${AWS::AccountId}:distribution/${SiteDistribution}"
  PublishQueue:
    Type: AWS::SQS::Queue
    Properties:
      VisibilityTimeout: 360
      MessageRetentionPeriod: 1209600
      SqsManagedSseEnabled: true
      RedrivePolicy:
        deadLetterTargetArn: !GetAtt PublishDeadLetterQueue.Arn
        maxReceiveCount: !Ref MaxReceiveCount
  PublishDeadLetterQueue:
    Type: AWS::SQS::Queue
    Properties:
      MessageRetentionPeriod: 1209600
      SqsManagedSseEnabled: true
  PublishQueuePolicy:
    Type: AWS::SQS::QueuePolicy
    Properties:
      Queues: [!Ref PublishQueue]
      PolicyDocument:
        Statement:
          - Effect: Allow
            Principal: {Service: s3.amazonaws.com}
            Action: sqs:SendMessage
            Resource: !GetAtt PublishQueue.Arn
            Condition:
              ArnLike:
                aws:SourceArn: !Sub "arn:aws:s3:::${AWS::StackName}-source-${AWS::AccountId}-${AWS::Region}"
  ContentTable:
    Type: AWS::DynamoDB::Table
    Properties:
      BillingMode: PAY_PER_REQUEST
      AttributeDefinitions:
        - {AttributeName: pk, AttributeType: S}
        - {AttributeName: sk, AttributeType: S}
      KeySchema:
        - {AttributeName: pk, KeyType: HASH}
        - {AttributeName: sk, KeyType: RANGE}
      PointInTimeRecoverySpecification: {PointInTimeRecoveryEnabled: true}
      SSESpecification: {SSEEnabled: true}
  CoreLayer:
    Type: AWS::Serverless::LayerVersion
    Properties:
      ContentUri: layers/newsroom/
      CompatibleRuntimes: [python3.13]
    Metadata:
      BuildMethod: python3.13
  PublishFunction:
    Type: AWS::Serverless::Function
    Properties:
      CodeUri: functions/publish/
      Handler: app.lambda_handler
      Environment:
        Variables:
          SOURCE_BUCKET_NAME: !Ref SourceBucket
          SITE_BUCKET_NAME: !Ref SiteBucket
          CONTENT_TABLE_NAME: !Ref ContentTable
          DISTRIBUTION_ID: !Ref SiteDistribution
          SITE_BASE_URL: !If [HasDomain, !Sub "https://${DomainName}", !Sub "https://${SiteDistribution.DomainName}"]
          SITE_TIMEZONE: Asia/Ho_Chi_Minh
          MAX_SOURCE_BYTES: 5242880
      Events:
        PublishQueueEvent:
          Type: SQS
          Properties:
            Queue: !GetAtt PublishQueue.Arn
            BatchSize: 10
            FunctionResponseTypes: [ReportBatchItemFailures]
  SiteOriginAccessControl:
    Type: AWS::CloudFront::OriginAccessControl
    Properties:
      OriginAccessControlConfig:
        Name: !Sub "${AWS::StackName}-site"
        OriginAccessControlOriginType: s3
        SigningBehavior: always
        SigningProtocol: sigv4
  DirectoryIndexFunction:
    Type: AWS::CloudFront::Function
    Properties:
      Name: !Sub "${AWS::StackName}-directory-index"
      AutoPublish: true
      FunctionConfig: {Comment: index, Runtime: cloudfront-js-2.0}
      FunctionCode: "function handler(event) { return event.request; }"
  SiteDistribution:
    Type: AWS::CloudFront::Distribution
    Properties:
      DistributionConfig:
        Enabled: true
        Comment: !Sub "${AWS::StackName} site"
        DefaultRootObject: index.html
        Aliases: !If [HasDomain, [!Ref DomainName], !Ref AWS::NoValue]
        Origins:
          - Id: site
            DomainName: !GetAtt SiteBucket.RegionalDomainName
            S3OriginConfig: {OriginAccessIdentity: ""}
            OriginAccessControlId: !GetAtt SiteOriginAccessControl.Id
        DefaultCacheBehavior:
          TargetOriginId: site
          ViewerProtocolPolicy: redirect-to-https
          CachePolicyId: 658327ea-f89d-4fab-a63d-7e88639e58f6
          FunctionAssociations:
            - EventType: viewer-request
              FunctionARN: !GetAtt DirectoryIndexFunction.FunctionMetadata.FunctionARN
        CustomErrorResponses:
          - {ErrorCode: 403, ResponseCode: 404, ResponsePagePath: /404.html, ErrorCachingMinTTL: 10}
          - {ErrorCode: 404, ResponseCode: 404, ResponsePagePath: /404.html, ErrorCachingMinTTL: 10}
        Logging:
          Bucket: !GetAtt LogsBucket.DomainName
          Prefix: cdn/
          IncludeCookies: false
Outputs:
  SourceBucketName: {Value: !Ref SourceBucket}
  SiteBucketName: {Value: !Ref SiteBucket}
  LogsBucketName: {Value: !Ref LogsBucket}
  ContentTableName: {Value: !Ref ContentTable}
  PublishQueueUrl: {Value: !Ref PublishQueue}
  PublishDeadLetterQueueUrl: {Value: !Ref PublishDeadLetterQueue}
  DistributionId: {Value: !Ref SiteDistribution}
  SiteUrl: {Value: !If [HasDomain, !Sub "https://${DomainName}", !Sub "https://${SiteDistribution.DomainName}"]}
  PublishFunctionName: {Value: !Ref PublishFunction}
"""


@pytest.fixture
def fixture_template(tmp_path: Path) -> Path:
    path = tmp_path / "template.yaml"
    path.write_text(FIXTURE_TEMPLATE, encoding="utf-8")
    return path


def _provision(path: Path, endpoint: str, stack_name: str) -> Provisioned:
    return provision(Template.load(path, stack_name=stack_name), endpoint)


def test_fixture_template_provisions_every_resource_idempotently(
    fixture_template: Path, endpoint: str, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO, logger="local.provision")
    first = _provision(fixture_template, endpoint, "fx-prov")
    again = _provision(fixture_template, endpoint, "fx-prov")
    assert again.outputs == first.outputs
    assert again.distributions == first.distributions

    s3 = client("s3", endpoint)
    source = "fx-prov-source-123456789012-us-east-1"
    assert first.buckets["SourceBucket"] == source
    assert s3.get_bucket_versioning(Bucket=source)["Status"] == "Enabled"
    rules = s3.get_bucket_encryption(Bucket=source)["ServerSideEncryptionConfiguration"]["Rules"]
    assert rules[0]["ApplyServerSideEncryptionByDefault"]["SSEAlgorithm"] == "AES256"
    assert s3.get_public_access_block(Bucket=source)["PublicAccessBlockConfiguration"]["BlockPublicAcls"]
    logs = first.buckets["LogsBucket"]
    ownership = s3.get_bucket_ownership_controls(Bucket=logs)["OwnershipControls"]["Rules"]
    assert ownership == [{"ObjectOwnership": "BucketOwnerPreferred"}]

    notification = s3.get_bucket_notification_configuration(Bucket=source)["QueueConfigurations"]
    queue_arn = first.queues["PublishQueue"].arn
    assert {c["QueueArn"] for c in notification} == {queue_arn}
    prefixes = {(c["Events"][0], c["Filter"]["Key"]["FilterRules"][0]["Value"]) for c in notification}
    assert prefixes == {
        (event, prefix)
        for event in ("s3:ObjectCreated:*", "s3:ObjectRemoved:*")
        for prefix in ("articles/", "media/", "site/")
    }

    caplog_text = caplog.text
    assert "skip SiteBucketPolicy (AWS::S3::BucketPolicy)" in caplog_text
    assert "skip DirectoryIndexFunction (AWS::CloudFront::Function)" in caplog_text


def test_queues_get_their_attributes_and_the_dlq_exists_first(fixture_template: Path, endpoint: str) -> None:
    result = _provision(fixture_template, endpoint, "fx-queues")
    sqs = client("sqs", endpoint)
    queue = result.queues["PublishQueue"]
    dlq = result.queues["PublishDeadLetterQueue"]
    attributes = sqs.get_queue_attributes(QueueUrl=queue.url, AttributeNames=["All"])["Attributes"]
    assert attributes["VisibilityTimeout"] == "360"
    assert attributes["MessageRetentionPeriod"] == "1209600"
    redrive = json.loads(attributes["RedrivePolicy"])
    assert redrive["deadLetterTargetArn"] == dlq.arn
    assert int(redrive["maxReceiveCount"]) == 3
    # moto links a redrive policy only to a DLQ that already exists: prove the link is live.
    assert sqs.list_dead_letter_source_queues(QueueUrl=dlq.url)["queueUrls"] == [queue.url]


def test_table_has_the_template_key_schema_billing_and_pitr(fixture_template: Path, endpoint: str) -> None:
    result = _provision(fixture_template, endpoint, "fx-table")
    dynamodb = client("dynamodb", endpoint)
    name = result.tables["ContentTable"]
    table = dynamodb.describe_table(TableName=name)["Table"]
    assert table["KeySchema"] == [
        {"AttributeName": "pk", "KeyType": "HASH"},
        {"AttributeName": "sk", "KeyType": "RANGE"},
    ]
    assert table["BillingModeSummary"]["BillingMode"] == "PAY_PER_REQUEST"
    backups = dynamodb.describe_continuous_backups(TableName=name)["ContinuousBackupsDescription"]
    assert backups["PointInTimeRecoveryDescription"]["PointInTimeRecoveryStatus"] == "ENABLED"


def test_distribution_outputs_and_environment(fixture_template: Path, endpoint: str, tmp_path: Path) -> None:
    result = _provision(fixture_template, endpoint, "fx-dist")
    distribution = result.distributions["SiteDistribution"]
    assert distribution.origin_bucket == result.buckets["SiteBucket"]
    assert distribution.log_bucket == result.buckets["LogsBucket"]
    assert distribution.log_prefix == "cdn/"
    assert [e.error_code for e in distribution.error_responses] == [403, 404]
    cloudfront = client("cloudfront", endpoint)
    config = cloudfront.get_distribution_config(Id=distribution.id)["DistributionConfig"]
    assert config["Origins"]["Items"][0]["DomainName"].startswith(result.buckets["SiteBucket"] + ".s3.")

    template_outputs = set(Template.load(fixture_template).body["Outputs"])
    assert set(result.outputs) == template_outputs | {"EndpointUrl", "Region"}
    assert result.outputs["SiteUrl"] == "http://127.0.0.1:3000"
    assert result.outputs["EndpointUrl"] == endpoint
    assert result.outputs["Region"] == "us-east-1"
    assert result.outputs["DistributionId"] == distribution.id
    assert result.outputs["PublishQueueUrl"] == result.queues["PublishQueue"].url

    environment = result.environment("PublishFunction")
    assert environment["SITE_BASE_URL"] == "http://127.0.0.1:3000"
    assert environment["DISTRIBUTION_ID"] == distribution.id
    assert environment["SOURCE_BUCKET_NAME"] == result.buckets["SourceBucket"]
    assert environment["SITE_LOCALE"] == "vi"  # from Globals

    written = json.loads(result.write_outputs(tmp_path / "state").read_text(encoding="utf-8"))
    assert written == result.outputs


def _template_types(path: Path) -> dict[str, list[tuple[str, dict[str, Any]]]]:
    template = Template.load(path)
    found: dict[str, list[tuple[str, dict[str, Any]]]] = {}
    for logical, resource in template.resources.items():
        found.setdefault(resource["Type"], []).append((logical, resource.get("Properties") or {}))
    return found


def test_the_real_template_provisions_with_its_own_names_and_key_schema(endpoint: str) -> None:
    template = Template.load(REPO_TEMPLATE)
    result = provision(template, endpoint)
    s3, sqs, dynamodb = client("s3", endpoint), client("sqs", endpoint), client("dynamodb", endpoint)

    buckets = {b["Name"] for b in s3.list_buckets()["Buckets"]}
    for logical in template.logical_ids("AWS::S3::Bucket"):
        assert template.physical_name(logical) in buckets
        if "BucketName" in template.properties(logical):
            assert result.buckets[logical] == template.property(logical, "BucketName")
    for expected in ("SourceBucket", "SiteBucket", "LogsBucket"):
        assert expected in result.buckets
    assert s3.get_bucket_versioning(Bucket=result.buckets["SourceBucket"]).get("Status") == "Enabled"
    assert s3.get_bucket_notification_configuration(Bucket=result.buckets["SourceBucket"])[
        "QueueConfigurations"
    ]

    for logical in template.logical_ids("AWS::SQS::Queue"):
        queue = result.queues[logical]
        attributes = sqs.get_queue_attributes(QueueUrl=queue.url, AttributeNames=["All"])["Attributes"]
        timeout = template.property(logical, "VisibilityTimeout")
        if timeout is not None:
            assert attributes["VisibilityTimeout"] == str(timeout)
        if template.property(logical, "RedrivePolicy"):
            target = json.loads(attributes["RedrivePolicy"])["deadLetterTargetArn"]
            assert target in {q.arn for q in result.queues.values()}

    for logical in template.logical_ids("AWS::DynamoDB::Table"):
        described = dynamodb.describe_table(TableName=result.tables[logical])["Table"]
        assert described["KeySchema"] == template.property(logical, "KeySchema")
        declared_gsis = {i["IndexName"] for i in template.property(logical, "GlobalSecondaryIndexes") or []}
        assert {i["IndexName"] for i in described.get("GlobalSecondaryIndexes", [])} == declared_gsis

    (distribution,) = result.distributions.values()
    assert distribution.origin_bucket == result.buckets["SiteBucket"]
    assert distribution.log_bucket == result.buckets["LogsBucket"]
    logging_config = template.properties(distribution.logical_id)["DistributionConfig"].get("Logging") or {}
    assert distribution.log_prefix == logging_config.get("Prefix", "cdn/")
    assert {e.error_code for e in distribution.error_responses} >= {404}

    assert set(result.outputs) == set(template.body.get("Outputs", {})) | {"SiteUrl", "EndpointUrl", "Region"}
    assert result.outputs["SiteUrl"] == "http://127.0.0.1:3000"
    assert result.environment("PublishFunction")["SITE_BASE_URL"] == "http://127.0.0.1:3000"
