"""Service-linked roles: roles an AWS service owns, created and deleted through IAM's
CreateServiceLinkedRole / DeleteServiceLinkedRole / GetServiceLinkedRoleDeletionStatus.

What IAM does, as modelled here: the role is named by the service
(``AWSServiceRoleForAutoScaling``), lives under ``/aws-service-role/SERVICE/``, trusts exactly
that service principal (``sts:AssumeRole``) and has the service's AWS managed permissions
policy (from the catalog's ``/aws-service-role/`` policies) attached. A second role for the
same service needs a custom suffix (``AWSServiceRoleForAutoScaling_suffix``), which only some
services accept; taking a name twice is IAM's "has been taken" ``InvalidInput``. The role
cannot be changed or deleted with the ordinary role operations (``UnmodifiableEntity``);
DeleteServiceLinkedRole removes it with its policies, as the service's clean-up does once no
resource uses it, and records a deletion task whose status GetServiceLinkedRoleDeletionStatus
reports.

Which services, with their role names and policies, are facts from the IAM User Guide's
"AWS services that work with IAM" table (only the services listed in ``SERVICES``); any other
service name is refused with ``InvalidInput`` rather than given a guessed name.
"""

from __future__ import annotations

import json
import logging
import uuid
from dataclasses import dataclass
from typing import Any

from sqlalchemy import delete, select

from iamdesk.services import entities, managed_policies
from iamdesk.services.errors import IamError
from iamdesk.services.validation import check_description
from iamdesk.store.db import Database
from iamdesk.store.ids import iam_arn, unique_id
from iamdesk.store.tables import (
    InlinePolicy,
    InstanceProfileRole,
    PolicyAttachment,
    Role,
    RoleDeletionTask,
    Tag,
)

log = logging.getLogger(__name__)

_SUFFIX_CHARS = set("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_+=,.@-")


@dataclass(frozen=True)
class LinkedService:
    role_name: str
    policy: str  # the AWS managed policy under /aws-service-role/
    custom_suffix: bool = False  # whether the service takes CustomSuffix


