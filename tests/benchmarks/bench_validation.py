"""Prints how long validate_policy takes on policies near the 6,144-character managed quota,
how its cost grows with large documents, and how fast one beyond every quota is refused.

Run: .venv/bin/python tests/benchmarks/bench_validation.py
The policy editor validates on every keystroke, so the target is well under 50 ms.
"""

from __future__ import annotations

import json
import statistics
import time

from iamdesk.core.policy.document import PolicyKind
from iamdesk.core.policy.validation import validate_policy

ACTIONS = [
    "s3:GetObject",
    "s3:ListBucket",
    "s3:PutObject",
    "s3:GetObjectVersion*",
    "s3:DeleteObject",
]


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


def managed_policies() -> None:
    """Every AWS managed policy once (warm caches): the spread the editor will see."""
    from iamdesk.services import managed_policies as catalog

    documents = [p.document for p in catalog.all_policies()]
    for doc in documents:
        validate_policy(doc)
    within, over = [], []
    for doc in documents:
        start = time.perf_counter()
        validate_policy(doc, PolicyKind.IDENTITY)
        elapsed = (time.perf_counter() - start) * 1000
        size = len(json.dumps(doc, separators=(",", ":")))
        (within if size <= 6_144 else over).append(elapsed)
    within.sort()
    print(
        f"AWS managed policies within the quota ({len(within)}): median "
        f"{statistics.median(within):.2f} ms, p95 {within[int(len(within) * 0.95)]:.2f} ms, "
        f"max {within[-1]:.2f} ms; over the quota ({len(over)}): max {max(over):.0f} ms"
    )


def _shapes(scale: int) -> dict[str, str]:
    """Large documents of three shapes, growing with ``scale``."""
    statement = {"Effect": "Allow", "Action": ["s3:GetObject", "ec2:Describe*"]}
    return {
        "many statements": json.dumps(
            {
                "Version": "2012-10-17",
                "Statement": [
                    {
                        **statement,
                        "Sid": f"S{i}",
                        "Resource": f"arn:aws:s3:::b{i}/*",
                        "Condition": {"StringEquals": {"aws:PrincipalTag/t": "x"}},
                    }
                    for i in range(100 * scale)
                ],
            }
        ),
        "many resources": json.dumps(
            {
                "Version": "2012-10-17",
                "Statement": [
                    {**statement, "Resource": [f"arn:aws:s3:::b/{i}" for i in range(1000 * scale)]}
                ],
            }
        ),
        "one long resource": json.dumps(
            {
                "Version": "2012-10-17",
                "Statement": [{**statement, "Resource": "arn:aws:s3:::b/" + "a" * 25_000 * scale}],
            }
        ),
    }


def scaling() -> None:
    """Cost must grow linearly with the document: each shape at 1x and 4x (within the
    131,072-character API limit), and a 10 MB one, refused at once."""
    small, large = _shapes(1), _shapes(4)
    for name, text in small.items():
        times = []
        for doc in (text, large[name]):
            start = time.process_time()
            validate_policy(doc, PolicyKind.IDENTITY)
            times.append(time.process_time() - start)
        print(
            f"{name:>17}: {len(text):>7,} chars {times[0] * 1000:7.1f} ms, "
            f"{len(large[name]):>7,} chars {times[1] * 1000:7.1f} ms "
            f"(x{times[1] / times[0]:.1f} for x{len(large[name]) / len(text):.1f} the size)"
        )
    huge = _shapes(400)["one long resource"]
    start = time.process_time()
    (finding,) = validate_policy(huge, PolicyKind.IDENTITY)
    print(
        f"a {len(huge) / 1e6:.0f} MB identity policy: {finding.code} in "
        f"{(time.process_time() - start) * 1000:.0f} ms"
    )


def main() -> None:
    start = time.perf_counter()
    validate_policy(policy(6_000), PolicyKind.IDENTITY)
    print(f"first call (catalog files loaded): {(time.perf_counter() - start) * 1000:.0f} ms")
    for size in (1_000, 3_000, 6_000):
        text = policy(size)
        minified = len(json.dumps(json.loads(text), separators=(",", ":")))
        median, worst = measure(text)
        print(
            f"validate_policy: {minified:>5} chars ({len(text):>5} as shown): "
            f"median {median:6.2f} ms, worst {worst:6.2f} ms"
        )
    typo = policy(6_000).replace('"s3:PutObject"', '"s3:PutObjet"', 1)
    median, worst = measure(typo)
    print(
        f"the same with one misspelled action (spans computed): median {median:6.2f} ms, "
        f"worst {worst:6.2f} ms"
    )
    managed_policies()
    scaling()


if __name__ == "__main__":
    main()
