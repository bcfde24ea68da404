"""GetAccessKeyInfo: the account an access key ID belongs to.

A modelled key (a user's AKIA… key, a session's ASIA… key) answers with its owner's account. For
any other key, AWS answers from the key ID itself: since 2019, AWS writes the owning account into
the ID (after the four-letter prefix, the Base32 text holds the account number, shifted seven
bits, in its first six bytes), so the account comes out without asking anyone. The API needs no
permission, and it does not say whether the key is active, inactive or even still exists.
"""

from __future__ import annotations

import base64
import binascii
import logging
import re
from typing import Any

from sqlalchemy import select

from iamdesk.services.errors import IamError
from iamdesk.store.db import Database
from iamdesk.store.tables import AccessKey, StsSession, UserSession

log = logging.getLogger(__name__)

_KEY_ID = re.compile(r"[\w]{16,128}", re.ASCII)
_ENCODED = re.compile(r"(AKIA|ASIA)[A-Z2-7]{16}", re.ASCII)
_ACCOUNT_BITS = 0x7FFFFFFFFF80  # of the first six bytes after the prefix


def account_of_key_id(access_key_id: str) -> str | None:
    """The account AWS encodes in a key ID of today's form, else None."""
    if not _ENCODED.fullmatch(access_key_id):
        return None
    try:
        raw = base64.b32decode(access_key_id[4:])
    except binascii.Error:
        return None
    number = (int.from_bytes(raw[:6], "big") & _ACCOUNT_BITS) >> 7
    return f"{number:012d}"


def get_access_key_info(
    db: Database, *, access_key_id: str, account_id: str | None = None
) -> dict[str, Any]:
    """AWS's GetAccessKeyInfo (``account_id``: the CLI's uniform signature, unused)."""
    if not isinstance(access_key_id, str) or not _KEY_ID.fullmatch(access_key_id):
        raise IamError(
            "ValidationError",
            f"1 validation error detected: Value '{access_key_id}' at 'accessKeyId' failed to "
            r"satisfy constraint: Member must satisfy regular expression pattern: [\w]* and "
            "have length between 16 and 128",
        )
    with db.read() as session:
        for table in (AccessKey, StsSession, UserSession):
            owner = session.scalars(
                select(table.account_id).where(table.access_key_id == access_key_id)  # type: ignore[attr-defined]
            ).first()
            if owner is not None:
                return {"Account": owner}
    decoded = account_of_key_id(access_key_id)
    if decoded is None:
        raise IamError(
            "InvalidParameterValue",
            f"The access key ID {access_key_id} is not one the model holds and does not encode "
            "an account (AKIA… or ASIA… followed by 16 Base32 characters).",
        )
    return {"Account": decoded}
