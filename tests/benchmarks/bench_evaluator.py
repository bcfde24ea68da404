"""Evaluator throughput: prints evaluations per second for the issue's scenarios.

    .venv/bin/python tests/benchmarks/bench_evaluator.py [--cases N]

(a) 1 policy x 1 statement; (b) 10 policies x 10 statements with conditions; (c) 100 policies;
then the wall time of ``iamdesk simulate --cases`` on N generated cases (default 10,000),
including process start, JSON parsing and policy compilation. Policies are compiled once.
"""

from __future__ import annotations

import argparse
import json
import random
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from iamdesk.core.evaluator import (
    PolicyRef,
    PolicySet,
    Principal,
    Request,
    compile_policy,
    evaluate,
)

ACCOUNT = "111122223333"
USER = Principal(f"arn:aws:iam::{ACCOUNT}:user/dana", ACCOUNT)
SERVICES = ["s3", "ec2", "iam", "dynamodb", "sqs", "sns", "kms", "lambda", "logs", "sts"]
NAMES = "abcdefgh"
VERBS = ["Get", "Put", "List", "Describe", "Delete", "Create", "Update", "Tag"]


def _statement(rng: random.Random, i: int, conditions: bool) -> dict:
    service = rng.choice(SERVICES)
    st: dict = {
        "Sid": f"S{i}",
        "Effect": "Deny" if rng.random() < 0.1 else "Allow",
        "Action": [f"{service}:{rng.choice(VERBS)}*", f"{service}:{rng.choice(VERBS)}Item"],
        "Resource": [f"arn:aws:{service}:*:{ACCOUNT}:thing/{rng.choice('abcdef')}*"],
    }
    if conditions:
        st["Condition"] = {
            "StringEquals": {"aws:PrincipalTag/team": ["red", "blue"]},
            "IpAddress": {"aws:SourceIp": ["10.0.0.0/8", "192.168.0.0/16"]},
            "Bool": {"aws:SecureTransport": "true"},
        }
    return st


def _policy(rng: random.Random, statements: int, conditions: bool) -> dict:
    return {
        "Version": "2012-10-17",
        "Statement": [_statement(rng, i, conditions) for i in range(statements)],
    }


CONTEXT = {
    "aws:PrincipalTag/team": "red",
    "aws:SourceIp": "10.1.2.3",
    "aws:SecureTransport": "true",
}


def _rate(policy_set: PolicySet, requests: list[Request], seconds: float = 1.5) -> float:
    count = 0
    start = time.perf_counter()
    while True:
        for request in requests:
            evaluate(request, policy_set, explain=False)
        count += len(requests)
        elapsed = time.perf_counter() - start
        if elapsed >= seconds:
            return count / elapsed


def _requests(rng: random.Random, n: int) -> list[Request]:
    out = []
    for _ in range(n):
        service = rng.choice(SERVICES)
        action = f"{service}:{rng.choice(VERBS)}Item"
        resource = f"arn:aws:{service}:us-east-1:{ACCOUNT}:thing/{rng.choice('abcdefgh')}1"
        out.append(Request(USER, action, resource, ACCOUNT, CONTEXT))
    return out


def scenario_a() -> float:
    policy = compile_policy(
        {
            "Version": "2012-10-17",
            "Statement": {"Effect": "Allow", "Action": "s3:GetObject", "Resource": "*"},
        }
    )
    ps = PolicySet(identity=[PolicyRef("identity[0]", policy)])
    request = Request(USER, "s3:GetObject", "arn:aws:s3:::bucket/key", ACCOUNT)
    return _rate(ps, [request] * 100)


def scenario_policies(count: int, statements: int, conditions: bool) -> float:
    rng = random.Random(count)
    refs = [
        PolicyRef(f"identity[{i}]", compile_policy(_policy(rng, statements, conditions)))
        for i in range(count)
    ]
    return _rate(PolicySet(identity=refs), _requests(rng, 200))


