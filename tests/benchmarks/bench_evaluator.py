"""Evaluator throughput: prints evaluations per second for the issue's scenarios.

    .venv/bin/python tests/benchmarks/bench_evaluator.py [--cases N]

(a) 1 policy x 1 statement; (b) 10 policies x 10 statements with conditions; (c) 100 policies
(policies compiled once); then two batches of N cases (default 5,000) through
``iamdesk simulate --cases``, side by side: "warm" (policies drawn from a pool of 60) and
"cold" (every case brings its own policies). Each is timed as the CLI (CPU seconds, process
start included) and as the batch loop alone, and, when installed (see ``peers.py``), run
through iam-simulate and principalmapper on the same file for the ratios.
"""

from __future__ import annotations

import argparse
import copy
import io
import json
import os
import random
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import peers  # type: ignore[import-not-found]  # beside this file

from iamdesk.cli.simulate import run_stream
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


# Real actions with a resource each fits (peers check action names against AWS's catalog).
REAL = [
    ("s3:GetObject", "arn:aws:s3:::reports/q{n}.csv"),
    ("s3:PutObject", "arn:aws:s3:::reports/q{n}.csv"),
    ("s3:ListBucket", "arn:aws:s3:::reports"),
    ("s3:DeleteObject", "arn:aws:s3:::logs/{n}.gz"),
    ("ec2:DescribeInstances", "*"),
    ("ec2:StartInstances", "arn:aws:ec2:us-east-1:{a}:instance/i-0{n}"),
    ("ec2:TerminateInstances", "arn:aws:ec2:us-east-1:{a}:instance/i-0{n}"),
    ("dynamodb:GetItem", "arn:aws:dynamodb:us-east-1:{a}:table/orders{n}"),
    ("dynamodb:PutItem", "arn:aws:dynamodb:us-east-1:{a}:table/orders{n}"),
    ("dynamodb:DeleteTable", "arn:aws:dynamodb:us-east-1:{a}:table/orders{n}"),
    ("sqs:SendMessage", "arn:aws:sqs:us-east-1:{a}:jobs{n}"),
    ("sqs:ReceiveMessage", "arn:aws:sqs:us-east-1:{a}:jobs{n}"),
    ("sns:Publish", "arn:aws:sns:us-east-1:{a}:alerts{n}"),
    ("lambda:InvokeFunction", "arn:aws:lambda:us-east-1:{a}:function:etl{n}"),
    ("logs:PutLogEvents", "arn:aws:logs:us-east-1:{a}:log-group:app{n}:log-stream:s"),
    ("iam:GetUser", "arn:aws:iam::{a}:user/dev{n}"),
    ("iam:CreateAccessKey", "arn:aws:iam::{a}:user/dev{n}"),
    ("secretsmanager:GetSecretValue", "arn:aws:secretsmanager:us-east-1:{a}:secret:db{n}-AbCdEf"),
]


def _real_statement(rng: random.Random, i: int, conditions: bool) -> dict:
    action, resource = rng.choice(REAL)
    service, _, name = action.partition(":")
    patterns = [action, f"{service}:*", f"{service}:{name[:3]}*", f"{service}:Get*"]
    arn = resource.format(a=ACCOUNT, n=rng.randint(1, 3))
    st: dict = {
        "Sid": f"S{i}",
        "Effect": "Deny" if rng.random() < 0.1 else "Allow",
        "Action": rng.sample(patterns, rng.randint(1, 2)),
        "Resource": rng.choice(["*", arn, arn[: max(1, len(arn) - 3)] + "*"]),
    }
    if conditions:
        st["Condition"] = {
            "StringEquals": {"aws:PrincipalTag/team": rng.sample(["red", "blue", "green"], 2)},
            "IpAddress": {"aws:SourceIp": ["10.0.0.0/8", "192.168.0.0/16"]},
            "Bool": {"aws:SecureTransport": "true"},
        }
    return st


def _real_policy(rng: random.Random, statements: int, conditions: bool) -> dict:
    return {
        "Version": "2012-10-17",
        "Statement": [_real_statement(rng, i, conditions) for i in range(statements)],
    }


def _policies(rng: random.Random, fresh: Any) -> dict[str, Any]:
    """2-4 documents: 1-2 identity policies, sometimes a boundary, an SCP level or a bucket
    policy (``fresh(statements, conditions)`` makes one)."""
    documents = rng.randint(2, 4)
    identity = [fresh(rng.randint(1, 5), rng.random() < 0.33) for _ in range(rng.randint(1, 2))]
    kinds = rng.sample(["boundary", "scp", "resource"], max(0, documents - len(identity)))
    resource_policy = None
    if "resource" in kinds:
        resource_policy = copy.deepcopy(fresh(rng.randint(1, 5), rng.random() < 0.33))
        for st in resource_policy["Statement"]:
            st["Principal"] = {"AWS": f"arn:aws:iam::{ACCOUNT}:root"}
    allow_all = {
        "Version": "2012-10-17",
        "Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}],
    }
    return {
        "identity_policies": identity,
        "permissions_boundary": fresh(rng.randint(1, 5), False) if "boundary" in kinds else None,
        "session_policy": None,
        "scps": [[allow_all], [fresh(rng.randint(1, 5), False)]] if "scp" in kinds else [],
        "rcps": [],
        "resource_policy": resource_policy,
    }


