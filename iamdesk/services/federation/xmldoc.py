"""A small, safe XML reader for SAML metadata and assertions (the standard library's expat).

SAML documents come from outside, so the reader refuses what XML attacks are made of: any
document type declaration (hence no entities, internal or external, and no entity expansion),
text that is not UTF-8, and documents over a size bound. Names are ``{namespace}local``, as
ElementTree spells them; only what the callers read is kept (attributes, text, children).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from typing import Any
from xml.parsers import expat

log = logging.getLogger(__name__)

MAX_DEPTH = 64  # SAML responses nest about 8 levels; anything far deeper is not one

SAML_PROTOCOL = "urn:oasis:names:tc:SAML:2.0:protocol"
SAML_ASSERTION = "urn:oasis:names:tc:SAML:2.0:assertion"
SAML_METADATA = "urn:oasis:names:tc:SAML:2.0:metadata"


class XmlRejected(ValueError):
    """The document is not XML iamdesk will read; ``str()`` says why in one line."""


@dataclass
class Node:
    tag: str  # "{namespace}local"
    attrib: dict[str, str] = field(default_factory=dict)
    children: list[Node] = field(default_factory=list)
    text: str = ""

    def find(self, tag: str) -> Node | None:
        """The first child named ``tag``."""
        return next((c for c in self.children if c.tag == tag), None)

    def findall(self, tag: str) -> list[Node]:
        return [c for c in self.children if c.tag == tag]

    def iter(self, tag: str) -> list[Node]:
        """Every descendant (and self) named ``tag``, in document order."""
        found = [self] if self.tag == tag else []
        for child in self.children:
            found.extend(child.iter(tag))
        return found


def parse(data: bytes | str, limit: int) -> Node:
    """The document's root element; ``XmlRejected`` for anything unsafe or not well-formed."""
    raw = data.encode("utf-8") if isinstance(data, str) else data
    if len(raw) > limit:
        raise XmlRejected(f"the document is larger than {limit} bytes")
    try:
        raw.decode("utf-8")
    except UnicodeDecodeError:
        raise XmlRejected("the document is not UTF-8 text") from None
    parser = expat.ParserCreate("UTF-8", namespace_separator="}")
    stack: list[Node] = []
    root: list[Node] = []

    def refuse(*_args: Any) -> None:
        raise XmlRejected("document type declarations and entities are not accepted")

    def start(name: str, attrs: dict[str, str]) -> None:
        if len(stack) >= MAX_DEPTH:
            raise XmlRejected(f"the document nests deeper than {MAX_DEPTH} levels")
        node = Node(_name(name), {_name(k): v for k, v in attrs.items()})
        if stack:
            stack[-1].children.append(node)
        else:
            root.append(node)
        stack.append(node)

    def end(_name_: str) -> None:
        stack.pop()

    def text(data_: str) -> None:
        if stack:
            stack[-1].text += data_

    parser.StartDoctypeDeclHandler = refuse
    parser.EntityDeclHandler = refuse
    parser.ExternalEntityRefHandler = refuse
    parser.StartElementHandler = start
    parser.EndElementHandler = end
    parser.CharacterDataHandler = text
    try:
        parser.Parse(raw, True)
    except expat.ExpatError as exc:
        raise XmlRejected(f"not well-formed XML: {expat.ErrorString(exc.code)}") from None
    if not root:
        raise XmlRejected("the document has no element")
    return root[0]


def _name(name: str) -> str:
    return "{" + name if "}" in name else name
