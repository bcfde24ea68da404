"""The model read once and compiled once, for every account-wide question.

``snapshot(db)`` reads every principal with its policies (inline, attached, its groups',
boundary), each session, each account's SCP and RCP levels and every resource with its policy
(``services.model_rows``), compiles each distinct document once, and keeps the result until the
model file changes. Each policy is compiled twice: as written ("strict", what the evaluator
decides today) and with its conditions set aside ("lax": Allow statements without their
Condition, conditional Deny statements left out), so an analysis can tell "allowed" from
"allowed if these conditions hold" by asking the evaluator both ways.

Every compiled policy sits in a ``PolicyRef`` whose label names a ``PolicySource``, so a deciding
statement the evaluator reports maps back to a ``StatementRef`` the UI can open.
"""

from __future__ import annotations

import functools
import logging
from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import Any

from iamdesk.analysis.refs import EntityRef, StatementRef
from iamdesk.core.arn import try_parse_arn
from iamdesk.core.evaluator import CompiledPolicy, PolicyRef, Principal
from iamdesk.core.policy.document import PolicyDocument, PolicyParseError, Statement
from iamdesk.core.policy.parser import parse_policy
from iamdesk.services.model_rows import (
    ModelRows,
    PrincipalRow,
    ResourceRow,
    UserSessionRow,
    read_model,
)
from iamdesk.services.principal_policies import session_tags_win
from iamdesk.services.simulation_cache import model_cached
from iamdesk.store.db import Database

log = logging.getLogger(__name__)

RESOURCE_TYPES = {
    "s3": "AWS::S3::Bucket",
    "kms": "AWS::KMS::Key",
    "lambda": "AWS::Lambda::Function",
    "sqs": "AWS::SQS::Queue",
    "sns": "AWS::SNS::Topic",
    "secretsmanager": "AWS::SecretsManager::Secret",
}


@dataclass(frozen=True)
class PolicySource:
    """What a ``PolicyRef`` label stands for."""

    label: str  # the human label StatementRef shows
    kind: str  # StatementRef.policy_kind
    arn: str | None
    owner: EntityRef | None
    document: PolicyDocument
    text: str
    name: str | None = None

    def statement(self, index: int) -> Statement:
        for st in self.document.statements:
            if st.index == index:
                return st
        raise KeyError(index)

    def ref(self, index: int) -> StatementRef:
        return StatementRef.of(
            self.statement(index),
            policy_label=self.label,
            policy_kind=self.kind,
            policy_arn=self.arn,
            owner=self.owner,
            policy_name=self.name,
        )


@dataclass(frozen=True)
class Compiled:
    """One policy placed twice: as written and with its conditions set aside."""

    strict: PolicyRef
    lax: PolicyRef
    source: PolicySource
    has_conditions: bool


@dataclass
class Actor:
    """A principal that can make requests: a user, a role, or a role session."""

    ref: EntityRef
    principal: Principal
    account_id: str
    identity: list[Compiled]
    boundary: Compiled | None
    session_policy: Compiled | None
    context: dict[str, Any]
    row: PrincipalRow  # the user or role (a session's role)
    groups: list[PrincipalRow] = field(default_factory=list)

    @property
    def arn(self) -> str:
        return self.ref.arn


@dataclass
class Target:
    """A resource a request can name that carries a policy: a modelled resource or a role."""

    ref: EntityRef
    account_id: str
    policy: Compiled | None
    service: str  # "iam" for roles
    resource_type: str  # AWS::IAM::Role, AWS::S3::Bucket, ...
    row: ResourceRow | PrincipalRow


@dataclass(frozen=True)
class OrgLevels:
    strict: tuple[tuple[PolicyRef, ...], ...]
    lax: tuple[tuple[PolicyRef, ...], ...]


