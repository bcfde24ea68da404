"""Dates as the tables show them: ISO timestamps from the services, ages in days."""

from __future__ import annotations

from datetime import UTC, datetime


def parse(value: object) -> datetime | None:
    if not isinstance(value, str) or not value:
        return None
    try:
        moment = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def age_days(value: object, now: datetime | None = None) -> int | None:
    moment = parse(value)
    if moment is None:
        return None
    return max(0, ((now or datetime.now(UTC)) - moment).days)


def short(value: object) -> str:
    """``2026-01-02 03:04`` (UTC), or empty."""
    moment = parse(value)
    return moment.strftime("%Y-%m-%d %H:%M") if moment else ""


def ago(value: object) -> str:
    days = age_days(value)
    if days is None:
        return "Never"
    if days == 0:
        return "Today"
    if days == 1:
        return "Yesterday"
    return f"{days} days ago"
