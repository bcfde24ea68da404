"""``aws iam`` commands for a user's other credentials and the account's server certificates:
SSH public keys, signing certificates, service-specific credentials, server certificates.

Where IAM lets ``--user-name`` be left out (the caller's own credentials), the caller is the
owner of ``AWS_ACCESS_KEY_ID`` as the AWS CLI finds it in the environment, or ``--caller-arn`` /
``--access-key-id`` (iamdesk's additions, as in ``iamdesk sts``; the endpoint passes the
signing key); with neither, the CLI's "Unable to locate
credentials" (exit 253).
"""

from __future__ import annotations

import os
from typing import Any

from iamdesk.cli.awsargs import CredentialsError
from iamdesk.cli.iam import command
from iamdesk.services import (
    server_certificates,
    service_credentials,
    tags,
    user_credentials,
)


def with_caller(function: Any) -> Any:
    """Fill the caller's access key from the environment when no user is named."""

    def call(db: Any, account_id: Any, **options: Any) -> Any:
        named = (
            options.get("user_name")
            or options.get("caller_arn")
            or options.get("all_users")
            or options.get("access_key_id")
        )
        if not named:
            key = os.environ.get("AWS_ACCESS_KEY_ID")
            if not key:
                raise CredentialsError(
                    "Unable to locate credentials. Set AWS_ACCESS_KEY_ID to a modelled access "
                    "key, or name the user with --user-name or --caller-arn."
                )
            options["access_key_id"] = key
        return function(db, account_id, **options)

    return call


def _tag(db: Any, account_id: Any, **o: Any) -> Any:
    return tags.tag(
        db, account_id, server_certificates.TAG_KIND, o["server_certificate_name"], o["tags"]
    )


def _untag(db: Any, account_id: Any, **o: Any) -> Any:
    return tags.untag(
        db, account_id, server_certificates.TAG_KIND, o["server_certificate_name"], o["tag_keys"]
    )


def _list_tags(db: Any, account_id: Any, **o: Any) -> Any:
    return tags.list_tags(
        db, account_id, server_certificates.TAG_KIND, o["server_certificate_name"]
    )


CALLER = "caller_arn access_key_id"  # iamdesk's options naming the caller

# command name, AWS operation, service function, option specs (see iamdesk.cli.iam.parse_spec)
TABLE: list[tuple[str, str, Any, str]] = [
    # SSH public keys
    (
        "upload-ssh-public-key",
        "UploadSSHPublicKey",
        user_credentials.upload_ssh_public_key,
        "user_name! ssh_public_key_body!",
    ),
    (
        "get-ssh-public-key",
        "GetSSHPublicKey",
        user_credentials.get_ssh_public_key,
        "user_name! ssh_public_key_id! encoding!",
    ),
    (
        "list-ssh-public-keys",
        "ListSSHPublicKeys",
        with_caller(user_credentials.list_ssh_public_keys),
        f"user_name {CALLER}",
    ),
    (
        "update-ssh-public-key",
        "UpdateSSHPublicKey",
        user_credentials.update_ssh_public_key,
        "user_name! ssh_public_key_id! status!",
    ),
    (
        "delete-ssh-public-key",
        "DeleteSSHPublicKey",
        user_credentials.delete_ssh_public_key,
        "user_name! ssh_public_key_id!",
    ),
    # Signing certificates
    (
        "upload-signing-certificate",
        "UploadSigningCertificate",
        with_caller(user_credentials.upload_signing_certificate),
        f"certificate_body! user_name {CALLER}",
    ),
    (
        "list-signing-certificates",
        "ListSigningCertificates",
        with_caller(user_credentials.list_signing_certificates),
        f"user_name {CALLER}",
    ),
    (
        "update-signing-certificate",
        "UpdateSigningCertificate",
        with_caller(user_credentials.update_signing_certificate),
        f"certificate_id! status! user_name {CALLER}",
    ),
    (
        "delete-signing-certificate",
        "DeleteSigningCertificate",
        with_caller(user_credentials.delete_signing_certificate),
        f"certificate_id! user_name {CALLER}",
    ),
    # Service-specific credentials
    (
        "create-service-specific-credential",
        "CreateServiceSpecificCredential",
        service_credentials.create_service_specific_credential,
        "user_name! service_name! credential_age_days:int",
    ),
    (
        "list-service-specific-credentials",
        "ListServiceSpecificCredentials",
        with_caller(service_credentials.list_service_specific_credentials),
        f"user_name service_name all_users:flag {CALLER}",
    ),
    (
        "reset-service-specific-credential",
        "ResetServiceSpecificCredential",
        with_caller(service_credentials.reset_service_specific_credential),
        f"service_specific_credential_id! user_name {CALLER}",
    ),
    (
        "update-service-specific-credential",
        "UpdateServiceSpecificCredential",
        with_caller(service_credentials.update_service_specific_credential),
        f"service_specific_credential_id! status! user_name {CALLER}",
    ),
    (
        "delete-service-specific-credential",
        "DeleteServiceSpecificCredential",
        with_caller(service_credentials.delete_service_specific_credential),
        f"service_specific_credential_id! user_name {CALLER}",
    ),
    # Server certificates
    (
        "upload-server-certificate",
        "UploadServerCertificate",
        server_certificates.upload_server_certificate,
        "server_certificate_name! certificate_body! private_key! path certificate_chain tags:tags",
    ),
    (
        "get-server-certificate",
        "GetServerCertificate",
        server_certificates.get_server_certificate,
        "server_certificate_name!",
    ),
    (
        "list-server-certificates",
        "ListServerCertificates",
        server_certificates.list_server_certificates,
        "path_prefix marker max_items:int",
    ),
    (
        "update-server-certificate",
        "UpdateServerCertificate",
        server_certificates.update_server_certificate,
        "server_certificate_name! new_path new_server_certificate_name",
    ),
    (
        "delete-server-certificate",
        "DeleteServerCertificate",
        server_certificates.delete_server_certificate,
        "server_certificate_name!",
    ),
    ("tag-server-certificate", "TagServerCertificate", _tag, "server_certificate_name! tags:tags!"),
    (
        "untag-server-certificate",
        "UntagServerCertificate",
        _untag,
        "server_certificate_name! tag_keys:list!",
    ),
    (
        "list-server-certificate-tags",
        "ListServerCertificateTags",
        _list_tags,
        "server_certificate_name!",
    ),
]


def register_iam_commands(register: Any) -> None:
    del register  # ``command`` registers on the shared table
    for name, operation, function, specs in TABLE:
        command(name, operation, function, *specs.split())
