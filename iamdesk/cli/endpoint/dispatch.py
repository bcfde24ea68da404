"""Which service and operation a request is for, and running it through the command table.

The service comes from the signature's credential scope (``Credential=AKID/DATE/REGION/iam/
aws4_request``), else from ``X-Amz-Target`` (JSON protocol), else from which query service
knows the ``Action``. The caller is the access key of that scope: a modelled key acts in its
own account, and for IAM names the user that operations without ``UserName`` act on, as IAM
does.
"""

from __future__ import annotations

import dataclasses
import functools
import importlib
import re
from collections.abc import Mapping
from typing import Any

from iamdesk.cli.frontend import model, runner
from iamdesk.cli.options import GlobalOptions

# signing name -> (iamdesk's command for the service, its module)
SERVICES: dict[str, tuple[str, str]] = {
    "iam": ("iam", "iamdesk.cli.iam"),
    "sts": ("sts", "iamdesk.cli.sts"),
    "sns": ("sns", "iamdesk.cli.sns"),
    "kms": ("kms", "iamdesk.cli.kms"),
    "organizations": ("organizations", "iamdesk.cli.organizations"),
    "secretsmanager": ("secretsmanager", "iamdesk.cli.secretsmanager"),
    "sqs": ("sqs", "iamdesk.cli.sqs"),
    "s3": ("s3api", "iamdesk.cli.s3api"),
    "lambda": ("lambda", "iamdesk.cli.lambda_"),
}
QUERY_SERVICES = ("iam", "sts", "sns")
JSON_SERVICES = ("kms", "organizations", "secretsmanager", "sqs")
REST_SERVICES = ("s3", "lambda")
# Access Analyzer's commands are not a botocore-driven command table (yet).
UNSERVED = {"access-analyzer": "accessanalyzer"}

_SCOPE = re.compile(r"Credential=([^/,\s]+)/\d{8}/[^/]+/([^/]+)/aws4_request")


class EndpointError(Exception):
    """A request the endpoint cannot take: AWS's code, message and HTTP status."""

    def __init__(self, code: str, message: str, status: int = 400) -> None:
        super().__init__(f"{code}: {message}")
        self.code = code
        self.message = message
        self.status = status


@dataclasses.dataclass(frozen=True)
class Signed:
    access_key_id: str | None
    service: str | None


def signature(headers: Mapping[str, str]) -> Signed:
    match = _SCOPE.search(headers.get("Authorization", ""))
    if match is None:
        return Signed(None, None)
    return Signed(match.group(1), match.group(2))


def service_of(signed: Signed, target: str | None, action: str | None) -> str:
    if signed.service is not None:
        name = signed.service
    elif target:
        prefix = target.split(".", 1)[0]
        name = next(
            (
                service
                for service in JSON_SERVICES
                if service_model(service).metadata.get("targetPrefix") == prefix
            ),
            "",
        )
    elif action:
        name = next(
            (s for s in QUERY_SERVICES if action in service_model(s).operation_names),
            "iam",  # whose error then names the unknown action
        )
    else:
        name = ""
    if name in UNSERVED:
        raise EndpointError(
            "NotImplemented",
            f"the iamdesk endpoint does not serve {name} yet; use `iamdesk {UNSERVED[name]}`",
        )
    if name not in SERVICES:
        raise EndpointError("UnknownService", f"the iamdesk endpoint has no service {name!r}")
    return name


@functools.cache
def commands(service: str) -> Mapping[str, Any]:
    cli, module_name = SERVICES[service]
    module = importlib.import_module(module_name)
    if cli == "iam":
        return module.all_commands()  # type: ignore[no-any-return]
    return module.cli.commands  # type: ignore[no-any-return]


def service_model(service: str) -> Any:
    return model.service_model(SERVICES[service][0])


@functools.cache
def error_statuses(service: str) -> dict[str, int]:
    """The HTTP status the service's model gives each error code it declares (S3's NoSuchBucket
    is 404: a HEAD request, which has no body, is told apart by its status alone)."""
    statuses = {}
    for shape in service_model(service).error_shapes:
        error = shape.metadata.get("error", {})
        if error.get("httpStatusCode"):
            statuses[error.get("code", shape.name)] = int(error["httpStatusCode"])
    return statuses


def operation_model(service: str, name: str) -> Any:
    try:
        return service_model(service).operation_model(name)
    except Exception:  # botocore's OperationNotFoundError
        raise EndpointError(
            "InvalidAction",
            f"Could not find operation {name} for version {service_model(service).api_version}",
        ) from None


def run(
    service: str,
    operation: Any,
    params: dict[str, Any],
    options: GlobalOptions,
    signed: Signed,
    db: Any,
) -> Any:
    """``db``: the model, opened once for every request (an engine per request would compile
    every statement anew)."""
    entry = commands(service).get(model.cli_name(operation.name))
    if entry is None:
        raise EndpointError(
            "InvalidAction",
            f"{operation.name} is an AWS operation the model does not implement; see README,"
            " 'AWS operations not modelled'",
        )
    extras: dict[str, Any] = {}
    key = signed.access_key_id
    if key and service == "iam":
        from iamdesk.services.user_sessions import may_call_iam

        may_call_iam(db, key)
    caller = _caller(db, key) if key else None
    if caller is not None:
        account, arn = caller
        options = dataclasses.replace(options, account_id=account)
        members = operation.input_shape.members if operation.input_shape is not None else {}
        if service == "iam" and "UserName" in members and "UserName" not in params:
            kind, _, rest = arn.split(":", 5)[-1].partition("/")
            if kind == "user":
                params = {**params, "UserName": rest.rsplit("/", 1)[-1]}
    if key and "AccessKeyId" not in params:
        extras["access_key_id"] = key
    return runner.call(SERVICES[service][0], operation, entry, params, options, extras, db)


def _caller(db: Any, access_key_id: str) -> tuple[str, str] | None:
    """(account, ARN) of a modelled access key; None for a key the model does not hold."""
    from iamdesk.services.errors import IamError
    from iamdesk.services.sts import get_caller_identity

    try:
        identity = get_caller_identity(db, access_key_id=access_key_id)
    except IamError:
        return None
    return str(identity["Account"]), str(identity["Arn"])
