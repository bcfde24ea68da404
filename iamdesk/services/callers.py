"""Who is calling: the IAM user behind a request's credentials.

Some IAM operations act on the caller (ChangePassword always; UploadSigningCertificate,
ResetServiceSpecificCredential and others when ``UserName`` is left out). A model has no signed
requests, so the caller is named by an access key id (the AWS CLI's ``AWS_ACCESS_KEY_ID``) or by
its ARN (iamdesk's ``--caller-arn``). Only IAM users have these credentials: a role session gets
``InvalidUserType``, as IAM answers a federated or assumed-role caller.
"""

from __future__ import annotations

from sqlalchemy import select
from sqlmodel import Session

from iamdesk.services import entities
from iamdesk.services.errors import IamError
from iamdesk.store.db import Database
from iamdesk.store.tables import AccessKey, StsSession, User


def _not_a_user() -> IamError:
    return IamError("InvalidUserType", "The operation is only available to IAM users.")


def _invalid_key() -> IamError:
    return IamError(
        "InvalidClientTokenId", "The security token included in the request is invalid."
    )


def caller_user(
    session: Session,
    *,
    access_key_id: str | None = None,
    caller_arn: str | None = None,
) -> User:
    """The IAM user whose credentials make the request."""
    if caller_arn is not None:
        user = session.scalars(select(User).where(User.arn == caller_arn)).first()
        if user is None:
            if caller_arn.startswith("arn:aws:sts::"):
                raise _not_a_user()
            raise IamError("NoSuchEntity", f"The user with ARN {caller_arn} cannot be found.")
    elif access_key_id is not None:
        if access_key_id.startswith("ASIA"):
            found = session.scalars(
                select(StsSession.pk).where(StsSession.access_key_id == access_key_id)
            ).first()
            raise _not_a_user() if found is not None else _invalid_key()
        key = session.get(AccessKey, access_key_id)
        if key is None or key.status != "Active":
            raise _invalid_key()
        user = session.get(User, key.user_pk)
        if user is None:
            raise _invalid_key()
    else:
        raise IamError("InvalidInput", "Name the caller with an access key id or --caller-arn.")
    return user  # the caller's own account, whatever --account-id says


def user_or_caller(
    session: Session,
    account: str,
    user_name: str | None,
    *,
    access_key_id: str | None = None,
    caller_arn: str | None = None,
) -> User:
    """``user_name``'s user; without one, the caller (IAM's rule for an omitted UserName)."""
    if user_name is not None:
        return entities.get_user(session, account, user_name)
    return caller_user(session, access_key_id=access_key_id, caller_arn=caller_arn)


def owner(
    session: Session,
    db: Database,
    account_id: str | None,
    user_name: str | None,
    *,
    access_key_id: str | None = None,
    caller_arn: str | None = None,
) -> User:
    """The user whose credential an operation acts on: ``user_name``'s in the account (the
    model's default account when None), else the caller."""
    account = entities.resolve_account(session, db, account_id)
    return user_or_caller(
        session, account, user_name, access_key_id=access_key_id, caller_arn=caller_arn
    )
