"""The few expressions whose SQL differs between PostgreSQL and SQLite, and moments to and
from the database. Moments are cut at UTC days and hours: every zone's midnight falls on a
UTC hour but for the few zones offset by half or three quarters of one."""

from datetime import UTC, datetime, timedelta

from django.db import connection
from django.utils.dateparse import parse_datetime

# Stands for "still going on" where intervals are merged: later than any real moment.
FOREVER = datetime(9999, 12, 31, tzinfo=UTC)
HOUR = timedelta(hours=1)


def is_postgresql(conn=None) -> bool:
    return (conn or connection).vendor == "postgresql"


def greatest(*expressions: str, conn=None) -> str:
    name = "GREATEST" if is_postgresql(conn) else "MAX"
    return f"{name}({', '.join(expressions)})"


def least(*expressions: str, conn=None) -> str:
    name = "LEAST" if is_postgresql(conn) else "MIN"
    return f"{name}({', '.join(expressions)})"


def seconds(later: str, earlier: str, conn=None) -> str:
    if is_postgresql(conn):
        return f"EXTRACT(EPOCH FROM ({later} - {earlier}))"
    return f"((julianday({later}) - julianday({earlier})) * 86400.0)"


def utc_day(expression: str, conn=None) -> str:
    if is_postgresql(conn):
        return f"(({expression}) AT TIME ZONE 'UTC')::date"
    return f"date({expression})"


def utc_hour(expression: str, conn=None) -> str:
    """The UTC hour a moment falls in, as a moment. SQLite keeps moments as UTC text."""
    if is_postgresql(conn):
        return f"(date_trunc('hour', ({expression}) AT TIME ZONE 'UTC') AT TIME ZONE 'UTC')"
    return f"strftime('%%Y-%%m-%%d %%H:00:00', {expression})"


def moment(value: datetime, conn=None):
    return (conn or connection).ops.adapt_datetimefield_value(value)


def read_moment(value) -> datetime:
    if isinstance(value, str):
        value = parse_datetime(value)
    if value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    return value


def floor_hour(value: datetime) -> datetime:
    return value.astimezone(UTC).replace(minute=0, second=0, microsecond=0)
