"""``--output table``: the AWS CLI's boxed tables.

Layout rules, as the AWS CLI draws them: the operation's name is the first section's title;
a dictionary's scalar keys (sorted) are one header row and one value row (a single scalar key
prints as a ``key | value`` row); each nested list or dictionary is a section of its own,
indented one level (``|`` on both sides per level) and titled by its key. The dictionaries of a
list share one header of every scalar key; when they have nested values, each element starts a
new section. Every section is as wide as the widest; columns widen in proportion to their
content (4 characters of padding each); titles and headers are centred, cells left-aligned
after two spaces. A table wider than the terminal (80 columns when not a terminal) turns each
one-row section on its side (``header | value`` rows). East Asian wide characters count two.
"""

from __future__ import annotations

import os
import sys
import unicodedata
from dataclasses import dataclass, field
from typing import Any, TextIO

_BRIGHT_BLUE = ("\x1b[1m\x1b[34m", "\x1b[0m")
_DIM_YELLOW = ("\x1b[2m\x1b[33m", "\x1b[0m")


def width_of(text: str) -> int:
    return sum(2 if unicodedata.east_asian_width(ch) in "WFA" else 1 for ch in text)


@dataclass
class Section:
    title: str = ""
    indent: int = 0
    headers: list[str] = field(default_factory=list)
    rows: list[list[str]] = field(default_factory=list)
    widths: list[int] = field(default_factory=list)

    def _measure(self, cells: list[str]) -> None:
        if not self.widths:
            self.widths = [width_of(c) for c in cells]
        else:
            for i, cell in enumerate(cells[: len(self.widths)]):
                self.widths[i] = max(self.widths[i], width_of(cell))

    def set_headers(self, headers: list[str]) -> None:
        self._measure(headers)
        self.headers = list(headers)

    def add_row(self, cells: list[Any]) -> None:
        row = [str(c) for c in cells]
        self.rows.append(row)
        self._measure(row)

    def natural_width(self) -> int:
        columns = sum(w + 4 for w in self.widths) + 2 + 2 * self.indent
        return max(width_of(self.title) + 2 + 2 * self.indent, columns)

    def column_widths(self, total: int) -> list[int]:
        """Column widths summing to ``total``, each in proportion to its content."""
        natural = [w + 4 for w in self.widths]
        if not natural:
            return []
        scale = total / float(sum(natural))
        scaled = [round(scale * w) for w in natural]
        excess = sum(scaled) - total
        while excess:
            order = range(len(scaled)) if excess > 0 else reversed(range(len(scaled)))
            for i in order:
                step = 1 if excess > 0 else -1
                scaled[i] -= step
                excess -= step
                if not excess:
                    break
        return scaled


class TableBuilder:
    def __init__(self) -> None:
        self.sections: list[Section] = []

    @property
    def current(self) -> Section:
        return self.sections[-1]

    def build(self, title: str | None, value: Any, indent: int = 0) -> bool:
        if not value:
            return False
        if title is not None:
            self.sections.append(Section(title=title, indent=indent))
        if isinstance(value, list):
            if isinstance(value[0], dict):
                self._list_of_dicts(value, indent, title)
            else:
                for item in value:
                    if not isinstance(item, (list, dict)):
                        self.current.add_row([item])
                    elif all(not isinstance(v, (list, dict)) for v in item):
                        self.current.add_row(list(item))
                    else:
                        self.build(None, item)
        if isinstance(value, dict):
            self._dict(value, indent)
        return True

    def _dict(self, value: dict[str, Any], indent: int) -> None:
        scalars = sorted(k for k in value if not isinstance(value[k], (list, dict)))
        nested = sorted(k for k in value if isinstance(value[k], (list, dict)))
        if len(scalars) == 1:
            self.current.add_row([scalars[0], value[scalars[0]]])
        elif scalars:
            self.current.set_headers(scalars)
            self.current.add_row([value[k] for k in scalars])
        for key in nested:
            self.build(key, value[key], indent + 1)

    def _list_of_dicts(self, items: list[Any], indent: int, title: str | None) -> None:
        headers: set[str] = set()
        nested: set[str] = set()
        for item in items:
            for key, v in item.items():
                (nested if isinstance(v, (list, dict)) else headers).add(key)
        columns, more = sorted(headers), sorted(nested)
        self.current.set_headers(columns)
        for index, item in enumerate(items):
            if index and more:
                self.sections.append(Section(title=title or "", indent=indent))
                self.current.set_headers(columns)
            self.current.add_row([item.get(k, "") for k in columns])
            for key in more:
                if key in item:
                    self.build(key, item[key], indent + 1)


