"""Positions in JSON text: Qt's UTF-16 offsets vs Python's code points, and bracket pairs that
ignore brackets inside strings."""

from __future__ import annotations

_OPEN = {"{": "}", "[": "]"}
_CLOSE = {"}": "{", "]": "["}


def code_points(text: str, units: int) -> int:
    """Index into ``text`` of the UTF-16 offset ``units`` (Qt's positions count UTF-16 units,
    Python's strings count code points; they differ after a character beyond the basic plane)."""
    if text.isascii():
        return max(0, min(units, len(text)))
    count = 0
    for index, char in enumerate(text):
        if count >= units:
            return index
        count += 2 if ord(char) > 0xFFFF else 1
    return len(text)


def utf16_units(text: str, index: int) -> int:
    """The UTF-16 offset of ``text[index]`` (the inverse of ``code_points``)."""
    prefix = text[:index]
    return len(prefix) if prefix.isascii() else len(prefix.encode("utf-16-le")) // 2


def find_partner(text: str, index: int) -> int | None:
    """Index of the bracket matching ``text[index]``, skipping brackets inside strings."""
    in_string = string_mask(text)
    if in_string[index]:
        return None
    char = text[index]
    if char in _OPEN:
        step, same, other = 1, char, _OPEN[char]
    else:
        step, same, other = -1, char, _CLOSE[char]
    depth = 0
    i = index
    while 0 <= i < len(text):
        c = text[i]
        if not in_string[i]:
            if c == same:
                depth += 1
            elif c == other:
                depth -= 1
                if depth == 0:
                    return i
        i += step
    return None


def string_mask(text: str) -> list[bool]:
    """For each character, whether it lies inside a JSON string (quotes included)."""
    mask = [False] * len(text)
    inside = False
    escaped = False
    for i, c in enumerate(text):
        if inside:
            mask[i] = True
            if escaped:
                escaped = False
            elif c == "\\":
                escaped = True
            elif c == '"' or c == "\n":
                inside = False
        elif c == '"':
            inside = True
            mask[i] = True
    return mask
