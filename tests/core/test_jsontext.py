"""Bounded JSON reading: any nesting, size or Unicode mishap is a JSONDecodeError, never a
RecursionError or a later UnicodeEncodeError (issue 8, items 4 and 5)."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from iamdesk.core import jsontext
from iamdesk.core.policy.document import PolicyParseError
from iamdesk.core.policy.parser import parse_policy
from iamdesk.core.policy.validation import validate_policy


def _depth(value: object) -> int:
    if isinstance(value, dict):
        return 1 + max((_depth(v) for v in value.values()), default=0)
    if isinstance(value, list):
        return 1 + max((_depth(v) for v in value), default=0)
    return 0


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text('ab[]{}"\\,:', max_size=6),
    lambda inner: (
        st.lists(inner, max_size=3) | st.dictionaries(st.text("k[{", max_size=3), inner, max_size=3)
    ),
    max_leaves=40,
)


@settings(max_examples=300)
@given(value=json_values, limit=st.integers(0, 8))
def test_nesting_check_is_exact_for_json(value: object, limit: int) -> None:
    text = json.dumps(value)
    assert jsontext.nesting_exceeds(text, limit) == (_depth(value) > limit)


@settings(max_examples=300)
@given(text=st.text(st.sampled_from('[]{}"\\:,1 a'), max_size=300))
def test_any_text_is_a_value_or_a_decode_error(text: str) -> None:
    try:
        value = jsontext.loads(text, max_depth=4)
    except json.JSONDecodeError as exc:
        assert exc.lineno >= 1 and exc.colno >= 1
    else:
        assert _depth(value) <= 4


@pytest.mark.parametrize("opener", ["[", '{"a":', '[{"a":'])
def test_fifty_thousand_levels_are_refused_with_a_position(opener: str) -> None:
    with pytest.raises(json.JSONDecodeError) as caught:
        jsontext.loads(opener * 50_000)
    assert "nested deeper than the 64 levels" in caught.value.msg
    assert caught.value.lineno == 1 and caught.value.colno > 64


def test_size_bound() -> None:
    with pytest.raises(json.JSONDecodeError, match="longer than the 10 characters"):
        jsontext.loads('"' + "x" * 20 + '"', max_chars=10)


@pytest.mark.parametrize(
    "text",
    ['"\\udcff"', '["\\ud800x"]', '{"\\udc00": 1}', '"\udcff"', '"a\ud83d"'],
)
def test_half_surrogates_are_not_text(text: str) -> None:
    with pytest.raises(json.JSONDecodeError, match=r"not Unicode|surrogate"):
        jsontext.loads(text)


def test_a_surrogate_pair_and_a_bom_are_fine() -> None:
    assert jsontext.loads('["\\ud83d\\ude00"]') == ["\U0001f600"]
    assert jsontext.loads("\ufeff{}") == {} and jsontext.loads(b"\xef\xbb\xbf{}") == {}


@given(data=st.binary(max_size=40))
def test_bytes_are_utf8_or_a_decode_error_naming_the_byte(data: bytes) -> None:
    try:
        data.decode("utf-8-sig")
    except UnicodeDecodeError:
        with pytest.raises(json.JSONDecodeError, match="not UTF-8 text"):
            jsontext.loads(data)


@pytest.mark.parametrize("text", ["[" * 50_000, '{"Statement": ' + "[" * 900 + "]" * 900 + "}"])
def test_policies_too_deep_are_malformed_not_crashes(text: str) -> None:
    with pytest.raises(PolicyParseError, match="nested deeper"):
        parse_policy(text)
    findings = validate_policy(text)
    assert [f.code for f in findings] == ["JSON_SYNTAX_ERROR"]
    assert "nested deeper" in findings[0].message


@pytest.mark.parametrize("text", ['{"id": NaN}', "[Infinity]", "-Infinity", "1e400", "[-1e999]"])
def test_values_that_json_has_not_are_refused(text: str) -> None:
    with pytest.raises(json.JSONDecodeError, match=r"not a JSON value|too large"):
        jsontext.loads(text)


def _careful(text: str, max_depth: int, **options: Any) -> object:
    """The reference: every check before parsing (what ``loads`` did before its fast path)."""
    jsontext.check(text, max_depth=max_depth)
    try:
        value = json.loads(
            text, parse_constant=jsontext._not_json, parse_float=jsontext._finite, **options
        )
    except jsontext._NotJson as exc:
        raise jsontext.NotJsonValueError(str(exc), text, max(text.find(exc.token), 0)) from None
    jsontext._check_escapes(text, value)
    return value


def _outcome(read: Callable[[], object]) -> object:
    try:
        return ("value", read())
    except json.JSONDecodeError as exc:
        return (type(exc).__name__, exc.msg, exc.pos, exc.lineno, exc.colno)


valid_or_not = st.one_of(
    json_values.map(json.dumps),
    json_values.map(lambda v: json.dumps(v, ensure_ascii=False, indent=1)),
    st.text(st.sampled_from('[]{}"\\:,1 au\ud800é'), max_size=120),
    st.builds(
        lambda n, tail: "[" * n + tail + "]" * n,
        st.integers(0, 12),
        st.sampled_from(
            ['"x"', '"\\"["', '"\\ud800"', '"\\ud83d\\ude00"', "NaN", "1e999", '"é"', "[", ""]
        ),
    ),
)


@settings(max_examples=500)
@given(
    text=valid_or_not,
    limit=st.integers(0, 8),
    hook=st.sampled_from([{}, {"object_pairs_hook": dict}]),
)
def test_fast_path_agrees_with_checking_first(text: str, limit: int, hook: dict[str, Any]) -> None:
    # With a hook the depth is read from the text, without one from the value: try both.
    fast = _outcome(lambda: jsontext.loads(text, max_depth=limit, **hook))
    careful = _outcome(lambda: _careful(text, limit, **hook))
    if fast[0] == careful[0] == "value":
        assert json.dumps(fast[1]) == json.dumps(careful[1])  # NaN-free, so == is exact
    else:
        assert fast == careful
