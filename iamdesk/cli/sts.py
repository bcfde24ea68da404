"""``iamdesk sts``: assume-role and get-caller-identity, as ``aws sts``.

The model has no signed requests, so the caller is named: ``--caller-arn`` (a modelled user or
role session) or ``--access-key-id`` (a modelled AKIA…/ASIA… key)."""

from __future__ import annotations

from iamdesk.cli.aws_service import ServiceCli
from iamdesk.services import sts

cli = ServiceCli("sts")
cli.command(
    "assume-role",
    "AssumeRole",
    sts.assume_role,
    "role_arn!",
    "role_session_name!",
    "caller_arn",
    "access_key_id",
    "policy:doc",
    "duration_seconds:int",
    "serial_number",
    "token_code",
    "source_identity",
    "tags:structs",
    "policy_arns:structs",
)
cli.command("get-caller-identity", "GetCallerIdentity", sts.get_caller_identity, "access_key_id!")
run = cli.run
