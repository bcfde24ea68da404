"""SAML 2.0 responses as AssumeRoleWithSAML reads them, offline.

The assertion arrives base64-encoded (as the IdP posts it to the AWS sign-in page); it is read
with ``xmldoc`` (no DTDs or entities, bounded). The XML signature cannot be checked against the
IdP's certificate in any way that proves more than the document says, so it is not checked (the
README says so); what STS checks is: the Issuer equals the provider's metadata entityID, the
SubjectConfirmationData's Recipient is AWS's SAML endpoint and its NotOnOrAfter (and the
Conditions' window) has not passed, the AudienceRestriction names AWS, and the
``https://aws.amazon.com/SAML/Attributes/Role`` attribute pairs the role with the provider.
"""

from __future__ import annotations

import base64
import binascii
import logging
import re
from dataclasses import dataclass, field
from datetime import datetime

from iamdesk.services.errors import IamError
from iamdesk.services.federation import xmldoc
from iamdesk.services.federation.tokens import invalid_token

log = logging.getLogger(__name__)

MAX_ASSERTION = 100_000  # STS's limit on SAMLAssertion (base64 characters)
ROLE_ATTRIBUTE = "https://aws.amazon.com/SAML/Attributes/Role"
SESSION_NAME_ATTRIBUTE = "https://aws.amazon.com/SAML/Attributes/RoleSessionName"
DURATION_ATTRIBUTE = "https://aws.amazon.com/SAML/Attributes/SessionDuration"
AWS_AUDIENCES = ("https://signin.aws.amazon.com/saml", "urn:amazon:webservices")
_RECIPIENT = re.compile(r"https://([a-z0-9-]+\.)?signin\.aws\.amazon\.com/saml")

_P = "{" + xmldoc.SAML_PROTOCOL + "}"
_A = "{" + xmldoc.SAML_ASSERTION + "}"

# Attributes IAM turns into saml: context keys (by their OID names, as IdPs send them).
OID_KEYS = {
    "urn:oid:2.5.4.3": "saml:cn",
    "urn:oid:2.5.4.42": "saml:givenName",
    "urn:oid:2.5.4.4": "saml:surname",
    "urn:oid:2.5.4.41": "saml:name",
    "urn:oid:0.9.2342.19200300.100.1.1": "saml:uid",
    "urn:oid:0.9.2342.19200300.100.1.3": "saml:mail",
    "urn:oid:1.3.6.1.4.1.5923.1.1.1.1": "saml:edupersonaffiliation",
    "urn:oid:1.3.6.1.4.1.5923.1.1.1.6": "saml:edupersonprincipalname",
    "urn:oid:1.3.6.1.4.1.5923.1.1.1.7": "saml:edupersonentitlement",
}


def rejected(message: str) -> IamError:
    return IamError("IDPRejectedClaim", message)


@dataclass
class Assertion:
    issuer: str
    subject: str
    subject_type: str
    recipient: str
    not_on_or_after: datetime
    role_pairs: list[tuple[str, str]]  # (role ARN, provider ARN)
    session_name: str | None
    session_duration: int | None
    attributes: dict[str, list[str]] = field(default_factory=dict)


def _time(text: str, what: str) -> datetime:
    try:
        return datetime.fromisoformat(text.strip().replace("Z", "+00:00"))
    except ValueError:
        raise invalid_token(f"The SAML assertion's {what} is not a date: {text[:60]}") from None


def _text(node: xmldoc.Node | None) -> str:
    return node.text.strip() if node is not None else ""


def decode(saml_assertion: str) -> xmldoc.Node:
    if not isinstance(saml_assertion, str) or not 4 <= len(saml_assertion) <= MAX_ASSERTION:
        raise IamError(
            "ValidationError",
            "1 validation error detected: Value at 'sAMLAssertion' failed to satisfy "
            f"constraint: Member must have length between 4 and {MAX_ASSERTION}",
        )
    try:
        raw = base64.b64decode("".join(saml_assertion.split()), validate=True)
    except (binascii.Error, ValueError):
        raise invalid_token("The SAML assertion is not base64-encoded.") from None
    try:
        return xmldoc.parse(raw, MAX_ASSERTION)
    except xmldoc.XmlRejected as exc:
        raise invalid_token(f"Invalid SAML response: {exc}") from None


