"""The ``aws iam`` commands for users, groups, roles, policies and credentials.

Each line maps an AWS CLI command to a service function; options are named as the AWS CLI names
them (``--user-name``) and passed as the service's keywords (``user_name``).
"""

from __future__ import annotations

import argparse
import functools
import importlib
from collections.abc import Callable
from typing import Any

from iamdesk.cli.awsargs import UsageError, structure_list
from iamdesk.cli.iam import CommandContext, add_options, command, parse_spec
from iamdesk.cli.outfile import Outfile


class _Service:
    """A service module whose functions are looked up when a command calls them: registering
    the commands imports none of these modules, a command loads only its own (``get-user``
    skips ~15 ms of policy parsing, MFA and trust-policy modules)."""

    def __init__(self, name: str) -> None:
        self._module = f"iamdesk.services.{name}"

    def __getattr__(self, function: str) -> Callable[..., Any]:
        module = self._module

        def call(*args: Any, **kwargs: Any) -> Any:
            return getattr(importlib.import_module(module), function)(*args, **kwargs)

        return call


access_keys = _Service("access_keys")
account = _Service("account")
attachments = _Service("attachments")
credential_report = _Service("credential_report")
groups = _Service("groups")
inline_policies = _Service("inline_policies")
instance_profiles = _Service("instance_profiles")
login_profiles = _Service("login_profiles")
mfa = _Service("mfa")
password_policy = _Service("password_policy")
policies = _Service("policies")
roles = _Service("roles")
tags = _Service("tags")
users = _Service("users")


def _kind(function: Any, kind: str, name_key: str) -> Any:
    """Adapt ``function(db, account, kind, name, ...)`` to keyword options."""

    def call(db: Any, account_id: Any, **options: Any) -> Any:
        return function(db, account_id, kind, options.pop(name_key), **options)

    return call


def _tags_commands(register: Any) -> None:
    for kind, noun, key in (
        ("user", "user", "user_name"),
        ("role", "role", "role_name"),
        ("policy", "policy", "policy_arn"),
        ("instance-profile", "instance-profile", "instance_profile_name"),
        ("mfa", "mfa-device", "serial_number"),
    ):
        command(
            f"tag-{noun}",
            operation_name(f"tag-{noun}"),
            functools.partial(_tag, kind, key),
            f"{key}!",
            "tags:tags!",
        )
        command(
            f"untag-{noun}",
            operation_name(f"untag-{noun}"),
            functools.partial(_untag, kind, key),
            f"{key}!",
            "tag_keys:list!",
        )
        command(
            f"list-{noun}-tags",
            operation_name(f"list-{noun}-tags"),
            functools.partial(_list_tags, kind, key),
            f"{key}!",
        )


def _tag(kind: str, key: str, db: Any, account_id: Any, **o: Any) -> Any:
    return tags.tag(db, account_id, kind, o[key], o["tags"])


def _untag(kind: str, key: str, db: Any, account_id: Any, **o: Any) -> Any:
    return tags.untag(db, account_id, kind, o[key], o["tag_keys"])


def _list_tags(kind: str, key: str, db: Any, account_id: Any, **o: Any) -> Any:
    return tags.list_tags(db, account_id, kind, o[key])


def _create_virtual_mfa_device(register: Any) -> None:
    specs = [
        parse_spec(s)
        for s in (
            "virtual_mfa_device_name!",
            "outfile!",
            "bootstrap_method!",
            "path",
            "tags:tags",
        )
    ]

    def build(parser: argparse.ArgumentParser) -> None:
        add_options(parser, specs)

    def handler(context: CommandContext, args: argparse.Namespace) -> Any:
        if args.bootstrap_method not in ("QRCodePNG", "Base32StringSeed"):
            raise UsageError(
                "argument --bootstrap-method: Invalid choice, valid choices are:"
                " QRCodePNG | Base32StringSeed"
            )
        outfile = Outfile(args.outfile)  # an unwritable place refuses before the model changes
        try:
            result = mfa.create_virtual_mfa_device(
                context.db,
                context.account_id,
                args.virtual_mfa_device_name,
                path=args.path,
                tags=structure_list("--tags", args.tags) if args.tags else None,
            )
        except BaseException:
            outfile.discard()
            raise
        device = result["VirtualMFADevice"]
        if args.bootstrap_method == "QRCodePNG":
            data = device["QRCodePNG"]
        else:
            data = device["Base32StringSeed"].encode("ascii")
        try:
            outfile.write(data)
        except UsageError:
            # The seed was never delivered: a device nobody can use must not stay.
            mfa.delete_virtual_mfa_device(context.db, context.account_id, device["SerialNumber"])
            raise
        out: dict[str, Any] = {"SerialNumber": device["SerialNumber"]}
        if "Tags" in device:
            out["Tags"] = device["Tags"]
        return {"VirtualMFADevice": out}

    register(
        "create-virtual-mfa-device",
        "CreateVirtualMFADevice",
        build,
        handler,
        "create a virtual MFA device; writes the QR code PNG or the seed to --outfile",
    )


