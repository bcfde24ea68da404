"""The REST protocols (``rest-xml`` for S3, ``rest-json`` for Lambda and Access Analyzer):
the operation is found by method and URI template, its members read from the path, query
string, headers and body as the shape's ``location`` says, and the answer written back the
same way (headers, status code, payload)."""

from __future__ import annotations

import functools
import json
import re
import xml.etree.ElementTree as ET
from collections.abc import Mapping
from typing import Any
from urllib.parse import parse_qs, unquote
from xml.sax.saxutils import escape

from iamdesk.cli.endpoint import query
from iamdesk.cli.endpoint.dispatch import EndpointError
from iamdesk.cli.endpoint.shapes import for_json, from_json, timestamp
from iamdesk.cli.frontend import model
from iamdesk.core import jsontext


@functools.cache
def _routes(service: str) -> list[tuple[str, re.Pattern[str], tuple[str, ...], int, str]]:
    """(method, path pattern, query keys it requires, specificity, operation) per operation."""
    routes = []
    service_model = model.service_model(service)
    for name in service_model.operation_names:
        http = service_model.operation_model(name).http
        path, _, wanted = http.get("requestUri", "/").partition("?")
        pattern = re.sub(
            r"\\\{([A-Za-z0-9_]+)(\\\+)?\\\}",
            lambda m: f"(?P<{m.group(1)}>.+)" if m.group(2) else f"(?P<{m.group(1)}>[^/]+)",
            re.escape(path),
        )
        keys = tuple(k.split("=", 1)[0] for k in wanted.split("&") if k)
        literal = len(re.sub(r"\{[^}]*\}", "", path))
        routes.append((http.get("method", "GET"), re.compile(pattern + "/?$"), keys, literal, name))
    return routes


def _labels(operation: Any, path: str) -> dict[str, str]:
    for _verb, pattern, _keys, _literal, name in _routes(operation.service_model.service_name):
        if name == operation.name:
            match = pattern.match(path)
            return match.groupdict() if match else {}
    return {}


def operation_for(service: str, method: str, path: str, args: Mapping[str, Any]) -> Any:
    best: tuple[int, int, str] | None = None
    for verb, pattern, keys, literal, name in _routes(service):
        if verb == method and pattern.match(path) and all(k in args for k in keys):
            rank = (len(keys), literal, name)
            if best is None or rank[:2] > best[:2]:
                best = rank
    if best is None:
        raise EndpointError("InvalidAction", f"no {service} operation answers {method} {path}")
    return model.service_model(service).operation_model(best[2])


def _scalar(shape: Any, text: str) -> Any:
    kind = shape.type_name
    if kind in ("integer", "long"):
        return int(text) if text.lstrip("-").isdigit() else text
    if kind == "boolean":
        return text.lower() == "true"
    if kind == "timestamp":
        return timestamp(text) or text
    return text


def _from_xml(shape: Any, node: ET.Element) -> Any:
    if shape.type_name == "structure":
        children = {child.tag.rsplit("}", 1)[-1]: child for child in node}
        out = {}
        for member, member_shape in shape.members.items():
            child = children.get(member_shape.serialization.get("name", member))
            if child is not None:
                out[member] = _from_xml(member_shape, child)
        return out
    if shape.type_name == "list":
        return [_from_xml(shape.member, child) for child in node]
    return _scalar(shape, node.text or "")


