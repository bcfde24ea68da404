"""Which services a policy allows, and which an unconditional Deny takes away whole.

Read from the statements' ``Action`` and ``NotAction`` patterns against the catalog's service
prefixes (``*`` is every service); a document that does not parse grants nothing. Access
Advisor lists the services an entity's policies allow; the organizations access report reads an
SCP's deny list the same way.
"""

from __future__ import annotations

import fnmatch
import logging

from iamdesk.core import catalog
from iamdesk.core.policy.document import PolicyParseError, Statement
from iamdesk.core.policy.parser import parse_policy

log = logging.getLogger(__name__)


def _statements(text: str) -> tuple[Statement, ...]:
    try:
        return parse_policy(text).statements
    except PolicyParseError:
        return ()


def denied_services(text: str) -> set[str]:
    """Services an unconditional Deny of ``service:*`` (or ``*``) on every resource takes away
    whole (what an SCP's deny list does)."""
    every = catalog.services()
    found: set[str] = set()
    for st in _statements(text):
        if st.effect != "Deny" or st.conditions or not st.action:
            continue
        if st.resource is not None and all(v.text != "*" for v in st.resource):
            continue
        for value in st.action:
            if value.text == "*":
                found.update(every)
            elif value.text.endswith(":*"):
                prefix = value.text.partition(":")[0].lower()
                found.update(s for s in every if s.lower() == prefix)
    return found


def allowed_services(text: str) -> set[str]:
    every = catalog.services()
    found: set[str] = set()
    for st in _statements(text):
        if st.effect != "Allow":
            continue
        if st.action:
            for value in st.action:
                service = value.text.partition(":")[0].lower() if value.text != "*" else "*"
                found.update(s for s in every if fnmatch.fnmatchcase(s.lower(), service))
        elif st.not_action:
            excluded = {
                v.text.partition(":")[0].lower() for v in st.not_action if v.text.endswith(":*")
            }
            found.update(s for s in every if s.lower() not in excluded)
    return found
