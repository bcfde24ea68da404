"""Edits of a user's credentials: access keys, MFA devices, console password.

An access key's secret exists only in the result of its creation, and only while the dialog that
shows it is open: the undo command keeps the key's id, never its secret (issue 8, item 10). So
undoing "Create access key" deletes that key, and redoing it makes a *new* key (a new id and
secret) and shows its secret in a new dialog, once; the old secret cannot come back. Deleting a
key cannot be undone (the secret is gone) and is therefore not put on the undo stack: the dialog
says so before it happens.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from iamdesk.ui.commands.base import ServiceCommand, execute
from iamdesk.ui.context import AppContext

log = logging.getLogger(__name__)

SecretShown = Callable[[dict[str, Any]], None]


def create_access_key(context: AppContext, user: str, show_secret: SecretShown) -> Any:
    from iamdesk.services import access_keys

    db, account = context.database, context.account_id
    made: dict[str, str] = {}

    def do() -> Any:
        key = access_keys.create_access_key(db, account, user)["AccessKey"]
        made["id"] = key["AccessKeyId"]
        show_secret(key)  # from here on the dialog is the secret's only holder
        # The command keeps its result on the undo stack: the key without its secret.
        return {"AccessKey": {k: v for k, v in key.items() if k != "SecretAccessKey"}}

    return execute(
        context,
        ServiceCommand(
            context,
            f"Create access key for {user}",
            do,
            lambda: access_keys.delete_access_key(db, account, made["id"], user_name=user),
            ("users", "access_keys"),
        ),
    )


def set_access_key_status(context: AppContext, user: str, key_id: str, status: str) -> Any:
    from iamdesk.services import access_keys

    db, account = context.database, context.account_id
    old = "Inactive" if status == "Active" else "Active"
    verb = "Activate" if status == "Active" else "Deactivate"
    return execute(
        context,
        ServiceCommand(
            context,
            f"{verb} access key {key_id}",
            lambda: access_keys.update_access_key(db, account, key_id, status, user_name=user),
            lambda: access_keys.update_access_key(db, account, key_id, old, user_name=user),
            ("users", "access_keys"),
        ),
    )


def delete_access_key(context: AppContext, user: str, key_id: str) -> Any:
    """Irreversible: not on the undo stack (see the module note)."""
    from iamdesk.services import access_keys

    result = access_keys.delete_access_key(
        context.database, context.account_id, key_id, user_name=user
    )
    context.notify("users", "access_keys")
    return result


def _codes_after(seed: str, now_epoch: float, last: int | None) -> tuple[str, str]:
    """Two consecutive codes of the device, later than the step it last accepted."""
    import pyotp

    step = int(now_epoch) // 30
    counter = max(step, (last or step - 1) + 1)
    totp = pyotp.TOTP(seed)
    return totp.at(counter * 30), totp.at((counter + 1) * 30)


def enable_mfa(
    context: AppContext, user: str, serial: str, seed: str, code1: str, code2: str
) -> Any:
    """Enable a virtual MFA device with the user's two codes. Undo deactivates it (the device
    and its seed stay, as after IAM's DeactivateMFADevice); redo re-enables it with the next two
    codes of the same seed, which the user's authenticator app also holds."""
    from iamdesk.services import mfa

    db, account = context.database, context.account_id
    state: dict[str, Any] = {"first": (code1, code2)}

    def do() -> Any:
        codes = state.pop("first", None) or _codes_after(
            seed, db.clock().timestamp(), state.get("counter")
        )
        result = mfa.enable_mfa_device(db, account, user, serial, *codes)
        state["counter"] = int(db.clock().timestamp()) // 30 + 1
        return result

    return execute(
        context,
        ServiceCommand(
            context,
            f"Enable MFA device for {user}",
            do,
            lambda: mfa.deactivate_mfa_device(db, account, user, serial),
            ("users", "mfa"),
        ),
    )


def remove_mfa(context: AppContext, user: str, serial: str) -> Any:
    """Deactivate and delete a virtual MFA device: irreversible (its seed is gone), so not on
    the undo stack; the confirmation says so."""
    from iamdesk.services import mfa

    db, account = context.database, context.account_id
    mfa.deactivate_mfa_device(db, account, user, serial)
    mfa.delete_virtual_mfa_device(db, account, serial)
    context.notify("users", "mfa")


def create_login_profile(context: AppContext, user: str, password: str, reset: bool) -> Any:
    """Give the user a console password. Undo removes console access; redo sets the same
    password again (it is kept in memory with the command, never on disk)."""
    from iamdesk.services import login_profiles

    db, account = context.database, context.account_id
    return execute(
        context,
        ServiceCommand(
            context,
            f"Enable console access for {user}",
            lambda: login_profiles.create_login_profile(
                db, account, user, password, password_reset_required=reset
            ),
            lambda: login_profiles.delete_login_profile(db, account, user),
            ("users", "login_profiles"),
        ),
    )


def change_password(context: AppContext, user: str, password: str, reset: bool) -> Any:
    """Reset the console password: irreversible (the old password is not kept)."""
    from iamdesk.services import login_profiles

    result = login_profiles.update_login_profile(
        context.database,
        context.account_id,
        user,
        password=password,
        password_reset_required=reset,
    )
    context.notify("users", "login_profiles")
    return result


def set_password_reset_required(context: AppContext, user: str, required: bool) -> Any:
    from iamdesk.services import login_profiles

    db, account = context.database, context.account_id
    return execute(
        context,
        ServiceCommand(
            context,
            f"{'Require' if required else 'Do not require'} password reset for {user}",
            lambda: login_profiles.update_login_profile(
                db, account, user, password_reset_required=required
            ),
            lambda: login_profiles.update_login_profile(
                db, account, user, password_reset_required=not required
            ),
            ("users", "login_profiles"),
        ),
    )


def remove_login_profile(context: AppContext, user: str) -> Any:
    """Remove console access: irreversible (the password is gone)."""
    from iamdesk.services import login_profiles

    result = login_profiles.delete_login_profile(context.database, context.account_id, user)
    context.notify("users", "login_profiles")
    return result