SERVICES: dict[str, LinkedService] = {
    "autoscaling.amazonaws.com": LinkedService(
        "AWSServiceRoleForAutoScaling", "AutoScalingServiceRolePolicy", custom_suffix=True
    ),
    "elasticbeanstalk.amazonaws.com": LinkedService(
        "AWSServiceRoleForElasticBeanstalk",
        "AWSElasticBeanstalkServiceRolePolicy",
        custom_suffix=True,
    ),
    "elasticloadbalancing.amazonaws.com": LinkedService(
        "AWSServiceRoleForElasticLoadBalancing", "AWSElasticLoadBalancingServiceRolePolicy"
    ),
    "ecs.amazonaws.com": LinkedService("AWSServiceRoleForECS", "AmazonECSServiceRolePolicy"),
    "rds.amazonaws.com": LinkedService("AWSServiceRoleForRDS", "AmazonRDSServiceRolePolicy"),
    "organizations.amazonaws.com": LinkedService(
        "AWSServiceRoleForOrganizations", "AWSOrganizationsServiceTrustPolicy"
    ),
    "support.amazonaws.com": LinkedService(
        "AWSServiceRoleForSupport", "AWSSupportServiceRolePolicy"
    ),
    "trustedadvisor.amazonaws.com": LinkedService(
        "AWSServiceRoleForTrustedAdvisor", "AWSTrustedAdvisorServiceRolePolicy"
    ),
    "config.amazonaws.com": LinkedService("AWSServiceRoleForConfig", "AWSConfigServiceRolePolicy"),
    "cloudtrail.amazonaws.com": LinkedService(
        "AWSServiceRoleForCloudTrail", "CloudTrailServiceRolePolicy"
    ),
    "spot.amazonaws.com": LinkedService("AWSServiceRoleForEC2Spot", "AWSEC2SpotServiceRolePolicy"),
    "guardduty.amazonaws.com": LinkedService(
        "AWSServiceRoleForAmazonGuardDuty", "AmazonGuardDutyServiceRolePolicy"
    ),
    "securityhub.amazonaws.com": LinkedService(
        "AWSServiceRoleForSecurityHub", "AWSSecurityHubServiceRolePolicy"
    ),
    "access-analyzer.amazonaws.com": LinkedService(
        "AWSServiceRoleForAccessAnalyzer", "AccessAnalyzerServiceRolePolicy"
    ),
    "sso.amazonaws.com": LinkedService("AWSServiceRoleForSSO", "AWSSSOServiceRolePolicy"),
    "eks.amazonaws.com": LinkedService("AWSServiceRoleForAmazonEKS", "AmazonEKSServiceRolePolicy"),
    "ecs.application-autoscaling.amazonaws.com": LinkedService(
        "AWSServiceRoleForApplicationAutoScaling_ECSService",
        "AWSApplicationAutoscalingECSServicePolicy",
    ),
    "dynamodb.application-autoscaling.amazonaws.com": LinkedService(
        "AWSServiceRoleForApplicationAutoScaling_DynamoDBTable",
        "AWSApplicationAutoscalingDynamoDBTablePolicy",
    ),
    "opensearchservice.amazonaws.com": LinkedService(
        "AWSServiceRoleForAmazonOpenSearchService", "AmazonOpenSearchServiceRolePolicy"
    ),
    "backup.amazonaws.com": LinkedService(
        "AWSServiceRoleForBackup", "AWSBackupServiceLinkedRolePolicyForBackup"
    ),
    "ssm.amazonaws.com": LinkedService("AWSServiceRoleForAmazonSSM", "AmazonSSMServiceRolePolicy"),
    "compute-optimizer.amazonaws.com": LinkedService(
        "AWSServiceRoleForComputeOptimizer", "ComputeOptimizerServiceRolePolicy"
    ),
    "inspector2.amazonaws.com": LinkedService(
        "AWSServiceRoleForAmazonInspector2", "AmazonInspector2ServiceRolePolicy"
    ),
    "elasticache.amazonaws.com": LinkedService(
        "AWSServiceRoleForElastiCache", "ElastiCacheServiceRolePolicy"
    ),
    "redshift.amazonaws.com": LinkedService(
        "AWSServiceRoleForRedshift", "AmazonRedshiftServiceLinkedRolePolicy"
    ),
}


def trust_policy(service: str) -> str:
    return json.dumps(
        {
            "Version": "2012-10-17",
            "Statement": [
                {
                    "Effect": "Allow",
                    "Principal": {"Service": [service]},
                    "Action": ["sts:AssumeRole"],
                }
            ],
        }
    )


def _linked(service: str) -> LinkedService:
    found = SERVICES.get(service) if isinstance(service, str) else None
    if found is None:
        raise IamError(
            "InvalidInput",
            f"Service {str(service)[:300]} does not take service-linked roles in this model"
            f" (known: {', '.join(sorted(SERVICES))}).",
        )
    return found


def _check_suffix(suffix: str) -> None:
    if not 1 <= len(suffix) <= 64 or not set(suffix) <= _SUFFIX_CHARS:
        raise IamError(
            "ValidationError",
            f"1 validation error detected: Value '{suffix[:300]}' at 'customSuffix' failed to"
            r" satisfy constraint: Member must have length between 1 and 64 and satisfy"
            r" regular expression pattern: [\w+=,.@-]+",
        )


