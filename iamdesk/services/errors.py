"""IAM's error codes and messages, as AWS returns them.

Services raise ``IamError``; the CLI prints it as the AWS CLI does and the GUI shows ``message``.
The constructors below hold AWS's wording so every operation phrases the same error the same way.
"""

from __future__ import annotations

from iamdesk.core.text import bounded

# HTTP status AWS returns with each code (the AWS CLI shows it in --debug output).
HTTP_STATUS = {
    "NoSuchEntity": 404,
    "EntityAlreadyExists": 409,
    "DeleteConflict": 409,
    "LimitExceeded": 409,
    "MalformedPolicyDocument": 400,
    "InvalidInput": 400,
    "ValidationError": 400,
    "InvalidAuthenticationCode": 403,
    "UnmodifiableEntity": 400,
    "PasswordPolicyViolation": 400,
    "EntityTemporarilyUnmodifiable": 409,
    "AccessDenied": 403,
    "InvalidClientTokenId": 403,  # AWS's common error for credentials it does not accept
    "ConcurrentModification": 409,
    "ReportNotPresent": 410,
    "ReportInProgress": 404,
    "ServiceFailure": 500,
    # S3's, where its model declares none
    "NoSuchBucketPolicy": 404,
}


class IamError(Exception):
    """An IAM error: ``code`` (e.g. ``NoSuchEntity``) and AWS's ``message``."""

    def __init__(self, code: str, message: str) -> None:
        # Every service error passes here: a value it quotes (a 10 MB name) is cut to a prefix.
        message = bounded(message)
        super().__init__(f"{code}: {message}")
        self.code = code
        self.message = message

    @property
    def http_status(self) -> int:
        return HTTP_STATUS.get(self.code, 400)


# Entity words as AWS's messages use them: "The user with name bob cannot be found."
def no_such_entity(kind: str, name: str) -> IamError:
    return IamError("NoSuchEntity", f"The {kind} with name {name} cannot be found.")


def no_such_policy(arn: str) -> IamError:
    return IamError("NoSuchEntity", f"Policy {arn} does not exist or is not attachable.")


_ALREADY_EXISTS = {
    "user": "User with name {name} already exists.",
    "group": "Group with name {name} already exists.",
    "role": "Role with name {name} already exists.",
    "policy": "A policy called {name} already exists. Duplicate names are not allowed.",
    "instance profile": "Instance Profile {name} already exists.",
    "mfa": "MFADevice entity at the same path and name already exists.",
}


def already_exists(kind: str, name: str) -> IamError:
    """``EntityAlreadyExists`` in AWS's words for ``kind`` (a key of ``_ALREADY_EXISTS``)."""
    return IamError("EntityAlreadyExists", _ALREADY_EXISTS[kind].format(name=name))


def delete_conflict(message: str) -> IamError:
    return IamError("DeleteConflict", message)


def limit_exceeded(message: str) -> IamError:
    return IamError("LimitExceeded", message)


def invalid_input(message: str) -> IamError:
    return IamError("InvalidInput", message)


def validation_error(message: str) -> IamError:
    return IamError("ValidationError", message)


def malformed_policy(message: str) -> IamError:
    return IamError("MalformedPolicyDocument", message)


def unmodifiable(arn: str) -> IamError:
    return IamError("UnmodifiableEntity", f"Cannot modify an AWS managed policy: {arn}")
