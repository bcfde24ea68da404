"""Encoded authorization messages: what a denial carries, and DecodeAuthorizationMessage.

AWS hands some denials an opaque "encoded authorization failure message"; a principal allowed
``sts:DecodeAuthorizationMessage`` turns it into a JSON document (STS API reference and the AWS
CLI's example): ``allowed``, ``explicitDeny``, ``matchedStatements`` (the denying statements),
``failures`` and ``context`` (principal, action, resource and the request's condition keys), each
list as ``{"items": [...]}``.

Our denials (assume-role, get-federation-token, the test-access panel) carry such a message.
AWS's is encrypted; ours is the document compressed and base64url-encoded (it holds nothing the
model's owner cannot read anyway), so it decodes with the model that made it or without it.
"""

from __future__ import annotations

import base64
import binascii
import json
import logging
import zlib
from typing import Any

from iamdesk.core import jsontext
from iamdesk.core.evaluator.decision import EXPLICIT_DENY, Decision
from iamdesk.core.policy.document import PolicyParseError, Statement
from iamdesk.core.policy.parser import parse_policy
from iamdesk.services.errors import IamError
from iamdesk.services.simulate import SimulationResult, simulate_principal_policy
from iamdesk.store.db import Database

log = logging.getLogger(__name__)

MAX_ENCODED = 10240  # the API's EncodedMessage length limit
MAX_DECODED = 1_000_000  # a message never inflates beyond this (no decompression bombs)
DECODE_ACTION = "sts:DecodeAuthorizationMessage"


def _items(values: Any) -> dict[str, Any]:
    return {"items": list(values)}


def _statement(statement: Statement) -> dict[str, Any]:
    def values(found: Any) -> dict[str, Any]:
        return _items({"value": v.text} for v in found or ())

    principals = []
    for block in (statement.principal, statement.not_principal):
        if block is not None:
            principals.extend({"value": v.text} for _, vs in block.entries for v in vs)
            if block.wildcard:
                principals.append({"value": "*"})
    return {
        "statementId": statement.sid or "",
        "effect": statement.effect.upper(),
        "principals": _items(principals),
        "principalGroups": _items([]),
        "actions": values(statement.action or statement.not_action),
        "resources": values(statement.resource or statement.not_resource),
        "conditions": _items(
            {"key": c.key, "values": values(c.values)} for c in statement.conditions
        ),
    }


def decoded_document(
    result: SimulationResult, index: int, principal_arn: str, principal_id: str | None = None
) -> dict[str, Any]:
    """AWS's decoded message for the ``index``-th decision of a simulation."""
    decision: Decision = result.decisions[index]
    evaluation = result.evaluation_results[index]
    matched = []
    if decision.decision == EXPLICIT_DENY:  # on an implicit deny nothing matched that decided
        for m in decision.matched_statements:
            policy = result.policies.get(m.label)
            if policy is None:
                continue
            try:
                matched.append(_statement(parse_policy(policy.text).statements[m.statement_index]))
            except (PolicyParseError, IndexError):  # stored policies parse; keep going if not
                log.warning("matched statement %s[%d] not found", m.label, m.statement_index)
    context = result.context
    principal_id = principal_id or str(context.get("aws:userid", ""))
    conditions = [
        {"key": key, "values": _items({"value": str(v)} for v in value)}
        if isinstance(value, list)
        else {"key": key, "values": _items([{"value": str(value)}])}
        for key, value in context.items()
    ]
    return {
        "allowed": decision.allowed,
        "explicitDeny": decision.decision == EXPLICIT_DENY,
        "matchedStatements": _items(matched),
        "failures": _items([]),
        "context": {
            "principal": {
                "id": principal_id,
                "name": str(context.get("aws:username") or principal_arn.rsplit("/", 1)[-1]),
                "arn": principal_arn,
            },
            "action": evaluation["EvalActionName"],
            "resource": evaluation["EvalResourceName"],
            "conditions": _items(conditions),
        },
    }


def encode(document: dict[str, Any]) -> str:
    raw = json.dumps(document, separators=(",", ":")).encode("utf-8")
    return base64.urlsafe_b64encode(zlib.compress(raw, 9)).decode("ascii").rstrip("=")


def encode_denial(
    result: SimulationResult, index: int, principal_arn: str, principal_id: str | None = None
) -> str:
    return encode(decoded_document(result, index, principal_arn, principal_id))


def _invalid() -> IamError:
    return IamError(
        "InvalidAuthorizationMessageException",
        "The encoded authorization message is not valid: it was not made by a denial.",
    )


def decode(encoded_message: str) -> dict[str, Any]:
    """The document an encoded message holds; InvalidAuthorizationMessageException if none."""
    if not isinstance(encoded_message, str) or not 1 <= len(encoded_message) <= MAX_ENCODED:
        raise _invalid()
    try:
        packed = base64.urlsafe_b64decode(encoded_message + "=" * (-len(encoded_message) % 4))
        inflater = zlib.decompressobj()
        raw = inflater.decompress(packed, MAX_DECODED)
        if inflater.unconsumed_tail or not inflater.eof:
            raise _invalid()
        document = jsontext.loads(raw.decode("utf-8"))
    except (binascii.Error, ValueError, zlib.error, UnicodeDecodeError):
        raise _invalid() from None
    if not isinstance(document, dict) or not {"allowed", "context"} <= document.keys():
        raise _invalid()
    return document


def decode_authorization_message(
    db: Database,
    *,
    encoded_message: str,
    caller_arn: str | None = None,
    access_key_id: str | None = None,
    account_id: str | None = None,
) -> dict[str, Any]:
    """AWS's DecodeAuthorizationMessage: the caller needs ``sts:DecodeAuthorizationMessage``."""
    from iamdesk.services.session_credentials import caller_from_arn, caller_from_key

    if (caller_arn is None) == (access_key_id is None):
        raise IamError("InvalidInput", "Name the caller with exactly one access key or ARN.")
    with db.read() as session:
        if access_key_id is not None:
            caller, _ = caller_from_key(session, access_key_id, db.clock())
        else:
            caller, _ = caller_from_arn(session, str(caller_arn), db.clock())
    source = access_key_id if access_key_id and access_key_id.startswith("ASIA") else caller
    result = simulate_principal_policy(
        db, policy_source_arn=source, action_names=[DECODE_ACTION], explain=False
    )
    if not result.decisions[0].allowed:
        raise IamError(
            "AccessDenied",
            f"User: {caller} is not authorized to perform: {DECODE_ACTION} because no "
            "identity-based policy allows the sts:DecodeAuthorizationMessage action",
        )
    document = decode(encoded_message)
    return {"DecodedMessage": json.dumps(document, separators=(",", ":"))}
