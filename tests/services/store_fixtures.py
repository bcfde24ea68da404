"""Shared helpers for the store helper's service tests: a model file with a fixed clock."""

from __future__ import annotations

import random
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from iamdesk.services.errors import IamError
from iamdesk.store.db import Database, open_database

FIXED = datetime(2026, 3, 4, 5, 6, 7, tzinfo=UTC)
FIXED_TEXT = "2026-03-04T05:06:07+00:00"
ACCOUNT = "123456789012"

ALLOW_S3 = {
    "Version": "2012-10-17",
    "Statement": [{"Effect": "Allow", "Action": "s3:GetObject", "Resource": "*"}],
}
EC2_TRUST = {
    "Version": "2012-10-17",
    "Statement": [
        {
            "Effect": "Allow",
            "Principal": {"Service": "ec2.amazonaws.com"},
            "Action": "sts:AssumeRole",
        }
    ],
}


class Clock:
    """A settable clock: tests move time forward explicitly."""

    def __init__(self, start: datetime = FIXED) -> None:
        self.moment = start

    def __call__(self) -> datetime:
        return self.moment


def make_db(where: Path | str, clock: Clock | None = None) -> Database:
    """A new model: ``model.sqlite`` in the folder ``where``, or the server URL ``where``."""
    target = where if isinstance(where, str) else where / "model.sqlite"
    return open_database(target, clock=clock or Clock(), actor="tester", rng=random.Random(3))


def error_of(call: Callable[..., Any], *args: Any, **kwargs: Any) -> IamError:
    with pytest.raises(IamError) as caught:
        call(*args, **kwargs)
    return caught.value


def table_counts(db: Database) -> dict[str, int]:
    """Rows per table, to show a failed operation changed nothing."""
    from sqlalchemy import inspect, text

    with db.read() as session:
        names = sorted(inspect(session.connection()).get_table_names())
        return {
            name: session.execute(text(f'SELECT count(*) FROM "{name}"')).scalar_one()
            for name in names
        }
