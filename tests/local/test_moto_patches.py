"""moto with the local stack's patches answers exactly as moto does, failures and rollbacks included.

The patches (``local/moto_patches.py``) make transactions, queries and the
server's routing cost what DynamoDB's do instead of growing with the table;
these tests run the same random writes and queries on moto as it comes and
on the patched moto, and compare every answer and the table after each step.
"""

from __future__ import annotations

import copy
from typing import Any

import boto3
import moto.backends
import moto.s3.models
from hypothesis import given, settings
from hypothesis import strategies as st
from moto import mock_aws
from moto.core.common_models import BaseModel
from moto.dynamodb.models import DynamoDBBackend
from moto.dynamodb.models.table import Table

from local import moto_patches

PARTITIONS = ["a", "b", "c"]
SORTS = ["x", "xy", "y", "é"]
PATCHED = (
    (DynamoDBBackend, "transact_write_items"),
    (Table, "query"),
    (Table, "all_items"),
    (moto.backends, "list_of_moto_modules"),
)


def action(kind: str, pk: str, sk: str, value: int, condition: str | None) -> dict[str, Any]:
    item_key = {"pk": {"S": pk}, "sk": {"S": sk}}
    body: dict[str, Any] = {"TableName": "t"}
    if kind == "Put":
        body["Item"] = {**item_key, "n": {"N": str(value)}}
    elif kind == "Update":
        body |= {
            "Key": item_key,
            "UpdateExpression": "ADD n :d",
            "ExpressionAttributeValues": {":d": {"N": str(value)}},
        }
    else:
        body["Key"] = item_key
    if condition == "absent":
        body["ConditionExpression"] = "attribute_not_exists(pk)"
    elif condition == "present":
        body["ConditionExpression"] = "attribute_exists(pk)"
    return {kind: body}


actions = st.builds(
    action,
    st.sampled_from(["Put", "Update", "Delete", "ConditionCheck"]),
    st.sampled_from(PARTITIONS),
    st.sampled_from(SORTS),
    st.integers(-3, 3),
    st.sampled_from([None, "absent", "present"]),
).filter(lambda a: "ConditionCheck" not in a or "ConditionExpression" in a["ConditionCheck"])
transactions = st.lists(st.lists(actions, min_size=1, max_size=4), min_size=1, max_size=6)
QUERIES = [
    ({}, "pk = :p", {}),
    ({"ScanIndexForward": False, "Limit": 2}, "pk = :p", {}),
    ({}, "pk = :p AND sk > :s", {":s": {"S": "x"}}),
    ({"ScanIndexForward": False}, "pk = :p AND begins_with(sk, :s)", {":s": {"S": "x"}}),
    ({"Limit": 1}, "pk = :p AND sk BETWEEN :s AND :t", {":s": {"S": "xy"}, ":t": {"S": "é"}}),
]


def run(patched: bool, plan: list[list[dict[str, Any]]]) -> list[Any]:
    """What each transaction and each query answered, and what the table held after each step."""
    saved = [(owner, name, owner.__dict__[name]) for owner, name in PATCHED]
    saved_new = BaseModel.__dict__["__new__"]
    if patched:
        moto_patches.apply()
    else:
        for owner, name, _ in saved:
            setattr(owner, name, _originals[name])
    try:
        with mock_aws():
            db = boto3.client("dynamodb", region_name="us-east-1")
            db.create_table(
                TableName="t",
                KeySchema=[
                    {"AttributeName": "pk", "KeyType": "HASH"},
                    {"AttributeName": "sk", "KeyType": "RANGE"},
                ],
                AttributeDefinitions=[{"AttributeName": n, "AttributeType": "S"} for n in ("pk", "sk")],
                BillingMode="PAY_PER_REQUEST",
            )
            seen: list[Any] = []
            for items in plan:
                try:
                    db.transact_write_items(TransactItems=items)
                    outcome: Any = "ok"
                except db.exceptions.ClientError as error:
                    outcome = (error.response["Error"]["Code"], error.response.get("CancellationReasons"))
                table = sorted(str(i) for i in db.scan(TableName="t")["Items"])
                answers = [
                    db.query(
                        TableName="t",
                        KeyConditionExpression=condition,
                        ExpressionAttributeValues={":p": {"S": pk}, **values},
                        **options,
                    )["Items"]
                    for pk in PARTITIONS
                    for options, condition, values in QUERIES
                ]
                seen.append((outcome, table, answers))
            return seen
    finally:
        for owner, name, value in saved:
            setattr(owner, name, value)
        BaseModel.__new__ = saved_new  # type: ignore[method-assign]


