"""``iamdesk serve`` driven by the real AWS CLI and boto3: wire protocols, errors, callers."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import threading
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import boto3
import pytest
from botocore.config import Config
from botocore.exceptions import ClientError

from iamdesk.cli.endpoint.server import Server, make_server
from iamdesk.cli.options import GlobalOptions
from iamdesk.services.demo import write_demo
from iamdesk.services.users import list_users
from iamdesk.store.db import open_database

ACCOUNT = "111122223333"


@pytest.fixture
def endpoint(tmp_path: Path) -> Iterator[tuple[str, Path]]:
    model = write_demo(tmp_path / "model.sqlite")
    server: Server = make_server(GlobalOptions(db=model), port=0)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    host, port = server.server_address[:2]
    yield f"http://{host}:{port}", model
    server.shutdown()
    server.server_close()


def _client(url: str, service: str, key: str = "AKIAIOSFODNN7EXAMPLE") -> object:
    return boto3.session.Session(
        aws_access_key_id=key, aws_secret_access_key="anything", region_name="us-east-1"
    ).client(service, endpoint_url=url, config=Config(retries={"max_attempts": 1}))


def _aws(url: str, *args: str, key: str = "AKIAIOSFODNN7EXAMPLE") -> subprocess.CompletedProcess:
    aws = shutil.which("aws", path=str(Path(sys.executable).parent)) or shutil.which("aws")
    assert aws, "the AWS CLI (awscli, a test dependency) is not installed"
    env = {
        **os.environ,
        "AWS_ACCESS_KEY_ID": key,
        "AWS_SECRET_ACCESS_KEY": "anything",
        "AWS_DEFAULT_REGION": "us-east-1",
        "AWS_CONFIG_FILE": "/dev/null",
        "AWS_SHARED_CREDENTIALS_FILE": "/dev/null",
    }
    return subprocess.run(
        [aws, "--endpoint-url", url, *args], capture_output=True, text=True, env=env, timeout=60
    )


def test_the_aws_cli_administers_the_model_through_the_endpoint(endpoint) -> None:
    url, model = endpoint
    made = _aws(url, "iam", "create-user", "--user-name", "gina", "--path", "/eng/")
    assert made.returncode == 0, made.stderr
    assert json.loads(made.stdout)["User"]["Arn"] == f"arn:aws:iam::{ACCOUNT}:user/eng/gina"
    # the same file the command line and the app read
    db = open_database(model, create=False)
    try:
        assert "gina" in [u["UserName"] for u in list_users(db, ACCOUNT)["Users"]]
    finally:
        db.close()
    names = _aws(url, "iam", "list-users", "--query", "Users[].UserName", "--output", "text")
    assert "gina" in names.stdout.split()
    missing = _aws(url, "iam", "get-user", "--user-name", "nobody")
    assert missing.returncode == 255  # the AWS CLI v1's code for a service error (v2: 254)
    assert "(NoSuchEntity) when calling the GetUser operation" in missing.stderr
    refused = _aws(url, "iam", "create-user", "--user-name", "bad name")
    assert refused.returncode == 255 and "ValidationError" in refused.stderr


def test_policy_documents_survive_the_wire_exactly(endpoint) -> None:
    """IAM sends policy documents URL-encoded and SDKs decode them: a '%' or '+' must come
    back as written."""
    url, _ = endpoint
    document = {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Sid": "Odd",
                "Effect": "Allow",
                "Action": "s3:GetObject",
                "Resource": "arn:aws:s3:::b/100%25 a+b&c=d/*",
            }
        ],
    }
    iam = _client(url, "iam")
    iam.put_user_policy(UserName="alice", PolicyName="odd", PolicyDocument=json.dumps(document))
    got = iam.get_user_policy(UserName="alice", PolicyName="odd")["PolicyDocument"]
    assert got == document
    role = iam.get_role(RoleName="CrossAccountAuditRole")["Role"]
    assert role["AssumeRolePolicyDocument"]["Statement"][0]["Action"] == "sts:AssumeRole"
    assert role["CreateDate"].year == 2025


def test_boto3_paginates_and_reads_errors(endpoint) -> None:
    url, model = endpoint
    iam = _client(url, "iam")
    pages = list(iam.get_paginator("list_users").paginate(PaginationConfig={"PageSize": 2}))
    assert len(pages) > 1 and all(len(p["Users"]) <= 2 for p in pages)
    db = open_database(model, create=False)
    try:
        expected = [u["UserName"] for u in list_users(db, ACCOUNT)["Users"]]
    finally:
        db.close()
    assert [u["UserName"] for p in pages for u in p["Users"]] == expected
    with pytest.raises(ClientError) as caught:
        iam.delete_role(RoleName="nope")
    assert caught.value.response["Error"]["Code"] == "NoSuchEntity"
    assert caught.value.response["ResponseMetadata"]["HTTPStatusCode"] == 404


def test_a_modelled_access_key_is_the_caller(endpoint) -> None:
    url, _ = endpoint
    iam = _client(url, "iam")
    iam.create_user(UserName="kim")
    key = iam.create_access_key(UserName="kim")["AccessKey"]["AccessKeyId"]
    identity = _client(url, "sts", key).get_caller_identity()
    assert identity["Arn"] == f"arn:aws:iam::{ACCOUNT}:user/kim"
    # IAM operations without UserName act on the caller, as IAM does
    assert _client(url, "iam", key).get_user()["User"]["UserName"] == "kim"
    listed = _client(url, "iam", key).list_access_keys()["AccessKeyMetadata"]
    assert [k["AccessKeyId"] for k in listed] == [key]
    with pytest.raises(ClientError) as caught:
        _client(url, "sts", "AKIAUNKNOWNKEY000000").get_caller_identity()
    assert caught.value.response["Error"]["Code"] == "InvalidClientTokenId"
    cli = _aws(url, "sts", "get-caller-identity", key=key)
    assert json.loads(cli.stdout)["Arn"].endswith(":user/kim")


def test_json_protocol_services(endpoint) -> None:
    url, _ = endpoint
    kms = _client(url, "kms")
    made = kms.create_key(Description="through the endpoint")["KeyMetadata"]
    assert made["CreationDate"].year >= 2026  # epoch seconds on the wire, a datetime here
    ids = [k["KeyId"] for k in kms.list_keys()["Keys"]]
    assert made["KeyId"] in ids
    policy = json.loads(kms.get_key_policy(KeyId=made["KeyId"], PolicyName="default")["Policy"])
    assert policy["Statement"]
    roots = _client(url, "organizations").list_roots()["Roots"]
    assert roots and roots[0]["Id"].startswith("r-")


def test_rest_services_s3_and_lambda(endpoint) -> None:
    url, _ = endpoint
    s3 = _client(url, "s3")
    s3.create_bucket(Bucket="ep-reports")
    assert "ep-reports" in [b["Name"] for b in s3.list_buckets()["Buckets"]]
    policy = {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Effect": "Allow",
                "Principal": {"AWS": f"arn:aws:iam::{ACCOUNT}:root"},
                "Action": "s3:GetObject",
                "Resource": "arn:aws:s3:::ep-reports/*",
            }
        ],
    }
    s3.put_bucket_policy(Bucket="ep-reports", Policy=json.dumps(policy))
    assert json.loads(s3.get_bucket_policy(Bucket="ep-reports")["Policy"]) == policy
    with pytest.raises(ClientError) as caught:
        s3.get_bucket_policy(Bucket="no-such-bucket-here")
    assert caught.value.response["Error"]["Code"] == "NoSuchBucket"
    # S3's and Lambda's statuses, as their models declare them (a HEAD has only its status)
    assert caught.value.response["ResponseMetadata"]["HTTPStatusCode"] == 404
    s3.create_bucket(Bucket="ep-no-policy")
    with pytest.raises(ClientError) as caught:
        s3.get_bucket_policy(Bucket="ep-no-policy")
    assert caught.value.response["Error"]["Code"] == "NoSuchBucketPolicy"
    assert caught.value.response["ResponseMetadata"]["HTTPStatusCode"] == 404
    with pytest.raises(ClientError) as caught:
        s3.create_bucket(Bucket="ep-no-policy")
    assert caught.value.response["ResponseMetadata"]["HTTPStatusCode"] == 409
    cli = _aws(url, "s3api", "get-bucket-policy", "--bucket", "ep-reports")
    assert cli.returncode == 0 and json.loads(json.loads(cli.stdout)["Policy"]) == policy

    functions = _client(url, "lambda")
    functions.add_permission(
        FunctionName="thumbnailer",
        StatementId="fromEndpoint",
        Action="lambda:InvokeFunction",
        Principal="sns.amazonaws.com",
    )
    sids = [
        s["Sid"]
        for s in json.loads(functions.get_policy(FunctionName="thumbnailer")["Policy"])["Statement"]
    ]
    assert "fromEndpoint" in sids
    functions.remove_permission(FunctionName="thumbnailer", StatementId="fromEndpoint")
    with pytest.raises(ClientError) as caught:
        functions.remove_permission(FunctionName="thumbnailer", StatementId="fromEndpoint")
    assert caught.value.response["Error"]["Code"] == "ResourceNotFoundException"
    assert caught.value.response["ResponseMetadata"]["HTTPStatusCode"] == 404


def test_what_is_not_served_says_so_at_once(endpoint) -> None:
    url, _ = endpoint
    with pytest.raises(ClientError) as caught:
        _client(url, "accessanalyzer").list_analyzers()
    error = caught.value.response
    assert error["Error"]["Code"] == "NotImplemented"
    assert "iamdesk accessanalyzer" in error["Error"]["Message"]
    assert error["ResponseMetadata"]["RetryAttempts"] == 0
    with pytest.raises(ClientError) as caught:
        _client(url, "lambda").list_functions()
    assert caught.value.response["Error"]["Code"] == "InvalidAction"


def _post(url: str, body: bytes, headers: dict[str, str]) -> tuple[int, bytes]:
    request = urllib.request.Request(url, data=body, headers=headers, method="POST")
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            return response.status, response.read()
    except urllib.error.HTTPError as exc:
        return exc.code, exc.read()


def test_bad_requests_get_the_protocol_error_and_change_nothing(endpoint) -> None:
    url, _ = endpoint
    target = {
        "X-Amz-Target": "TrentService.CreateKey",
        "Content-Type": "application/x-amz-json-1.1",
    }
    status, body = _post(url, b"[" * 50_000, target)
    assert status == 400 and json.loads(body)["__type"] == "SerializationException"
    status, body = _post(url, b"Action=NoSuchThing&Version=2010-05-08", {})
    assert status == 400 and b"<Code>InvalidAction</Code>" in body
    status, body = _post(url, b"Action=GetUser&Version=2010-05-08&UserName=alice", {})
    assert status == 200 and b"<UserName>alice</UserName>" in body
    request = urllib.request.Request(
        url, data=b"x", headers={"Content-Length": str(64 * 1024 * 1024)}, method="POST"
    )
    with pytest.raises(urllib.error.HTTPError) as caught:
        urllib.request.urlopen(request, timeout=30)
    assert caught.value.code == 413


def test_serve_refuses_a_missing_model(tmp_path: Path) -> None:
    result = subprocess.run(
        [sys.executable, "-m", "iamdesk", "--db", str(tmp_path / "none.sqlite"), "serve"],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode != 0
    assert "none.sqlite" in result.stderr and "Traceback" not in result.stderr
    assert not (tmp_path / "none.sqlite").exists()