def decode(operation: Any, path: str, args: Mapping[str, list[str]], headers: Any, body: bytes):
    """The operation's parameters from a REST request."""
    shape = operation.input_shape
    if shape is None:
        return {}
    labels = _labels(operation, path)
    params: dict[str, Any] = {}
    located = set()
    for member, member_shape in shape.members.items():
        where = member_shape.serialization.get("location")
        name = member_shape.serialization.get("name", member)
        if where == "uri" and name in labels:
            params[member] = unquote(labels[name])
        elif where == "querystring" and name in args:
            values = args[name]
            params[member] = (
                [_scalar(member_shape.member, v) for v in values]
                if member_shape.type_name == "list"
                else _scalar(member_shape, values[0])
            )
        elif where == "header" and headers.get(name) is not None:
            params[member] = _scalar(member_shape, headers.get(name))
        if where:
            located.add(member)
    payload = shape.serialization.get("payload")
    protocol = operation.service_model.metadata.get("protocol")
    if payload is not None:
        payload_shape = shape.members[payload]
        if not body:
            return params
        if payload_shape.type_name in ("string", "blob"):
            text = body.decode("utf-8", "replace")
            params[payload] = text if payload_shape.type_name == "string" else body
        elif protocol == "rest-xml":
            params[payload] = _from_xml(payload_shape, _xml(body))
        else:
            params[payload] = from_json(payload_shape, _json(body))
    elif body.strip():
        if protocol == "rest-xml":
            params.update(
                {k: v for k, v in _from_xml(shape, _xml(body)).items() if k not in located}
            )
        else:
            raw = _json(body)
            params.update({k: v for k, v in from_json(shape, raw).items() if k not in located})
    return params


def _xml(body: bytes) -> ET.Element:
    if b"<!DOCTYPE" in body or b"<!ENTITY" in body:
        raise EndpointError("MalformedXML", "document type declarations are not accepted")
    try:
        return ET.fromstring(body)
    except ET.ParseError as exc:
        message = f"The XML you provided was not well-formed: {exc}"
        raise EndpointError("MalformedXML", message) from None


def _json(body: bytes) -> dict[str, Any]:
    try:
        value = jsontext.loads(body.decode("utf-8"))
    except (ValueError, RecursionError) as exc:
        raise EndpointError("SerializationException", str(exc)) from None
    if not isinstance(value, dict):
        raise EndpointError("SerializationException", "the body is not a JSON object")
    return value


def response(
    operation: Any, result: Mapping[str, Any] | None
) -> tuple[int, dict[str, str], bytes, str]:
    """(status, headers, body, content type) for a successful call."""
    status = int(operation.http.get("responseCode", 200))
    shape = operation.output_shape
    result = dict(result or {})
    headers: dict[str, str] = {}
    protocol = operation.service_model.metadata.get("protocol")
    kind = "application/xml" if protocol == "rest-xml" else "application/json"
    if shape is None:
        return status, headers, b"", kind
    body_members: dict[str, Any] = {}
    for member, value in result.items():
        member_shape = shape.members.get(member)
        if member_shape is None or value is None:
            continue
        where = member_shape.serialization.get("location")
        if where == "header":
            headers[member_shape.serialization.get("name", member)] = query._scalar(
                member_shape, value
            )
        elif where == "statusCode":
            status = int(value)
        elif where is None:
            body_members[member] = value
    payload = shape.serialization.get("payload")
    if payload is not None:
        value = body_members.get(payload)
        payload_shape = shape.members[payload]
        if value is None:
            return status, headers, b"", kind
        if payload_shape.type_name == "blob":
            return status, headers, value if isinstance(value, bytes) else str(value).encode(), kind
        if payload_shape.type_name == "string":
            text = json.dumps(value) if isinstance(value, (dict, list)) else str(value)
            return status, headers, text.encode("utf-8"), kind
        body_members = value
        shape = payload_shape
    if protocol == "rest-xml":
        root = shape.serialization.get("name", f"{operation.name}Output")
        out = [f'<?xml version="1.0" encoding="UTF-8"?>\n<{root}>']
        query.members(shape, body_members, out)
        out.append(f"</{root}>")
        return status, headers, "".join(out).encode("utf-8"), kind
    encoded = json.dumps(for_json(shape, body_members), ensure_ascii=False).encode("utf-8")
    return status, headers, encoded, kind


def error(
    protocol: str, code: str, message: str, request_id: str
) -> tuple[dict[str, str], bytes, str]:
    if protocol == "rest-xml":
        body = (
            f'<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>{escape(code)}</Code>'
            f"<Message>{escape(message)}</Message><RequestId>{request_id}</RequestId></Error>"
        )
        return {}, body.encode("utf-8"), "application/xml"
    payload = json.dumps({"__type": code, "message": message}).encode("utf-8")
    return {"x-amzn-ErrorType": code}, payload, "application/json"


def query_args(raw: str) -> dict[str, list[str]]:
    return parse_qs(raw, keep_blank_values=True)
