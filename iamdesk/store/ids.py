"""AWS-style identifiers and ARNs.

IAM unique ids are a four-letter prefix naming the kind (AIDA user, AGPA group, AROA role, ANPA
managed policy, AIPA instance profile) and 17 characters of the Base32 alphabet ``A-Z2-7``
(21 in all, like AWS's ``AIDACKCEVSQ6C2EXAMPLE``); access key ids (AKIA long-term, ASIA temporary)
have 16 (20 in all, like ``AKIAIOSFODNN7EXAMPLE``). Randomness comes from ``secrets`` unless a
``random.Random`` is given (tests and generated fixtures pass a seeded one for reproducible ids).
"""

from __future__ import annotations

import random
import secrets
import string
import uuid

BASE32_ALPHABET = string.ascii_uppercase + "234567"
PREFIXES = {
    "user": "AIDA",
    "group": "AGPA",
    "role": "AROA",
    "policy": "ANPA",
    "instance-profile": "AIPA",
    "access-key": "AKIA",
    "session-key": "ASIA",
}
_SECRET_ALPHABET = string.ascii_letters + string.digits + "+/"


def random_text(alphabet: str, length: int, rng: random.Random | None = None) -> str:
    """``length`` characters drawn from ``alphabet``."""
    chooser = rng.choice if rng is not None else secrets.choice
    return "".join(chooser(alphabet) for _ in range(length))


def random_uuid(rng: random.Random | None = None) -> str:
    """A version 4 UUID (job ids, KMS key ids, secret version ids)."""
    if rng is not None:
        return str(uuid.UUID(int=rng.getrandbits(128), version=4))
    return str(uuid.uuid4())


def unique_id(kind: str, rng: random.Random | None = None) -> str:
    """``unique_id("user")`` -> ``AIDA`` + 17 Base32 characters."""
    length = 16 if kind in ("access-key", "session-key") else 17
    return PREFIXES[kind] + random_text(BASE32_ALPHABET, length, rng)


def new_id(prefix: str, length: int, rng: random.Random | None = None) -> str:
    """``prefix`` and random characters of IAM's id alphabet (``length`` in all)."""
    return prefix + random_text(BASE32_ALPHABET, length - len(prefix), rng)


def secret_access_key(rng: random.Random | None = None) -> str:
    """A 40-character secret in AWS's alphabet (letters, digits, ``+`` and ``/``)."""
    return random_text(_SECRET_ALPHABET, 40, rng)


def iam_arn(account_id: str, kind: str, path: str, name: str) -> str:
    """``arn:aws:iam::123456789012:user/division/bob`` for kind ``user`` and path ``/division/``."""
    return f"arn:aws:iam::{account_id}:{kind}{path}{name}"


def aws_managed_policy_arn(path: str, name: str) -> str:
    return f"arn:aws:iam::aws:policy{path}{name}"


def mfa_serial(account_id: str, path: str, name: str) -> str:
    return iam_arn(account_id, "mfa", path, name)


def assumed_role_arn(account_id: str, role_name: str, session_name: str) -> str:
    # The session ARN drops the role's path, as STS does.
    return f"arn:aws:sts::{account_id}:assumed-role/{role_name}/{session_name}"
