"""Conversions between the store's naive UTC datetimes and epoch seconds."""

import calendar
import datetime

from placement_ext import limits

# An epoch far enough ahead to stand for "no end" in range queries: the
# latest date the store accepts (``limits.MAX_EPOCH``).
FAR_FUTURE = limits.MAX_EPOCH  # 9999-12-31 00:00:00 UTC


def to_epoch(value):
    """Epoch seconds of a naive UTC datetime (None stays None)."""
    if value is None:
        return None
    return calendar.timegm(value.utctimetuple())


def to_datetime(epoch):
    """Naive UTC datetime, second precision, of epoch seconds."""
    if epoch is None:
        return None
    return datetime.datetime.fromtimestamp(
        int(epoch), datetime.timezone.utc).replace(tzinfo=None)


def to_text(value):
    """Blazar's date format with seconds, for API bodies and commands."""
    if value is None:
        return None
    return value.strftime('%Y-%m-%d %H:%M:%S')