def operation_name(command_name: str) -> str:
    """``create-virtual-mfa-device`` -> ``CreateVirtualMFADevice`` (AWS's operation name)."""
    return "".join(
        "MFA" if part == "mfa" else part.capitalize() for part in command_name.split("-")
    )


LIST_PAGES = "max_items:int marker"
LIST = "path_prefix " + LIST_PAGES

# command name, service function, option specs (see iamdesk.cli.iam.parse_spec)
TABLE: list[tuple[str, Any, str]] = [
    # Users and groups
    ("create-user", users.create_user, "user_name! path permissions_boundary tags:tags"),
    ("get-user", users.get_user, "user_name!"),
    ("list-users", users.list_users, LIST),
    ("update-user", users.update_user, "user_name! new_path new_user_name"),
    ("delete-user", users.delete_user, "user_name!"),
    ("create-group", groups.create_group, "group_name! path"),
    ("get-group", groups.get_group, "group_name!"),
    ("list-groups", groups.list_groups, LIST),
    ("update-group", groups.update_group, "group_name! new_path new_group_name"),
    ("delete-group", groups.delete_group, "group_name!"),
    ("add-user-to-group", groups.add_user_to_group, "group_name! user_name!"),
    ("remove-user-from-group", groups.remove_user_from_group, "group_name! user_name!"),
    ("list-groups-for-user", groups.list_groups_for_user, "user_name!"),
    # Roles and instance profiles
    (
        "create-role",
        roles.create_role,
        "role_name! assume_role_policy_document:doc! path description"
        " max_session_duration:int permissions_boundary tags:tags",
    ),
    ("get-role", roles.get_role, "role_name!"),
    ("list-roles", roles.list_roles, LIST),
    ("update-role", roles.update_role, "role_name! description max_session_duration:int"),
    ("update-role-description", roles.update_role_description, "role_name! description!"),
    (
        "update-assume-role-policy",
        roles.update_assume_role_policy,
        "role_name! policy_document:doc!",
    ),
    ("delete-role", roles.delete_role, "role_name!"),
    (
        "create-instance-profile",
        instance_profiles.create_instance_profile,
        "instance_profile_name! path tags:tags",
    ),
    ("get-instance-profile", instance_profiles.get_instance_profile, "instance_profile_name!"),
    ("list-instance-profiles", instance_profiles.list_instance_profiles, "path_prefix"),
    (
        "list-instance-profiles-for-role",
        instance_profiles.list_instance_profiles_for_role,
        "role_name!",
    ),
    (
        "delete-instance-profile",
        instance_profiles.delete_instance_profile,
        "instance_profile_name!",
    ),
    (
        "add-role-to-instance-profile",
        instance_profiles.add_role_to_instance_profile,
        "instance_profile_name! role_name!",
    ),
    (
        "remove-role-from-instance-profile",
        instance_profiles.remove_role_from_instance_profile,
        "instance_profile_name! role_name!",
    ),
    # Managed policies and their versions
    (
        "create-policy",
        policies.create_policy,
        "policy_name! policy_document:doc! path description tags:tags",
    ),
    ("get-policy", policies.get_policy, "policy_arn!"),
    (
        "list-policies",
        policies.list_policies,
        "scope only_attached:flag path_prefix policy_usage_filter " + LIST_PAGES,
    ),
    ("delete-policy", policies.delete_policy, "policy_arn!"),
    (
        "create-policy-version",
        policies.create_policy_version,
        "policy_arn! policy_document:doc! set_as_default:flag",
    ),
    ("get-policy-version", policies.get_policy_version, "policy_arn! version_id!"),
    ("list-policy-versions", policies.list_policy_versions, "policy_arn!"),
    ("delete-policy-version", policies.delete_policy_version, "policy_arn! version_id!"),
    ("set-default-policy-version", policies.set_default_policy_version, "policy_arn! version_id!"),
    (
        "list-entities-for-policy",
        attachments.list_entities_for_policy,
        "policy_arn! entity_filter path_prefix policy_usage_filter",
    ),
    # Credentials
    ("create-access-key", access_keys.create_access_key, "user_name!"),
    ("list-access-keys", access_keys.list_access_keys, "user_name!"),
    ("update-access-key", access_keys.update_access_key, "access_key_id! status! user_name"),
    ("delete-access-key", access_keys.delete_access_key, "access_key_id! user_name"),
    (
        "get-access-key-last-used",
        lambda db, _account, **o: access_keys.get_access_key_last_used(db, **o),
        "access_key_id!",
    ),
    (
        "enable-mfa-device",
        mfa.enable_mfa_device,
        "user_name! serial_number! authentication_code1! authentication_code2!",
    ),
    (
        "resync-mfa-device",
        mfa.resync_mfa_device,
        "user_name! serial_number! authentication_code1! authentication_code2!",
    ),
    ("deactivate-mfa-device", mfa.deactivate_mfa_device, "user_name! serial_number!"),
    ("delete-virtual-mfa-device", mfa.delete_virtual_mfa_device, "serial_number!"),
    ("list-mfa-devices", mfa.list_mfa_devices, "user_name!"),
    ("list-virtual-mfa-devices", mfa.list_virtual_mfa_devices, "assignment_status"),
    (
        "create-login-profile",
        login_profiles.create_login_profile,
        "user_name! password! password_reset_required:flag",
    ),
    ("get-login-profile", login_profiles.get_login_profile, "user_name!"),
    (
        "update-login-profile",
        login_profiles.update_login_profile,
        "user_name! password password_reset_required:flag",
    ),
    ("delete-login-profile", login_profiles.delete_login_profile, "user_name!"),
    # Account
    ("get-account-password-policy", password_policy.get_account_password_policy, ""),
    (
        "update-account-password-policy",
        password_policy.update_account_password_policy,
        "minimum_password_length:int require_symbols:flag require_numbers:flag"
        " require_uppercase_characters:flag require_lowercase_characters:flag"
        " allow_users_to_change_password:flag max_password_age:int"
        " password_reuse_prevention:int hard_expiry:flag",
    ),
    ("delete-account-password-policy", password_policy.delete_account_password_policy, ""),
    ("get-account-summary", account.get_account_summary, ""),
    ("create-account-alias", account.create_account_alias, "account_alias!"),
    ("list-account-aliases", account.list_account_aliases, ""),
    ("delete-account-alias", account.delete_account_alias, "account_alias!"),
    ("generate-credential-report", credential_report.generate_credential_report, ""),
    ("get-credential-report", credential_report.get_credential_report, ""),
]


