"""Values as people say them: names of people, elapsed times and business-clock time."""

from datetime import timedelta


def person_name(user) -> str:
    """A user as people know them: full name, else username."""
    return user.get_full_name() or user.get_username()


def duration_text(delta: timedelta) -> str:
    """An elapsed time by its two largest units: "2 d 3 h", "5 h 52 min", "45 min",
    "3 min 20 s", "40 s"."""
    seconds = int(delta.total_seconds())
    sign = "−" if seconds < 0 else ""
    minutes, seconds = divmod(abs(seconds), 60)
    hours, minutes = divmod(minutes, 60)
    days, hours = divmod(hours, 24)
    if days:
        parts = [f"{days} d", f"{hours} h" if hours else ""]
    elif hours:
        parts = [f"{hours} h", f"{minutes} min" if minutes else ""]
    elif minutes:
        parts = [f"{minutes} min", f"{seconds} s" if seconds else ""]
    else:
        parts = [f"{seconds} s"]
    return sign + " ".join(part for part in parts if part)


def business_minutes_text(minutes: int) -> str:
    """Minutes of a business clock: "45 min", "3 h 20 min", "27 h". Never in days, which
    would read as calendar days."""
    hours, minutes = divmod(int(minutes), 60)
    if not hours:
        return f"{minutes} min"
    return f"{hours} h {minutes} min" if minutes else f"{hours} h"
