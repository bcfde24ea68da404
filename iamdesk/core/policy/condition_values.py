"""Checks on condition values: each value parses as the operator's type (number, date, Boolean,
base64, CIDR), wildcards only with Like operators, variables only with String and ARN operators,
and ``aws:SourceIp`` ranges that can actually match (public addresses).
"""

from __future__ import annotations

import base64
import binascii
import ipaddress
import logging
import re
from datetime import datetime
from typing import TYPE_CHECKING, Any

from iamdesk.core.policy.findings import ERROR, SUGGESTION, WARNING, Path, Report, has_wildcard
from iamdesk.core.policy.resources import REGION

if TYPE_CHECKING:
    from iamdesk.core.policy.conditions import Operator

log = logging.getLogger(__name__)

_VARIABLE_FAMILIES = {"String", "StringLike", "Arn"}
_EPOCH = re.compile(r"-?\d+(\.\d+)?")
# Ranges aws:SourceIp never sees (RFC 1918, loopback, link-local, unique local). Python's
# is_private also counts documentation ranges, which are public as far as AWS is concerned.
_PRIVATE = tuple(
    ipaddress.ip_network(n)
    for n in (
        "10.0.0.0/8",
        "172.16.0.0/12",
        "192.168.0.0/16",
        "127.0.0.0/8",
        "169.254.0.0/16",
        "fc00::/7",
        "fe80::/10",
        "::1/128",
    )
)


def is_private(network: ipaddress.IPv4Network | ipaddress.IPv6Network) -> bool:
    return any(
        network.version == p.version and network.subnet_of(p)  # type: ignore[arg-type]
        for p in _PRIVATE
    )


def valid_date(text: str) -> bool:
    if _EPOCH.fullmatch(text):
        return True
    try:
        datetime.fromisoformat(text)
    except ValueError:
        return False
    return True


def check_values(
    report: Report, path: Path, op: Operator, key: str, items: list[tuple[str, Path, Any]]
) -> None:
    raw = report.raw
    family = op.family
    if family in ("Bool", "Null") and len({text.lower() for text, _, _ in items}) > 1:
        report.add(
            ERROR,
            "INVALID_CONDITION_MULTIPLE_BOOLEAN",
            "The condition key does not support multiple Boolean values. Use a single Boolean "
            "value.",
            raw.span(path),
        )
    _check_redundant_numbers(report, path, op, key, items)
    networks: list[tuple[ipaddress.IPv4Network | ipaddress.IPv6Network, Path]] = []
    for text, where, _ in items:
        if "${" in text and report.variables_enabled:
            if family not in _VARIABLE_FAMILIES:
                report.add(
                    ERROR,
                    "INVALID_VARIABLE_FOR_OPERATOR",
                    "Policy variables can only be used with String and ARN operators.",
                    raw.span(where),
                )
            continue
        if family == "Numeric":
            try:
                float(text)
            except ValueError:
                report.add(
                    WARNING,
                    "TYPE_MISMATCH_NUMBER",
                    f"Add a valid numeric value for the condition operator {op.written}.",
                    raw.span(where),
                )
        elif family == "Date" and not valid_date(text):
            report.add(
                WARNING,
                "TYPE_MISMATCH_DATE",
                "The date condition operator is used with an invalid value. Specify a valid date "
                "using YYYY-MM-DD or other ISO 8601 date/time format.",
                raw.span(where),
            )
        elif family == "Date" and _EPOCH.fullmatch(text) and key.lower() != "aws:epochtime":
            report.add(
                WARNING,
                "INVALID_DATE_VALUE",
                f"The date {text} might not resolve as expected. We recommend that you use the "
                "YYYY-MM-DD format.",
                raw.span(where),
            )
        elif family in ("Bool", "Null") and text.lower() not in ("true", "false"):
            report.add(
                WARNING,
                "TYPE_MISMATCH_BOOLEAN",
                f"Add a valid Boolean value (true or false) for the condition operator "
                f"{op.written}.",
                raw.span(where),
            )
        elif family == "Binary":
            try:
                base64.b64decode(text, validate=True)
            except (binascii.Error, ValueError):
                report.add(
                    WARNING,
                    "TYPE_MISMATCH_STRING",
                    f"Add a valid base64-encoded string value for the condition operator "
                    f"{op.written}.",
                    raw.span(where),
                )
        elif family == "IpAddress":
            network = _network(report, op, text, where)
            if network is not None:
                networks.append((network, where))
        elif (
            key.lower() == "aws:requestedregion"
            and family == "String"
            and not has_wildcard(text)
            and not REGION.fullmatch(text)
        ):
            report.add(
                ERROR,
                "INVALID_REGION",
                f"The Region {text} is not valid. Update the condition value to a supported "
                "Region.",
                raw.span(where),
            )
        elif family == "String" and ("*" in text or "?" in text):
            report.add(
                WARNING,
                "WILDCARD_WITHOUT_LIKE_OPERATOR",
                "Your condition value includes a * or ? character. If you meant to use a "
                "wildcard (*, ?), update the condition operator to include Like.",
                raw.span(where),
            )
    if networks and key.lower() == "aws:sourceip":
        _check_private_ranges(report, path, op, networks)


