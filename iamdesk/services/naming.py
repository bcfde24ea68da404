"""The name rules of each resource service, with the service's own error code and words, so a
form can check a name as it is typed and the create operation refuses the same names."""

from __future__ import annotations

import logging
import re

from iamdesk.services.errors import IamError

log = logging.getLogger(__name__)

# service -> (pattern the whole name must match, error code, message)
RULES: dict[str, tuple[re.Pattern[str], str, str]] = {
    "s3": (
        re.compile(r"[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]"),
        "InvalidBucketName",
        "The specified bucket is not valid. Bucket names are 3-63 characters: lowercase "
        "letters, digits, dots and hyphens, starting and ending with a letter or digit.",
    ),
    "sqs": (
        re.compile(r"[A-Za-z0-9_-]{1,80}(\.fifo)?"),
        "InvalidParameterValue",
        "Can only include alphanumeric characters, hyphens, or underscores. 1 to 80 in length.",
    ),
    "sns": (
        re.compile(r"[A-Za-z0-9_-]{1,256}(\.fifo)?"),
        "InvalidParameter",
        "Invalid parameter: Topic Name (1 to 256 letters, digits, hyphens or underscores).",
    ),
    "secretsmanager": (
        re.compile(r"[A-Za-z0-9/_+=.@-]{1,512}"),
        "InvalidParameterException",
        "The secret name must be 1 to 512 characters: letters, digits and /_+=.@-",
    ),
    "lambda": (
        re.compile(r"[A-Za-z0-9_-]{1,64}"),
        "InvalidParameterValueException",
        "Function names are 1 to 64 characters: letters, digits, hyphens and underscores.",
    ),
}
KMS_DESCRIPTION_MAX = 8192


def check_resource_name(service: str, name: str) -> str:
    """``name`` if ``service`` accepts it, else the service's error."""
    if service == "kms":  # a key has no name; its description is bounded
        if len(name) > KMS_DESCRIPTION_MAX:
            raise IamError(
                "ValidationException",
                f"Description must be at most {KMS_DESCRIPTION_MAX} characters.",
            )
        return name
    pattern, code, message = RULES[service]
    if not pattern.fullmatch(name) or (service == "s3" and ".." in name):
        raise IamError(code, message)
    return name
