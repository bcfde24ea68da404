"""``aws sts assume-role-with-web-identity`` and ``assume-role-with-saml``: neither signs its
request with AWS credentials (the token or assertion is the credential), so they need no caller."""

from __future__ import annotations

from iamdesk.cli.aws_service import ServiceCli
from iamdesk.services.federation import sessions


def add_commands(cli: ServiceCli) -> None:
    cli.command(
        "assume-role-with-web-identity",
        "AssumeRoleWithWebIdentity",
        sessions.assume_role_with_web_identity,
        "role_arn!",
        "role_session_name!",
        "web_identity_token!",
        "provider_id",
        "policy:doc",
        "policy_arns:structs",
        "duration_seconds:int",
        help="a session of the role for an OIDC ID token (claims checked, signature not: offline)",
    )
    cli.command(
        "assume-role-with-saml",
        "AssumeRoleWithSAML",
        sessions.assume_role_with_saml,
        "role_arn!",
        "principal_arn!",
        "saml_assertion!",
        "policy:doc",
        "policy_arns:structs",
        "duration_seconds:int",
        help="a session of the role for a base64 SAML response (signature not checked: offline)",
    )