class Snapshot:
    def __init__(self, rows: ModelRows) -> None:
        self.rows = rows
        self.memo: dict[str, Any] = {}  # indexes the analyses build once per snapshot
        self.now = datetime.fromisoformat(rows.now)
        self.sources: dict[str, PolicySource] = {}
        self.broken: list[tuple[str, str, str]] = []  # (label, kind, error) of unparsable policies
        self.accounts = rows.accounts
        self._managed: dict[int, Compiled | None] = {}
        self.scps: dict[str, OrgLevels] = {}
        self.rcps: dict[str, OrgLevels] = {}
        for account in rows.accounts.values():
            self.scps[account.account_id] = self._org(account.scps, "scp")
            self.rcps[account.account_id] = self._org(account.rcps, "rcp")
        self.groups = rows.groups
        self.actors: list[Actor] = []
        self.by_arn: dict[str, Actor] = {}
        self.targets: dict[str, Target] = {}
        self.roles: dict[int, Actor] = {}
        users: dict[int, Actor] = {}
        for user in rows.users:
            users[user.pk] = self._user(user)
            self._add(users[user.pk])
        for role in rows.roles:
            actor = self._role(role)
            self.roles[role.pk] = actor
            self._add(actor)
            trust = self.compile(
                role.trust_policy or "",
                f"trust policy of role/{role.name}",
                "trust",
                owner=actor.ref,
            )
            self.targets[role.arn] = Target(
                actor.ref, role.account_id, trust, "iam", "AWS::IAM::Role", role
            )
        for sess in rows.sessions:
            self._add(self._session(sess))
        for user_session in rows.user_sessions:
            self._add(self._user_session(users[user_session.user_pk], user_session))
        self.buckets: dict[str, Target] = {}
        for res in rows.resources:
            ref = EntityRef("resource", res.arn, res.name, res.account_id)
            label = f"{res.resource_type} policy of {res.name}"
            policy = self.compile(res.policy, label, "resource", owner=ref) if res.policy else None
            target = Target(
                ref,
                res.account_id,
                policy,
                res.service,
                RESOURCE_TYPES.get(res.service, res.service),
                res,
            )
            self.targets[res.arn] = target
            if res.service == "s3":
                self.buckets[res.name] = target

    # ------------------------------------------------------------------------ compilation

    def compile(
        self,
        text: str,
        label: str,
        kind: str,
        *,
        arn: str | None = None,
        owner: EntityRef | None = None,
        key: str | None = None,
        name: str | None = None,
    ) -> Compiled | None:
        key = key or arn or f"{kind}:{owner.arn if owner else ''}:{label}"
        try:
            strict, lax, has_conditions = _compiled_pair(text)
        except PolicyParseError as exc:
            self.broken.append((label, kind, str(exc)))
            log.warning("analysis skips %s: %s", label, exc)
            return None
        source = PolicySource(label, kind, arn, owner, strict.document, text, name)
        self.sources[key] = source
        return Compiled(
            PolicyRef(key, strict, label), PolicyRef(key, lax, label), source, has_conditions
        )

    def managed(self, pk: int, kind: str = "managed") -> Compiled | None:
        """A managed policy attached (``managed``) or used as a permissions boundary."""
        cache_key = pk if kind == "managed" else -pk
        if cache_key not in self._managed:
            row = self.rows.policies.get(pk)
            self._managed[cache_key] = (
                self.compile(
                    row.document,
                    row.name,
                    kind,
                    arn=row.arn,
                    key=f"{kind}:{row.arn}",
                    name=row.name,
                )
                if row is not None
                else None
            )
        return self._managed[cache_key]

    def _org(self, levels: Iterable[Iterable[Any]], kind: str) -> OrgLevels:
        strict, lax = [], []
        for level in levels:
            s_level, l_level = [], []
            for p in level:
                found = self.compile(
                    p.content, p.name, kind, key=f"{kind}:{p.policy_id}", name=p.name
                )
                if found is not None:
                    s_level.append(found.strict)
                    l_level.append(found.lax)
            strict.append(tuple(s_level))
            lax.append(tuple(l_level))
        return OrgLevels(tuple(strict), tuple(lax))

    def _identity(self, row: PrincipalRow, owner: EntityRef) -> list[Compiled]:
        found: list[Compiled | None] = []
        who = f"{row.kind}/{row.name}"
        for inline in row.inline:
            found.append(
                self.compile(
                    inline.document,
                    f"inline {inline.name} on {who}",
                    "inline",
                    owner=owner,
                    name=inline.name,
                )
            )
        found.extend(self.managed(pk) for pk in row.attached)
        return [c for c in found if c is not None]

    # ---------------------------------------------------------------------------- actors

    def _add(self, actor: Actor) -> None:
        self.actors.append(actor)
        self.by_arn[actor.arn] = actor

    def _base_context(self, account_id: str) -> dict[str, Any]:
        account = self.accounts.get(account_id)
        context: dict[str, Any] = {
            "aws:PrincipalAccount": account_id,
            "aws:CurrentTime": self.now.replace(microsecond=0).isoformat().replace("+00:00", "Z"),
            "aws:EpochTime": str(int(self.now.timestamp())),
            "aws:SecureTransport": "true",
            "aws:PrincipalIsAWSService": "false",
        }
        if account is not None and account.organization_id:
            context["aws:PrincipalOrgID"] = account.organization_id
            context["aws:PrincipalOrgPaths"] = [account.org_path]
        return context

    def _principal_context(self, row: PrincipalRow, keys: dict[str, str]) -> dict[str, Any]:
        """The keys AWS fills from a user or role, as simulation fills them."""
        context = self._base_context(row.account_id)
        context.update({"aws:userid": row.entity_id, "aws:PrincipalArn": row.arn, **keys})
        for key, value in row.tags.items():
            context[f"aws:PrincipalTag/{key}"] = value
        return context

    def _boundary(self, row: PrincipalRow) -> Compiled | None:
        return self.managed(row.boundary_pk, "boundary") if row.boundary_pk else None

    def _user(self, user: PrincipalRow) -> Actor:
        ref = EntityRef("user", user.arn, user.name, user.account_id)
        identity = self._identity(user, ref)
        groups = [self.groups[pk] for pk in user.groups if pk in self.groups]
        for group in groups:
            gref = EntityRef("group", group.arn, group.name, group.account_id)
            identity.extend(self._identity(group, gref))
        context = self._principal_context(
            user, {"aws:username": user.name, "aws:PrincipalType": "User"}
        )
        return Actor(
            ref,
            Principal(user.arn, user.account_id),
            user.account_id,
            identity,
            self._boundary(user),
            None,
            context,
            user,
            groups,
        )

    def _role(self, role: PrincipalRow) -> Actor:
        ref = EntityRef("role", role.arn, role.name, role.account_id)
        context = self._principal_context(role, {"aws:PrincipalType": "AssumedRole"})
        return Actor(
            ref,
            Principal(role.arn, role.account_id),
            role.account_id,
            self._identity(role, ref),
            self._boundary(role),
            None,
            context,
            role,
        )

    def _session(self, sess: Any) -> Actor:
        role = self.roles[sess.role_pk]
        ref = EntityRef("session", sess.arn, sess.session_name, sess.account_id, role.arn)
        context = dict(role.context)
        context["aws:userid"] = sess.assumed_role_id
        self._session_times(context, sess.create_date, sess.mfa)
        if sess.source_identity:
            context["aws:SourceIdentity"] = sess.source_identity
        if sess.federated_provider:
            context["aws:FederatedProvider"] = sess.federated_provider
        session_tags_win(context, sess.tags)
        return self._session_actor(role, ref, sess.arn, sess.session_policy, context)

    def _user_session(self, user: Actor, sess: UserSessionRow) -> Actor:
        """A user's session, as simulation gathers it: get-session-token's is the user (its ARN,
        policies and tags) with its MFA context, named by its ASIA key; a federated user has
        the user's policies capped by its session policy (none: no permissions, which the
        evaluator knows from the federated-user ARN), its own ARN and its session tags."""
        context = dict(user.context)
        if sess.federated_name is not None:
            name = f"federated-user/{sess.federated_name} (of {user.ref.name})"
            key = sess.arn
            del context["aws:username"]
            context["aws:userid"] = f"{sess.account_id}:{sess.federated_name}"
            context["aws:PrincipalArn"] = sess.arn
            context["aws:PrincipalType"] = "FederatedUser"
            session_tags_win(context, sess.tags)
        else:
            mfa = ", MFA" if sess.mfa else ""
            name = f"{user.ref.name} (session {sess.access_key_id}{mfa})"
            key = sess.access_key_id
        self._session_times(context, sess.create_date, sess.mfa)
        ref = EntityRef("session", key, name, sess.account_id, user.arn)
        return self._session_actor(user, ref, sess.arn, sess.session_policy, context)

    def _session_actor(
        self,
        of: Actor,
        ref: EntityRef,
        arn: str,
        session_policy: str | None,
        context: dict[str, Any],
    ) -> Actor:
        """A session of the user or role ``of``: its policies, capped by ``session_policy``."""
        assert ref.account_id is not None
        compiled = (
            self.compile(session_policy, f"session policy of {ref.name}", "session", owner=ref)
            if session_policy
            else None
        )
        return Actor(
            ref,
            Principal(arn, ref.account_id),
            ref.account_id,
            of.identity,
            of.boundary,
            compiled,
            context,
            of.row,
            of.groups,
        )

    def _session_times(self, context: dict[str, Any], issued: str, mfa: bool) -> None:
        context["aws:TokenIssueTime"] = issued
        context["aws:MultiFactorAuthPresent"] = "true" if mfa else "false"
        if mfa:
            age = self.now - datetime.fromisoformat(issued)
            context["aws:MultiFactorAuthAge"] = str(max(0, int(age.total_seconds())))

    # --------------------------------------------------------------------------- lookups

    def target_for(self, resource: str) -> Target | None:
        """The modelled resource (or role) a request's resource ARN falls in; an S3 object's
        bucket, as simulation finds it."""
        found = self.targets.get(resource)
        if found is None and resource.startswith("arn:aws:s3:::"):
            found = self.buckets.get(resource[len("arn:aws:s3:::") :].split("/", 1)[0])
        return found

    def resource_account(self, resource: str, target: Target | None, actor: Actor) -> str:
        if target is not None:
            return target.account_id
        parsed = try_parse_arn(resource)
        if parsed is not None and parsed.account and parsed.account.isdigit():
            return parsed.account
        return actor.account_id

    def resource_context(self, account_id: str) -> dict[str, Any]:
        keys: dict[str, Any] = {"aws:ResourceAccount": account_id}
        account = self.accounts.get(account_id)
        if account is not None and account.organization_id:
            keys["aws:ResourceOrgID"] = account.organization_id
            keys["aws:ResourceOrgPaths"] = [account.org_path]
        return keys

    def actors_of(self, account_id: str | None) -> list[Actor]:
        return [a for a in self.actors if account_id is None or a.account_id == account_id]


