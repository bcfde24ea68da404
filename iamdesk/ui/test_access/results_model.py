"""The results table: one row per action × resource with the decision (colour and icon), which
policy types allowed or blocked it, the expected decision of a scenario and what changed since
the previous run."""

from __future__ import annotations

import functools
import logging
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from PySide6.QtCore import (
    QAbstractTableModel,
    QModelIndex,
    QPersistentModelIndex,
    QPointF,
    QSortFilterProxyModel,
    Qt,
)
from PySide6.QtGui import QBrush, QColor, QFont, QIcon, QPainter, QPen, QPixmap

from iamdesk.ui import theme

log = logging.getLogger(__name__)

Index = QModelIndex | QPersistentModelIndex

DECISION_WORDS = {
    "allowed": "Allowed",
    "explicitDeny": "Explicit deny",
    "implicitDeny": "Implicit deny",
}
# A resource with wildcards is answered for every resource it names: allowed for all of them,
# for some, or for none (the verdict "some" is its own word in the table).
SOME = "some"
PATTERN_WORDS = {"all": "All allowed", "some": "Some allowed", "none": "None allowed"}
DECISION_COLORS = theme.ThemedColors(
    {"allowed": "allow_fg", "explicitDeny": "deny_fg", "implicitDeny": "warn_fg", SOME: "warn_fg"}
)
CHANGED_BACKGROUND = "#fff3c4"  # light value of theme "changed_bg": a decision that differs
DECISION_BACKGROUNDS = theme.ThemedColors(
    {
        "allowed": "allowed_row_bg",
        "explicitDeny": "denied_row_bg",
        "implicitDeny": "implicit_row_bg",
        SOME: "implicit_row_bg",
    }
)
_SHORT_TYPES = {
    "identity": "identity",
    "permissions_boundary": "boundary",
    "session_policy": "session",
    "scps": "SCP",
    "rcps": "RCP",
    "resource_policy": "resource",
    "endpoint_policy": "VPC endpoint",
}
COLUMNS = ("Decision", "Action", "Resource", "Policy types", "Expected", "Change", "Scenario")
SCENARIO_COLUMN = 6  # shown only for Run all: which saved scenario a row answers


@dataclass(frozen=True, slots=True)
class InvolvedPolicy:
    """A policy that took part, with the text its spans refer to."""

    label: str  # the evaluator's label, e.g. "identity[0]"
    policy_type: str  # one of the evaluator's POLICY_TYPES
    name: str | None
    text: str
    source_type: str = ""  # AWS's SourcePolicyType: user, group, role, aws-managed, user-managed,
    # permissions-boundary, scp, rcp, resource
    owner: str | None = None  # where it is attached, when known ("user/alice")


@dataclass
class ResultRow:
    action: str
    resource: str
    decision: Any  # iamdesk.core.evaluator Decision
    policies: Sequence[InvolvedPolicy] = ()
    expected: str | None = None
    previous: str | None = None  # the decision of the run before, when it was re-run
    extra: dict[str, Any] = field(default_factory=dict)
    allowed_if: tuple[str, ...] = ()  # "allowed if ..." answers when context keys are absent
    # For a resource with wildcards: the evaluator's PatternAnswer over every resource it names.
    pattern: Any = None

    @property
    def word(self) -> str:
        """AWS's decision for the request as given (a wildcard resource taken literally)."""
        return str(self.decision.decision)

    @property
    def verdict(self) -> str:
        """What the table shows: the decision, or for a wildcard resource "allowed" (every
        match), SOME, or a deny (explicit when a Deny takes in the whole pattern)."""
        pattern = self.pattern
        if pattern is None:
            return self.word
        if pattern.answer == "all":
            return "allowed"
        if pattern.answer == "some":
            return SOME
        if any(s.extent == "all" for s in pattern.denying):
            return "explicitDeny"
        return "implicitDeny"

    @property
    def changed(self) -> bool:
        return self.previous is not None and self.previous != self.word

    @property
    def passed(self) -> bool | None:
        return None if self.expected is None else self.expected == self.word


