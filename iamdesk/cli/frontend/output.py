"""Printing a result as the AWS CLI does: ``--query`` (JMESPath) first, then ``--output``.

json: 4-space indentation, characters as they are (``Café``, not ``Caf\\u00e9``), nothing for an
empty result; text and table: see ``text`` and ``table``; yaml: block style, keys in the order
the API gives them; yaml-stream: the same result as a one-item YAML list (one item per page in
the AWS CLI v2, and iamdesk joins pages before printing).
"""

from __future__ import annotations

import base64
import datetime
import json
from typing import Any, TextIO

from iamdesk.cli.awsargs import UsageError


def _plain(value: Any) -> Any:
    if isinstance(value, bytes):
        return base64.b64encode(value).decode("ascii")
    if isinstance(value, (datetime.datetime, datetime.date)):
        return value.isoformat()
    raise TypeError(f"cannot print {type(value).__name__}")


def compile_query(expression: str | None) -> Any:
    """The compiled ``--query``, checked before the command runs (a bad query changes nothing)."""
    if expression is None:
        return None
    import jmespath
    from jmespath.exceptions import JMESPathError

    try:
        return jmespath.compile(expression)
    except JMESPathError as exc:
        message = str(exc).replace("\n", " ")
        raise UsageError(
            f"iamdesk: error: argument --query: Bad value for --query: {message}"
        ) from None


def _normalized(value: Any) -> Any:
    """bytes and dates as the JSON output shows them, so every format prints the same values."""
    return json.loads(json.dumps(value, default=_plain))


def write_output(
    result: Any,
    out: TextIO,
    *,
    output: str,
    query: Any = None,
    title: str = "",
    color: str = "auto",
    paginated: bool = False,
) -> None:
    data = _normalized({} if result is None else result)
    next_token = None
    if output == "text" and isinstance(data, dict) and "NextToken" in data and paginated:
        # The CLI prints the pages, then the token to resume with as a section of its own,
        # through the same --query (so ``--query Users[].UserName`` ends with ``None``).
        next_token = {"NextToken": {"NextToken": data.pop("NextToken")}}
    if query is not None:
        data = query.search(data)
    if output == "json":
        if data != {}:
            out.write(json.dumps(data, indent=4, ensure_ascii=False) + "\n")
    elif output == "text":
        from iamdesk.cli.frontend.text import write_text

        write_text(data, out)
        if next_token is not None:
            write_text(next_token if query is None else query.search(next_token), out)
    elif output == "table":
        from iamdesk.cli.frontend.table import write_table

        write_table(title, data, out, color)
    else:
        import yaml

        if output == "yaml-stream":
            data = [data]
        elif data == {}:
            return
        out.write(
            yaml.safe_dump(data, default_flow_style=False, sort_keys=False, allow_unicode=True)
        )