def _batch(n: int, seed: int, pool: int | None) -> list[str]:
    rng = random.Random(seed)
    if pool is None:

        def fresh(statements: int, conditions: bool) -> dict:
            return _real_policy(rng, statements, conditions)
    else:
        shelf = [_real_policy(rng, rng.randint(1, 5), rng.random() < 0.33) for _ in range(pool)]

        def fresh(statements: int, conditions: bool) -> dict:
            return rng.choice(shelf)

    lines = []
    for i in range(n):
        policies = _policies(rng, fresh)
        # Ask mostly about what the policies talk about, as a real batch does.
        statements = [s for p in policies["identity_policies"] for s in p["Statement"]]
        action = rng.choice(statements)["Action"][0] if rng.random() < 0.7 else rng.choice(REAL)[0]
        action = next((a for a, _ in REAL if a == action), None) or rng.choice(
            [a for a, _ in REAL if a.startswith(action.partition(":")[0] + ":")] or [REAL[0][0]]
        )
        resource = dict(REAL)[action].format(a=ACCOUNT, n=rng.randint(1, 3))
        case = {
            "id": f"c{i}",
            "principal": {"arn": USER.arn, "account": ACCOUNT},
            **policies,
            "resource_account": ACCOUNT,
            "request": {"action": action, "resource": resource, "context": CONTEXT},
        }
        lines.append(json.dumps(case))
    return lines


def generate_cases(n: int, seed: int = 7) -> list[str]:
    """The warm batch: N cases shaped like real ones (a user with 2-4 documents: identity
    policies, sometimes a boundary, an SCP stack or a bucket policy) drawing their policies from
    a pool of 60, since a real batch asks many questions of the same few policies."""
    return _batch(n, seed, 60)


def generate_cold_cases(n: int, seed: int = 11) -> list[str]:
    """The cold batch: the same shape, but every case brings its own policies (1-5 statements
    each, a third with conditions), so every case parses and compiles what it uses."""
    return _batch(n, seed, None)


def _child_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def _cli(path: Path) -> tuple[float, float, int]:
    """Wall and CPU seconds of ``iamdesk simulate --cases`` on ``path`` (with process start),
    and the number of results."""
    # Without the fork server: through it the work happens in the server's process, whose CPU
    # this process does not see (the row printed 0.05 s CPU for 5,000 cold cases).
    env = {**os.environ, "IAMDESK_NO_SERVER": "1"}
    env.pop("PYTHONDONTWRITEBYTECODE", None)  # a run without bytecode caches imports slowly
    cpu = _child_cpu()
    start = time.perf_counter()
    proc = subprocess.run(
        [sys.executable, "-m", "iamdesk", "simulate", "--cases", str(path)],
        capture_output=True,
        text=True,
        check=True,
        env=env,
    )
    return time.perf_counter() - start, _child_cpu() - cpu, len(proc.stdout.splitlines())


def _in_process(path: Path) -> float:
    """CPU seconds of the batch loop alone (JSON decoding included, process start not), the
    way the peers' harnesses are timed."""
    lines = path.read_text().splitlines()
    start = time.process_time()
    run_stream(lines, io.StringIO())
    return time.process_time() - start


def batches(n: int) -> None:
    """Both batch kinds side by side, and the peers on the same files when installed."""
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        for name, generate in (("warm", generate_cases), ("cold", generate_cold_cases)):
            path = Path(tmp) / f"{name}.jsonl"
            path.write_text("\n".join(generate(n)) + "\n")
            wall, cpu, lines = _cli(path)
            ours = n / _in_process(path)
            row = [name, f"{path.stat().st_size / n:,.0f} B", f"{lines / cpu:,.0f}", f"{ours:,.0f}"]
            for peer in (peers.iam_simulate, peers.principalmapper):
                found = peer(path)
                if found is None:
                    row.append("(not installed)")
                else:
                    rate = found["cases"] / found["cpu"]
                    row.append(f"{rate:,.0f} (iamdesk {ours / rate:.1f}x)")
            rows.append(row)
            print(
                f"batch {name}: iamdesk simulate --cases, {lines:,} cases in {wall:.2f} s wall, "
                f"{cpu:.2f} s CPU incl. process start"
            )
    header = ["batch", "case", "CLI cases/CPU-s", "loop cases/CPU-s", "iam-simulate", "pmapper"]
    widths = [max(len(str(r[i])) for r in [header, *rows]) for i in range(len(header))]
    for row in [header, *rows]:
        print("  ".join(str(c).ljust(w) for c, w in zip(row, widths, strict=True)))


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--cases", type=int, default=5_000)
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
    batches(args.cases)


if __name__ == "__main__":
    main()
