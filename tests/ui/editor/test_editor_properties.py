"""Properties of the editor's text helpers over arbitrary, half-typed text."""

from __future__ import annotations

import json

from hypothesis import given, settings
from hypothesis import strategies as st

from iamdesk.ui.editor.completion import complete
from iamdesk.ui.editor.json_text import find_partner, string_mask
from iamdesk.ui.editor.versions import line_differences

POLICY = json.dumps(
    {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Effect": "Allow",
                "Action": ["s3:GetObject", "ec2:Describe*"],
                "Resource": "arn:aws:s3:::b/*",
                "Condition": {"Bool": {"aws:SecureTransport": "true"}},
            }
        ],
    },
    indent=4,
)


@settings(max_examples=80, deadline=None)
@given(st.integers(min_value=0, max_value=len(POLICY)))
def test_completion_at_any_cursor_position_never_raises(cut):
    result = complete(POLICY[:cut], POLICY)
    if result is not None:
        context, found = result
        assert all(c.lower().startswith(context.prefix.lower()) for c in found)


@settings(max_examples=80, deadline=None)
@given(st.text(alphabet='{}[]":,ab\\ \n', max_size=60))
def test_completion_and_brackets_survive_garbage(text):
    complete(text, text)
    mask = string_mask(text)
    for index, char in enumerate(text):
        if char in "{}[]":
            partner = find_partner(text, index)
            if partner is not None:
                # Pairs are symmetric and never inside strings.
                assert find_partner(text, partner) == index
                assert not mask[index] and not mask[partner]


@settings(max_examples=60, deadline=None)
@given(st.lists(st.sampled_from(["a", "b", "c", "{", "}"]), max_size=12), st.data())
def test_line_differences_rebuild_the_right_side(left_lines, data):
    right_lines = data.draw(st.lists(st.sampled_from(["a", "b", "d", "}"]), max_size=12))
    only_left, only_right = line_differences("\n".join(left_lines), "\n".join(right_lines))
    kept_left = [line for n, line in enumerate(left_lines, 1) if n not in only_left]
    kept_right = [line for n, line in enumerate(right_lines, 1) if n not in only_right]
    assert kept_left == kept_right  # what is not marked is exactly what the two share
