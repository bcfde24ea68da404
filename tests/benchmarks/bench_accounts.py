"""Accounts figures: import of the shared sample; import time and peak memory of a generated
account with 10,000 users, 5,000 roles and 3,000 customer managed policies (targets <= 20 s,
<= 1 GiB); simulate-principal-policy for a user with 10 attached policies (<= 5 ms after the
first call). ``bench_store.py`` runs these too.

Run: ``.venv/bin/python tests/benchmarks/bench_accounts.py``.
"""

from __future__ import annotations

import json
import random
import resource
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from iamdesk.services.importexport import export_authorization_details, import_authorization_details
from iamdesk.services.simulate import simulate_principal_policy
from iamdesk.store.db import open_database
from iamdesk.store.ids import unique_id

SAMPLE = Path(__file__).resolve().parent.parent / "data" / "authorization-details-example.json"
ACCOUNT = "111122223333"
IMPORT_TARGET_S = 20.0
MEMORY_TARGET_MB = 1024
SIMULATE_TARGET_MS = 5.0
SERVICES = ["s3", "ec2", "dynamodb", "sqs", "sns", "lambda", "logs", "kms", "rds", "ecr"]


def _peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # Linux reports KiB


def _document(rng: random.Random, index: int) -> dict[str, Any]:
    service = SERVICES[index % len(SERVICES)]
    statements: list[dict[str, Any]] = [
        {
            "Sid": f"Read{index}",
            "Effect": "Allow",
            "Action": [f"{service}:Get*", f"{service}:List*", f"{service}:Describe*"],
            "Resource": f"arn:aws:{service}:*:{ACCOUNT}:*team{index % 97}*",
        }
    ]
    if rng.random() < 0.3:
        statements.append(
            {
                "Effect": "Deny",
                "Action": f"{service}:Delete*",
                "Resource": "*",
                "Condition": {"StringNotEquals": {"aws:PrincipalTag/team": f"team{index % 97}"}},
            }
        )
    return {"Version": "2012-10-17", "Statement": statements}


def generated_account(users: int, roles: int, policies: int, *, seed: int = 7) -> dict[str, Any]:
    """An authorization-details document of the given size, deterministic for a seed."""
    rng = random.Random(seed)
    date = "2025-06-01T00:00:00+00:00"
    arn = f"arn:aws:iam::{ACCOUNT}:"
    policy_list = [
        {
            "PolicyName": f"policy-{i:05d}",
            "PolicyId": unique_id("policy", rng),
            "Arn": f"{arn}policy/policy-{i:05d}",
            "Path": "/",
            "DefaultVersionId": "v1",
            "IsAttachable": True,
            "CreateDate": date,
            "UpdateDate": date,
            "PolicyVersionList": [
                {
                    "Document": _document(rng, i),
                    "VersionId": "v1",
                    "IsDefaultVersion": True,
                    "CreateDate": date,
                }
            ],
        }
        for i in range(policies)
    ]

    def attached(count: int) -> list[dict[str, str]]:
        picks = rng.sample(range(policies), count)
        return [
            {"PolicyName": f"policy-{p:05d}", "PolicyArn": f"{arn}policy/policy-{p:05d}"}
            for p in picks
        ]

    groups = [
        {
            "Path": "/",
            "GroupName": f"group-{g:03d}",
            "GroupId": unique_id("group", rng),
            "Arn": f"{arn}group/group-{g:03d}",
            "CreateDate": date,
            "GroupPolicyList": [],
            "AttachedManagedPolicies": attached(3),
        }
        for g in range(100)
    ]
    user_list = [
        {
            "Path": "/staff/",
            "UserName": f"user-{u:05d}",
            "UserId": unique_id("user", rng),
            "Arn": f"{arn}user/staff/user-{u:05d}",
            "CreateDate": date,
            "GroupList": [f"group-{rng.randrange(100):03d}"],
            "AttachedManagedPolicies": attached(2),
            "Tags": [{"Key": "team", "Value": f"team{u % 97}"}],
        }
        for u in range(users)
    ]
    trust = {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Effect": "Allow",
                "Principal": {"Service": "lambda.amazonaws.com"},
                "Action": "sts:AssumeRole",
            }
        ],
    }
    role_list = [
        {
            "Path": "/service/",
            "RoleName": f"role-{r:05d}",
            "RoleId": unique_id("role", rng),
            "Arn": f"{arn}role/service/role-{r:05d}",
            "CreateDate": date,
            "AssumeRolePolicyDocument": trust,
            "InstanceProfileList": [],
            "RolePolicyList": [{"PolicyName": "inline", "PolicyDocument": _document(rng, r)}],
            "AttachedManagedPolicies": attached(1),
            "Tags": [],
            "RoleLastUsed": {},
        }
        for r in range(roles)
    ]
    return {
        "UserDetailList": user_list,
        "GroupDetailList": groups,
        "RoleDetailList": role_list,
        "Policies": policy_list,
    }


