"""Virtual MFA devices: creation (Base32 seed and a QR code PNG of the otpauth URI), enabling
with two consecutive TOTP codes, resynchronising, deactivating, listing.

Codes are checked with pyotp against the database clock, so tests use real codes at a fixed time.
A device remembers the last time step it accepted and never accepts that step or an earlier one
again (no replay of a code already used).
"""

from __future__ import annotations

import io
import logging
import re
from collections.abc import Iterable, Mapping
from datetime import datetime
from typing import Any

import pyotp
from pyotp.utils import strings_equal
from sqlalchemy import delete, exists, func, select
from sqlmodel import Session

from iamdesk.services import entities
from iamdesk.services.errors import (
    IamError,
    already_exists,
    delete_conflict,
    limit_exceeded,
    no_such_entity,
)
from iamdesk.services.tags import replace_tags
from iamdesk.services.validation import check_name, check_path, check_tags
from iamdesk.store.db import Database
from iamdesk.store.ids import BASE32_ALPHABET, mfa_serial, random_text
from iamdesk.store.tables import MfaDevice, Tag, User

log = logging.getLogger(__name__)

MAX_DEVICES_PER_USER = 8
STEP_SECONDS = 30
ENABLE_WINDOW = 10  # time steps either side of now accepted when enabling (clock drift)
RESYNC_WINDOW = 120  # resync exists to repair drift, so it looks further
ISSUER = "Amazon Web Services"
_CODE_RE = re.compile(r"\d{6}")


def _check_code(code: str, field: str) -> None:
    if not isinstance(code, str) or not _CODE_RE.fullmatch(code):
        raise IamError(
            "ValidationError",
            f"1 validation error detected: Value '{code}' at '{field}' failed to satisfy"
            r" constraint: Member must satisfy regular expression pattern: [\d]+ and have length 6",
        )


def _invalid_code() -> IamError:
    return IamError("InvalidAuthenticationCode", "Authentication code for device is not valid.")


def otpauth_uri(seed: str, device_name: str, account_id: str) -> str:
    return pyotp.TOTP(seed).provisioning_uri(name=f"{device_name}@{account_id}", issuer_name=ISSUER)


def qr_png(uri: str) -> bytes:
    buffer = io.BytesIO()
    import segno  # only a virtual MFA device's QR code needs it

    segno.make(uri, error="m").save(buffer, kind="png", scale=5, border=4)
    return buffer.getvalue()


def _consecutive_pair(
    seed: str, moment: datetime, code1: str, code2: str, window: int, after: int | None
) -> int | None:
    """The counter of ``code2`` when ``code1``, ``code2`` are codes of two consecutive steps
    within ``window`` steps of ``moment`` and later than step ``after``; else None."""
    totp = pyotp.TOTP(seed)
    base = int(moment.timestamp()) // STEP_SECONDS
    for offset in sorted(range(-window, window + 1), key=abs):
        counter = base + offset
        if after is not None and counter <= after:
            continue
        if strings_equal(totp.at(counter * STEP_SECONDS), code1) and strings_equal(
            totp.at((counter + 1) * STEP_SECONDS), code2
        ):
            return counter + 1
    return None


def _device(session: Session, account: str, serial_number: str) -> MfaDevice:
    row = session.scalars(
        select(MfaDevice).where(
            MfaDevice.account_id == account, MfaDevice.serial_number == serial_number
        )
    ).first()
    if row is None:
        raise IamError(
            "NoSuchEntity", f"VirtualMFADevice with serial {serial_number} doesn't exist."
        )
    return row


