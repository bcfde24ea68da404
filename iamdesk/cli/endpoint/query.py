"""The ``query`` protocol (IAM, STS, SNS): form-encoded requests, XML responses.

Decoding follows the rules botocore's serializer writes by (``Name.member.N`` lists, flattened
lists, ``Name.entry.N.key`` maps, ``locationName`` renames); encoding writes the elements
botocore's parser reads. Policy documents go out URL-encoded, as IAM sends them.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from typing import Any
from urllib.parse import quote
from xml.sax.saxutils import escape

from iamdesk.cli.endpoint.shapes import blob_text, timestamp

# Characters XML 1.0 cannot carry, even as references.
_NOT_XML = re.compile("[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")


def _name(shape: Any, default: str) -> str:
    return str(shape.serialization.get("name", default))


def _flattened(shape: Any) -> bool:
    return bool(shape.serialization.get("flattened"))


# --------------------------------------------------------------------------- requests


def decode(shape: Any, form: Mapping[str, str]) -> dict[str, Any]:
    """The operation's parameters from a request's form fields."""
    if shape is None:
        return {}
    return _structure(shape, "", form)


def _present(prefix: str, form: Mapping[str, str]) -> bool:
    if prefix in form:
        return True
    dotted = prefix + "."
    return any(key.startswith(dotted) for key in form)


def _value(shape: Any, prefix: str, form: Mapping[str, str]) -> Any:
    kind = shape.type_name
    if kind == "structure":
        return _structure(shape, prefix, form)
    if kind == "list":
        return _list(shape, prefix, form)
    if kind == "map":
        return _map(shape, prefix, form)
    text = form.get(prefix)
    if text is None:
        return None
    if kind in ("integer", "long"):
        try:
            return int(text)
        except ValueError:
            return text  # botocore's validation names the member and the type
    if kind in ("float", "double"):
        try:
            return float(text)
        except ValueError:
            return text
    if kind == "boolean":
        return text.lower() == "true"
    if kind == "timestamp":
        return timestamp(text) or text
    if kind == "blob":
        import base64
        import binascii

        try:
            return base64.b64decode(text, validate=True)
        except (binascii.Error, ValueError):
            return text.encode()
    return text


def _structure(shape: Any, prefix: str, form: Mapping[str, str]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for member, member_shape in shape.members.items():
        key = _name(member_shape, member)
        full = f"{prefix}.{key}" if prefix else key
        if _present(full, form):
            value = _value(member_shape, full, form)
            if value is not None:
                out[member] = value
    return out


def _list(shape: Any, prefix: str, form: Mapping[str, str]) -> list[Any]:
    if form.get(prefix) == "":
        return []  # how the query protocol sends an empty list
    if _flattened(shape):
        base = prefix
        if shape.member.serialization.get("name"):
            base = ".".join([*prefix.split(".")[:-1], _name(shape.member, "")])
    else:
        base = f"{prefix}.{_name(shape.member, 'member')}"
    items = []
    index = 1
    while _present(f"{base}.{index}", form):
        items.append(_value(shape.member, f"{base}.{index}", form))
        index += 1
    return items


def _map(shape: Any, prefix: str, form: Mapping[str, str]) -> dict[str, Any]:
    base = prefix if _flattened(shape) else f"{prefix}.entry"
    key_name = _name(shape.key, "key")
    value_name = _name(shape.value, "value")
    out: dict[str, Any] = {}
    index = 1
    while _present(f"{base}.{index}", form):
        key = form.get(f"{base}.{index}.{key_name}", "")
        out[key] = _value(shape.value, f"{base}.{index}.{value_name}", form)
        index += 1
    return out


# -------------------------------------------------------------------------- responses


def _text(value: Any) -> str:
    return escape(_NOT_XML.sub("\ufffd", value))


def _scalar(shape: Any, value: Any) -> str:
    kind = shape.type_name
    if kind == "boolean":
        return "true" if value else "false"
    if kind == "timestamp":
        moment = timestamp(value)
        return moment.isoformat().replace("+00:00", "Z") if moment is not None else str(value)
    if kind == "blob":
        return blob_text(value)
    if isinstance(value, (dict, list)):
        value = json.dumps(value, indent=4)
    text = str(value)
    if shape.name == "policyDocumentType":
        # IAM sends policy documents URL-encoded; SDKs decode them (botocore's
        # json_decode_policies hook), so plain text would be read wrong where it holds a '%'.
        text = quote(text, safe="")
    return text


def element(tag: str, shape: Any, value: Any, out: list[str]) -> None:
    kind = shape.type_name
    if kind == "structure":
        out.append(f"<{tag}>")
        members(shape, value, out)
        out.append(f"</{tag}>")
    elif kind == "list":
        if _flattened(shape):
            for item in value:
                element(_name(shape.member, tag), shape.member, item, out)
        else:
            out.append(f"<{tag}>")
            member_tag = _name(shape.member, "member")
            for item in value:
                element(member_tag, shape.member, item, out)
            out.append(f"</{tag}>")
    elif kind == "map":
        key_tag, value_tag = _name(shape.key, "key"), _name(shape.value, "value")
        entries = []
        for key, item in value.items():
            entries.append(f"<{key_tag}>{_text(str(key))}</{key_tag}>")
            element(value_tag, shape.value, item, entries)
        if _flattened(shape):
            out.extend(entries)  # rare in the query services; kept simple
        else:
            out.append(f"<{tag}>")
            for i in range(0, len(entries), 2):
                out.extend(["<entry>", entries[i], entries[i + 1], "</entry>"])
            out.append(f"</{tag}>")
    else:
        out.append(f"<{tag}>{_text(_scalar(shape, value))}</{tag}>")


def members(shape: Any, value: Mapping[str, Any], out: list[str]) -> None:
    for member, item in value.items():
        member_shape = shape.members.get(member)
        if member_shape is None or item is None:
            continue
        element(_name(member_shape, member), member_shape, item, out)


def response(operation: Any, result: Mapping[str, Any] | None, request_id: str) -> bytes:
    namespace = operation.service_model.metadata.get("xmlNamespace", "")
    name = operation.name
    out = [f'<?xml version="1.0" encoding="UTF-8"?>\n<{name}Response xmlns="{namespace}">']
    shape = operation.output_shape
    if shape is not None:
        wrapper = shape.serialization.get("resultWrapper", f"{name}Result")
        out.append(f"<{wrapper}>")
        members(shape, result or {}, out)
        out.append(f"</{wrapper}>")
    out.append(f"<ResponseMetadata><RequestId>{request_id}</RequestId></ResponseMetadata>")
    out.append(f"</{name}Response>")
    return "".join(out).encode("utf-8")


def error(
    service_model: Any, code: str, message: str, request_id: str, *, sender: bool = True
) -> bytes:
    namespace = service_model.metadata.get("xmlNamespace", "")
    kind = "Sender" if sender else "Receiver"
    return (
        f'<?xml version="1.0" encoding="UTF-8"?>\n<ErrorResponse xmlns="{namespace}">'
        f"<Error><Type>{kind}</Type><Code>{_text(code)}</Code>"
        f"<Message>{_text(message)}</Message></Error>"
        f"<RequestId>{request_id}</RequestId></ErrorResponse>"
    ).encode()
