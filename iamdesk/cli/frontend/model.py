"""botocore's service models, loaded lazily: only the service a command names, only when run,
from the user's cache folder once read (``botocore_cache``).

Our command names are the AWS CLI's (``list-users``); botocore names operations ``ListUsers``.
The CLI name of an operation or member is ``xform_name(name, "-")`` (botocore's own rule, so
``GetSAMLProvider`` is ``get-saml-provider`` exactly as in the AWS CLI).
"""

from __future__ import annotations

import functools
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from botocore.model import OperationModel, ServiceModel


# iamdesk's command name -> botocore's service name (the AWS CLI calls S3's API ``s3api``).
BOTOCORE_NAME = {"s3api": "s3"}


def botocore_name(service: str) -> str:
    return BOTOCORE_NAME.get(service, service)


@functools.cache
def _loader() -> Any:
    from botocore.loaders import Loader

    return Loader()


@functools.cache
def _models(service: str) -> dict[str, Any]:
    from iamdesk.cli.frontend.botocore_cache import load_models

    return load_models(_loader(), botocore_name(service))


@functools.cache
def service_model(service: str) -> ServiceModel:
    from botocore.model import ServiceModel

    return ServiceModel(_models(service)["service-2"], service_name=botocore_name(service))


@functools.cache
def paginators(service: str) -> dict[str, Any]:
    result: dict[str, Any] = _models(service)["paginators-1"].get("pagination", {})
    return result


def cli_name(name: str) -> str:
    from botocore import xform_name

    result: str = xform_name(name, "-")
    return result


@functools.cache
def operations_by_command(service: str) -> dict[str, str]:
    """``list-users`` -> ``ListUsers`` for every operation of the service."""
    commands: dict[str, str] = _models(service)["commands"]
    return commands


def operation(service: str, command: str) -> OperationModel | None:
    name = operations_by_command(service).get(command)
    return None if name is None else service_model(service).operation_model(name)


def paginator(service: str, operation_name: str) -> dict[str, Any] | None:
    return paginators(service).get(operation_name)
