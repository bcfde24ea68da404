"""Where a policy lives in the model and how to save it: a managed policy (a new default
version), an inline policy, a role's trust policy, an SCP or RCP (UpdatePolicy), a bucket, key,
queue, topic or secret policy. Lambda function policies stay read-only: AWS changes them only
statement by statement (AddPermission/RemovePermission), so a free-form edit has no AWS operation.

``PolicyTarget.save`` and ``restore`` each call one service operation, so the save command can
undo through the inverse operation. ``target_for_involved`` finds the target of a policy that
took part in a simulation from its name, its AWS source type and the principal it was gathered
for (the simulation reports no more than that).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Any

from iamdesk.core.policy.document import PolicyKind

log = logging.getLogger(__name__)


class NotEditable(Exception):
    """This policy cannot be changed here; the message says why."""


@dataclass(frozen=True, slots=True)
class PolicyTarget:
    kind: str  # "managed", "inline", "trust", "org", "bucket", "key", "queue", "topic", "secret"
    account_id: str
    name: str  # what the user knows it by (policy name, role name, bucket name)
    policy_kind: PolicyKind
    arn: str | None = None  # managed policies
    owner_kind: str | None = None  # inline: "user", "group" or "role"
    # inline owner, trust-policy role, SCP/RCP policy id, bucket, key id, queue/topic/secret ARN
    owner_name: str | None = None

    @property
    def title(self) -> str:
        if self.kind == "inline":
            return f"inline policy {self.name} of {self.owner_kind} {self.owner_name}"
        if self.kind == "trust":
            return f"trust policy of role {self.owner_name}"
        if self.kind in ("bucket", "key", "queue", "topic", "secret"):
            return f"{self.kind} policy of {self.name}"
        if self.kind == "org":
            return f"{'SCP' if self.policy_kind is PolicyKind.SCP else 'RCP'} {self.name}"
        return f"managed policy {self.name}"

    def save(self, db: Any, text: str) -> Any:
        """Write ``text``; returns what ``restore`` needs to undo it."""
        if self.kind == "managed":
            from iamdesk.services.policies import create_policy_version, get_policy

            previous = get_policy(db, self.account_id, str(self.arn))["Policy"]["DefaultVersionId"]
            created = create_policy_version(
                db, self.account_id, str(self.arn), text, set_as_default=True
            )
            return (previous, created["PolicyVersion"]["VersionId"])
        old = self.load(db)
        self._write(db, text)
        return old

    def restore(self, db: Any, state: Any) -> None:
        if self.kind == "managed":
            from iamdesk.services.policies import (
                delete_policy_version,
                set_default_policy_version,
            )

            previous, created = state
            set_default_policy_version(db, self.account_id, str(self.arn), previous)
            delete_policy_version(db, self.account_id, str(self.arn), created)
            return
        self._write(db, state)

    def _write(self, db: Any, text: str) -> None:
        owner = str(self.owner_name)
        if self.kind == "inline":
            from iamdesk.services.inline_policies import put_inline_policy

            put_inline_policy(db, self.account_id, str(self.owner_kind), owner, self.name, text)
        elif self.kind == "trust":
            from iamdesk.services.roles import update_assume_role_policy

            update_assume_role_policy(db, self.account_id, owner, text)
        elif self.kind == "bucket":
            from iamdesk.services.resources import put_bucket_policy

            put_bucket_policy(db, bucket=owner, policy=text, account_id=self.account_id)
        elif self.kind == "key":
            from iamdesk.services.resources import put_key_policy

            put_key_policy(db, key_id=owner, policy=text, account_id=self.account_id)
        elif self.kind == "org":
            from iamdesk.services.organizations import update_policy

            update_policy(db, policy_id=owner, content=text, account_id=self.account_id)
        elif self.kind == "queue":
            from iamdesk.services.integration import set_queue_attributes

            set_queue_attributes(
                db, queue_url=owner, attributes={"Policy": text}, account_id=self.account_id
            )
        elif self.kind == "topic":
            from iamdesk.services.integration import set_topic_attributes

            set_topic_attributes(
                db,
                topic_arn=owner,
                attribute_name="Policy",
                attribute_value=text,
                account_id=self.account_id,
            )
        elif self.kind == "secret":
            from iamdesk.services.integration import put_resource_policy

            put_resource_policy(
                db, secret_id=owner, resource_policy=text, account_id=self.account_id
            )
        else:
            raise NotEditable(f"cannot write a {self.kind} policy")

    def load(self, db: Any) -> str:
        """The current text, exactly as stored."""
        if self.kind == "managed":
            from iamdesk.services.policies import default_document

            return default_document(db, self.account_id, str(self.arn))
        if self.kind == "inline":
            import json

            from iamdesk.services.inline_policies import get_inline_policy

            got = get_inline_policy(
                db, self.account_id, str(self.owner_kind), str(self.owner_name), self.name
            )
            return json.dumps(got["PolicyDocument"], indent=4)
        if self.kind == "trust":
            import json

            from iamdesk.services.roles import get_role

            document = get_role(db, self.account_id, str(self.owner_name))["Role"][
                "AssumeRolePolicyDocument"
            ]
            return document if isinstance(document, str) else json.dumps(document, indent=4)
        if self.kind == "org":
            from iamdesk.services.organizations import describe_policy

            got = describe_policy(db, policy_id=str(self.owner_name), account_id=self.account_id)
            return str(got["Policy"]["Content"])
        if self.kind in ("queue", "topic", "secret"):
            from iamdesk.services.resources import list_resources

            for row in list_resources(db, account_id=self.account_id):
                if row["Arn"] == self.owner_name:
                    return str(row["Policy"] or "")
            raise NotEditable(f"{self.owner_name} is not in the model")
        if self.kind == "bucket":
            from iamdesk.services.resources import get_bucket_policy

            return str(
                get_bucket_policy(db, bucket=str(self.owner_name), account_id=self.account_id)[
                    "Policy"
                ]
            )
        from iamdesk.services.resources import get_key_policy

        return str(
            get_key_policy(db, key_id=str(self.owner_name), account_id=self.account_id)["Policy"]
        )

    def holders(self, db: Any) -> list[str]:
        """ARNs of the principals whose access this policy shapes (for the impact preview)."""
        if self.kind == "managed":
            from iamdesk.services.attachments import list_entities_for_policy

            found = list_entities_for_policy(db, self.account_id, str(self.arn))
            arns = [_arn(db, self.account_id, "user", u["UserName"]) for u in found["PolicyUsers"]]
            arns += [_arn(db, self.account_id, "role", r["RoleName"]) for r in found["PolicyRoles"]]
            for group in found["PolicyGroups"]:
                arns += _members(db, self.account_id, group["GroupName"])
            return sorted(set(arns))
        if self.kind == "inline":
            if self.owner_kind == "group":
                return _members(db, self.account_id, str(self.owner_name))
            return [_arn(db, self.account_id, str(self.owner_kind), str(self.owner_name))]
        # A resource or trust policy can let anyone in: every modelled user and role.
        return _everyone(db)[:MAX_HOLDERS]

    def resource_arns(self, db: Any) -> list[str]:
        """Resources the policy governs, to simulate against besides those it names."""
        if self.kind == "trust":
            return [_arn(db, self.account_id, "role", str(self.owner_name))]
        if self.kind in ("queue", "topic", "secret"):
            return [str(self.owner_name)]
        if self.kind == "bucket":
            bucket = f"arn:aws:s3:::{self.owner_name}"
            return [bucket, f"{bucket}/example-object"]
        if self.kind == "key":
            from iamdesk.services.resources import list_resources

            return [
                r["Arn"]
                for r in list_resources(db, account_id=self.account_id)
                if r["Service"] == "kms" and str(self.owner_name) in r["Arn"]
            ]
        return []


MAX_HOLDERS = 60


def known_principals(db: Any) -> list[str]:
    """Account roots, then users and roles of every modelled account (for Principal AWS)."""
    from iamdesk.services.queries.accounts import list_accounts

    roots = [f"arn:aws:iam::{a['AccountId']}:root" for a in list_accounts(db)]
    return [*roots, *_everyone(db)]


def _everyone(db: Any) -> list[str]:
    from iamdesk.services.queries.accounts import list_accounts
    from iamdesk.services.roles import list_roles
    from iamdesk.services.users import list_users

    arns: list[str] = []
    for account in list_accounts(db):
        account_id = account["AccountId"]
        arns += [u["Arn"] for u in list_users(db, account_id, max_items=1000)["Users"]]
        arns += [r["Arn"] for r in list_roles(db, account_id, max_items=1000)["Roles"]]
    return arns


def _arn(db: Any, account_id: str, kind: str, name: str) -> str:
    """The stored ARN of a user or role: it carries the entity's path (``role/service-role/x``),
    which a name alone does not, and simulation finds principals by their exact ARN."""
    from iamdesk.services.roles import get_role
    from iamdesk.services.users import get_user

    if kind == "user":
        return str(get_user(db, account_id, name)["User"]["Arn"])
    return str(get_role(db, account_id, name)["Role"]["Arn"])


def _members(db: Any, account_id: str, group: str) -> list[str]:
    from iamdesk.services.groups import get_group

    return [u["Arn"] for u in get_group(db, account_id, group)["Users"]]


def _principal(arn: str) -> tuple[str, str, str]:
    """(account, kind, name) of a user, role or assumed-role session ARN."""
    parts = arn.split(":", 5)
    if len(parts) < 6:
        raise NotEditable(f"{arn} is not a principal ARN")
    resource = parts[5]
    kind, _, rest = resource.partition("/")
    if kind == "assumed-role":
        return parts[4], "role", rest.split("/", 1)[0]
    return parts[4], kind, rest.rsplit("/", 1)[-1]


def target_for_involved(
    db: Any, source_type: str, name: str, principal_arn: str, resource_arn: str | None = None
) -> PolicyTarget:
    """The target of a policy reported by a simulation of ``principal_arn``."""
    account, kind, principal = _principal(principal_arn)
    if source_type in ("user-managed", "aws-managed", "permissions-boundary"):
        if source_type == "aws-managed":
            raise NotEditable(
                f"{name} is an AWS managed policy, which cannot be changed: attach a customer "
                "managed copy instead."
            )
        arn = _find_managed(
            db, account, kind, principal, name, boundary=source_type == "permissions-boundary"
        )
        policy_kind = (
            PolicyKind.PERMISSIONS_BOUNDARY
            if source_type == "permissions-boundary"
            else PolicyKind.IDENTITY
        )
        return PolicyTarget("managed", account, name, policy_kind, arn=arn)
    if source_type in ("user", "role"):
        return PolicyTarget(
            "inline", account, name, PolicyKind.IDENTITY, owner_kind=kind, owner_name=principal
        )
    if source_type == "group":
        from iamdesk.services.groups import list_groups_for_user
        from iamdesk.services.inline_policies import list_inline_policies

        for group in list_groups_for_user(db, account, principal)["Groups"]:
            names = list_inline_policies(db, account, "group", group["GroupName"])["PolicyNames"]
            if name in names:
                return PolicyTarget(
                    "inline",
                    account,
                    name,
                    PolicyKind.IDENTITY,
                    owner_kind="group",
                    owner_name=group["GroupName"],
                )
        raise NotEditable(f"no group of {principal} has an inline policy {name}")
    if source_type in ("scp", "rcp"):
        return org_target(db, account, source_type, name)
    if source_type == "resource" and resource_arn:
        return resource_target(db, resource_arn, name, account)
    raise NotEditable(f"{name} ({source_type}) cannot be edited from here")


def _find_managed(
    db: Any, account: str, kind: str, principal: str, name: str, *, boundary: bool
) -> str:
    if boundary:
        from iamdesk.services.roles import get_role
        from iamdesk.services.users import get_user

        shape = (
            get_user(db, account, principal)["User"]
            if kind == "user"
            else get_role(db, account, principal)["Role"]
        )
        return str(shape["PermissionsBoundary"]["PermissionsBoundaryArn"])
    from iamdesk.services.attachments import list_attached_policies
    from iamdesk.services.groups import list_groups_for_user

    owners = [(kind, principal)]
    if kind == "user":
        owners += [
            ("group", g["GroupName"])
            for g in list_groups_for_user(db, account, principal)["Groups"]
        ]
    for owner_kind, owner in owners:
        for attached in list_attached_policies(db, account, owner_kind, owner)["AttachedPolicies"]:
            if attached["PolicyName"] == name:
                return str(attached["PolicyArn"])
    raise NotEditable(f"{name} is not attached to {kind} {principal}")


def resource_target(db: Any, resource_arn: str, name: str, principal_account: str) -> PolicyTarget:
    """Where a resource's policy (bucket, key, queue, topic, secret) or a role's trust is saved."""
    parts = resource_arn.split(":", 5)
    service = parts[2] if len(parts) > 2 else ""
    if name.endswith(" trust policy"):
        role = name.removesuffix(" trust policy")
        account = parts[4] if len(parts) > 4 and parts[4] else principal_account
        return PolicyTarget("trust", account, role, PolicyKind.TRUST, owner_name=role)
    if service == "s3":
        from iamdesk.services.resources import list_resources

        bucket = parts[5].split("/", 1)[0] if len(parts) > 5 else name
        owner = next(
            (
                r["AccountId"]
                for r in list_resources(db)
                if r["Service"] == "s3" and r["Name"] == bucket
            ),
            principal_account,
        )
        return PolicyTarget("bucket", owner, bucket, PolicyKind.RESOURCE, owner_name=bucket)
    if service == "kms":
        key_id = parts[5].split("/", 1)[-1] if len(parts) > 5 else name
        return PolicyTarget("key", parts[4], name, PolicyKind.RESOURCE, owner_name=key_id)
    if service in _RESOURCE_KINDS:
        from iamdesk.services.resources import list_resources

        for row in list_resources(db):
            if row["Arn"] == resource_arn and row["Policy"] is not None:
                return PolicyTarget(
                    _RESOURCE_KINDS[service],
                    row["AccountId"],
                    row["Name"],
                    PolicyKind.RESOURCE,
                    owner_name=row["Arn"],
                )
    if service == "lambda":
        raise NotEditable(
            f"The function policy of {name} changes only through AddPermission and "
            "RemovePermission (one statement each); edit it from the Resources view."
        )
    raise NotEditable(f"the {service} resource policy of {name} cannot be edited here yet")


_RESOURCE_KINDS = {"sqs": "queue", "sns": "topic", "secretsmanager": "secret"}


def org_target(db: Any, account: str, source_type: str, name: str) -> PolicyTarget:
    """An SCP or RCP by name; it is saved as the organization's management account."""
    from iamdesk.services import organizations as orgs

    policy_type = orgs.SCP if source_type == "scp" else orgs.RCP
    management = _management_account(db, account)
    policies = orgs.list_policies(db, policy_filter=policy_type, account_id=management)
    for policy in policies["Policies"]:
        if policy["Name"] == name:
            if policy["AwsManaged"]:
                raise NotEditable(f"{name} is an AWS managed policy, which cannot be changed.")
            kind = PolicyKind.SCP if policy_type == orgs.SCP else PolicyKind.RCP
            return PolicyTarget("org", management, name, kind, owner_name=policy["Id"])
    if name == "RCPFullAWSAccess":
        raise NotEditable(f"{name} is an AWS managed policy, which cannot be changed.")
    raise NotEditable(f"no {source_type.upper()} named {name} in the organization")


def _management_account(db: Any, account: str) -> str:
    from iamdesk.services.organizations import describe_organization

    org = describe_organization(db, account_id=account)["Organization"]
    return str(org["MasterAccountId"])
