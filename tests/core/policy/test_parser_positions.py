"""Property: every span the parser reports cuts exactly its element out of the source text."""

from __future__ import annotations

import json
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from iamdesk.core.policy.document import Span
from iamdesk.core.policy.parser import parse_policy

texts = st.text(alphabet=st.characters(codec="utf-8", exclude_categories=("Cs",)), max_size=12)
values = st.one_of(texts, st.integers(-1000, 1000), st.booleans())
statements = st.fixed_dictionaries(
    {
        "Effect": st.sampled_from(["Allow", "Deny"]),
        "Action": st.one_of(texts, st.lists(texts, min_size=1, max_size=3)),
    },
    optional={
        "Sid": texts,
        "Resource": st.one_of(texts, st.lists(texts, min_size=1, max_size=3)),
        "Principal": st.one_of(
            st.just("*"),
            st.dictionaries(
                st.sampled_from(["AWS", "Service"]),
                st.lists(texts, min_size=1, max_size=2),
                min_size=1,
            ),
        ),
        "Condition": st.dictionaries(
            st.sampled_from(["StringEquals", "Bool", "NumericLessThan"]),
            st.dictionaries(texts, st.one_of(values, st.lists(values, max_size=3)), max_size=2),
            max_size=2,
        ),
    },
)
policies = st.fixed_dictionaries(
    {"Statement": st.one_of(statements, st.lists(statements, min_size=1, max_size=3))},
    optional={"Version": st.sampled_from(["2012-10-17", "2008-10-17"]), "Id": texts},
)


def _cut(text: str, span: Span) -> str:
    lines = text.split("\n")
    offsets = [0]
    for line in lines:
        offsets.append(offsets[-1] + len(line) + 1)
    start = offsets[span.start.line - 1] + span.start.column - 1
    end = offsets[span.end.line - 1] + span.end.column - 1
    return text[start:end]


@settings(max_examples=150, deadline=None)
@given(policies, st.sampled_from([None, 0, 2]))
def test_spans_cut_their_elements(policy: dict[str, Any], indent: int | None) -> None:
    source: Any = policy if indent is None else json.dumps(policy, indent=indent or None)
    doc = parse_policy(source)
    raw = policy["Statement"]
    originals = raw if isinstance(raw, list) else [raw]
    assert len(doc.statements) == len(originals)
    for statement, original in zip(doc.statements, originals, strict=True):
        assert json.loads(_cut(doc.text, statement.span)) == original
        for key, span in statement.element_spans.items():
            assert json.loads(_cut(doc.text, span)) == original[key]
        for value in (*(statement.action or ()), *(statement.resource or ())):
            assert json.loads(_cut(doc.text, value.span)) == value.text
        for cond in statement.conditions:
            for value in cond.values:
                assert str(json.loads(_cut(doc.text, value.span))).lower() == value.text.lower()