def read(root: xmldoc.Node) -> Assertion:
    """What STS reads from a decoded SAML Response."""
    if root.tag != _P + "Response":
        raise invalid_token("Invalid SAML response: the document is not a samlp:Response")
    if root.find(_A + "EncryptedAssertion") is not None:
        raise invalid_token("Encrypted assertions are not modelled: give the plain assertion")
    assertion = root.find(_A + "Assertion")
    if assertion is None:
        raise invalid_token("Invalid SAML response: it holds no saml:Assertion")
    issuer = _text(assertion.find(_A + "Issuer")) or _text(root.find(_A + "Issuer"))
    subject = assertion.find(_A + "Subject")
    name_id = subject.find(_A + "NameID") if subject is not None else None
    if name_id is None or not _text(name_id):
        raise invalid_token("Invalid SAML response: the assertion has no Subject/NameID")
    data = subject.iter(_A + "SubjectConfirmationData") if subject is not None else []
    if len(data) != 1:
        raise invalid_token(
            "Invalid SAML response: the Subject needs exactly one SubjectConfirmationData"
        )
    recipient = data[0].attrib.get("Recipient", "")
    if "NotOnOrAfter" not in data[0].attrib:
        raise invalid_token("Invalid SAML response: SubjectConfirmationData has no NotOnOrAfter")
    attributes: dict[str, list[str]] = {}
    for attribute in assertion.iter(_A + "Attribute"):
        values = [_text(v) for v in attribute.findall(_A + "AttributeValue")]
        attributes.setdefault(attribute.attrib.get("Name", ""), []).extend(values)
    pairs = []
    for value in attributes.get(ROLE_ATTRIBUTE, []):
        arns = [part.strip() for part in value.split(",")]
        roles = [a for a in arns if ":role/" in a]
        providers = [a for a in arns if ":saml-provider/" in a]
        if len(arns) == 2 and len(roles) == 1 and len(providers) == 1:
            pairs.append((roles[0], providers[0]))
    names = attributes.get(SESSION_NAME_ATTRIBUTE, [])
    durations = attributes.get(DURATION_ATTRIBUTE, [])
    duration = None
    if durations:
        if not durations[0].isdigit():
            raise invalid_token("The SessionDuration attribute is not a number of seconds")
        duration = int(durations[0])
    return Assertion(
        issuer=issuer,
        subject=_text(name_id),
        subject_type=_subject_type(name_id.attrib.get("Format", "")),
        recipient=recipient,
        not_on_or_after=_time(data[0].attrib["NotOnOrAfter"], "NotOnOrAfter"),
        role_pairs=pairs,
        session_name=names[0] if names else None,
        session_duration=duration,
        attributes=attributes,
    )


def _subject_type(fmt: str) -> str:
    """``saml:sub_type``: ``persistent`` or ``transient`` for those formats, else the format."""
    for short in ("persistent", "transient"):
        if fmt == f"urn:oasis:names:tc:SAML:2.0:nameid-format:{short}":
            return short
    return fmt


def check_conditions(root: xmldoc.Node, now: datetime) -> None:
    """The assertion's Conditions: its time window and that its audience is AWS."""
    assertion = root.find(_A + "Assertion")
    conditions = assertion.find(_A + "Conditions") if assertion is not None else None
    if conditions is None:
        return
    if "NotBefore" in conditions.attrib and now < _time(
        conditions.attrib["NotBefore"], "NotBefore"
    ):
        raise invalid_token("The SAML assertion is not yet valid (Conditions NotBefore).")
    if "NotOnOrAfter" in conditions.attrib:
        until = _time(conditions.attrib["NotOnOrAfter"], "NotOnOrAfter")
        if now >= until:
            raise IamError(
                "ExpiredTokenException",
                "Token expired: the SAML assertion's "
                f"Conditions NotOnOrAfter {until.isoformat()} has passed",
            )
    audiences = [_text(a) for a in conditions.iter(_A + "Audience")]
    if audiences and not any(a in AWS_AUDIENCES for a in audiences):
        raise rejected(
            "The SAML assertion's AudienceRestriction does not name AWS "
            f"({' or '.join(AWS_AUDIENCES)})."
        )


def recipient_ok(recipient: str) -> bool:
    return bool(_RECIPIENT.fullmatch(recipient))