_originals = {
    "transact_write_items": moto_patches._original,
    "query": moto_patches._original_query,
    "all_items": moto_patches._original_all_items,
    "list_of_moto_modules": moto_patches._original_modules,
}


@settings(max_examples=40, deadline=None)
@given(transactions)
def test_the_patched_moto_answers_and_rolls_back_like_moto(plan: list[list[dict[str, Any]]]) -> None:
    assert run(True, plan) == run(False, plan)


def test_a_cancelled_transaction_leaves_every_item_as_it_was() -> None:
    plan = [
        [action("Put", "a", "x", 1, None), action("Put", "b", "x", 2, None)],
        # b changes, c appears, a is deleted: then the check on a fails, so none of it happened.
        [
            action("Update", "b", "x", 5, None),
            action("Put", "c", "x", 3, None),
            action("Delete", "a", "x", 0, "absent"),
        ],
    ]
    (_, before, _), (outcome, after, _) = run(True, plan)
    assert outcome[0] == "TransactionCanceledException"
    assert [r["Code"] for r in outcome[1]] == ["None", "None", "ConditionalCheckFailed"]
    assert after == before


def test_the_patch_is_installed_only_on_the_moto_it_was_written_for() -> None:
    assert moto.__version__ == moto_patches.PATCHED_MOTO, "check local/moto_patches.py against the new moto"


def test_object_versions_are_listed_as_moto_lists_them_without_copying_bodies() -> None:
    def listing(patched: bool) -> Any:
        saved = moto.s3.models.copy
        if not patched:
            setattr(moto.s3.models, "copy", copy)  # noqa: B010
        try:
            with mock_aws():
                s3 = boto3.client("s3", region_name="us-east-1")
                s3.create_bucket(Bucket="bucket-b")
                s3.put_bucket_versioning(Bucket="bucket-b", VersioningConfiguration={"Status": "Enabled"})
                for n in range(3):
                    s3.put_object(Bucket="bucket-b", Key="articles/a.md", Body=b"x" * n)
                    s3.put_object(Bucket="bucket-b", Key="media/m.jpg", Body=b"y" * n)
                s3.delete_object(Bucket="bucket-b", Key="articles/a.md")
                answer = s3.list_object_versions(Bucket="bucket-b", Prefix="articles/")
                body = s3.get_object(Bucket="bucket-b", Key="media/m.jpg")["Body"].read()
                return (
                    [(v["Key"], v["Size"], v["IsLatest"], v["ETag"]) for v in answer["Versions"]],
                    [(m["Key"], m["IsLatest"]) for m in answer["DeleteMarkers"]],
                    body,
                )
        finally:
            setattr(moto.s3.models, "copy", saved)  # noqa: B010

    assert listing(True) == listing(False)


def test_invalidations_are_listed_newest_first_as_cloudfront_does() -> None:
    with mock_aws():
        cloudfront = boto3.client("cloudfront", region_name="us-east-1")
        distribution = cloudfront.create_distribution(
            DistributionConfig={
                "CallerReference": "r",
                "Comment": "",
                "Enabled": True,
                "Origins": {"Quantity": 1, "Items": [{"Id": "o", "DomainName": "b.s3.amazonaws.com"}]},
                "DefaultCacheBehavior": {"TargetOriginId": "o", "ViewerProtocolPolicy": "allow-all"},
            }
        )["Distribution"]["Id"]
        made = [
            cloudfront.create_invalidation(
                DistributionId=distribution,
                InvalidationBatch={"Paths": {"Quantity": 1, "Items": [f"/{n}"]}, "CallerReference": str(n)},
            )["Invalidation"]["Id"]
            for n in range(5)
        ]
        first = cloudfront.list_invalidations(DistributionId=distribution, MaxItems="3")["InvalidationList"]
        rest = cloudfront.list_invalidations(
            DistributionId=distribution, MaxItems="3", Marker=first["NextMarker"]
        )["InvalidationList"]
        assert [i["Id"] for i in first["Items"] + rest["Items"]] == made[::-1]
