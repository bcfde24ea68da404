"""Access analysis figures on a generated account of 10,000 users and roles (6,000 users,
4,000 roles, 2,000 customer managed policies, 100 groups, 600 resources with policies):

- reading and compiling the model once (the snapshot every analysis shares);
- who-can for one action and resource (target <= 0.5 s);
- what-can across all S3 actions for one principal (target <= 0.2 s);
- every external-access finding (target <= 2 s);
- every escalation path (target <= 10 s).

Each figure is measured on a warm snapshot (the model read and compiled already, as in the app
after the first question) and the snapshot's own cost is printed first. Each line gives this
process's CPU time, which the target is checked against, and the wall time, which on a machine
shared with other work can be several times larger.

Run: ``.venv/bin/python tests/benchmarks/bench_analysis.py [DIR]`` (DIR keeps the model file).
"""

from __future__ import annotations

import json
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

from bench_accounts import ACCOUNT, generated_account

from iamdesk.analysis.external_access import find_external_access
from iamdesk.analysis.privesc import find_escalation_paths
from iamdesk.analysis.snapshot import snapshot
from iamdesk.analysis.what_can import what_can
from iamdesk.analysis.who_can import who_can
from iamdesk.services import resources
from iamdesk.services.importexport import import_authorization_details
from iamdesk.store.db import Database, open_database

OUTSIDE = "999988887777"
ADMIN = "arn:aws:iam::aws:policy/AdministratorAccess"


def _doc(*statements: dict[str, Any]) -> dict[str, Any]:
    return {"Version": "2012-10-17", "Statement": list(statements)}


def build(workdir: Path) -> Database:
    data = generated_account(6_000, 4_000, 2_000)
    for i, user in enumerate(data["UserDetailList"]):
        if i % 500 == 0:  # a few administrators
            user["AttachedManagedPolicies"].append(
                {"PolicyName": "AdministratorAccess", "PolicyArn": ADMIN}
            )
        elif i % 97 == 0:  # a few who can make themselves administrator
            user["UserPolicyList"] = [
                {
                    "PolicyName": "ops",
                    "PolicyDocument": _doc(
                        {"Effect": "Allow", "Action": "iam:PassRole", "Resource": "*"},
                        {
                            "Effect": "Allow",
                            "Action": ["lambda:CreateFunction", "lambda:InvokeFunction"],
                            "Resource": "*",
                        },
                    ),
                }
            ]
    for i, role in enumerate(data["RoleDetailList"]):
        if i % 50 == 0:  # cross-account roles
            role["AssumeRolePolicyDocument"] = _doc(
                {
                    "Effect": "Allow",
                    "Principal": {"AWS": f"arn:aws:iam::{OUTSIDE}:root"},
                    "Action": "sts:AssumeRole",
                }
            )
        if i % 400 == 1:  # administrators Lambda can run as
            role["AttachedManagedPolicies"].append(
                {"PolicyName": "AdministratorAccess", "PolicyArn": ADMIN}
            )
    db = open_database(workdir / "analysis.sqlite")
    import_authorization_details(db, json.dumps(data))
    for b in range(500):
        name = f"bucket-{b:04d}"
        resources.create_bucket(db, bucket=name, account_id=ACCOUNT)
        principal: Any = (
            "*" if b % 5 == 0 else {"AWS": f"arn:aws:iam::{ACCOUNT}:user/staff/user-{b:05d}"}
        )
        resources.put_bucket_policy(
            db,
            bucket=name,
            account_id=ACCOUNT,
            policy=json.dumps(
                _doc(
                    {
                        "Effect": "Allow",
                        "Principal": principal,
                        "Action": "s3:GetObject",
                        "Resource": f"arn:aws:s3:::{name}/*",
                    }
                )
            ),
        )
    for _ in range(100):
        resources.create_key(
            db,
            account_id=ACCOUNT,
            policy=json.dumps(
                _doc(
                    {
                        "Effect": "Allow",
                        "Principal": {"AWS": f"arn:aws:iam::{ACCOUNT}:root"},
                        "Action": "kms:*",
                        "Resource": "*",
                    },
                    {
                        "Effect": "Allow",
                        "Principal": {"AWS": f"arn:aws:iam::{OUTSIDE}:root"},
                        "Action": "kms:Decrypt",
                        "Resource": "*",
                    },
                )
            ),
        )
    return db


def timed(
    label: str, target: float | None, call: Callable[[], Any], describe: Callable[[Any], str]
) -> bool:
    """Wall time and this process's CPU time: on a shared machine the CPU time is the figure
    that does not depend on the neighbours; the target is checked against it."""
    start, cpu = time.perf_counter(), time.process_time()
    result = call()
    elapsed, used = time.perf_counter() - start, time.process_time() - cpu
    verdict = "" if target is None else (" OK" if used <= target else " OVER")
    limit = "" if target is None else f" (target <= {target:g} s)"
    print(f"{label}: {used:.3f} s CPU, {elapsed:.3f} s wall{limit}{verdict}; {describe(result)}")
    return target is None or used <= target


def main() -> int:
    with tempfile.TemporaryDirectory() as tmp:
        start = time.perf_counter()
        db = build(Path(sys.argv[1]) if len(sys.argv) > 1 else Path(tmp))
        print(f"generated account built in {time.perf_counter() - start:.1f} s")
        timed(
            "snapshot (read + compile every policy once)",
            None,
            lambda: snapshot(db),
            lambda s: f"{len(s.actors)} principals, {len(s.targets)} resources and roles",
        )
        admin = f"arn:aws:iam::{ACCOUNT}:user/staff/user-00000"  # AdministratorAccess
        user = f"arn:aws:iam::{ACCOUNT}:user/staff/user-00042"  # 2 policies and a group's 3
        ok = all(
            [
                timed(
                    "who-can s3:GetObject on one object",
                    0.5,
                    lambda: who_can(
                        db, None, "s3:GetObject", "arn:aws:s3:::bucket-0003/report.csv"
                    ),
                    lambda r: f"{len(r)} principals",
                ),
                timed(
                    "who-can sts:AssumeRole on a role",
                    0.5,
                    lambda: who_can(
                        db,
                        None,
                        "sts:AssumeRole",
                        f"arn:aws:iam::{ACCOUNT}:role/service/role-00400",
                    ),
                    lambda r: f"{len(r)} principals",
                ),
                timed(
                    "what-can across all S3 actions for an administrator",
                    0.2,
                    lambda: what_can(db, None, admin, service="s3"),
                    lambda r: f"{len(r)} actions allowed",
                ),
                timed(
                    "what-can across all S3 actions for an ordinary user",
                    0.2,
                    lambda: what_can(db, None, user, service="s3"),
                    lambda r: f"{len(r)} actions allowed",
                ),
                timed(
                    "every external-access finding",
                    2.0,
                    lambda: find_external_access(db, None),
                    lambda r: f"{len(r)} findings",
                ),
                timed(
                    "every escalation path",
                    10.0,
                    lambda: find_escalation_paths(db, None),
                    lambda r: f"{len(r)} principals can escalate",
                ),
            ]
        )
        db.close()
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
