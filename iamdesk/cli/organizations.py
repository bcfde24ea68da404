"""``iamdesk organizations``: the organization, OUs, accounts, SCPs and RCPs, as
``aws organizations``. ``create-account --new-account-id`` (an iamdesk addition) picks the id."""

from __future__ import annotations

from iamdesk.cli.aws_service import ServiceCli
from iamdesk.services import organizations as orgs

cli = ServiceCli("organizations")
cli.command("create-organization", "CreateOrganization", orgs.create_organization, "feature_set")
cli.command("describe-organization", "DescribeOrganization", orgs.describe_organization)
cli.command(
    "create-organizational-unit",
    "CreateOrganizationalUnit",
    orgs.create_organizational_unit,
    "parent_id!",
    "name!",
)
cli.command(
    "list-organizational-units-for-parent",
    "ListOrganizationalUnitsForParent",
    orgs.list_organizational_units_for_parent,
    "parent_id!",
)
cli.command("list-roots", "ListRoots", orgs.list_roots)
cli.command(
    "create-account",
    "CreateAccount",
    orgs.create_account,
    "email!",
    "account_name!",
    "new_account_id",
)
cli.command("list-accounts", "ListAccounts", orgs.list_accounts)
cli.command(
    "move-account",
    "MoveAccount",
    orgs.move_account,
    "member_account_id=account-id!",
    "source_parent_id!",
    "destination_parent_id!",
)
cli.command(
    "create-policy",
    "CreatePolicy",
    orgs.create_policy,
    "content:doc!",
    "name!",
    "policy_type=type!",
    "description",
)
cli.command(
    "update-policy",
    "UpdatePolicy",
    orgs.update_policy,
    "policy_id!",
    "content:doc",
    "name",
    "description",
)
cli.command("delete-policy", "DeletePolicy", orgs.delete_policy, "policy_id!")
cli.command(
    "delete-organizational-unit",
    "DeleteOrganizationalUnit",
    orgs.delete_organizational_unit,
    "organizational_unit_id!",
)
cli.command("describe-policy", "DescribePolicy", orgs.describe_policy, "policy_id!")
cli.command("list-policies", "ListPolicies", orgs.list_policies, "policy_filter=filter!")
cli.command("attach-policy", "AttachPolicy", orgs.attach_policy, "policy_id!", "target_id!")
cli.command("detach-policy", "DetachPolicy", orgs.detach_policy, "policy_id!", "target_id!")
cli.command(
    "list-policies-for-target",
    "ListPoliciesForTarget",
    orgs.list_policies_for_target,
    "target_id!",
    "policy_filter=filter!",
)
run = cli.run
