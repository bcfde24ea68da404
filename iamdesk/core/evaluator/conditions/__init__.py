"""Condition operators, one module per family, and the dispatcher that applies IfExists,
ForAllValues and ForAnyValue on top of them."""

from iamdesk.core.evaluator.conditions.dispatch import (
    CompiledCondition,
    ConditionOutcome,
    compile_condition,
    known_operator,
)

__all__ = ["CompiledCondition", "ConditionOutcome", "compile_condition", "known_operator"]
