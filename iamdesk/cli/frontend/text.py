"""``--output text``: the AWS CLI's tab-separated lines.

The rules (from the AWS CLI's documentation and observed output): a dictionary prints its
scalar values on one line, in key order, after the upper-cased name of the key that held it;
then each of its lists and dictionaries, in key order, under its own key. The dictionaries of one
list share one set of columns (every scalar key any of them has, sorted; blank where missing).
A list of scalars prints one ``NAME<TAB>value`` line per item under a key, or one tab-separated
line at the top. Values print as Python prints them (``True``, ``None``).
"""

from __future__ import annotations

from typing import Any, TextIO


def _is_scalar(value: Any) -> bool:
    return not isinstance(value, (dict, list))


def write_text(value: Any, out: TextIO) -> None:
    _write(value, out, None, None)


def _write(value: Any, out: TextIO, name: str | None, columns: list[str] | None) -> None:
    if isinstance(value, dict):
        _write_dict(value, out, name, columns)
    elif isinstance(value, list):
        _write_list(value, out, name)
    else:
        out.write(f"{value}\n")


def _write_dict(
    value: dict[str, Any], out: TextIO, name: str | None, columns: list[str] | None
) -> None:
    if columns is None:
        cells = [str(value[k]) for k in sorted(value) if _is_scalar(value[k])]
        nested = [k for k in sorted(value) if not _is_scalar(value[k])]
    else:
        cells = [str(value.get(k, "")) for k in columns]
        nested = sorted(set(value) - set(columns))
    if cells:
        out.write("\t".join(([name.upper()] if name is not None else []) + cells) + "\n")
    for key in nested:
        _write(value[key], out, key, None)


def _write_list(items: list[Any], out: TextIO, name: str | None) -> None:
    if not items:
        return
    if any(isinstance(item, dict) for item in items):
        dicts = [item for item in items if isinstance(item, dict)]
        columns = sorted({k for item in dicts for k, v in item.items() if _is_scalar(v)})
        for item in items:
            _write(item, out, name, columns)
        return
    scalars = [item for item in items if _is_scalar(item)]
    if scalars:
        if name is None:
            out.write("\t".join(str(item) for item in scalars) + "\n")
        else:
            out.writelines(f"{name.upper()}\t{item}\n" for item in scalars)
    for item in items:
        if not _is_scalar(item):
            _write(item, out, name, None)
