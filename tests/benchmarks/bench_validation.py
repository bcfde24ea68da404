"""Prints how long validate_policy takes on policies near the 6,144-character managed quota.

Run: .venv/bin/python tests/benchmarks/bench_validation.py
The policy editor validates on every keystroke, so the target is well under 50 ms.
"""

from __future__ import annotations

import json
import statistics
import time

from iamdesk.core.policy.document import PolicyKind
from iamdesk.core.policy.validation import validate_policy

ACTIONS = ["s3:GetObject", "s3:PutObject", "s3:List*", "ec2:Describe*", "iam:GetRole"]


def policy(target_chars: int) -> str:
    """A realistic identity policy (actions, ARNs, conditions) of about ``target_chars``
    non-whitespace characters, pretty-printed as an editor shows it."""
    statements = []
    doc = {"Version": "2012-10-17", "Statement": statements}
    i = 0
    while len(json.dumps(doc, separators=(",", ":"))) < target_chars:
        statements.append(
            {
                "Sid": f"Stmt{i}",
                "Effect": "Allow" if i % 3 else "Deny",
                "Action": ACTIONS[: 2 + i % 4],
                "Resource": [f"arn:aws:s3:::bucket-{i}/*", f"arn:aws:s3:::bucket-{i}"],
                "Condition": {
                    "StringEquals": {"aws:PrincipalTag/team": f"team-{i}"},
                    "IpAddress": {"aws:SourceIp": "203.0.113.0/24"},
                    "Bool": {"aws:SecureTransport": "true"},
                },
            }
        )
        i += 1
    statements.pop()
    return json.dumps(doc, indent=4)


def measure(text: str, runs: int = 30) -> tuple[float, float]:
    validate_policy(text, PolicyKind.IDENTITY)  # warm the catalog caches once
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        validate_policy(text, PolicyKind.IDENTITY)
        times.append((time.perf_counter() - start) * 1000)
    return statistics.median(times), max(times)


def main() -> None:
    for size in (1_000, 3_000, 6_000):
        text = policy(size)
        minified = len(json.dumps(json.loads(text), separators=(",", ":")))
        median, worst = measure(text)
        print(
            f"validate_policy: {minified:>5} chars ({len(text):>5} as shown): "
            f"median {median:6.2f} ms, worst {worst:6.2f} ms"
        )


if __name__ == "__main__":
    main()