def create_service_linked_role(
    db: Database,
    account_id: str | None,
    aws_service_name: str,
    *,
    description: str | None = None,
    custom_suffix: str | None = None,
) -> dict[str, Any]:
    linked = _linked(aws_service_name)
    check_description(description)
    name = linked.role_name
    if custom_suffix is not None:
        _check_suffix(custom_suffix)
        if not linked.custom_suffix:
            raise IamError(
                "InvalidInput",
                f"Custom suffix is not allowed for {aws_service_name}",
            )
        name = f"{name}_{custom_suffix}"
        if len(name) > 64:
            raise IamError(
                "InvalidInput", f"The role name {name[:300]} is longer than 64 characters."
            )
    path = f"/aws-service-role/{aws_service_name}/"
    policy_arn = managed_policies.AWS_POLICY_ARN_PREFIX + "aws-service-role/" + linked.policy
    with db.transaction() as session:
        account = entities.resolve_account(session, db, account_id)
        if entities.name_taken(session, Role, account, name):
            raise IamError(
                "InvalidInput",
                f"Service role name {name} has been taken in this account, please try a"
                " different suffix.",
            )
        row = Role(
            account_id=account,
            name=name,
            path=path,
            role_id=unique_id("role", db.rng),
            arn=iam_arn(account, "role", path, name),
            create_date=db.now(),
            assume_role_policy=trust_policy(aws_service_name),
            description=description,
            max_session_duration=3600,
            service_linked=True,
        )
        session.add(row)
        session.flush()
        policy_pk = managed_policies.materialize(session, policy_arn)
        if policy_pk is not None:
            session.add(PolicyAttachment(policy_pk=policy_pk, role_pk=row.pk))
        else:  # the catalog lacks it: the role is still made, as a model of the account
            log.warning("no managed policy %s in the catalog", policy_arn)
        out = entities.role_shape(row)
        entities.record(session, db, account, "CreateServiceLinkedRole", "role", name, after=out)
    return {"Role": out}


def delete_service_linked_role(
    db: Database, account_id: str | None, role_name: str
) -> dict[str, Any]:
    """Deletes the role and its policies; answers with the deletion task's id."""
    with db.transaction() as session:
        account = entities.resolve_account(session, db, account_id)
        row = entities.get_role(session, account, role_name)
        if not row.service_linked:
            raise IamError("InvalidInput", f"Role {row.name} is not a service-linked role.")
        service = row.path.strip("/").split("/", 1)[-1]
        task_id = f"task{row.path}{row.name}/{uuid.uuid4()}"
        before = entities.role_shape(row)
        in_profile = session.execute(
            select(InstanceProfileRole.role_pk).where(InstanceProfileRole.role_pk == row.pk)
        ).first()
        if in_profile is not None:
            # The service would report the resources still using the role; here, the
            # instance profile holding it.
            reason = {
                "Reason": f"The role is still in an instance profile; {service} cannot release it."
            }
            session.add(
                RoleDeletionTask(
                    task_id=task_id,
                    account_id=account,
                    role_name=row.name,
                    status="FAILED",
                    reason=json.dumps(reason),
                    created=db.now(),
                )
            )
            return {"DeletionTaskId": task_id}
        session.execute(delete(PolicyAttachment).where(PolicyAttachment.role_pk == row.pk))
        session.execute(delete(InlinePolicy).where(InlinePolicy.role_pk == row.pk))
        session.execute(delete(Tag).where(Tag.entity_type == "role", Tag.entity_pk == row.pk))
        session.delete(row)
        session.add(
            RoleDeletionTask(
                task_id=task_id,
                account_id=account,
                role_name=row.name,
                status="SUCCEEDED",
                created=db.now(),
            )
        )
        entities.record(
            session, db, account, "DeleteServiceLinkedRole", "role", row.name, before=before
        )
    return {"DeletionTaskId": task_id}


def get_service_linked_role_deletion_status(
    db: Database, account_id: str | None, deletion_task_id: str
) -> dict[str, Any]:
    with db.read() as session:
        account = entities.resolve_account(session, db, account_id)
        row = session.get(RoleDeletionTask, deletion_task_id)
        if row is None or row.account_id != account:
            raise IamError(
                "NoSuchEntity", f"Deletion task {str(deletion_task_id)[:300]} cannot be found."
            )
        out: dict[str, Any] = {"Status": row.status}
        if row.reason:
            out["Reason"] = json.loads(row.reason)
        return out