# The commands IAM repeats for users, groups and roles: (name, service function, options), where
# {kind} is user, group or role and {key} its name option. Groups have no permissions boundary.
_PER_PRINCIPAL: tuple[tuple[str, Any, str], ...] = (
    ("attach-{kind}-policy", attachments.attach_policy, "{key}! policy_arn!"),
    ("detach-{kind}-policy", attachments.detach_policy, "{key}! policy_arn!"),
    ("list-attached-{kind}-policies", attachments.list_attached_policies, "{key}! path_prefix"),
    (
        "put-{kind}-policy",
        inline_policies.put_inline_policy,
        "{key}! policy_name! policy_document:doc!",
    ),
    ("get-{kind}-policy", inline_policies.get_inline_policy, "{key}! policy_name!"),
    ("delete-{kind}-policy", inline_policies.delete_inline_policy, "{key}! policy_name!"),
    ("list-{kind}-policies", inline_policies.list_inline_policies, "{key}!"),
    (
        "put-{kind}-permissions-boundary",
        attachments.put_permissions_boundary,
        "{key}! permissions_boundary!",
    ),
    ("delete-{kind}-permissions-boundary", attachments.delete_permissions_boundary, "{key}!"),
)


def _principal_commands() -> list[tuple[str, Any, str]]:
    """Attachments, inline policies and boundaries: the same commands for user, group, role."""
    table: list[tuple[str, Any, str]] = []
    for kind in ("user", "group", "role"):
        key = f"{kind}_name"
        for name, function, options in _PER_PRINCIPAL:
            if kind == "group" and "permissions-boundary" in name:
                continue
            table.append(
                (name.format(kind=kind), _kind(function, kind, key), options.format(key=key))
            )
    return table


def register_iam_commands(register: Any) -> None:
    for name, function, specs in TABLE + _principal_commands():
        command(name, operation_name(name), function, *specs.split())
    _tags_commands(register)
    _create_virtual_mfa_device(register)