def create_virtual_mfa_device(
    db: Database,
    account_id: str | None,
    virtual_mfa_device_name: str,
    *,
    path: str | None = None,
    tags: Iterable[Mapping[str, Any]] | None = None,
) -> dict[str, Any]:
    """Returns ``SerialNumber``, ``Base32StringSeed`` (text) and ``QRCodePNG`` (PNG bytes)."""
    check_name(virtual_mfa_device_name, "virtualMFADeviceName")
    path = check_path(path)
    pairs = check_tags(tags)
    seed = (
        random_text(BASE32_ALPHABET, 64, db.rng) if db.rng is not None else pyotp.random_base32(64)
    )
    with db.transaction() as session:
        account = entities.resolve_account(session, db, account_id)
        taken = session.execute(
            select(
                exists().where(
                    MfaDevice.account_id == account, MfaDevice.name == virtual_mfa_device_name
                )
            )
        ).scalar()
        if taken:
            raise already_exists("mfa", virtual_mfa_device_name)
        row = MfaDevice(
            account_id=account,
            name=virtual_mfa_device_name,
            path=path,
            serial_number=mfa_serial(account, path, virtual_mfa_device_name),
            seed=seed,
            create_date=db.now(),
        )
        session.add(row)
        session.flush()
        replace_tags(session, "mfa", int(row.pk or 0), pairs)
        entities.record(
            session,
            db,
            account,
            "CreateVirtualMFADevice",
            "mfa",
            row.serial_number,
            after={"SerialNumber": row.serial_number},
        )
    out: dict[str, Any] = {
        "SerialNumber": row.serial_number,
        "Base32StringSeed": seed,
        "QRCodePNG": qr_png(otpauth_uri(seed, virtual_mfa_device_name, account)),
    }
    if pairs:
        out["Tags"] = [{"Key": k, "Value": v} for k, v in pairs]
    return {"VirtualMFADevice": out}


def enable_mfa_device(
    db: Database,
    account_id: str | None,
    user_name: str,
    serial_number: str,
    authentication_code1: str,
    authentication_code2: str,
) -> dict[str, Any]:
    _check_code(authentication_code1, "authenticationCode1")
    _check_code(authentication_code2, "authenticationCode2")
    with db.transaction() as session:
        account = entities.resolve_account(session, db, account_id)
        user = entities.get_user(session, account, user_name)
        device = _device(session, account, serial_number)
        if device.user_pk is not None:
            raise IamError("EntityAlreadyExists", "MFA Device is already in use.")
        count = session.execute(
            select(func.count()).where(MfaDevice.user_pk == user.pk)
        ).scalar_one()
        if count >= MAX_DEVICES_PER_USER:
            raise limit_exceeded(
                f"Cannot exceed quota for MFADevicesPerUser: {MAX_DEVICES_PER_USER}"
            )
        counter = _consecutive_pair(
            device.seed,
            db.clock(),
            authentication_code1,
            authentication_code2,
            ENABLE_WINDOW,
            device.last_counter,
        )
        if counter is None:
            raise _invalid_code()
        device.user_pk = user.pk
        device.enable_date = db.now()
        device.last_counter = counter
        session.add(device)
        entities.record(
            session,
            db,
            account,
            "EnableMFADevice",
            "user",
            user.name,
            after={"SerialNumber": serial_number},
        )
    return {}


def resync_mfa_device(
    db: Database,
    account_id: str | None,
    user_name: str,
    serial_number: str,
    authentication_code1: str,
    authentication_code2: str,
) -> dict[str, Any]:
    _check_code(authentication_code1, "authenticationCode1")
    _check_code(authentication_code2, "authenticationCode2")
    with db.transaction() as session:
        account = entities.resolve_account(session, db, account_id)
        user = entities.get_user(session, account, user_name)
        device = _device(session, account, serial_number)
        if device.user_pk != user.pk:
            raise IamError(
                "NoSuchEntity",
                f"MFA Device with serial number {serial_number} not found for user {user.name}.",
            )
        counter = _consecutive_pair(
            device.seed,
            db.clock(),
            authentication_code1,
            authentication_code2,
            RESYNC_WINDOW,
            device.last_counter,
        )
        if counter is None:
            raise _invalid_code()
        device.last_counter = counter
        session.add(device)
        entities.record(
            session,
            db,
            account,
            "ResyncMFADevice",
            "user",
            user.name,
            after={"SerialNumber": serial_number},
        )
    return {}


def deactivate_mfa_device(
    db: Database, account_id: str | None, user_name: str, serial_number: str
) -> dict[str, Any]:
    with db.transaction() as session:
        account = entities.resolve_account(session, db, account_id)
        user = entities.get_user(session, account, user_name)
        device = _device(session, account, serial_number)
        if device.user_pk != user.pk:
            raise IamError(
                "NoSuchEntity",
                f"MFA Device with serial number {serial_number} not found for user {user.name}.",
            )
        device.user_pk = None
        device.enable_date = None
        session.add(device)
        entities.record(
            session,
            db,
            account,
            "DeactivateMFADevice",
            "user",
            user.name,
            before={"SerialNumber": serial_number},
        )
    return {}


