"""The access graph: who is in which group, which policies apply to whom, who can assume which
role (other accounts, services, identity providers and everyone included), and the
privilege-escalation edges the engine found.

Built from the services' view of each account (``get-account-authorization-details``, one
call per account) so it sees what the CLI and the views see. Pure data, no Qt: the Analysis
view lays it out and draws it, a script can export it.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from iamdesk.analysis.refs import EntityRef

log = logging.getLogger(__name__)

# Node kinds, drawn in this order from left to right: who comes from outside, then identities,
# then what grants them permissions.
NODE_KINDS = ("external", "service", "account", "user", "group", "role", "policy", "inline")
# Who comes from outside (another account's root included): shown with whatever they reach.
OUTSIDE_KINDS = ("external", "service", "account")
EDGE_KINDS = ("member", "attached", "inline", "boundary", "trust", "escalation")
MAX_DOCUMENT = 131_072  # a trust policy is at most 2,048 characters in IAM; bound what we parse
MAX_DEPTH = 16


@dataclass(frozen=True)
class Node:
    id: str  # the ARN, or "service:NAME", "account:ID", "public:*", "federated:NAME"
    kind: str  # one of NODE_KINDS
    label: str
    account_id: str | None
    ref: EntityRef  # what opens when the node is activated

    def to_json(self) -> dict[str, Any]:
        return {"id": self.id, "kind": self.kind, "label": self.label, "accountId": self.account_id}


@dataclass(frozen=True)
class Edge:
    source: str
    target: str
    kind: str  # one of EDGE_KINDS
    label: str = ""

    def to_json(self) -> dict[str, Any]:
        return {"from": self.source, "to": self.target, "kind": self.kind, "label": self.label}


@dataclass
class AccessGraph:
    nodes: dict[str, Node] = field(default_factory=dict)
    edges: list[Edge] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)  # what could not be included, and why

    def add_node(self, node: Node) -> Node:
        return self.nodes.setdefault(node.id, node)

    def add_edge(self, source: str, target: str, kind: str, label: str = "") -> None:
        if source in self.nodes and target in self.nodes and source != target:
            self.edges.append(Edge(source, target, kind, label))

    def accounts(self) -> list[str]:
        return sorted({n.account_id for n in self.nodes.values() if n.account_id})

    def neighbours(self, node_id: str) -> set[str]:
        found = set()
        for edge in self.edges:
            if edge.source == node_id:
                found.add(edge.target)
            elif edge.target == node_id:
                found.add(edge.source)
        return found

    def filtered(
        self,
        *,
        accounts: Iterable[str] | None = None,
        kinds: Iterable[str] | None = None,
        edge_kinds: Iterable[str] | None = None,
        limit: int | None = None,
    ) -> AccessGraph:
        """The part of the graph in ``accounts`` (outside principals that touch it stay) with
        nodes of ``kinds`` and edges of ``edge_kinds``; at most ``limit`` nodes, the most
        connected first so what is cut is what matters least."""
        wanted_accounts = set(accounts) if accounts is not None else None
        wanted_kinds = set(kinds) if kinds is not None else None
        wanted_edges = set(edge_kinds) if edge_kinds is not None else None

        def inside(node: Node) -> bool:
            if wanted_kinds is not None and node.kind not in wanted_kinds:
                return False
            if wanted_accounts is None or node.kind in OUTSIDE_KINDS:
                return True
            # AWS managed policies belong to no account: they stay with whoever uses them.
            return node.account_id is None or node.account_id in wanted_accounts

        kept = {k for k, n in self.nodes.items() if inside(n)}
        edges = [
            e
            for e in self.edges
            if e.source in kept
            and e.target in kept
            and (wanted_edges is None or e.kind in wanted_edges)
        ]
        touched = {e.source for e in edges} | {e.target for e in edges}
        # Outside principals and policies only matter through an edge into what is shown.
        kept = {
            k for k in kept if k in touched or self.nodes[k].kind not in (*OUTSIDE_KINDS, "policy")
        }
        out = AccessGraph(notes=list(self.notes))
        if limit is not None and len(kept) > limit:
            degree: dict[str, int] = {}
            for edge in edges:
                degree[edge.source] = degree.get(edge.source, 0) + 1
                degree[edge.target] = degree.get(edge.target, 0) + 1
            ranked = sorted(kept, key=lambda k: (-degree.get(k, 0), self.nodes[k].label))
            out.notes.append(
                f"Showing the {limit:,} most connected of {len(kept):,} nodes: filter by "
                "account or kind to see the rest."
            )
            kept = set(ranked[:limit])
        for key in self.nodes:  # keep the build order (stable layouts)
            if key in kept:
                out.nodes[key] = self.nodes[key]
        out.edges = [e for e in edges if e.source in kept and e.target in kept]
        return out

    def to_json(self) -> dict[str, Any]:
        return {
            "nodes": [n.to_json() for n in self.nodes.values()],
            "edges": [e.to_json() for e in self.edges],
            "notes": list(self.notes),
        }


def _entity(kind: str, arn: str, name: str, account: str | None) -> Node:
    return Node(arn, kind, name, account, EntityRef(kind, arn, name, account))


def _policy_node(arn: str, name: str) -> Node:
    parts = arn.split(":")
    account = parts[4] if len(parts) > 4 and parts[4].isdigit() else None
    return Node(arn, "policy", name, account, EntityRef("policy", arn, name, account))


def _document(value: Any) -> Any:
    if isinstance(value, str):
        if len(value) > MAX_DOCUMENT:
            return {}
        try:
            value = json.loads(value)
        except json.JSONDecodeError:
            return {}
    return value if _depth(value) <= MAX_DEPTH else {}


def _depth(value: Any, level: int = 0) -> int:
    if level > MAX_DEPTH:
        return level
    if isinstance(value, dict):
        return max((_depth(v, level + 1) for v in value.values()), default=level + 1)
    if isinstance(value, list):
        return max((_depth(v, level + 1) for v in value), default=level + 1)
    return level


def _as_list(value: Any) -> list[Any]:
    if value is None:
        return []
    return list(value) if isinstance(value, list) else [value]


def trust_principals(document: Any) -> list[tuple[str, str]]:
    """(principal type, value) of every Allow statement of a trust policy that lets someone
    assume the role: ``("AWS", "arn:...")``, ``("Service", "lambda.amazonaws.com")``,
    ``("Federated", ...)``, ``("*", "*")``."""
    found: list[tuple[str, str]] = []
    for statement in _as_list(_document(document).get("Statement") if document else None):
        if not isinstance(statement, dict) or statement.get("Effect") != "Allow":
            continue
        actions = [str(a).lower() for a in _as_list(statement.get("Action"))]
        if actions and not any(a.startswith("sts:assume") or a in ("*", "sts:*") for a in actions):
            continue
        principal = statement.get("Principal")
        if principal == "*":
            found.append(("*", "*"))
            continue
        if not isinstance(principal, dict):
            continue
        for kind, values in principal.items():
            for value in _as_list(values):
                pair = ("*", "*") if kind == "AWS" and value == "*" else (str(kind), str(value))
                if pair not in found:
                    found.append(pair)
    return found


class _Builder:
    def __init__(self, graph: AccessGraph, modelled: set[str]) -> None:
        self.graph = graph
        self.modelled = modelled

    def principal_node(self, kind: str, value: str) -> str:
        """The node a trust policy's principal stands for (created when outside the model)."""
        graph = self.graph
        if kind == "*":
            node = Node("public:*", "external", "Everyone (*)", None, _ref("external", "*", "*"))
            return graph.add_node(node).id
        if kind == "Service":
            name = value.split(".")[0]
            node = Node(f"service:{value}", "service", name, None, _ref("service", value, value))
            return graph.add_node(node).id
        if kind == "Federated":
            label = value.rsplit("/", 1)[-1]
            node = Node(
                f"federated:{value}", "external", label, None, _ref("external", value, label)
            )
            return graph.add_node(node).id
        if value in graph.nodes:  # a modelled user or role
            return value
        account = (
            value if value.isdigit() else (value.split(":")[4] if value.count(":") >= 5 else "")
        )
        if account and (value.isdigit() or value.endswith(":root")):
            inside = account in self.modelled
            label = f"account {account}" if inside else f"account {account} (external)"
            node = Node(
                f"account:{account}",
                "account" if inside else "external",
                label,
                account,
                _ref(
                    "account" if inside else "external",
                    f"arn:aws:iam::{account}:root",
                    label,
                    account,
                ),
            )
            return graph.add_node(node).id
        name = value.rsplit("/", 1)[-1] or value
        inside = account in self.modelled
        node = Node(
            value,
            "external",
            name if inside else f"{name} (external)",
            account or None,
            _ref("external", value, name, account or None),
        )
        return graph.add_node(node).id

    def account(self, account_id: str, details: dict[str, Any]) -> None:
        graph = self.graph
        for user in details.get("UserDetailList", []):
            graph.add_node(_entity("user", user["Arn"], user["UserName"], account_id))
        for group in details.get("GroupDetailList", []):
            graph.add_node(_entity("group", group["Arn"], group["GroupName"], account_id))
        for role in details.get("RoleDetailList", []):
            graph.add_node(_entity("role", role["Arn"], role["RoleName"], account_id))
        group_arn = {g["GroupName"]: g["Arn"] for g in details.get("GroupDetailList", [])}
        for user in details.get("UserDetailList", []):
            for name in user.get("GroupList", []):
                if name in group_arn:
                    graph.add_edge(user["Arn"], group_arn[name], "member")
            self.permissions(user, user.get("UserPolicyList", []), "user", account_id)
        for group in details.get("GroupDetailList", []):
            self.permissions(group, group.get("GroupPolicyList", []), "group", account_id)
        for role in details.get("RoleDetailList", []):
            self.permissions(role, role.get("RolePolicyList", []), "role", account_id)

    def trust(self, details: dict[str, Any]) -> None:
        """Trust edges once every account's users and roles exist (trust crosses accounts)."""
        for role in details.get("RoleDetailList", []):
            for kind, value in trust_principals(role.get("AssumeRolePolicyDocument")):
                source = self.principal_node(kind, value)
                label = (
                    "cross-account"
                    if _account_of(value) not in (None, _account_of(role["Arn"]))
                    else ""
                )
                self.graph.add_edge(source, role["Arn"], "trust", label)

    def permissions(
        self, owner: dict[str, Any], inline: list[dict[str, Any]], kind: str, account_id: str
    ) -> None:
        graph = self.graph
        arn = owner["Arn"]
        for attached in owner.get("AttachedManagedPolicies", []):
            graph.add_node(_policy_node(attached["PolicyArn"], attached["PolicyName"]))
            graph.add_edge(arn, attached["PolicyArn"], "attached")
        boundary = (owner.get("PermissionsBoundary") or {}).get("PermissionsBoundaryArn")
        if boundary:
            graph.add_node(_policy_node(boundary, boundary.rsplit("/", 1)[-1]))
            graph.add_edge(arn, boundary, "boundary")
        name_key = {"user": "UserName", "group": "GroupName", "role": "RoleName"}[kind]
        for policy in inline:
            node_id = f"inline:{arn}:{policy['PolicyName']}"
            owner_ref = EntityRef(kind, arn, owner[name_key], account_id)
            graph.add_node(
                Node(node_id, "inline", f"{policy['PolicyName']} (inline)", account_id, owner_ref)
            )
            graph.add_edge(arn, node_id, "inline")


