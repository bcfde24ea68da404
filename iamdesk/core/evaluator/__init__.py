"""The policy evaluator: AWS's decision for a request, with the statements that decided it.

policy = compile_policy(parse_policy(text))
decision = evaluate(
    Request(Principal("arn:aws:iam::111122223333:user/dana", "111122223333"),
            "s3:GetObject", "arn:aws:s3:::reports/q1.csv"),
    PolicySet(identity=[PolicyRef("identity[0]", policy)]),
)
decision.decision  # "allowed" | "explicitDeny" | "implicitDeny"
"""

from iamdesk.core.evaluator.compiled import (
    CompiledPolicy,
    PolicyRef,
    PolicySet,
    compile_policy,
    resource_policy_must_allow,
)
from iamdesk.core.evaluator.conditional import ConditionalAllow, Requirement, allowed_if
from iamdesk.core.evaluator.decision import (
    ALLOWED,
    EXPLICIT_DENY,
    IMPLICIT_DENY,
    Decision,
    MatchedStatement,
    PolicyTypeDetail,
    decide,
    evaluate,
)
from iamdesk.core.evaluator.patterns import PatternAnswer, PatternStatement, evaluate_pattern
from iamdesk.core.evaluator.request import Principal, Request
from iamdesk.core.evaluator.trace import (
    ConditionTrace,
    ElementResult,
    MismatchReason,
    NearMiss,
    StatementTrace,
)

__all__ = [
    "ALLOWED",
    "EXPLICIT_DENY",
    "IMPLICIT_DENY",
    "CompiledPolicy",
    "ConditionTrace",
    "ConditionalAllow",
    "Decision",
    "ElementResult",
    "MatchedStatement",
    "MismatchReason",
    "NearMiss",
    "PatternAnswer",
    "PatternStatement",
    "PolicyRef",
    "PolicySet",
    "PolicyTypeDetail",
    "Principal",
    "Request",
    "Requirement",
    "StatementTrace",
    "allowed_if",
    "compile_policy",
    "decide",
    "evaluate",
    "evaluate_pattern",
    "resource_policy_must_allow",
]
