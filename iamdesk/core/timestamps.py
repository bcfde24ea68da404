"""ISO 8601 timestamps as the model stores them (and CloudTrail writes them, with ``Z``)."""

from __future__ import annotations

from datetime import UTC, datetime


def parse(value: object) -> datetime | None:
    """An aware datetime (UTC when the text names no zone), or None for anything else."""
    if not isinstance(value, str) or not value:
        return None
    try:
        moment = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def age_days(value: object, now: datetime | None = None) -> int | None:
    """Whole days from ``value`` to ``now`` (the current time by default), never negative."""
    moment = parse(value)
    if moment is None:
        return None
    return max(0, ((now or datetime.now(UTC)) - moment).days)
