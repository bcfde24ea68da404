"""Property tests for IAM's input rules: name patterns, case-insensitive uniqueness, ids."""

from __future__ import annotations

import random
import re
import string

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from iamdesk.services import users
from iamdesk.services.errors import IamError
from iamdesk.services.validation import check_name, check_path, check_tags
from iamdesk.store.ids import PREFIXES, unique_id
from tests.services.store_fixtures import make_db

NAME_CHARS = string.ascii_letters + string.digits + "_+=,.@-"
AWS_NAME = re.compile(r"[\w+=,.@-]+", re.ASCII)


@settings(max_examples=200)
@given(st.text(min_size=1, max_size=70))
def test_name_rule_matches_aws_pattern(name: str) -> None:
    expected = bool(AWS_NAME.fullmatch(name)) and len(name) <= 64
    try:
        check_name(name, "userName")
        accepted = True
    except IamError as err:
        assert err.code == "ValidationError" and "'userName'" in err.message
        accepted = False
    assert accepted == expected


@settings(max_examples=200)
@given(st.text(alphabet=string.printable, max_size=40))
def test_path_rule(path: str) -> None:
    expected = path == "/" or bool(re.fullmatch(r"/[\x21-\x7e]+/", path))
    try:
        check_path(path)
        accepted = True
    except IamError:
        accepted = False
    assert accepted == expected


@settings(max_examples=50)
@given(st.lists(st.text(alphabet="abcAB", min_size=1, max_size=3), max_size=6))
def test_tag_keys_unique_without_case(keys: list[str]) -> None:
    tags = [{"Key": k, "Value": "v"} for k in keys]
    distinct = len({k.lower() for k in keys}) == len(keys)
    try:
        assert check_tags(tags) == [(k, "v") for k in keys]
        assert distinct
    except IamError as err:
        assert not distinct and err.code == "InvalidInput"


@settings(
    max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(st.text(alphabet=NAME_CHARS, min_size=1, max_size=20), st.randoms())
def test_second_user_differing_only_in_case_is_refused(
    tmp_path_factory, name: str, rnd: random.Random
) -> None:
    db = make_db(tmp_path_factory.mktemp("case"))
    users.create_user(db, None, name)
    variant = "".join(c.upper() if rnd.random() < 0.5 else c.lower() for c in name)
    try:
        users.create_user(db, None, variant)
        raise AssertionError(f"{variant!r} was accepted next to {name!r}")
    except IamError as err:
        assert err.code == "EntityAlreadyExists"
    assert users.get_user(db, None, variant)["User"]["UserName"] == name
    db.close()


def test_unique_ids_have_aws_shapes() -> None:
    rng = random.Random(5)
    for kind, prefix in PREFIXES.items():
        value = unique_id(kind, rng)
        length = 16 if kind in ("access-key", "session-key") else 17
        assert re.fullmatch(prefix + f"[A-Z2-7]{{{length}}}", value)
    assert len({unique_id("user") for _ in range(1000)}) == 1000
