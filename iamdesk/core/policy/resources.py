"""Checks on ``Resource``/``NotResource`` entries: the shape of each ARN against what the
catalog knows of the service's ARN formats (Regions, accounts, partitions, service case).
"""

from __future__ import annotations

import logging
import re
from typing import Any

from iamdesk.core import catalog
from iamdesk.core.policy import redundancy
from iamdesk.core.policy.applicability import overlap, policy_pattern, template_pattern
from iamdesk.core.policy.findings import ERROR, SUGGESTION, Path, Report, has_wildcard, strings

log = logging.getLogger(__name__)

PARTITIONS = frozenset(
    {"aws", "aws-cn", "aws-us-gov", "aws-iso", "aws-iso-b", "aws-iso-e", "aws-iso-f", "aws-eusc"}
)
REGION = re.compile(r"[a-z]{2}(-[a-z]+)+-\d+")  # us-east-1, us-gov-west-1, cn-north-1
_ACCOUNT = re.compile(r"\d{12}")


def check_resources(report: Report, path: Path, value: Any) -> None:
    items = strings(report, path, value)
    if isinstance(value, list) and not value:
        report.add(
            SUGGESTION,
            "EMPTY_ARRAY_RESOURCE",
            "This statement includes no resources and does not affect the policy. "
            "Specify resources.",
            report.raw.span(path),
        )
    for text, where in items:
        _check_arn(report, where, text)
    redundancy.check_resources(report, items)


def _fixed(part: str) -> bool:
    """A literal ARN field: no wildcard and no policy variable."""
    return not has_wildcard(part) and "${" not in part


def _check_arn(report: Report, path: Path, text: str) -> None:
    if text == "*" or text.startswith("${"):
        return
    if not text.startswith("arn:"):
        if _fixed(text.partition(":")[0]):
            report.add(
                ERROR,
                "INVALID_ARN_PREFIX",
                f"Add the required prefix (arn) to the resource ARN {text}.",
                report.raw.span(path),
            )
        return
    parts = text.split(":", 5)
    if len(parts) < 6:
        if _fixed(text):
            report.add(
                ERROR,
                "MISSING_ARN_FIELD",
                "Resource ARNs must include at least 6 fields in the following structure: "
                "arn:partition:service:region:account:resource",
                report.raw.span(path),
            )
        return
    _, partition, service, region, account, resource = parts
    if _fixed(partition) and partition not in PARTITIONS:
        report.add(
            ERROR,
            "INVALID_PARTITION",
            f"The resource ARN for the service {service} does not support the partition "
            f"{partition}. Use the supported values: {', '.join(sorted(PARTITIONS))}",
            report.raw.span(path),
        )
    if not _fixed(service):
        return
    if service != service.lower():
        report.add(
            ERROR,
            "INVALID_ARN_SERVICE_CASE",
            f"Update the service name {service} in the resource ARN to use all lowercase letters.",
            report.raw.span(path),
        )
        return
    formats = catalog.arn_namespaces()
    if service in catalog.RETIRED_SERVICES:
        return  # its actions already warn; its ARNs can no longer name anything
    if service not in formats and not catalog.service_exists(service):
        report.add(
            ERROR,
            "INVALID_SERVICE",
            f"The service {service} in the resource ARN does not exist. Use a valid service name.",
            report.raw.span(path),
        )
        return
    fmt = formats.get(service, catalog.ArnFormat(True, True))
    before = len(report.findings)
    if region and _fixed(region):
        if not fmt.takes_region:
            report.add(
                ERROR,
                "ARN_REGION_NOT_ALLOWED",
                f"The service {service} does not support specifying a Region in the resource ARN.",
                report.raw.span(path),
            )
        elif not REGION.fullmatch(region):
            report.add(
                ERROR,
                "INVALID_ARN_REGION",
                f"The Region {region} is not valid for this resource. Update the resource ARN "
                "to include a supported Region.",
                report.raw.span(path),
            )
    if account and _fixed(account):
        if not fmt.takes_account:
            report.add(
                ERROR,
                "ARN_ACCOUNT_NOT_ALLOWED",
                f"The service {service} does not support specifying an account ID in the "
                "resource ARN.",
                report.raw.span(path),
            )
        elif not _ACCOUNT.fullmatch(account) and account != "aws":
            report.add(
                ERROR,
                "INVALID_ARN_ACCOUNT",
                f"The resource ARN account ID {account} is not valid. Provide a 12-digit "
                "account ID.",
                report.raw.span(path),
            )
    if not resource:
        report.add(
            ERROR,
            "INVALID_ARN_RESOURCE",
            "Resource ARN does not match the expected ARN format. Update the resource portion "
            "of the ARN.",
            report.raw.span(path),
        )
    elif len(report.findings) == before:
        _check_format(report, path, text, service, region)


def _check_format(report: Report, path: Path, text: str, service: str, region: str) -> None:
    """An ARN that no resource type of its service could have (compared as patterns, so
    wildcards and variables match what they can). Across every AWS managed policy, no ARN
    fails this; a typo such as "tabel/" or a missing Region does."""
    templates = catalog.arn_templates(service)
    if not templates:
        return
    pattern = policy_pattern(text)
    if any(overlap(template_pattern(t), pattern) for t in templates):
        return
    if not region:
        with_region = text.split(":", 5)
        with_region[3] = "us-east-1"  # a Region, not "*", which could also span the ":"s
        if any(
            overlap(template_pattern(t), policy_pattern(":".join(with_region))) for t in templates
        ):
            report.add(
                ERROR,
                "MISSING_ARN_REGION",
                f"Add a Region to the {service} resource ARN: no {service} resource has an ARN "
                "without one, so this matches nothing (use * for any Region).",
                report.raw.span(path),
            )
            return
    shown = ", ".join(sorted(templates)[:3]) + (", ..." if len(templates) > 3 else "")
    report.add(
        ERROR,
        "INVALID_ARN_RESOURCE",
        f"Resource ARN does not match the expected ARN format. {service} ARNs look like: "
        f"{shown}. Update the resource portion of the ARN.",
        report.raw.span(path),
    )
