"""A state machine drives users, groups, memberships, attachments and keys in random orders and
checks the model against a plain-Python picture of what IAM would hold: every call succeeds or
fails exactly as IAM's rules say, and a failed call changes no row."""

from __future__ import annotations

import tempfile
from pathlib import Path

from hypothesis import settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, rule

from iamdesk.services import access_keys, attachments, groups, users
from iamdesk.services.errors import IamError
from tests.services.store_fixtures import make_db, table_counts

NAMES = st.sampled_from(["ann", "Ann", "bob", "cy"])
GROUPS = st.sampled_from(["dev", "DEV", "ops"])
READONLY = "arn:aws:iam::aws:policy/ReadOnlyAccess"


class IamModel(RuleBasedStateMachine):
    def __init__(self) -> None:
        super().__init__()
        self._dir = tempfile.TemporaryDirectory()
        self.db = make_db(Path(self._dir.name))
        self.users: dict[str, str] = {}  # lower name -> name as created
        self.groups: dict[str, str] = {}
        self.members: set[tuple[str, str]] = set()  # (group lower, user lower)
        self.attached: set[str] = set()  # users (lower) with ReadOnlyAccess
        self.keys: dict[str, int] = {}

    def teardown(self) -> None:
        self.db.close()
        self._dir.cleanup()

    def _expect(self, code: str | None, call, *args) -> None:
        before = table_counts(self.db) if code else None
        try:
            call(self.db, None, *args)
        except IamError as err:
            assert err.code == code, f"{call.__name__}{args}: got {err.code}, expected {code}"
            assert table_counts(self.db) == before
            return
        assert code is None, f"{call.__name__}{args} succeeded, expected {code}"

    @rule(name=NAMES)
    def create_user(self, name: str) -> None:
        taken = name.lower() in self.users
        self._expect("EntityAlreadyExists" if taken else None, users.create_user, name)
        self.users.setdefault(name.lower(), name)

    @rule(name=NAMES)
    def delete_user(self, name: str) -> None:
        key = name.lower()
        if key not in self.users:
            code: str | None = "NoSuchEntity"
        elif self.keys.get(key) or key in self.attached or any(u == key for _, u in self.members):
            code = "DeleteConflict"
        else:
            code = None
        self._expect(code, users.delete_user, name)
        if code is None:
            del self.users[key]
            self.keys.pop(key, None)

    @rule(name=GROUPS)
    def create_group(self, name: str) -> None:
        taken = name.lower() in self.groups
        self._expect("EntityAlreadyExists" if taken else None, groups.create_group, name)
        self.groups.setdefault(name.lower(), name)

    @rule(name=GROUPS)
    def delete_group(self, name: str) -> None:
        key = name.lower()
        if key not in self.groups:
            code: str | None = "NoSuchEntity"
        elif any(g == key for g, _ in self.members):
            code = "DeleteConflict"
        else:
            code = None
        self._expect(code, groups.delete_group, name)
        if code is None:
            del self.groups[key]

    @rule(group=GROUPS, user=NAMES)
    def add_to_group(self, group: str, user: str) -> None:
        present = group.lower() in self.groups and user.lower() in self.users
        self._expect(None if present else "NoSuchEntity", groups.add_user_to_group, group, user)
        if present:
            self.members.add((group.lower(), user.lower()))

    @rule(group=GROUPS, user=NAMES)
    def remove_from_group(self, group: str, user: str) -> None:
        member = (group.lower(), user.lower()) in self.members
        self._expect(None if member else "NoSuchEntity", groups.remove_user_from_group, group, user)
        self.members.discard((group.lower(), user.lower()))

    @rule(user=NAMES, attach=st.booleans())
    def toggle_policy(self, user: str, attach: bool) -> None:
        key = user.lower()
        if key not in self.users:
            code: str | None = "NoSuchEntity"
        elif not attach and key not in self.attached:
            code = "NoSuchEntity"
        else:
            code = None
        call = attachments.attach_policy if attach else attachments.detach_policy
        self._expect(code, call, "user", user, READONLY)
        if code is None:
            (self.attached.add if attach else self.attached.discard)(key)

    @rule(user=NAMES)
    def create_key(self, user: str) -> None:
        key = user.lower()
        if key not in self.users:
            code: str | None = "NoSuchEntity"
        elif self.keys.get(key, 0) >= 2:
            code = "LimitExceeded"
        else:
            code = None
        self._expect(code, access_keys.create_access_key, user)
        if code is None:
            self.keys[key] = self.keys.get(key, 0) + 1

    @invariant()
    def model_matches(self) -> None:
        listed = {u["UserName"] for u in users.list_users(self.db, None)["Users"]}
        assert listed == set(self.users.values())
        for key, name in self.groups.items():
            members = {
                u["UserName"].lower() for u in groups.get_group(self.db, None, name)["Users"]
            }
            assert members == {u for g, u in self.members if g == key}


IamModel.TestCase.settings = settings(max_examples=12, stateful_step_count=25, deadline=None)
TestIamModel = IamModel.TestCase