def policy_types_text(decision: Any) -> str:
    """``"identity ✓ · boundary ✗ · SCP ✓"``: which policy types allowed (✓), had no allow
    (–) or denied (✗), for the types that applied."""
    parts = []
    for ptype, detail in decision.details.items():
        if not detail.applies and not detail.denied:
            continue
        name = _SHORT_TYPES.get(ptype, ptype)
        if detail.denied:
            parts.append(f"{name} ✗ deny")
        elif detail.allowed is True:
            parts.append(f"{name} ✓")
        elif detail.allowed is False:
            parts.append(f"{name} – no allow")
    if getattr(decision, "cross_account", False):
        parts.append("cross-account")
    return " · ".join(parts)


def pattern_types_text(pattern: Any) -> str:
    """``"identity ✓ part · SCP ✓"``: which policy types allow (all of a wildcard resource, or
    part of it) and which deny within it."""
    extents: dict[tuple[str, str], str] = {}
    for st in (*pattern.denying, *pattern.allowing):
        key = (st.policy_type, st.effect)
        if extents.get(key) != "all":
            extents[key] = st.extent
    parts = []
    for (ptype, effect), extent in extents.items():
        name = _SHORT_TYPES.get(ptype, ptype)
        mark = "✓" if effect == "Allow" else "✗ deny"
        parts.append(f"{name} {mark}" + (" part" if extent == "some" else ""))
    return " · ".join(parts) or "no statement applies"


def pattern_summary(resource: str, pattern: Any) -> str:
    """One sentence for a wildcard resource's answer."""
    amount = {
        "all": "every resource",
        "some": "some of the resources",
        "none": "none of the resources",
    }.get(pattern.answer, pattern.answer)
    return f"Allowed for {amount} matching {resource}."


def decision_icon(word: str) -> QIcon:
    """A filled circle with a check, a cross or a bar, in the current scheme's colours."""
    return _decision_icon(word, theme.is_dark())


@functools.cache
def _decision_icon(word: str, dark: bool) -> QIcon:
    # `dark` is part of the cache key: one icon per decision per scheme.
    pixmap = QPixmap(32, 32)
    pixmap.fill(QColor(0, 0, 0, 0))
    painter = QPainter(pixmap)
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    painter.setPen(Qt.PenStyle.NoPen)
    painter.setBrush(QColor(DECISION_COLORS.get(word, theme.color_name("muted_fg"))))
    painter.drawEllipse(2, 2, 28, 28)
    pen = QPen(theme.color("icon_mark"), 4)
    pen.setCapStyle(Qt.PenCapStyle.RoundCap)
    painter.setPen(pen)
    if word in ("allowed", SOME):  # SOME: a check on amber, allowed for part of a pattern
        painter.drawPolyline([QPointF(9, 17), QPointF(14, 22), QPointF(23, 11)])
    elif word == "explicitDeny":
        painter.drawLine(11, 11, 21, 21)
        painter.drawLine(21, 11, 11, 21)
    else:
        painter.drawLine(10, 16, 22, 16)
    painter.end()
    return QIcon(pixmap)


