"""Account-wide questions answered offline: who can, what can, external access, unused access,
privilege escalation, best practices. Pure Python: reads the model through services and decides
through the evaluator."""
