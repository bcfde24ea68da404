"""Deleting a user the way the console does: everything it has goes with it, in one step.

IAM refuses DeleteUser while the user has a console password, access keys, MFA devices,
policies or group memberships. The console offers to remove them first; so does this, as one
undo step (a macro): undo brings back the user exactly (``restore_user``), its memberships,
attached and inline policies. Access keys, MFA devices and the console password cannot come
back (their secrets are gone), so those removals are not undone: the question says so.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field

from iamdesk.ui.context import AppContext

log = logging.getLogger(__name__)


@dataclass
class UserBelongings:
    groups: list[str] = field(default_factory=list)
    attached: list[str] = field(default_factory=list)  # policy ARNs
    inline: list[str] = field(default_factory=list)
    keys: list[str] = field(default_factory=list)
    mfa: list[str] = field(default_factory=list)  # serial numbers
    console: bool = False

    @property
    def empty(self) -> bool:
        return not (self.groups or self.attached or self.inline or self.keys or self.mfa) and (
            not self.console
        )

    @property
    def irreversible(self) -> bool:
        return bool(self.keys or self.mfa or self.console)


def belongings(context: AppContext, user: str) -> UserBelongings:
    from iamdesk.services import access_keys, attachments, groups, inline_policies, mfa
    from iamdesk.services.errors import IamError
    from iamdesk.services.login_profiles import get_login_profile

    db, account = context.database, context.account_id
    found = UserBelongings()
    found.groups = [
        g["GroupName"] for g in groups.list_groups_for_user(db, account, user)["Groups"]
    ]
    attached = attachments.list_attached_policies(db, account, "user", user)
    found.attached = [p["PolicyArn"] for p in attached["AttachedPolicies"]]
    found.inline = list(
        inline_policies.list_inline_policies(db, account, "user", user)["PolicyNames"]
    )
    found.keys = [
        k["AccessKeyId"]
        for k in access_keys.list_access_keys(db, account, user)["AccessKeyMetadata"]
    ]
    found.mfa = [d["SerialNumber"] for d in mfa.list_mfa_devices(db, account, user)["MFADevices"]]
    try:
        get_login_profile(db, account, user)
        found.console = True
    except IamError:
        found.console = False
    return found


def delete_user_and_belongings(context: AppContext, user: str) -> None:
    """Remove everything ``user`` has, then the user: one undo step."""
    from iamdesk.ui.commands.credentials import delete_access_key, remove_login_profile, remove_mfa
    from iamdesk.ui.commands.identity import delete_user, remove_user_from_group
    from iamdesk.ui.commands.policies import delete_inline_policy, detach_policy

    found = belongings(context, user)
    stack = context.undo_stack
    stack.beginMacro(f"Delete user {user} and what it has")
    try:
        if found.console:
            remove_login_profile(context, user)
        for key in found.keys:
            delete_access_key(context, user, key)
        for serial in found.mfa:
            remove_mfa(context, user, serial)
        for name in found.inline:
            delete_inline_policy(context, "user", user, name)
        for arn in found.attached:
            detach_policy(context, "user", user, arn)
        for group in found.groups:
            remove_user_from_group(context, group, user)
        delete_user(context, user)
    finally:
        stack.endMacro()
    log.info("deleted user %s with %s", user, found)


def describe(found: UserBelongings) -> list[str]:
    lines = []
    if found.console:
        lines.append("its console password")
    for items, word in (
        (found.keys, "access key"),
        (found.mfa, "MFA device"),
        (found.inline, "inline policy"),
        (found.attached, "attached managed policy"),
        (found.groups, "group membership"),
    ):
        if items:
            from iamdesk.ui.views.deleting import plural

            lines.append(plural(len(items), word))
    return lines


def note(found: UserBelongings) -> str:
    text = "Undo (Ctrl+Z) brings back the user, its group memberships and its policies."
    if found.irreversible:
        text += (
            " Access keys, MFA devices and the console password cannot come back: their "
            "secrets are gone."
        )
    return text
