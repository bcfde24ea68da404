"""Issue 8 item 12: a 10 MB name gives a short error. Every service error passes through
``IamError``, which cuts each long value it quotes to a prefix and keeps the message's end (the
constraint that failed); the command line prints the same, and its usage errors too."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from iamdesk.core.text import MAX_MESSAGE, MAX_QUOTED, bounded
from iamdesk.services import groups, mfa, policies, roles, tags, users
from iamdesk.services.errors import IamError
from iamdesk.store.db import Database, new_database

ROOT = Path(__file__).resolve().parents[2]
TRUST = '{"Version":"2012-10-17","Statement":[]}'
MFA = ["iam", "create-virtual-mfa-device", "--virtual-mfa-device-name", "x"]
MFA += ["--bootstrap-method", "Base32StringSeed"]
LIMIT = MAX_MESSAGE + 100  # the message's own words around the bounded parts

OPERATIONS: dict[str, Callable[[Database, str], Any]] = {
    "create-user": lambda db, v: users.create_user(db, None, v),
    "get-user": lambda db, v: users.get_user(db, None, v),
    "create-user path": lambda db, v: users.create_user(db, None, "bob", path=v),
    "list-users prefix": lambda db, v: users.list_users(db, None, path_prefix=v),
    "create-group": lambda db, v: groups.create_group(db, None, v),
    "get-role": lambda db, v: roles.get_role(db, None, v),
    "create-role": lambda db, v: roles.create_role(db, None, v, TRUST),
    "get-policy": lambda db, v: policies.get_policy(db, None, v),
    "get-policy arn": lambda db, v: policies.get_policy(db, None, f"arn:aws:iam::aws:policy/{v}"),
    "tag-user": lambda db, v: tags.tag(db, None, "user", v, [{"Key": "a", "Value": "b"}]),
    "tag value": lambda db, v: tags.tag(db, None, "user", "x", [{"Key": "a", "Value": v}]),
    "mfa": lambda db, v: mfa.create_virtual_mfa_device(db, None, v),
}


@pytest.fixture(scope="module")
def db(tmp_path_factory) -> Database:
    database = new_database(tmp_path_factory.mktemp("long") / "model.sqlite")
    yield database
    database.close()


@pytest.mark.parametrize("operation", sorted(OPERATIONS))
def test_a_ten_megabyte_value_gives_a_short_message(db: Database, operation: str) -> None:
    for value in ("n" * 10_000_000, "n " * 5_000_000):
        with pytest.raises(IamError) as caught:
            OPERATIONS[operation](db, value)
        message = caught.value.message
        assert len(message) <= LIMIT, (operation, len(message))
        assert len(str(caught.value)) <= LIMIT + 40
        assert "n" * (MAX_QUOTED + 10) not in message
    assert users.list_users(db, None)["Users"] == []


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    words=st.lists(
        st.text(alphabet=st.characters(codec="utf-8"), min_size=0, max_size=5_000),
        max_size=30,
    ),
    operation=st.sampled_from(sorted(OPERATIONS)),
)
def test_every_service_message_is_bounded(db: Database, words: list[str], operation: str) -> None:
    value = " ".join(words) or "x"
    try:
        OPERATIONS[operation](db, value)
    except IamError as exc:
        assert len(exc.message) <= LIMIT
    finally:
        for row in users.list_users(db, None)["Users"]:
            users.delete_user(db, None, row["UserName"])


@given(st.text(max_size=20_000))
def test_bounding_twice_changes_nothing(text: str) -> None:
    once = bounded(text)
    assert bounded(once) == once
    assert len(once) <= MAX_MESSAGE + 60
    if len(text) <= MAX_QUOTED:
        assert once == text


def test_the_command_line_prints_one_short_line(tmp_path: Path) -> None:
    model = tmp_path / "m.sqlite"
    new_database(model).close()
    long = "q" * 120_000  # near Linux's limit for one argument (128 KiB)
    for args in (
        ["iam", "create-user", "--user-name", long],
        ["iam", "get-policy", "--policy-arn", long],
        ["iam", "update-account-password-policy", "--minimum-password-length", long],
        [*MFA, "--outfile", f"{tmp_path}/{'q ' * 50_000}"],
    ):
        done = subprocess.run(
            [sys.executable, "-m", "iamdesk", "--db", str(model), *args],
            capture_output=True,
            text=True,
            cwd=ROOT,
            timeout=120,
        )
        assert done.returncode in (252, 254), done.stderr[:500]
        assert len(done.stderr) <= LIMIT + 120, (args[:2], len(done.stderr))
        assert len(done.stderr.strip().splitlines()) == 1
        assert "Traceback" not in done.stderr
