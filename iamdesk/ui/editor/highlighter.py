"""JSON syntax colouring for policy text, with IAM's element names and effects picked out.

JSON strings never span lines, so each block is tokenised on its own and no state is carried
between blocks; that keeps re-highlighting after a keystroke to the one edited line.
"""

from __future__ import annotations

import logging
import re

from PySide6.QtGui import QColor, QFont, QSyntaxHighlighter, QTextCharFormat, QTextDocument

from iamdesk.ui import theme

log = logging.getLogger(__name__)

# A string (possibly unterminated while the user types), a number, a literal, or punctuation.
_TOKEN = re.compile(
    r'(?P<string>"(?:[^"\\]|\\.)*"?)'
    r"|(?P<number>-?\d+(?:\.\d+)?(?:[eE][+-]?\d+)?)"
    r"|(?P<literal>\b(?:true|false|null)\b)"
    r"|(?P<punct>[{}\[\]:,])"
)
_KEY_FOLLOWS = re.compile(r"\s*:")

# The policy grammar's element names: shown bold so the statement structure stands out.
ELEMENT_NAMES = frozenset(
    {
        "Version",
        "Id",
        "Statement",
        "Sid",
        "Effect",
        "Principal",
        "NotPrincipal",
        "Action",
        "NotAction",
        "Resource",
        "NotResource",
        "Condition",
    }
)


def _format(color: str, *, bold: bool = False, italic: bool = False) -> QTextCharFormat:
    fmt = QTextCharFormat()
    fmt.setForeground(QColor(color))
    if bold:
        fmt.setFontWeight(QFont.Weight.Bold)
    if italic:
        fmt.setFontItalic(True)
    return fmt


class JsonHighlighter(QSyntaxHighlighter):
    """Colours keys, strings, numbers and literals; "Allow" green and "Deny" red."""

    def __init__(self, document: QTextDocument) -> None:
        super().__init__(document)
        self.formats = self._formats()

    @staticmethod
    def _formats() -> dict[str, QTextCharFormat]:
        c = theme.color_name
        return {
            "key": _format(c("key")),
            "element": _format(c("key"), bold=True),
            "string": _format(c("string")),
            "allow": _format(c("allow_fg"), bold=True),
            "deny": _format(c("deny_fg"), bold=True),
            "variable": _format(c("variable"), italic=True),
            "number": _format(c("number")),
            "literal": _format(c("variable"), bold=True),
            "punct": _format(c("punct")),
        }

    def refresh_colors(self) -> None:
        """Re-read the palette's scheme (after a palette change) and re-colour the text."""
        formats = self._formats()
        if {k: f.foreground().color().name() for k, f in formats.items()} != {
            k: f.foreground().color().name() for k, f in self.formats.items()
        }:
            self.formats = formats
            self.rehighlight()

    def highlightBlock(self, text: str) -> None:
        # Qt positions count UTF-16 units; Python's count code points. They differ only after a
        # character beyond the basic plane (an emoji in a Sid), so map only then.
        self._units: list[int] | None = None
        if any(ord(ch) > 0xFFFF for ch in text):
            units = [0]
            for ch in text:
                units.append(units[-1] + (2 if ord(ch) > 0xFFFF else 1))
            self._units = units
        for match in _TOKEN.finditer(text):
            kind = match.lastgroup or "punct"
            start, end = match.span()
            if kind == "string":
                self._string(text, match.group(), start, end)
            else:
                self._set(start, end - start, self.formats[kind])

    def _set(self, start: int, length: int, fmt: QTextCharFormat) -> None:
        if self._units is not None:
            start, length = self._units[start], self._units[start + length] - self._units[start]
        self.setFormat(start, length, fmt)

    def _string(self, text: str, token: str, start: int, end: int) -> None:
        if _KEY_FOLLOWS.match(text, end):
            name = token.strip('"')
            fmt = self.formats["element" if name in ELEMENT_NAMES else "key"]
            self._set(start, end - start, fmt)
            return
        value = token.strip('"')
        if value == "Allow":
            self._set(start, end - start, self.formats["allow"])
        elif value == "Deny":
            self._set(start, end - start, self.formats["deny"])
        else:
            self._set(start, end - start, self.formats["string"])
            # Policy variables are resolved at request time; mark them so they read as such.
            for var in re.finditer(r"\$\{[^}]*\}", token):
                self._set(start + var.start(), len(var.group()), self.formats["variable"])
