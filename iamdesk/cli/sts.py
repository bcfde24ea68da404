"""``iamdesk sts``: as ``aws sts``, on the model.

A model has no signed requests, so the caller is the owner of the profile's credentials as the
AWS CLI finds them in the environment (``AWS_ACCESS_KEY_ID``: a modelled AKIA… or ASIA… key),
or, as iamdesk adds, ``--caller-arn`` (a modelled user or role session) or ``--access-key-id``.
"""

from __future__ import annotations

import os
from typing import Any

from iamdesk.cli import sts_federation
from iamdesk.cli.aws_service import ServiceCli
from iamdesk.cli.awsargs import CredentialsError
from iamdesk.services import sts


def _with_caller(function: Any) -> Any:
    """The caller from --caller-arn/--access-key-id, else the environment's credentials."""

    def call(db: Any, **options: Any) -> Any:
        if options.get("caller_arn") is None and options.get("access_key_id") is None:
            key = os.environ.get("AWS_ACCESS_KEY_ID")
            if not key:
                raise CredentialsError(
                    "Unable to locate credentials. Set AWS_ACCESS_KEY_ID to a modelled access "
                    "key, or name the caller with --caller-arn."
                )
            options["access_key_id"] = key
        return function(db, **options)

    return call


cli = ServiceCli("sts")
cli.command(
    "assume-role",
    "AssumeRole",
    _with_caller(sts.assume_role),
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
    "external_id",
)
cli.command(
    "get-caller-identity",
    "GetCallerIdentity",
    _with_caller(sts.get_caller_identity),
    "caller_arn",
    "access_key_id",
)
sts_federation.add_commands(cli)
run = cli.run