def bench_sample_import(workdir: Path) -> None:
    db = open_database(workdir / "sample.sqlite")
    start = time.perf_counter()
    summary = import_authorization_details(db, SAMPLE.read_bytes())
    elapsed = time.perf_counter() - start
    print(
        f"import of the shared sample ({summary.users} users, {summary.roles} roles, "
        f"{summary.policies + summary.aws_managed_policies} policies): {elapsed * 1000:.0f} ms"
    )
    db.close()


def bench_large_import(workdir: Path) -> bool:
    data = generated_account(10_000, 5_000, 3_000)
    text = json.dumps(data)
    del data
    db = open_database(workdir / "large.sqlite")
    before = _peak_mb()
    start = time.perf_counter()
    summary = import_authorization_details(db, text)
    elapsed = time.perf_counter() - start
    peak = _peak_mb()
    start = time.perf_counter()
    exported = export_authorization_details(db, ACCOUNT)
    export_s = time.perf_counter() - start
    assert len(exported["UserDetailList"]) == summary.users == 10_000
    db.close()
    ok = elapsed <= IMPORT_TARGET_S and peak <= MEMORY_TARGET_MB
    print(
        f"import of 10,000 users / 5,000 roles / 3,000 policies ({len(text) / 1e6:.1f} MB): "
        f"{elapsed:.2f} s (target <= {IMPORT_TARGET_S:.0f} s), peak RSS {peak:.0f} MB "
        f"(was {before:.0f} MB before; target <= {MEMORY_TARGET_MB} MB) "
        f"{'OK' if ok else 'OVER'}"
    )
    print(f"export of that account: {export_s:.2f} s")
    return ok


def bench_simulate(workdir: Path) -> bool:
    data = generated_account(1, 0, 10, seed=11)
    data["UserDetailList"][0]["AttachedManagedPolicies"] = [
        {"PolicyName": p["PolicyName"], "PolicyArn": p["Arn"]} for p in data["Policies"]
    ]
    data["UserDetailList"][0]["GroupList"] = []
    data["GroupDetailList"] = []
    db = open_database(workdir / "simulate.sqlite")
    import_authorization_details(db, data)
    user = data["UserDetailList"][0]["Arn"]

    def call() -> str:
        result = simulate_principal_policy(
            db,
            policy_source_arn=user,
            action_names=["s3:GetObject"],
            resource_arns=["arn:aws:s3:::team3-bucket/key"],
            explain=False,
        )
        return result.decisions[0].decision

    start = time.perf_counter()
    call()
    first = (time.perf_counter() - start) * 1000
    times = []
    for _ in range(200):
        start = time.perf_counter()
        call()
        times.append((time.perf_counter() - start) * 1000)
    median = statistics.median(times)
    db.close()
    ok = median <= SIMULATE_TARGET_MS
    print(
        f"simulate-principal-policy, user with 10 attached policies: first {first:.1f} ms, "
        f"then median {median:.2f} ms, p95 {sorted(times)[189]:.2f} ms "
        f"(target <= {SIMULATE_TARGET_MS:.0f} ms) {'OK' if ok else 'OVER'}"
    )
    return ok


def bench_import(workdir: Path) -> bool:
    bench_sample_import(workdir)
    ok = bench_simulate(workdir)
    return bench_large_import(workdir) and ok


def main() -> int:
    with tempfile.TemporaryDirectory() as tmp:
        return 0 if bench_import(Path(tmp)) else 1


if __name__ == "__main__":
    sys.exit(main())
