"""``aws iam`` commands of the caller and the account: change-password, get-mfa-device,
set-security-token-service-preferences, the service-linked role operations, and
get-context-keys-for-principal-policy.

``change-password`` acts on the caller: the owner of ``AWS_ACCESS_KEY_ID`` (as the AWS CLI reads
the environment) or ``--caller-arn`` (iamdesk's addition, as in ``iamdesk sts``).
"""

from __future__ import annotations

import argparse
from typing import Any

from iamdesk.cli.iam import command
from iamdesk.cli.iam.credentials_extra import with_caller
from iamdesk.cli.iam.simulate_custom import context_keys_for_custom_policy
from iamdesk.services import (
    access_advisor,
    mfa,
    passwords,
    service_linked_roles,
    sts_preferences,
)
from iamdesk.services.organizations import access_report
from iamdesk.services.principal_policies import gather_principal
from iamdesk.store.db import Database


def get_context_keys_for_principal_policy(
    db: Database,
    account_id: str | None,
    policy_source_arn: str,
    policy_input_list: list[str] | None = None,
) -> dict[str, Any]:
    """IAM's GetContextKeysForPrincipalPolicy: the keys that the principal's identity policies
    (a user's with its groups') and the given extra policies read."""
    del account_id  # the ARN names the account
    with db.read() as session:
        found = gather_principal(session, policy_source_arn)
        texts = [p.text for label, p in found.involved.items() if label.startswith("identity[")]
    texts += list(policy_input_list or [])
    return context_keys_for_custom_policy(argparse.Namespace(policy_input_list=texts))


TABLE: list[tuple[str, str, Any, str]] = [
    (
        "change-password",
        "ChangePassword",
        with_caller(passwords.change_password),
        "old_password! new_password! caller_arn access_key_id",
    ),
    ("get-mfa-device", "GetMFADevice", mfa.get_mfa_device, "serial_number! user_name"),
    (
        "set-security-token-service-preferences",
        "SetSecurityTokenServicePreferences",
        sts_preferences.set_security_token_service_preferences,
        "global_endpoint_token_version!",
    ),
    (
        "create-service-linked-role",
        "CreateServiceLinkedRole",
        service_linked_roles.create_service_linked_role,
        "aws_service_name! description custom_suffix",
    ),
    (
        "delete-service-linked-role",
        "DeleteServiceLinkedRole",
        service_linked_roles.delete_service_linked_role,
        "role_name!",
    ),
    (
        "get-service-linked-role-deletion-status",
        "GetServiceLinkedRoleDeletionStatus",
        service_linked_roles.get_service_linked_role_deletion_status,
        "deletion_task_id!",
    ),
    (
        "get-context-keys-for-principal-policy",
        "GetContextKeysForPrincipalPolicy",
        get_context_keys_for_principal_policy,
        "policy_source_arn! policy_input_list:list",
    ),
]


ACCESS_ADVISOR: list[tuple[str, str, Any, str]] = [
    (
        "generate-service-last-accessed-details",
        "GenerateServiceLastAccessedDetails",
        access_advisor.generate_service_last_accessed_details,
        "arn! granularity",
    ),
    (
        "get-service-last-accessed-details",
        "GetServiceLastAccessedDetails",
        access_advisor.get_service_last_accessed_details,
        "job_id! marker max_items:int",
    ),
    (
        "get-service-last-accessed-details-with-entities",
        "GetServiceLastAccessedDetailsWithEntities",
        access_advisor.get_service_last_accessed_details_with_entities,
        "job_id! service_namespace! marker max_items:int",
    ),
    (
        "list-policies-granting-service-access",
        "ListPoliciesGrantingServiceAccess",
        access_advisor.list_policies_granting_service_access,
        "arn! service_namespaces:list! marker",
    ),
]


ACCESS_ADVISOR += [
    (
        "generate-organizations-access-report",
        "GenerateOrganizationsAccessReport",
        access_report.generate_organizations_access_report,
        "entity_path! organizations_policy_id",
    ),
    (
        "get-organizations-access-report",
        "GetOrganizationsAccessReport",
        access_report.get_organizations_access_report,
        "job_id! marker max_items:int sort_key",
    ),
]


def register_iam_commands(register: Any) -> None:
    del register  # ``command`` registers on the shared table
    for name, operation, function, specs in TABLE + ACCESS_ADVISOR:
        command(name, operation, function, *specs.split())
