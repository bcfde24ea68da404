"""The endpoint's wire codecs against botocore's own: whatever botocore's serializer sends, we
decode to the same parameters; whatever we answer, botocore's parser reads back unchanged."""

from __future__ import annotations

import datetime
import json
from typing import Any

from botocore.handlers import json_decode_policies
from botocore.parsers import create_parser
from botocore.serialize import create_serializer
from hypothesis import given, settings
from hypothesis import strategies as st

from iamdesk.cli.endpoint import query, rest
from iamdesk.cli.endpoint.shapes import for_json, from_json
from iamdesk.cli.frontend import model

TEXT = st.text(st.characters(codec="utf-8", exclude_categories=("Cs", "Cc")), max_size=12)
MOMENTS = st.datetimes(
    min_value=datetime.datetime(2000, 1, 1), max_value=datetime.datetime(2100, 1, 1)
).map(lambda d: d.replace(microsecond=0, tzinfo=datetime.UTC))


def _values(shape: Any, depth: int = 0) -> st.SearchStrategy[Any]:
    kind = shape.type_name
    if kind == "structure":
        members = {
            name: _values(member, depth + 1)
            for name, member in shape.members.items()
            if depth < 3 or member.type_name not in ("structure", "list", "map")
        }
        found = st.fixed_dictionaries({}, optional=members)
        # An empty structure inside a request is nothing on the wire, for AWS too.
        return found if depth == 0 else found.filter(bool)
    if kind == "list":
        return st.lists(_values(shape.member, depth + 1), max_size=3)
    if kind == "map":
        return st.dictionaries(TEXT.filter(bool), _values(shape.value, depth + 1), max_size=3)
    if kind in ("integer", "long"):
        return st.integers(min_value=0, max_value=10**6)
    if kind == "boolean":
        return st.booleans()
    if kind == "timestamp":
        return MOMENTS
    if kind in ("float", "double"):
        return st.integers(0, 1000).map(float)
    if kind == "blob":
        return st.binary(max_size=16)
    if shape.enum:
        return st.sampled_from(shape.enum)
    if shape.name == "policyDocumentType":
        return st.dictionaries(TEXT, TEXT, max_size=3).map(json.dumps)
    return TEXT


def _operation(service: str, names: list[str]) -> st.SearchStrategy[Any]:
    service_model = model.service_model(service)
    return st.sampled_from(names).map(service_model.operation_model)


QUERY_OPS = [
    ("iam", "CreateUser"),
    ("iam", "ListUsers"),
    ("iam", "GetRole"),
    ("iam", "TagRole"),
    ("iam", "SimulatePrincipalPolicy"),
    ("iam", "GetAccountAuthorizationDetails"),
    ("iam", "ListPolicies"),
    ("iam", "GetAccountSummary"),
    ("sts", "AssumeRole"),
    ("sns", "SetTopicAttributes"),
    ("sns", "GetTopicAttributes"),
]


@st.composite
def _query_case(draw: st.DrawFn, want: str) -> tuple[Any, dict[str, Any]]:
    service, name = draw(st.sampled_from(QUERY_OPS))
    operation = model.service_model(service).operation_model(name)
    shape = operation.input_shape if want == "input" else operation.output_shape
    return operation, draw(_values(shape)) if shape is not None else {}


def _plain(value: Any) -> Any:
    """Lists and maps compare as plain Python values (botocore's parser uses OrderedDicts)."""
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items() if k != "ResponseMetadata"}
    if isinstance(value, list):
        return [_plain(v) for v in value]
    return value


@settings(max_examples=150)
@given(_query_case("input"))
def test_query_requests_decode_to_what_botocore_sent(case) -> None:
    operation, params = case
    request = create_serializer("query", include_validation=False).serialize_to_request(
        params, operation
    )
    form = {k: str(v) for k, v in request["body"].items() if k not in ("Action", "Version")}
    assert _plain(query.decode(operation.input_shape, form)) == _plain(params)


@settings(max_examples=150)
@given(_query_case("output"))
def test_query_answers_parse_back_in_botocore(case) -> None:
    operation, result = case
    body = query.response(operation, result, "req-1")
    parsed = create_parser("query").parse(
        {"body": body, "headers": {}, "status_code": 200}, operation.output_shape
    )
    json_decode_policies(parsed, operation)  # what every SDK call does after parsing
    assert _plain(parsed) == _plain(_decoded(result, operation.output_shape))


def _decoded(value: Any, shape: Any) -> Any:
    """The result with its policy documents as the SDK hands them over: parsed JSON."""
    if shape is None:
        return value
    if shape.type_name == "structure":
        return {k: _decoded(v, shape.members[k]) for k, v in value.items()}
    if shape.type_name == "list":
        return [_decoded(v, shape.member) for v in value]
    if shape.type_name == "map":
        return {k: _decoded(v, shape.value) for k, v in value.items()}
    if shape.name == "policyDocumentType":
        return json.loads(value)
    return value


JSON_OPS = [("kms", "CreateKey"), ("kms", "ListKeys"), ("organizations", "DescribeAccount")]


@settings(max_examples=100)
@given(st.sampled_from(JSON_OPS), st.data())
def test_json_answers_parse_back_in_botocore(op, data) -> None:
    service, name = op
    operation = model.service_model(service).operation_model(name)
    result = data.draw(_values(operation.output_shape))
    body = json.dumps(for_json(operation.output_shape, result)).encode()
    parsed = create_parser("json").parse(
        {"body": body, "headers": {}, "status_code": 200}, operation.output_shape
    )
    assert _plain(parsed) == _plain(result)
    assert _plain(from_json(operation.input_shape, for_json(operation.input_shape, {}))) == {}


def test_rest_routes_pick_the_most_specific_operation() -> None:
    assert rest.operation_for("s3", "GET", "/bucket", {"policy": [""]}).name == "GetBucketPolicy"
    assert rest.operation_for("s3", "PUT", "/bucket", {}).name == "CreateBucket"
    assert rest.operation_for("s3", "GET", "/", {}).name == "ListBuckets"
    route = rest.operation_for("lambda", "DELETE", "/2015-03-31/functions/f/policy/sid", {})
    assert route.name == "RemovePermission"
