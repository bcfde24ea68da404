"""Policy elements in plain words, for the Visual tab and the test-access explanation."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from iamdesk.core.policy.wording import PHRASES, condition_phrase

# Condition operators offered by completion and the statement dialog.
OPERATORS = (*PHRASES, "Null")


def as_list(value: Any) -> list[str]:
    if value is None:
        return []
    if isinstance(value, list):
        return [v if isinstance(v, str) else _scalar(v) for v in value]
    return [value if isinstance(value, str) else _scalar(value)]


def _scalar(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def conditions_in_words(block: Any) -> list[str]:
    if not isinstance(block, Mapping):
        return []
    result = []
    for operator, pairs in block.items():
        if isinstance(pairs, Mapping):
            for key, values in pairs.items():
                result.append(condition_phrase(str(operator), str(key), as_list(values)))
    return result


def principal_in_words(value: Any) -> str:
    if value == "*":
        return "anyone"
    if isinstance(value, Mapping):
        parts = []
        for kind, entries in value.items():
            parts.append(f"{kind}: {', '.join(as_list(entries))}")
        return "; ".join(parts)
    return str(value)


def statement_in_words(statement: Mapping[str, Any]) -> dict[str, str]:
    """The Visual tab's columns for one statement."""
    effect = str(statement.get("Effect", "?"))
    if "NotAction" in statement:
        actions = "every action except " + ", ".join(as_list(statement["NotAction"]))
    else:
        listed = as_list(statement.get("Action"))
        actions = "every action" if listed == ["*"] else ", ".join(listed) or "(none)"
    if "NotResource" in statement:
        resources = "every resource except " + ", ".join(as_list(statement["NotResource"]))
    elif "Resource" in statement:
        listed = as_list(statement.get("Resource"))
        resources = "every resource" if listed == ["*"] else ", ".join(listed)
    else:
        resources = "(the resource the policy is attached to)"
    principal = ""
    if "Principal" in statement:
        principal = principal_in_words(statement["Principal"])
    elif "NotPrincipal" in statement:
        principal = "anyone except " + principal_in_words(statement["NotPrincipal"])
    conditions = conditions_in_words(statement.get("Condition"))
    return {
        "sid": str(statement.get("Sid", "")),
        "effect": effect,
        "principal": principal,
        "actions": actions,
        "resources": resources,
        "conditions": " and ".join(conditions) if conditions else "always",
    }
