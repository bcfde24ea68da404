"""The ``aws iam`` commands for users, groups, roles, policies and credentials.

Each line maps an AWS CLI command to a service function; options are named as the AWS CLI names
them (``--user-name``) and passed as the service's keywords (``user_name``).
"""

from __future__ import annotations

import argparse
import functools
from typing import Any

from iamdesk.cli.awsargs import UsageError, structure_list
from iamdesk.cli.iam import CommandContext, add_options, command, parse_spec, write_outfile
from iamdesk.services import (
    access_keys,
    account,
    attachments,
    credential_report,
    groups,
    inline_policies,
    instance_profiles,
    login_profiles,
    mfa,
    password_policy,
    policies,
    roles,
    tags,
    users,
)


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
        suffix = {"instance-profile": "InstanceProfile", "mfa": "MFADevice"}.get(
            kind, kind.capitalize()
        )
        command(
            f"tag-{noun}",
            f"Tag{suffix}",
            functools.partial(_tag, kind, key),
            f"{key}!",
            "tags:tags!",
        )
        command(
            f"untag-{noun}",
            f"Untag{suffix}",
            functools.partial(_untag, kind, key),
            f"{key}!",
            "tag_keys:list!",
        )
        command(
            f"list-{noun}-tags",
            f"List{suffix}Tags",
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
        result = mfa.create_virtual_mfa_device(
            context.db,
            context.account_id,
            args.virtual_mfa_device_name,
            path=args.path,
            tags=structure_list("--tags", args.tags) if args.tags else None,
        )
        device = result["VirtualMFADevice"]
        if args.bootstrap_method == "QRCodePNG":
            write_outfile(args.outfile, device["QRCodePNG"])
        else:
            write_outfile(args.outfile, device["Base32StringSeed"].encode("ascii"))
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


def register_iam_commands(register: Any) -> None:
    # Users
    command(
        "create-user",
        "CreateUser",
        users.create_user,
        "user_name!",
        "path",
        "permissions_boundary",
        "tags:tags",
    )
    command("get-user", "GetUser", users.get_user, "user_name!")
    command(
        "list-users",
        "ListUsers",
        users.list_users,
        "path_prefix",
        "max_items:int",
        "marker=starting-token",
    )
    command(
        "update-user", "UpdateUser", users.update_user, "user_name!", "new_path", "new_user_name"
    )
    command("delete-user", "DeleteUser", users.delete_user, "user_name!")
    # Groups
    command("create-group", "CreateGroup", groups.create_group, "group_name!", "path")
    command("get-group", "GetGroup", groups.get_group, "group_name!")
    command(
        "list-groups",
        "ListGroups",
        groups.list_groups,
        "path_prefix",
        "max_items:int",
        "marker=starting-token",
    )
    command(
        "update-group",
        "UpdateGroup",
        groups.update_group,
        "group_name!",
        "new_path",
        "new_group_name",
    )
    command("delete-group", "DeleteGroup", groups.delete_group, "group_name!")
    command(
        "add-user-to-group", "AddUserToGroup", groups.add_user_to_group, "group_name!", "user_name!"
    )
    command(
        "remove-user-from-group",
        "RemoveUserFromGroup",
        groups.remove_user_from_group,
        "group_name!",
        "user_name!",
    )
    command("list-groups-for-user", "ListGroupsForUser", groups.list_groups_for_user, "user_name!")
    # Roles and instance profiles
    command(
        "create-role",
        "CreateRole",
        roles.create_role,
        "role_name!",
        "assume_role_policy_document:doc!",
        "path",
        "description",
        "max_session_duration:int",
        "permissions_boundary",
        "tags:tags",
    )
    command("get-role", "GetRole", roles.get_role, "role_name!")
    command(
        "list-roles",
        "ListRoles",
        roles.list_roles,
        "path_prefix",
        "max_items:int",
        "marker=starting-token",
    )
    command(
        "update-role",
        "UpdateRole",
        roles.update_role,
        "role_name!",
        "description",
        "max_session_duration:int",
    )
    command(
        "update-role-description",
        "UpdateRoleDescription",
        roles.update_role_description,
        "role_name!",
        "description!",
    )
    command(
        "update-assume-role-policy",
        "UpdateAssumeRolePolicy",
        roles.update_assume_role_policy,
        "role_name!",
        "policy_document:doc!",
    )
    command("delete-role", "DeleteRole", roles.delete_role, "role_name!")
    command(
        "create-instance-profile",
        "CreateInstanceProfile",
        instance_profiles.create_instance_profile,
        "instance_profile_name!",
        "path",
        "tags:tags",
    )
    command(
        "get-instance-profile",
        "GetInstanceProfile",
        instance_profiles.get_instance_profile,
        "instance_profile_name!",
    )
    command(
        "list-instance-profiles",
        "ListInstanceProfiles",
        instance_profiles.list_instance_profiles,
        "path_prefix",
    )
    command(
        "list-instance-profiles-for-role",
        "ListInstanceProfilesForRole",
        instance_profiles.list_instance_profiles_for_role,
        "role_name!",
    )
    command(
        "delete-instance-profile",
        "DeleteInstanceProfile",
        instance_profiles.delete_instance_profile,
        "instance_profile_name!",
    )
    command(
        "add-role-to-instance-profile",
        "AddRoleToInstanceProfile",
        instance_profiles.add_role_to_instance_profile,
        "instance_profile_name!",
        "role_name!",
    )
    command(
        "remove-role-from-instance-profile",
        "RemoveRoleFromInstanceProfile",
        instance_profiles.remove_role_from_instance_profile,
        "instance_profile_name!",
        "role_name!",
    )
    # Managed policies and versions
    command(
        "create-policy",
        "CreatePolicy",
        policies.create_policy,
        "policy_name!",
        "policy_document:doc!",
        "path",
        "description",
        "tags:tags",
    )
    command("get-policy", "GetPolicy", policies.get_policy, "policy_arn!")
    command(
        "list-policies",
        "ListPolicies",
        policies.list_policies,
        "scope",
        "only_attached:flag",
        "path_prefix",
        "policy_usage_filter",
    )
    command("delete-policy", "DeletePolicy", policies.delete_policy, "policy_arn!")
    command(
        "create-policy-version",
        "CreatePolicyVersion",
        policies.create_policy_version,
        "policy_arn!",
        "policy_document:doc!",
        "set_as_default:flag",
    )
    command(
        "get-policy-version",
        "GetPolicyVersion",
        policies.get_policy_version,
        "policy_arn!",
        "version_id!",
    )
    command(
        "list-policy-versions", "ListPolicyVersions", policies.list_policy_versions, "policy_arn!"
    )
    command(
        "delete-policy-version",
        "DeletePolicyVersion",
        policies.delete_policy_version,
        "policy_arn!",
        "version_id!",
    )
    command(
        "set-default-policy-version",
        "SetDefaultPolicyVersion",
        policies.set_default_policy_version,
        "policy_arn!",
        "version_id!",
    )
    command(
        "list-entities-for-policy",
        "ListEntitiesForPolicy",
        attachments.list_entities_for_policy,
        "policy_arn!",
        "entity_filter",
        "path_prefix",
        "policy_usage_filter",
    )
    # Attachments, inline policies and boundaries, for each kind of principal
    for kind, noun in (("user", "User"), ("group", "Group"), ("role", "Role")):
        key = f"{kind}_name"
        command(
            f"attach-{kind}-policy",
            f"Attach{noun}Policy",
            _kind(attachments.attach_policy, kind, key),
            f"{key}!",
            "policy_arn!",
        )
        command(
            f"detach-{kind}-policy",
            f"Detach{noun}Policy",
            _kind(attachments.detach_policy, kind, key),
            f"{key}!",
            "policy_arn!",
        )
        command(
            f"list-attached-{kind}-policies",
            f"ListAttached{noun}Policies",
            _kind(attachments.list_attached_policies, kind, key),
            f"{key}!",
            "path_prefix",
        )
        command(
            f"put-{kind}-policy",
            f"Put{noun}Policy",
            _kind(inline_policies.put_inline_policy, kind, key),
            f"{key}!",
            "policy_name!",
            "policy_document:doc!",
        )
        command(
            f"get-{kind}-policy",
            f"Get{noun}Policy",
            _kind(inline_policies.get_inline_policy, kind, key),
            f"{key}!",
            "policy_name!",
        )
        command(
            f"delete-{kind}-policy",
            f"Delete{noun}Policy",
            _kind(inline_policies.delete_inline_policy, kind, key),
            f"{key}!",
            "policy_name!",
        )
        command(
            f"list-{kind}-policies",
            f"List{noun}Policies",
            _kind(inline_policies.list_inline_policies, kind, key),
            f"{key}!",
        )
        if kind != "group":
            command(
                f"put-{kind}-permissions-boundary",
                f"Put{noun}PermissionsBoundary",
                _kind(attachments.put_permissions_boundary, kind, key),
                f"{key}!",
                "permissions_boundary!",
            )
            command(
                f"delete-{kind}-permissions-boundary",
                f"Delete{noun}PermissionsBoundary",
                _kind(attachments.delete_permissions_boundary, kind, key),
                f"{key}!",
            )
    _tags_commands(register)
    # Credentials
    command("create-access-key", "CreateAccessKey", access_keys.create_access_key, "user_name!")
    command("list-access-keys", "ListAccessKeys", access_keys.list_access_keys, "user_name!")
    command(
        "update-access-key",
        "UpdateAccessKey",
        access_keys.update_access_key,
        "access_key_id!",
        "status!",
        "user_name",
    )
    command(
        "delete-access-key",
        "DeleteAccessKey",
        access_keys.delete_access_key,
        "access_key_id!",
        "user_name",
    )
    command(
        "get-access-key-last-used",
        "GetAccessKeyLastUsed",
        lambda db, _account, **o: access_keys.get_access_key_last_used(db, **o),
        "access_key_id!",
    )
    _create_virtual_mfa_device(register)
    for name, operation, function in (
        ("enable-mfa-device", "EnableMFADevice", mfa.enable_mfa_device),
        ("resync-mfa-device", "ResyncMFADevice", mfa.resync_mfa_device),
    ):
        command(
            name,
            operation,
            function,
            "user_name!",
            "serial_number!",
            "authentication_code1!",
            "authentication_code2!",
        )
    command(
        "deactivate-mfa-device",
        "DeactivateMFADevice",
        mfa.deactivate_mfa_device,
        "user_name!",
        "serial_number!",
    )
    command(
        "delete-virtual-mfa-device",
        "DeleteVirtualMFADevice",
        mfa.delete_virtual_mfa_device,
        "serial_number!",
    )
    command("list-mfa-devices", "ListMFADevices", mfa.list_mfa_devices, "user_name!")
    command(
        "list-virtual-mfa-devices",
        "ListVirtualMFADevices",
        mfa.list_virtual_mfa_devices,
        "assignment_status",
    )
    command(
        "create-login-profile",
        "CreateLoginProfile",
        login_profiles.create_login_profile,
        "user_name!",
        "password!",
        "password_reset_required:flag",
    )
    command("get-login-profile", "GetLoginProfile", login_profiles.get_login_profile, "user_name!")
    command(
        "update-login-profile",
        "UpdateLoginProfile",
        login_profiles.update_login_profile,
        "user_name!",
        "password",
        "password_reset_required:flag",
    )
    command(
        "delete-login-profile",
        "DeleteLoginProfile",
        login_profiles.delete_login_profile,
        "user_name!",
    )
    # Account
    command(
        "get-account-password-policy",
        "GetAccountPasswordPolicy",
        password_policy.get_account_password_policy,
    )
    command(
        "update-account-password-policy",
        "UpdateAccountPasswordPolicy",
        password_policy.update_account_password_policy,
        "minimum_password_length:int",
        "require_symbols:flag",
        "require_numbers:flag",
        "require_uppercase_characters:flag",
        "require_lowercase_characters:flag",
        "allow_users_to_change_password:flag",
        "max_password_age:int",
        "password_reuse_prevention:int",
        "hard_expiry:flag",
    )
    command(
        "delete-account-password-policy",
        "DeleteAccountPasswordPolicy",
        password_policy.delete_account_password_policy,
    )
    command("get-account-summary", "GetAccountSummary", account.get_account_summary)
    command(
        "create-account-alias", "CreateAccountAlias", account.create_account_alias, "account_alias!"
    )
    command("list-account-aliases", "ListAccountAliases", account.list_account_aliases)
    command(
        "delete-account-alias", "DeleteAccountAlias", account.delete_account_alias, "account_alias!"
    )
    command(
        "generate-credential-report",
        "GenerateCredentialReport",
        credential_report.generate_credential_report,
    )
    command("get-credential-report", "GetCredentialReport", credential_report.get_credential_report)
