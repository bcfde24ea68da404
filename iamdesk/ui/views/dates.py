"""Dates as the tables show them: ISO timestamps from the services, ages in days."""

from __future__ import annotations

from iamdesk.core.timestamps import age_days, parse

__all__ = ["age_days", "parse", "short"]


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
