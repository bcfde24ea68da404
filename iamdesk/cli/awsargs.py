"""AWS CLI-style option values and errors, shared by the ``iamdesk <service> <command>`` modules.

The AWS CLI lets any value be ``file://path`` (the file's text) and any structure be written in
JSON or in its "shorthand" (``Key=value,Other=a,b``); errors print one line to standard error and
exit with the CLI's codes: 252 for a command line it cannot parse, 254 when the service said no.
"""

from __future__ import annotations

import json
import logging
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any, TextIO

from iamdesk.core import jsontext
from iamdesk.core.text import bounded, quoted

log = logging.getLogger(__name__)

EXIT_USAGE = 252  # the AWS CLI's code for a command line it could not parse
EXIT_CONFIG = 253  # ... for missing credentials or configuration
EXIT_SERVICE_ERROR = 254  # ... and for an error returned by the service


class UsageError(Exception):
    """The command line is wrong (bad parameter value, unreadable file): exit 252."""


class CredentialsError(UsageError):
    """No credentials to name the caller by, as the CLI says ``Unable to locate credentials``."""


class ServiceError(Exception):
    """The (modelled) service rejected the request: exit 254 with AWS's error code."""

    def __init__(self, code: str, message: str) -> None:
        message = bounded(message)
        super().__init__(f"{code}: {message}")
        self.code = code
        self.message = message


def load_value(option: str, value: str) -> str:
    """``file://path`` (or ``fileb://path``) -> the file's text; anything else unchanged."""
    for scheme in ("file://", "fileb://"):
        if value.startswith(scheme):
            path = Path(value[len(scheme) :]).expanduser()
            try:
                return path.read_text(encoding="utf-8")
            except (OSError, UnicodeDecodeError) as exc:
                raise UsageError(
                    f"Error parsing parameter '{option}': Unable to load paramfile {value}: {exc}"
                ) from None
    return value


def string_list(option: str, values: Sequence[str] | None) -> list[str]:
    """A list-of-strings option: several arguments, or one JSON array (inline or in a file)."""
    if not values:
        return []
    loaded = [load_value(option, v) for v in values]
    if len(loaded) == 1 and loaded[0].lstrip().startswith("["):
        try:
            parsed = jsontext.loads(loaded[0])
        except json.JSONDecodeError as exc:
            raise UsageError(f"Error parsing parameter '{option}': Invalid JSON: {exc}") from None
        if not isinstance(parsed, list) or not all(isinstance(v, str) for v in parsed):
            raise UsageError(f"Error parsing parameter '{option}': expected a list of strings")
        return parsed
    return loaded


def _split_top_level(text: str) -> list[str]:
    """Split on commas that are outside quotes and brackets."""
    parts: list[str] = []
    depth = 0
    quote: str | None = None
    current: list[str] = []
    for ch in text:
        if quote:
            current.append(ch)
            if ch == quote:
                quote = None
            continue
        if ch in "'\"":
            quote = ch
        elif ch == "[":
            depth += 1
        elif ch == "]":
            depth -= 1
        elif ch == "," and depth == 0:
            parts.append("".join(current))
            current = []
            continue
        current.append(ch)
    if quote or depth:
        raise ValueError("unbalanced quotes or brackets")
    parts.append("".join(current))
    return parts


def _unquote(text: str) -> str:
    text = text.strip()
    if len(text) >= 2 and text[0] == text[-1] and text[0] in "'\"":
        return text[1:-1]
    return text


def _shorthand_value(text: str) -> str | list[str]:
    text = text.strip()
    if text.startswith("[") and text.endswith("]"):
        inner = text[1:-1].strip()
        return [_unquote(p) for p in _split_top_level(inner)] if inner else []
    return _unquote(text)


def parse_shorthand(option: str, text: str) -> dict[str, Any]:
    """``Name=a,Values=x,y,Type=t`` -> ``{"Name": "a", "Values": ["x", "y"], "Type": "t"}``.

    A bare item after a ``Key=value`` pair continues that key's list, as in the AWS CLI.
    """
    result: dict[str, Any] = {}
    last: str | None = None
    try:
        parts = _split_top_level(text)
    except ValueError as exc:
        raise UsageError(f"Error parsing parameter '{option}': {exc}: {quoted(text)}") from None
    for part in parts:
        key, eq, value = part.partition("=")
        if eq and key.strip().isidentifier() and not key.strip().startswith(("'", '"')):
            last = key.strip()
            result[last] = _shorthand_value(value)
        elif last is not None:
            previous = result[last]
            items = previous if isinstance(previous, list) else [previous]
            items.append(_unquote(part))
            result[last] = items
        else:
            raise UsageError(
                f"Error parsing parameter '{option}': Expected: '=', received: '{quoted(part)}' "
                f"for input: {quoted(text)}"
            )
    return result


def structure_list(option: str, values: Sequence[str] | None) -> list[dict[str, Any]]:
    """A list-of-structures option: JSON (an array or one object, inline or ``file://``) or one
    shorthand structure per argument."""
    if not values:
        return []
    if all(isinstance(v, dict) for v in values):  # decoded already by the front end
        return [dict(v) for v in values]
    loaded = [load_value(option, v) for v in values]
    if len(loaded) == 1 and loaded[0].lstrip()[:1] in ("[", "{"):
        try:
            parsed = jsontext.loads(loaded[0])
        except json.JSONDecodeError as exc:
            raise UsageError(f"Error parsing parameter '{option}': Invalid JSON: {exc}") from None
        items = parsed if isinstance(parsed, list) else [parsed]
        if not all(isinstance(item, dict) for item in items):
            raise UsageError(f"Error parsing parameter '{option}': expected JSON objects")
        return items
    return [parse_shorthand(option, v) for v in loaded]


def print_service_error(operation: str, error: ServiceError, stream: TextIO | None = None) -> int:
    out = sys.stderr if stream is None else stream
    print(
        f"\nAn error occurred ({error.code}) when calling the {operation} operation: "
        f"{error.message}",
        file=out,
    )
    return EXIT_SERVICE_ERROR


def print_usage_error(error: UsageError, stream: TextIO | None = None) -> int:
    out = sys.stderr if stream is None else stream
    print(f"\n{bounded(str(error))}", file=out)
    return EXIT_USAGE


def print_json(value: Any, stream: TextIO | None = None) -> None:
    out = sys.stdout if stream is None else stream
    out.write(json.dumps(value, indent=4) + "\n")