def generate_cases(n: int, seed: int = 7) -> list[str]:
    """N cases shaped like real ones (a user or role session with one or two identity policies,
    sometimes a boundary, an SCP stack or a bucket policy), drawn from a pool of 60 policies,
    since a real batch asks many questions of the same few policies."""
    rng = random.Random(seed)
    pool = [_policy(rng, rng.randint(1, 4), rng.random() < 0.3) for _ in range(60)]
    boundary = _policy(rng, 3, False)
    allow_all = {
        "Version": "2012-10-17",
        "Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}],
    }
    bucket = {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Effect": "Allow",
                "Principal": {"AWS": f"arn:aws:iam::{ACCOUNT}:root"},
                "Action": "s3:*",
                "Resource": "arn:aws:s3:::thing/*",
            }
        ],
    }
    lines = []
    for i in range(n):
        service = rng.choice(SERVICES)
        roll = rng.random()
        case = {
            "id": f"c{i}",
            "principal": {"arn": USER.arn, "account": ACCOUNT},
            "identity_policies": rng.sample(pool, rng.randint(1, 2)),
            "permissions_boundary": boundary if roll < 0.2 else None,
            "session_policy": None,
            "scps": [[allow_all], [rng.choice(pool)]] if 0.2 <= roll < 0.4 else [],
            "rcps": [],
            "resource_policy": bucket if 0.4 <= roll < 0.5 else None,
            "resource_account": ACCOUNT,
            "request": {
                "action": f"{service}:{rng.choice(VERBS)}Item",
                "resource": f"arn:aws:{service}:us-east-1:{ACCOUNT}:thing/{rng.choice(NAMES)}1",
                "context": CONTEXT,
            },
        }
        lines.append(json.dumps(case))
    return lines


def generate_cold_cases(n: int, seed: int = 11) -> list[str]:
    """N cases that share no policy: each brings its own 2-4 documents (identity policies,
    sometimes a boundary, an SCP or a bucket policy) of 1-5 statements, a third with conditions,
    so every case parses and compiles its policies (the cold path)."""
    rng = random.Random(seed)
    lines = []
    for i in range(n):
        service = rng.choice(SERVICES)
        documents = rng.randint(2, 4)
        identity = [
            _policy(rng, rng.randint(1, 5), rng.random() < 0.33)
            for _ in range(max(1, documents - 2))
        ]
        extra = documents - len(identity)
        kinds = rng.sample(["boundary", "scp", "resource"], extra)
        resource_policy = None
        if "resource" in kinds:
            resource_policy = _policy(rng, rng.randint(1, 5), rng.random() < 0.33)
            for st in resource_policy["Statement"]:
                st["Principal"] = {"AWS": f"arn:aws:iam::{ACCOUNT}:root"}
        case = {
            "id": f"k{i}",
            "principal": {"arn": USER.arn, "account": ACCOUNT},
            "identity_policies": identity,
            "permissions_boundary": (
                _policy(rng, rng.randint(1, 5), False) if "boundary" in kinds else None
            ),
            "session_policy": None,
            "scps": [[_policy(rng, rng.randint(1, 5), False)]] if "scp" in kinds else [],
            "rcps": [],
            "resource_policy": resource_policy,
            "resource_account": ACCOUNT,
            "request": {
                "action": f"{service}:{rng.choice(VERBS)}Item",
                "resource": f"arn:aws:{service}:us-east-1:{ACCOUNT}:thing/{rng.choice(NAMES)}1",
                "context": CONTEXT,
            },
        }
        lines.append(json.dumps(case))
    return lines


def _child_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def batch(n: int) -> tuple[float, float, int, int]:
    """Wall time and CPU time of the command (the machine is shared: CPU time is steadier)."""
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "cases.jsonl"
        path.write_text("\n".join(generate_cases(n)) + "\n")
        size = path.stat().st_size
        cpu = _child_cpu()
        start = time.perf_counter()
        proc = subprocess.run(
            [sys.executable, "-m", "iamdesk", "simulate", "--cases", str(path)],
            capture_output=True,
            text=True,
            check=True,
        )
        elapsed = time.perf_counter() - start
        cpu = _child_cpu() - cpu
    return elapsed, cpu, len(proc.stdout.splitlines()), size


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--cases", type=int, default=10_000)
    args = parser.parse_args()
    print(f"(a) 1 policy x 1 statement:                  {scenario_a():>10,.0f} evaluations/s")
    print(
        f"(b) 10 policies x 10 statements, conditions:  "
        f"{scenario_policies(10, 10, True):>10,.0f} evaluations/s"
    )
    print(
        f"(c) 100 policies x 10 statements:             "
        f"{scenario_policies(100, 10, False):>10,.0f} evaluations/s"
    )
    elapsed, cpu, lines, size = batch(args.cases)
    print(
        f"batch: iamdesk simulate --cases, {lines:,} cases ({size / lines:,.0f} bytes each) "
        f"in {elapsed:.2f} s wall = {lines / elapsed:,.0f} cases/s; "
        f"{cpu:.2f} s CPU = {lines / cpu:,.0f} cases per CPU-second (incl. process start)"
    )


if __name__ == "__main__":
    main()