def terminal_width(out: TextIO) -> int:
    try:
        return os.get_terminal_size(out.fileno()).columns
    except (OSError, ValueError, AttributeError):
        return 80


def _center(text: str, length: int, left: str, right: str, shown: str | None = None) -> str:
    size = width_of(text)
    start = length // 2 - size // 2 - 1
    before = len(left) + start + size
    return left + " " * start + (shown or text) + " " * (length - len(right) - before) + right


def _left(text: str, length: int, left: str, right: str, shown: str | None = None) -> str:
    size = width_of(text)
    pad = 2 if length - (size + 2 + len(left) + len(right)) >= 0 else 0
    after = length - len(left) - pad - size - len(right)
    return left + " " * pad + (shown or text) + " " * after + right


def _rule(widths: list[int]) -> str:
    return "".join(
        ("+" + "-" * (w - 2) + "+") if i == 0 else ("-" * (w - 1) + "+")
        for i, w in enumerate(widths)
    )


def write_table(title: str, value: Any, out: TextIO, color: str = "auto") -> None:
    builder = TableBuilder()
    if not builder.build(title, value):
        return
    sections = builder.sections
    colored = color == "on" or (color == "auto" and getattr(out, "isatty", lambda: False)())
    width = max(s.natural_width() for s in sections)
    if width > terminal_width(out if out is not None else sys.stdout):
        sections = [_vertical(s) for s in sections]
        width = max(s.natural_width() for s in sections)
    lines = ["-" * width]
    for section in sections:
        lines.extend(_section_lines(section, width, colored))
    out.write("\n".join(lines) + "\n")


def _vertical(section: Section) -> Section:
    if len(section.rows) != 1 or not section.headers:
        return section
    turned = Section(title=section.title, indent=section.indent)
    for header, cell in zip(section.headers, section.rows[0], strict=False):
        turned.add_row([header, cell])
    return turned


def _paint(text: str, colors: tuple[str, str], on: bool) -> str:
    return f"{colors[0]}{text}{colors[1]}" if on else text


def _section_lines(section: Section, width: int, colored: bool) -> list[str]:
    inner = width - 2 * section.indent
    bar = _paint("|", _DIM_YELLOW, colored) * section.indent
    body: list[str] = []
    if section.title:
        body.append(_center(section.title, inner, "|", "|"))
        if not section.headers and not section.rows:
            body.append("+" + "-" * (inner - 2) + "+")
    if section.headers:
        widths = section.column_widths(inner)
        body.append(_rule(widths))
        body.append(
            "".join(
                _center(h, w, "|" if i == 0 else "", "|")
                for i, (w, h) in enumerate(zip(widths, section.headers, strict=False))
            )
        )
    if section.rows:
        widths = section.column_widths(inner)
        if widths:
            body.append(_rule(widths))
            for row in section.rows:
                body.append(
                    "".join(
                        _left(c, w, "|" if i == 0 else "", "|", _paint(c, _BRIGHT_BLUE, colored))
                        for i, (w, c) in enumerate(zip(widths, row, strict=False))
                    )
                )
            body.append(_rule(widths))
    return [bar + line + bar for line in body]
