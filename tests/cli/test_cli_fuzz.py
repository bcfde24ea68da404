"""Mutated policies through the commands: an AWS-style error or a result, never a traceback."""

from __future__ import annotations

import json
import random

import pytest

from iamdesk.cli.accessanalyzer import run as accessanalyzer
from iamdesk.cli.iam.simulate_custom import run as simulate_custom

SEED = {
    "Version": "2012-10-17",
    "Statement": [
        {
            "Sid": "Read",
            "Effect": "Allow",
            "Action": ["s3:GetObject", "s3:List*"],
            "Resource": "arn:aws:s3:::bucket/${aws:username}/*",
            "Condition": {"IpAddress": {"aws:SourceIp": "203.0.113.0/24"}},
        }
    ],
}
ALPHABET = '{}[]":,\\ *?$abc019-/'


def mutate_text(text: str, rng: random.Random) -> str:
    """A few typing slips: a character dropped, inserted or replaced, or the text cut short."""
    for _ in range(rng.randint(1, 3)):
        i = rng.randrange(len(text))
        op = rng.randrange(4)
        if op == 0:
            text = text[:i] + text[i + 1 :]
        elif op == 1:
            text = text[:i] + rng.choice(ALPHABET) + text[i:]
        elif op == 2:
            text = text[: max(i, 1)]
        else:
            text = text[:i] + rng.choice(ALPHABET) + text[i + 1 :]
    return text


@pytest.fixture
def texts() -> list[str]:
    rng = random.Random(5)
    source = json.dumps(SEED, indent=4)
    return [mutate_text(source, rng) for _ in range(150)]


def test_simulate_custom_policy_survives_mutations(
    capsys: pytest.CaptureFixture[str], texts: list[str]
) -> None:
    outcomes = set()
    for text in texts:
        code = simulate_custom(["--policy-input-list", text, "--action-names", "s3:GetObject"])
        out, err = capsys.readouterr()
        assert code in (0, 254), err
        if code == 0:
            assert json.loads(out)["EvaluationResults"][0]["EvalActionName"] == "s3:GetObject"
        else:
            assert err.strip().startswith("An error occurred (MalformedPolicyDocument)")
        outcomes.add(code)
    assert outcomes == {0, 254}


def test_validate_policy_command_survives_mutations(
    capsys: pytest.CaptureFixture[str], texts: list[str]
) -> None:
    for text in texts:
        code = accessanalyzer(
            ["validate-policy", "--policy-document", text, "--policy-type", "RESOURCE_POLICY"]
        )
        out, err = capsys.readouterr()
        assert code == 0, err
        for finding in json.loads(out)["findings"]:
            span = finding["locations"][0]["span"]
            assert 0 <= span["start"]["offset"] <= span["end"]["offset"] <= len(text)
