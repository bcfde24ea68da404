"""Values between the wire and the command table, driven by botocore's shapes.

Handlers return what the command line prints: ISO timestamps as strings, blobs as base64
text. The query protocol writes those as XML text; the JSON protocol wants timestamps as epoch
seconds, which ``for_json`` converts by the output shape.
"""

from __future__ import annotations

import base64
import datetime
from typing import Any


def timestamp(value: Any) -> datetime.datetime | None:
    if isinstance(value, datetime.datetime):
        return value if value.tzinfo else value.replace(tzinfo=datetime.UTC)
    if isinstance(value, (int, float)):
        return datetime.datetime.fromtimestamp(value, datetime.UTC)
    if isinstance(value, str):
        try:
            moment = datetime.datetime.fromisoformat(value.replace("Z", "+00:00"))
        except ValueError:
            return None
        return moment if moment.tzinfo else moment.replace(tzinfo=datetime.UTC)
    return None


def blob_text(value: Any) -> str:
    if isinstance(value, bytes):
        return base64.b64encode(value).decode("ascii")
    return str(value)


def for_json(shape: Any, value: Any) -> Any:
    """``value`` as the JSON protocol sends it: epoch-second timestamps, base64 blobs."""
    if shape is None or value is None:
        return value
    kind = shape.type_name
    if kind == "structure" and isinstance(value, dict):
        out = {}
        for name, item in value.items():
            member = shape.members.get(name)
            out[name] = for_json(member, item) if member is not None else item
        return out
    if kind == "list" and isinstance(value, list):
        return [for_json(shape.member, item) for item in value]
    if kind == "map" and isinstance(value, dict):
        return {key: for_json(shape.value, item) for key, item in value.items()}
    if kind == "timestamp":
        moment = timestamp(value)
        return moment.timestamp() if moment is not None else value
    if kind == "blob":
        return blob_text(value)
    return value


def from_json(shape: Any, value: Any) -> Any:
    """A JSON request's ``value`` as the command line would have decoded it (timestamps as ISO
    text, blobs as bytes)."""
    if shape is None or value is None:
        return value
    kind = shape.type_name
    if kind == "structure" and isinstance(value, dict):
        return {name: from_json(shape.members.get(name), item) for name, item in value.items()}
    if kind == "list" and isinstance(value, list):
        return [from_json(shape.member, item) for item in value]
    if kind == "map" and isinstance(value, dict):
        return {key: from_json(shape.value, item) for key, item in value.items()}
    if kind == "timestamp":
        moment = timestamp(value)
        return moment if moment is not None else value
    if kind == "blob" and isinstance(value, str):
        return base64.b64decode(value)
    return value