def delete_virtual_mfa_device(
    db: Database, account_id: str | None, serial_number: str
) -> dict[str, Any]:
    with db.transaction() as session:
        account = entities.resolve_account(session, db, account_id)
        device = _device(session, account, serial_number)
        if device.user_pk is not None:
            raise delete_conflict("MFA device is still in use.")
        session.execute(delete(Tag).where(Tag.entity_type == "mfa", Tag.entity_pk == device.pk))
        session.delete(device)
        entities.record(
            session,
            db,
            account,
            "DeleteVirtualMFADevice",
            "mfa",
            serial_number,
            before={"SerialNumber": serial_number},
        )
    return {}


def list_mfa_devices(db: Database, account_id: str | None, user_name: str) -> dict[str, Any]:
    with db.read(one_statement=True) as session:
        account = entities.resolve_account(session, db, account_id)
        rows = entities.owned_rows(
            session,
            User,
            account,
            user_name,
            (MfaDevice.serial_number, MfaDevice.enable_date, User.name),
            ((MfaDevice, MfaDevice.user_pk == User.pk),),
            MfaDevice.enable_date,
            MfaDevice.pk,
        )
    if rows is None:
        raise no_such_entity("user", user_name)
    return {
        "MFADevices": [{"UserName": u, "SerialNumber": s, "EnableDate": e} for s, e, u in rows],
        "IsTruncated": False,
    }


def list_virtual_mfa_devices(
    db: Database, account_id: str | None, *, assignment_status: str = "Any"
) -> dict[str, Any]:
    if assignment_status not in ("Any", "Assigned", "Unassigned"):
        raise IamError(
            "ValidationError",
            f"1 validation error detected: Value '{assignment_status}' at 'assignmentStatus'"
            " failed to satisfy constraint: Member must satisfy enum value set:"
            " [Unassigned, Any, Assigned]",
        )
    with db.read() as session:
        account = entities.resolve_account(session, db, account_id)
        query = select(MfaDevice).where(MfaDevice.account_id == account).order_by(MfaDevice.name)
        if assignment_status == "Assigned":
            query = query.where(MfaDevice.user_pk.is_not(None))  # type: ignore[union-attr]
        elif assignment_status == "Unassigned":
            query = query.where(MfaDevice.user_pk.is_(None))  # type: ignore[union-attr]
        devices = []
        for row in session.scalars(query).all():
            item: dict[str, Any] = {"SerialNumber": row.serial_number}
            if row.user_pk is not None:
                user = session.get(User, row.user_pk)
                if user is not None:
                    item["User"] = entities.user_shape(user)
                item["EnableDate"] = row.enable_date
            devices.append(item)
    return {"VirtualMFADevices": devices, "IsTruncated": False}


def verify_token(session: Session, serial_number: str, code: str, moment: datetime) -> bool:
    """Check one TOTP code (e.g. assume-role's ``--token-code``) against an enabled device,
    within one step of ``moment``, refusing a step already used; records the step on success.
    Runs in the caller's transaction."""
    if not isinstance(code, str) or not _CODE_RE.fullmatch(code):
        return False
    device = session.scalars(
        select(MfaDevice).where(MfaDevice.serial_number == serial_number)
    ).first()
    if device is None or device.user_pk is None:
        return False
    totp = pyotp.TOTP(device.seed)
    base = int(moment.timestamp()) // STEP_SECONDS
    for counter in (base, base - 1, base + 1):
        if device.last_counter is not None and counter <= device.last_counter:
            continue
        if strings_equal(totp.at(counter * STEP_SECONDS), code):
            device.last_counter = counter
            session.add(device)
            return True
    return False


def get_mfa_device(
    db: Database, account_id: str | None, serial_number: str, *, user_name: str | None = None
) -> dict[str, Any]:
    """GetMFADevice: the device enabled for a user (``user_name``, when given, must be it)."""
    with db.read() as session:
        account = entities.resolve_account(session, db, account_id)
        row = session.scalars(
            select(MfaDevice).where(
                MfaDevice.account_id == account, MfaDevice.serial_number == serial_number
            )
        ).first()
        user = session.get(User, row.user_pk) if row is not None and row.user_pk else None
        if user_name is not None:
            entities.get_user(session, account, user_name)
        if (
            row is None
            or user is None
            or (user_name is not None and user.name.lower() != user_name.lower())
        ):
            raise IamError(
                "NoSuchEntity",
                f"MFA Device with serial number {str(serial_number)[:300]} does not exist.",
            )
        return {
            "UserName": user.name,
            "SerialNumber": row.serial_number,
            "EnableDate": row.enable_date,
        }
