"""Documents federation tests present: IdP metadata, SAML responses, OIDC tokens, and a check
that an output has exactly the members botocore's output shape allows."""

from __future__ import annotations

import base64
import json
import time
from typing import Any

import botocore.session

from iamdesk.services.federation.tokens import encode_unsigned

ACCOUNT = "123456789012"
GITHUB = "token.actions.githubusercontent.com"
GITHUB_ARN = f"arn:aws:iam::{ACCOUNT}:oidc-provider/{GITHUB}"
ROLE = f"arn:aws:iam::{ACCOUNT}:role/gh-deploy"  # the role the ``github`` fixture makes
IDP_ENTITY = "http://www.okta.com/exk1example"

_CERT = "MIIC" + "A" * 1200  # the metadata's shape, not a real certificate: never verified here


def metadata(entity_id: str = IDP_ENTITY, valid_until: str | None = None) -> str:
    until = f' validUntil="{valid_until}"' if valid_until else ""
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        '<md:EntityDescriptor xmlns:md="urn:oasis:names:tc:SAML:2.0:metadata" '
        f'entityID="{entity_id}"{until}>\n'
        '  <md:IDPSSODescriptor WantAuthnRequestsSigned="false" '
        'protocolSupportEnumeration="urn:oasis:names:tc:SAML:2.0:protocol">\n'
        '    <md:KeyDescriptor use="signing"><ds:KeyInfo '
        'xmlns:ds="http://www.w3.org/2000/09/xmldsig#"><ds:X509Data><ds:X509Certificate>'
        f"{_CERT}</ds:X509Certificate></ds:X509Data></ds:KeyInfo></md:KeyDescriptor>\n"
        '    <md:SingleSignOnService Binding="urn:oasis:names:tc:SAML:2.0:bindings:HTTP-POST" '
        'Location="https://example.okta.com/app/amazon_aws/exk1example/sso/saml"/>\n'
        "  </md:IDPSSODescriptor>\n"
        "</md:EntityDescriptor>\n"
    )


def saml_response(
    *,
    role: str,
    provider: str,
    issuer: str = IDP_ENTITY,
    subject: str = "jane@example.com",
    session_name: str = "jane@example.com",
    recipient: str = "https://signin.aws.amazon.com/saml",
    not_on_or_after: str = "2099-01-01T00:00:00Z",
    audience: str = "urn:amazon:webservices",
    extra_attributes: str = "",
) -> str:
    """A SAML Response as an IdP posts it to AWS, base64-encoded."""
    xml = f"""<?xml version="1.0" encoding="UTF-8"?>
<samlp:Response xmlns:samlp="urn:oasis:names:tc:SAML:2.0:protocol" ID="r1" Version="2.0"
    IssueInstant="2026-12-05T00:00:00Z" Destination="{recipient}">
  <saml2:Issuer xmlns:saml2="urn:oasis:names:tc:SAML:2.0:assertion">{issuer}</saml2:Issuer>
  <samlp:Status>
    <samlp:StatusCode Value="urn:oasis:names:tc:SAML:2.0:status:Success"/>
  </samlp:Status>
  <saml2:Assertion xmlns:saml2="urn:oasis:names:tc:SAML:2.0:assertion" ID="a1" Version="2.0"
      IssueInstant="2026-12-05T00:00:00Z">
    <saml2:Issuer>{issuer}</saml2:Issuer>
    <saml2:Subject>
      <saml2:NameID Format="urn:oasis:names:tc:SAML:2.0:nameid-format:persistent"
        >{subject}</saml2:NameID>
      <saml2:SubjectConfirmation Method="urn:oasis:names:tc:SAML:2.0:cm:bearer">
        <saml2:SubjectConfirmationData NotOnOrAfter="{not_on_or_after}" Recipient="{recipient}"/>
      </saml2:SubjectConfirmation>
    </saml2:Subject>
    <saml2:Conditions NotBefore="2000-01-01T00:00:00Z" NotOnOrAfter="{not_on_or_after}">
      <saml2:AudienceRestriction><saml2:Audience>{audience}</saml2:Audience></saml2:AudienceRestriction>
    </saml2:Conditions>
    <saml2:AttributeStatement>
      <saml2:Attribute Name="https://aws.amazon.com/SAML/Attributes/Role">
        <saml2:AttributeValue>{role},{provider}</saml2:AttributeValue>
      </saml2:Attribute>
      <saml2:Attribute Name="https://aws.amazon.com/SAML/Attributes/RoleSessionName">
        <saml2:AttributeValue>{session_name}</saml2:AttributeValue>
      </saml2:Attribute>
      {extra_attributes}
    </saml2:AttributeStatement>
  </saml2:Assertion>
</samlp:Response>"""
    return base64.b64encode(xml.encode("utf-8")).decode("ascii")


def github_token(sub: str, *, aud: str = "sts.amazonaws.com", expires_in: int = 600) -> str:
    return encode_unsigned(
        {
            "iss": f"https://{GITHUB}",
            "aud": aud,
            "sub": sub,
            "exp": int(time.time()) + expires_in,
            "iat": int(time.time()),
            "repository": sub.split(":")[1] if ":" in sub else "",
        }
    )


def assert_output_shape(service: str, operation: str, output: Any) -> None:
    """Every member of ``output`` is one of the operation's output shape, typed as it says."""
    model = botocore.session.get_session().get_service_model(service)
    shape = model.operation_model(operation).output_shape
    _check(shape, output, operation)


def _check(shape: Any, value: Any, where: str) -> None:
    kind = shape.type_name
    if kind == "structure":
        assert isinstance(value, dict), where
        extra = set(value) - set(shape.members)
        assert not extra, f"{where}: members botocore does not list: {extra}"
        for key, item in value.items():
            _check(shape.members[key], item, f"{where}.{key}")
    elif kind == "list":
        assert isinstance(value, list), where
        for index, item in enumerate(value):
            _check(shape.member, item, f"{where}[{index}]")
    elif kind in ("string", "timestamp"):
        assert isinstance(value, str), where
    elif kind == "integer":
        assert isinstance(value, int), where
    elif kind == "boolean":
        assert isinstance(value, bool), where


def ok(cli: Any, *args: str) -> Any:
    code, out, err = cli(*args)
    assert code == 0, err
    return json.loads(out) if out.strip() else {}


def fails(cli: Any, code_word: str, *args: str) -> str:
    """The command fails with AWS's error ``code_word``, in one line after the CLI's blank one."""
    code, _, err = cli(*args)
    assert code == 254 and f"({code_word})" in err, (code, err)
    assert err.count("\n") <= 2
    return err
