"""Paging as the AWS CLI pages: every page of a paginated operation is fetched (``--page-size``
items per call, following the API's own token), the result keys are joined, and ``--max-items``
/ ``--starting-token`` cut the joined list, with a ``NextToken`` to resume when items remain.

Which operations page, and by which keys, is botocore's ``paginators-1.json``. Our NextToken is
opaque, as the CLI's is: base64 of ``{"Offset": n}`` (the position in the joined list).
"""

from __future__ import annotations

import base64
import binascii
import json
from collections.abc import Callable
from typing import Any

from iamdesk.cli.awsargs import UsageError

MAX_PAGES = 100_000  # a service that kept returning tokens would otherwise loop forever


def _as_list(value: Any) -> list[str]:
    if value is None:
        return []
    return [value] if isinstance(value, str) else list(value)


def encode_token(offset: int) -> str:
    return base64.b64encode(json.dumps({"Offset": offset}).encode()).decode("ascii")


def decode_token(token: str) -> int:
    try:
        data = json.loads(base64.b64decode(token, validate=True))
        offset = data["Offset"]
    except (binascii.Error, ValueError, TypeError, KeyError):
        raise UsageError(f"Bad starting token: {token}") from None
    if not isinstance(offset, int) or offset < 0:
        raise UsageError(f"Bad starting token: {token}")
    return offset


def paginate(
    call: Callable[[dict[str, Any]], Any],
    params: dict[str, Any],
    config: dict[str, Any],
    paging: dict[str, Any],
) -> dict[str, Any]:
    """The joined result of every page, cut by ``--starting-token``/``--max-items``."""
    input_tokens = _as_list(config["input_token"])
    output_tokens = _as_list(config["output_token"])
    result_keys = _as_list(config["result_key"])
    more_key = config.get("more_results")
    limit_key = config.get("limit_key")
    offset = decode_token(paging["--starting-token"]) if "--starting-token" in paging else 0
    max_items = paging.get("--max-items")

    pages: list[dict[str, Any]] = []
    request = dict(params)
    if limit_key and "--page-size" in paging:
        request[limit_key] = paging["--page-size"]
    seen: set[str] = set()
    for _ in range(MAX_PAGES):
        page = call(dict(request)) or {}
        pages.append(page)
        nexts = [_lookup(page, key) for key in output_tokens]
        more = bool(_lookup(page, more_key)) if more_key else any(v is not None for v in nexts)
        if not more or nexts[0] is None or repr(nexts) in seen:
            break
        seen.add(repr(nexts))
        for name, value in zip(input_tokens, nexts, strict=False):
            if value is not None:
                request[name] = value

    result: dict[str, Any] = {}
    truncated = False
    for key in result_keys:
        items: list[Any] = []
        present = False
        for page in pages:
            value = _lookup(page, key)
            if value is not None:
                present = True
                items.extend(value if isinstance(value, list) else [value])
        if not present:
            continue
        end = len(items) if max_items is None else offset + max(max_items, 0)
        truncated = truncated or end < len(items)
        _store(result, key, items[offset:end])
    skip = {k.split(".")[0] for k in result_keys + output_tokens} | {more_key}
    for key, value in (pages[0] if pages else {}).items():
        if key not in skip and key not in result:
            result[key] = value
    if truncated and max_items is not None:
        result["NextToken"] = encode_token(offset + max_items)
    return result


def _lookup(page: Any, path: str | None) -> Any:
    if not path or not isinstance(page, dict):
        return None
    value: Any = page
    for part in path.split("."):
        if not isinstance(value, dict):
            return None
        value = value.get(part)
    return value


def _store(result: dict[str, Any], path: str, value: Any) -> None:
    parts = path.split(".")
    target = result
    for part in parts[:-1]:
        target = target.setdefault(part, {})
    target[parts[-1]] = value
