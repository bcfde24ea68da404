"""IpAddress / NotIpAddress: IPv4 and IPv6 addresses or CIDR ranges (a bare address is /32 or
/128). An address of the other IP version never matches."""

from __future__ import annotations

import ipaddress
import logging
from functools import lru_cache

from iamdesk.core.evaluator.conditions.base import (
    InvalidConditionValue,
    OperatorSpec,
    ValueMatcher,
)

logger = logging.getLogger(__name__)

_Network = ipaddress.IPv4Network | ipaddress.IPv6Network
_Address = ipaddress.IPv4Address | ipaddress.IPv6Address


@lru_cache(maxsize=8192)
def _address(text: str) -> _Address | None:
    text = text.strip()
    try:
        return ipaddress.ip_address(text)
    except ValueError:
        pass
    try:  # a request may carry a one-address range
        network = ipaddress.ip_network(text, strict=False)
    except ValueError:
        return None
    return network.network_address if network.num_addresses == 1 else None


@lru_cache(maxsize=4096)
def _in_ranges(values: tuple[str, ...]) -> ValueMatcher:
    networks: list[_Network] = []
    for text in values:
        try:
            networks.append(ipaddress.ip_network(text.strip(), strict=False))
        except ValueError:
            raise InvalidConditionValue(f"{text!r} is not an IP address or CIDR range") from None

    def matches(value: str) -> bool:
        address = _address(value)
        return address is not None and any(address in net for net in networks)

    return matches


OPERATORS = {
    spec.name.lower(): spec
    for spec in (
        OperatorSpec("IpAddress", False, _in_ranges),
        OperatorSpec("NotIpAddress", True, _in_ranges),
    )
}
