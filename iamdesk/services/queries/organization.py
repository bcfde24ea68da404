"""Read-only: the organization of an account as a tree (root, OUs, accounts) with the SCPs and
RCPs attached at each node, for the app's Organization view."""

from __future__ import annotations

import logging
from collections import defaultdict
from typing import Any

from sqlmodel import select

from iamdesk.services import entities
from iamdesk.store.db import Database
from iamdesk.store.tables import Account, Organization, OrgNode, OrgPolicy, OrgPolicyAttachment

log = logging.getLogger(__name__)


def organization_tree(db: Database, account_id: str | None) -> dict[str, Any] | None:
    """``{"Organization": {...}, "Root": node}`` where a node is ``{"Id", "Name", "Kind",
    "Policies": [...], "Children": [nodes], "Accounts": [...]}``; None when the account is in no
    organization. Policies carry ``Id``, ``Name``, ``Type``, ``AwsManaged``, ``Content``;
    ``"Policies"`` lists every SCP and RCP of the organization with the ``Targets`` it is
    attached to."""
    with db.read() as session:
        account = entities.resolve_account(session, db, account_id)
        row = session.get(Account, account)
        if row is None or row.organization_id is None:
            return None
        org = session.get(Organization, row.organization_id)
        assert org is not None
        nodes = session.exec(select(OrgNode).where(OrgNode.organization_id == org.id)).all()
        accounts = session.exec(
            select(Account).where(Account.organization_id == org.id).order_by(Account.name)
        ).all()
        policies = {
            p.id: p
            for p in session.exec(select(OrgPolicy).where(OrgPolicy.organization_id == org.id))
        }
        attached: dict[str, list[dict[str, Any]]] = defaultdict(list)
        targets: dict[str, list[str]] = defaultdict(list)
        for link in session.exec(
            select(OrgPolicyAttachment).where(OrgPolicyAttachment.policy_id.in_(list(policies)))  # type: ignore[attr-defined]
        ):
            policy = policies[link.policy_id]
            targets[policy.id].append(link.target_id)
            attached[link.target_id].append(
                {
                    "Id": policy.id,
                    "Name": policy.name,
                    "Type": policy.type,
                    "AwsManaged": policy.aws_managed,
                    "Description": policy.description,
                    "Content": policy.content,
                }
            )
        by_parent: dict[str | None, list[OrgNode]] = defaultdict(list)
        for node in nodes:
            by_parent[node.parent_id].append(node)
        accounts_by_parent: dict[str | None, list[Account]] = defaultdict(list)
        for acct in accounts:
            accounts_by_parent[acct.parent_id].append(acct)

        def build(node: OrgNode) -> dict[str, Any]:
            return {
                "Id": node.id,
                "Name": node.name,
                "Kind": node.kind,
                "Arn": node.arn,
                "Policies": sorted(attached[node.id], key=lambda p: (p["Type"], p["Name"])),
                "Children": [build(c) for c in sorted(by_parent[node.id], key=lambda n: n.name)],
                "Accounts": [
                    {
                        "Id": a.account_id,
                        "Name": a.name,
                        "Email": a.email,
                        "Status": a.status,
                        "Management": a.account_id == org.management_account_id,
                        "Policies": sorted(
                            attached[a.account_id], key=lambda p: (p["Type"], p["Name"])
                        ),
                    }
                    for a in accounts_by_parent[node.id]
                ],
            }

        roots = [n for n in by_parent[None] if n.kind == "ROOT"]
        return {
            "Organization": {
                "Id": org.id,
                "Arn": org.arn,
                "ManagementAccountId": org.management_account_id,
                "FeatureSet": org.feature_set,
            },
            "Root": build(roots[0]) if roots else None,
            "Policies": [
                {
                    "Id": p.id,
                    "Name": p.name,
                    "Type": p.type,
                    "AwsManaged": p.aws_managed,
                    "Description": p.description,
                    "Content": p.content,
                    "Targets": targets[p.id],
                }
                for p in sorted(policies.values(), key=lambda p: (p.type, p.name))
            ],
        }