class ResultsModel(QAbstractTableModel):
    def __init__(self, parent: Any = None) -> None:
        super().__init__(parent)
        self.rows: list[ResultRow] = []

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self.rows)

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(COLUMNS)

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = 0) -> Any:
        if (
            orientation == Qt.Orientation.Horizontal
            and role == Qt.ItemDataRole.DisplayRole
            and 0 <= section < len(COLUMNS)
        ):
            return COLUMNS[section]
        return None

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or not 0 <= index.row() < len(self.rows):
            return None
        row = self.rows[index.row()]
        column = index.column()
        if role == Qt.ItemDataRole.DisplayRole:
            return self._text(row, column)
        if role == Qt.ItemDataRole.DecorationRole and column == 0:
            return decision_icon(row.verdict)
        if role == Qt.ItemDataRole.ForegroundRole:
            if column == 0:
                color = DECISION_COLORS.get(row.verdict, theme.color_name("strong_fg"))
                return QBrush(QColor(color))
            if column == 4 and row.passed is not None:
                return QBrush(theme.color("allow_fg" if row.passed else "deny_fg"))
        if role == Qt.ItemDataRole.BackgroundRole:
            if column == 0:
                return QBrush(
                    QColor(DECISION_BACKGROUNDS.get(row.verdict, theme.color_name("plain_bg")))
                )
            if row.changed:
                return QBrush(theme.color("changed_bg"))
        if role == Qt.ItemDataRole.FontRole and (column == 0 or (column == 5 and row.changed)):
            font = QFont()
            font.setBold(True)
            return font
        if role == Qt.ItemDataRole.ToolTipRole:
            if row.pattern is not None:
                return pattern_summary(row.resource, row.pattern)
            return str(row.decision.explanation)
        return None

    def _text(self, row: ResultRow, column: int) -> str:
        if column == 0:
            if row.pattern is not None:
                return PATTERN_WORDS.get(row.pattern.answer, row.pattern.answer)
            return DECISION_WORDS.get(row.word, row.word)
        if column == 1:
            return row.action
        if column == 2:
            return row.resource
        if column == 3:
            if row.pattern is not None:
                return pattern_types_text(row.pattern)
            return policy_types_text(row.decision)
        if column == 4:
            if row.expected is None:
                return ""
            verdict = "pass" if row.passed else "FAIL"
            return f"{DECISION_WORDS.get(row.expected, row.expected)} · {verdict}"
        if column == SCENARIO_COLUMN:
            return str(row.extra.get("scenario", ""))
        if row.changed:
            return f"changed (was {DECISION_WORDS.get(row.previous or '', row.previous)})"
        return "" if row.previous is None else "same"

    def set_rows(self, rows: list[ResultRow]) -> None:
        self.beginResetModel()
        self.rows = list(rows)
        self.endResetModel()

    def row(self, number: int) -> ResultRow | None:
        return self.rows[number] if 0 <= number < len(self.rows) else None


class ResultsFilter(QSortFilterProxyModel):
    """Show only some decisions, or rows whose action or resource contains a text; sorts by the
    shown text (the decision column groups allowed, explicit and implicit denies)."""

    CHOICES = {
        "All results": None,
        "Allowed": {"allowed"},
        "Denied": {"explicitDeny", "implicitDeny"},
        "Explicit deny": {"explicitDeny"},
        "Implicit deny": {"implicitDeny"},
        "Changed": None,
        "Failing scenarios": None,
    }

    def __init__(self, parent: Any = None) -> None:
        super().__init__(parent)
        self._choice = "All results"
        self._text = ""

    def set_choice(self, choice: str) -> None:
        self._refilter(choice=choice)

    def set_text(self, text: str) -> None:
        self._refilter(text=text.strip().lower())

    def _refilter(self, **change: str) -> None:
        # Qt 6.10 replaced invalidateFilter() with begin/endFilterChange(); support both.
        begin = getattr(self, "beginFilterChange", None)
        if begin is not None:
            begin()
        self._choice = change.get("choice", self._choice)
        self._text = change.get("text", self._text)
        if begin is not None:
            self.endFilterChange(QSortFilterProxyModel.Direction.Rows)
        else:
            self.invalidateFilter()

    def filterAcceptsRow(self, source_row: int, source_parent: Index) -> bool:
        model = self.sourceModel()
        if not isinstance(model, ResultsModel):
            return True
        row = model.row(source_row)
        if row is None:
            return False
        if self._text and self._text not in f"{row.action} {row.resource}".lower():
            return False
        if self._choice == "Changed":
            return row.changed
        if self._choice == "Failing scenarios":
            return row.passed is False
        words = self.CHOICES.get(self._choice)
        return words is None or row.verdict in words