# Keys whose value is a fact of the moment no requester chooses: a condition on them is kept
# even when conditions are set aside ("before 2020" stays false).
FACT_KEYS = frozenset({"aws:currenttime", "aws:epochtime", "aws:tokenissuetime"})


@functools.lru_cache(maxsize=8192)
def _compiled_pair(text: str) -> tuple[CompiledPolicy, CompiledPolicy, bool]:
    """(as written, conditions set aside, whether it has conditions), once per distinct text.
    Setting aside keeps conditions on FACT_KEYS; Allow statements lose their other conditions,
    Deny statements that have other conditions are left out."""
    doc = parse_policy(text)
    strict = CompiledPolicy(doc)
    if not any(st.conditions for st in doc.statements):
        return strict, strict, False
    kept = []
    for st in doc.statements:
        facts = tuple(c for c in st.conditions if c.key.lower() in FACT_KEYS)
        if len(facts) == len(st.conditions):
            kept.append(st)
        elif st.effect == "Allow":
            kept.append(replace(st, conditions=facts))
    return strict, CompiledPolicy(replace(doc, statements=tuple(kept))), True


def snapshot(db: Database) -> Snapshot:
    """The model's snapshot, built once and reused until the model changes."""
    return model_cached(db, ("analysis-snapshot",), lambda: Snapshot(read_model(db)))
