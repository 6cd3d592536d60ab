"""Time in one place: stored in UTC, and a clock tests can control."""
from datetime import date, datetime, time, timezone
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError


def utcnow() -> datetime:
    return datetime.now(timezone.utc)


def as_utc(value: datetime) -> datetime:
    """SQLite hands back naive datetimes; they were stored as UTC."""
    return value.replace(tzinfo=timezone.utc) if value.tzinfo is None else value


def zone(timezone_name: str) -> ZoneInfo:
    """The school's zone; UTC for a name the zone database does not know."""
    try:
        return ZoneInfo(timezone_name)
    except (ZoneInfoNotFoundError, ValueError):
        return ZoneInfo("UTC")


def today_in(timezone_name: str) -> date:
    """The date at the school: a check-in at 23:30 in London is not tomorrow's in UTC."""
    return datetime.now(zone(timezone_name)).date()


def in_zone(value: datetime, timezone_name: str) -> datetime:
    """A stored (UTC) time as the clocks at the school read it."""
    return as_utc(value).astimezone(zone(timezone_name))


def start_of_day(day: date, timezone_name: str) -> datetime:
    """Midnight at the school on `day`, in UTC as times are stored."""
    try:
        return datetime.combine(day, time.min, tzinfo=zone(timezone_name)).astimezone(timezone.utc)
    except OverflowError:  # 1 January of year 1 east of Greenwich: before every stored time
        return datetime.min.replace(tzinfo=timezone.utc)