def _network(
    report: Report, op: Operator, text: str, path: Path
) -> ipaddress.IPv4Network | ipaddress.IPv6Network | None:
    try:
        network = ipaddress.ip_network(text, strict=False)
    except ValueError:
        report.add(
            WARNING,
            "TYPE_MISMATCH_IP_RANGE",
            f"The condition operator {op.written} is used with an invalid IP range value "
            f"{text}. Specify the IP range in standard CIDR format.",
            report.raw.span(path),
        )
        return None
    if "/" in text and str(network) != text and ipaddress.ip_interface(text).ip != network[0]:
        report.add(
            SUGGESTION,
            "IMPROVE_IP_RANGE",
            f"The non-zero bits in the IP address after the masked bits are ignored. Replace "
            f"{text} with {network}.",
            report.raw.span(path),
        )
    return network


def _check_private_ranges(
    report: Report,
    path: Path,
    op: Operator,
    networks: list[tuple[ipaddress.IPv4Network | ipaddress.IPv6Network, Path]],
) -> None:
    private = [is_private(n) for n, _ in networks]
    negated = op.name == "NotIpAddress"
    if all(private):
        if negated:
            report.add(
                ERROR,
                "PRIVATE_NOT_IP_ADDRESS",
                "The values for condition key aws:SourceIp include only private IP addresses "
                "and has no effect. aws:SourceIp works only for public IP address ranges. "
                "Update the value to include only public IP addresses.",
                report.raw.span(path),
            )
        else:
            report.add(
                ERROR,
                "PRIVATE_IP_ADDRESS",
                "aws:SourceIp works only for public IP address ranges. The values for condition "
                "key aws:SourceIp include only private IP addresses and will not have the "
                "desired effect. Update the value to include only public IP addresses.",
                report.raw.span(path),
            )
    elif any(private):
        code = "PRIVATE_NOT_IP_ADDRESS_SUBSET" if negated else "PRIVATE_IP_ADDRESS_SUBSET"
        effect = "have no effect" if negated else "will not have the desired effect"
        report.add(
            SUGGESTION,
            code,
            "The values for condition key aws:SourceIp include a mix of private and public IP "
            f"addresses. The private addresses {effect}. aws:SourceIp works only for public IP "
            "address ranges. To define permissions for private IP ranges, use aws:VpcSourceIp.",
            report.raw.span(path),
        )


_BOUNDS = {
    "NumericLessThan": "greatest",
    "NumericLessThanEquals": "greatest",
    "NumericGreaterThan": "least",
    "NumericGreaterThanEquals": "least",
}


def _check_redundant_numbers(
    report: Report, path: Path, op: Operator, key: str, items: list[tuple[str, Path, Any]]
) -> None:
    """Several bounds OR-ed together: only the loosest one matters."""
    which = _BOUNDS.get(op.name)
    if which is None or op.qualifier is not None or len(items) < 2:
        return
    numbers = []
    for text, _, _ in items:
        try:
            numbers.append(float(text))
        except ValueError:
            return
    report.add(
        SUGGESTION,
        "REDUNDANT_CONDITION_VALUE_NUM",
        f"Multiple values in {op.written} are redundant. Replace with the {which} single value "
        f"for {key}.",
        report.raw.span(path),
    )
