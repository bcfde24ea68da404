"""Checking an output against botocore's output shape of the operation, key by key."""

from __future__ import annotations

import json
from typing import Any

from iamdesk.cli.frontend import model


def check(service: str, operation: str, output: Any) -> None:
    """Every key is a member of the shape, every required member is there, types agree."""
    op = model.service_model(service).operation_model(operation)
    if op.output_shape is None:
        assert output in ({}, None, ""), output
        return
    _check(op.output_shape, output, operation)


def _check(shape: Any, value: Any, where: str) -> None:
    kind = shape.type_name
    if kind == "structure":
        assert isinstance(value, dict), f"{where}: {value!r} is not a structure"
        unknown = set(value) - set(shape.members)
        assert not unknown, f"{where}: keys {sorted(unknown)} are not in {shape.name}"
        missing = set(shape.required_members) - set(value)
        assert not missing, f"{where}: required {sorted(missing)} missing"
        for key, item in value.items():
            _check(shape.members[key], item, f"{where}.{key}")
    elif kind == "list":
        assert isinstance(value, list), f"{where}: not a list"
        for index, item in enumerate(value):
            _check(shape.member, item, f"{where}[{index}]")
    elif kind == "map":
        assert isinstance(value, dict), f"{where}: not a map"
        for key, item in value.items():
            _check(shape.value, item, f"{where}.{key}")
    elif shape.name == "policyDocumentType" and isinstance(value, dict):
        pass  # the AWS CLI prints a policy document decoded, as a JSON object
    elif kind in ("string", "timestamp"):
        assert isinstance(value, str), f"{where}: {value!r} is not text"
        if getattr(shape, "enum", None):
            assert value in shape.enum, f"{where}: {value!r} not in {shape.enum}"
    elif kind in ("integer", "long"):
        assert isinstance(value, int) and not isinstance(value, bool), f"{where}: {value!r}"
    elif kind == "boolean":
        assert isinstance(value, bool), f"{where}: {value!r}"


def ok(iam, operation: str, *args: str) -> dict:
    code, out, err = iam(*args)
    assert code == 0, err
    result = json.loads(out) if out else {}
    check("iam", operation, result)
    return result


def fails(iam, code_name: str, *args: str) -> str:
    code, out, err = iam(*args)
    assert code == 254 and out == "", (code, out, err)
    assert f"An error occurred ({code_name})" in err, err
    return err
