"""Policy documents decoded into typed values (msgspec), checked as the parser checks them.

A batch brings thousands of documents, and checking each statement element by element in
Python cost more than the evaluation that followed. Here the shape of every element is a
type: msgspec checks it in C while it decodes the JSON text (``decode_document``, or a whole
case line holding documents; an object decoded before is rendered by orjson first:
``convert_document``), and the few rules that join two elements run in Python
(``Statement.__post_init__``, ``document_statements``). The verdict is the parser's: a
document refused here goes to the parser, which names what is wrong
(``tests/core/policy/test_plain.py`` compares the two on generated documents, malformed ones
included).

The typed values are only read: positions and traces come from the parser, run on the
document when they are asked for (``plain.PlainPolicy``).
"""

from __future__ import annotations

from typing import Annotated, Any, Literal, get_args

import msgspec
import orjson
from msgspec import UNSET, Meta, Struct, UnsetType

from iamdesk.core.policy.parser import PRINCIPAL_TYPES, STATEMENT_KEYS, TOP_LEVEL_KEYS, VERSIONS

_NON_EMPTY = Meta(min_length=1)

# Action, Resource and their Not forms: a string or a non-empty list of strings.
Strings = str | Annotated[list[str], _NON_EMPTY]
PrincipalType = Literal["AWS", "Service", "Federated", "CanonicalUser"]
# "*" or a non-empty object of known principal types.
PrincipalBlock = Literal["*"] | Annotated[dict[PrincipalType, Strings], _NON_EMPTY]
# No float: the parser reads one as json.dumps renders it (1e2 becomes 100.0), and a
# float where an integer was written is what orjson makes of an integer beyond 64 bits.
Scalar = str | int | bool
Conditions = dict[str, dict[str, Scalar | list[Scalar]]]


class Statement(Struct, forbid_unknown_fields=True, gc=False):
    """One statement; an element the document does not hold is ``UNSET``. Never changed once
    made (``gc=False``: it holds strings, lists and dicts only, so it is in no cycle)."""

    Effect: Literal["Allow", "Deny"]
    Sid: str | UnsetType = UNSET
    Principal: PrincipalBlock | UnsetType = UNSET
    NotPrincipal: PrincipalBlock | UnsetType = UNSET
    Action: Strings | UnsetType = UNSET
    NotAction: Strings | UnsetType = UNSET
    Resource: Strings | UnsetType = UNSET
    NotResource: Strings | UnsetType = UNSET
    Condition: Conditions | UnsetType = UNSET

    def __post_init__(self) -> None:
        # msgspec turns the ValueError into the decoding's ValidationError.
        if (
            (self.Action is UNSET) == (self.NotAction is UNSET)
            or (self.Resource is not UNSET and self.NotResource is not UNSET)
            or (self.Principal is not UNSET and self.NotPrincipal is not UNSET)
        ):
            raise ValueError("exactly one of Action and NotAction, at most one of the others")


assert set(Statement.__struct_fields__) == set(STATEMENT_KEYS)
assert get_args(PrincipalType) == PRINCIPAL_TYPES

# The top level keeps its members' order (a statement's line depends on whether Version comes
# before Statement); the rules between members are ``document_statements``'.
Document = dict[
    Literal["Version", "Id", "Statement"],
    str | Statement | Annotated[list[Statement], _NON_EMPTY],
]
assert get_args(get_args(Document)[0]) == TOP_LEVEL_KEYS

_DECODER = msgspec.json.Decoder(Document)


def document_statements(document: Document) -> list[Statement] | None:
    """The statements of a typed document, or None if the parser refuses the document."""
    if "Version" in document:
        version = document["Version"]
        if type(version) is not str or version not in VERSIONS:
            return None
    if "Id" in document and type(document["Id"]) is not str:
        return None
    statements = document.get("Statement")
    if type(statements) is list:
        return statements
    if type(statements) is Statement:
        return [statements]
    return None  # missing, or a string


def decode_document(text: bytes) -> tuple[Document, list[Statement]] | None:
    """A document from its JSON text, typed, with its statements; None for anything the parser
    may refuse or read differently (msgspec refuses NaN, a lone surrogate, a trailing comma...,
    which the parser reports)."""
    try:
        document = _DECODER.decode(text)
    except (msgspec.DecodeError, RecursionError):
        return None
    statements = document_statements(document)
    return None if statements is None else (document, statements)


def convert_document(source: Any) -> tuple[Document, list[Statement]] | None:
    """``decode_document`` for JSON data decoded before (a copy: the object may change
    afterwards). Its JSON text is orjson's rendering, which fails (TypeError) where the parser
    might read the object otherwise than typed values would: half a surrogate pair (the parser
    refuses its escape), an integer beyond 64 bits (the parser keeps its digits), a subclass of
    str or int. The parser has the say on those. NaN, which orjson renders as null, is refused
    either way: no element takes null or a float."""
    try:
        text = orjson.dumps(source, option=_PLAIN_DATA)
    except TypeError:
        return None
    return decode_document(text)


# Objects orjson would render as something else (a date as its ISO text...) fail to render.
_PLAIN_DATA = (
    orjson.OPT_PASSTHROUGH_SUBCLASS
    | orjson.OPT_PASSTHROUGH_DATETIME
    | orjson.OPT_PASSTHROUGH_DATACLASS
)


__all__ = [
    "UNSET",
    "Document",
    "Statement",
    "convert_document",
    "decode_document",
    "document_statements",
]