def _ref(kind: str, arn: str, name: str, account: str | None = None) -> EntityRef:
    return EntityRef(kind, arn, name, account)


def _account_of(value: str) -> str | None:
    if value.isdigit():
        return value
    parts = value.split(":")
    return parts[4] if len(parts) > 4 and parts[4].isdigit() else None


def build_graph(
    db: Any,
    account_ids: Sequence[str] | None = None,
    *,
    escalation: bool = True,
    progress: Callable[[int, int], None] | None = None,
    cancel: Callable[[], bool] | None = None,
) -> AccessGraph:
    """The graph of ``account_ids`` (every modelled account when None)."""
    from iamdesk.services.authorization.export import export_authorization_details
    from iamdesk.services.queries.accounts import list_accounts

    modelled = [a["AccountId"] for a in list_accounts(db)]
    chosen = list(account_ids) if account_ids is not None else modelled
    graph = AccessGraph()
    builder = _Builder(graph, set(modelled))
    total = len(chosen) * 2 + (1 if escalation else 0)
    done = 0
    every: list[dict[str, Any]] = []
    for account_id in chosen:
        if cancel is not None and cancel():
            return graph
        details = export_authorization_details(db, account_id, ["User", "Group", "Role"])
        builder.account(account_id, details)
        every.append(details)
        done += 1
        if progress is not None:
            progress(done, total)
    for details in every:
        builder.trust(details)
        done += 1
        if progress is not None:
            progress(done, total)
    if escalation:
        if cancel is not None and cancel():
            return graph
        # One search over the whole model: escalation crosses accounts (assume-role).
        _add_escalation(graph, db, None if account_ids is None else chosen, cancel)
        done = total
        if progress is not None:
            progress(done, total)
    return graph


def _add_escalation(
    graph: AccessGraph,
    db: Any,
    accounts: Sequence[str] | None,
    cancel: Callable[[], bool] | None,
) -> None:
    try:
        from iamdesk.analysis.privesc import escalation_edges
    except ImportError:
        graph.notes.append("Escalation edges are not available in this version.")
        return
    try:
        steps = escalation_edges(db, None, cancel=cancel)
    except NotImplementedError:
        if not any("Escalation" in n for n in graph.notes):
            graph.notes.append("Escalation edges are not available yet.")
        return
    for step in steps:
        if accounts is not None and step.source.account_id not in accounts:
            continue
        for ref in (step.source, step.target):
            if ref.arn not in graph.nodes:
                graph.add_node(
                    Node(
                        ref.arn,
                        ref.kind if ref.kind in NODE_KINDS else "external",
                        ref.name,
                        ref.account_id,
                        ref,
                    )
                )
        graph.add_edge(step.source.arn, step.target.arn, "escalation", step.technique)
