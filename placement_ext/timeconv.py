"""Dates of the service: the one place that reads and writes them.

Rules:

* The store keeps naive UTC datetimes with second precision; everything
  else counts in epoch seconds (whole, rounded down).
* Date text is read by oslo.utils (``timeutils.parse_isotime``, which
  takes a naive date as UTC); ``DATE_SHAPE`` first limits it to
  ``YYYY-MM-DD``, a space or ``T``, ``HH:MM``, optional ``:SS`` with an
  optional fraction of 1 to 6 digits, then an optional ``Z`` or
  ``+HH:MM``/``-HH:MM`` offset (minutes 00-59, less than 24 hours), all in
  ASCII digits. iso8601 alone takes more (``2030``, ``20300102``,
  ``+0200``, ``,5``). Whether a date is in range is ``limits``' rule.
* Dates are written as ``STORE_FORMAT`` (``YYYY-MM-DD HH:MM:SS``: store
  views, commands, refusals), ``BLAZAR_FORMAT``
  (``YYYY-MM-DDTHH:MM:SS.ffffff``: API bodies, as Blazar shows them and
  python-blazarclient parses them) or ``MINUTE_FORMAT``
  (``YYYY-MM-DD HH:MM``: the command lines blazar-nova-aio suggests).
"""

import datetime
import re

from oslo_utils import timeutils

from placement_ext import limits

STORE_FORMAT = '%Y-%m-%d %H:%M:%S'
BLAZAR_FORMAT = '%Y-%m-%dT%H:%M:%S.%f'
MINUTE_FORMAT = '%Y-%m-%d %H:%M'

DATE_SHAPE = re.compile(
    r'^[0-9]{4}-[0-9]{2}-[0-9]{2}[T ][0-9]{2}:[0-9]{2}'
    r'(?::[0-9]{2}(?:\.[0-9]{1,6})?)?(?:Z|[+-][0-9]{2}:[0-5][0-9])?$')

# An epoch far enough ahead to stand for "no end" in range queries: the
# latest date the store accepts (``limits.MAX_EPOCH``).
FAR_FUTURE = limits.MAX_EPOCH  # 9999-12-31 00:00:00 UTC

_EPOCH = datetime.datetime(1970, 1, 1, tzinfo=datetime.timezone.utc)
_SECOND = datetime.timedelta(seconds=1)


def parse(text):
    """Epoch seconds of date text of ``DATE_SHAPE`` (naive: UTC; a
    fraction of a second is dropped); ``ValueError`` for other text or a
    date that does not exist (``2030-02-30``, ``24:00``, ``+24:00``)."""
    if not DATE_SHAPE.match(text):
        raise ValueError('%r is not a date of the accepted shape' % (text,))
    return to_epoch(timeutils.parse_isotime(text))


def to_epoch(value):
    """Epoch seconds of a datetime, naive ones being UTC (None stays
    None). Any datetime has one, also where its UTC time falls outside
    years 1 to 9999."""
    if value is None:
        return None
    if value.utcoffset() is None:
        value = value.replace(tzinfo=datetime.timezone.utc)
    return (value - _EPOCH) // _SECOND


def to_datetime(epoch):
    """Naive UTC datetime, second precision, of epoch seconds."""
    if epoch is None:
        return None
    return datetime.datetime.fromtimestamp(
        int(epoch), datetime.timezone.utc).replace(tzinfo=None)


def to_text(value):
    """``STORE_FORMAT`` of a datetime (None stays None)."""
    if value is None:
        return None
    return value.strftime(STORE_FORMAT)


def epoch_text(epoch):
    """``STORE_FORMAT`` (UTC) of epoch seconds."""
    return to_text(to_datetime(epoch))


def message_text(epoch):
    """Epoch seconds for a message: ``STORE_FORMAT`` and ``UTC``, or the
    plain count when no datetime holds it."""
    try:
        moment = _EPOCH + datetime.timedelta(seconds=epoch)
    except OverflowError:
        return '%d seconds since the epoch' % epoch
    return '%s UTC' % to_text(moment)


def blazar_text(text):
    """The store's ``STORE_FORMAT`` text (None stays None) in
    ``BLAZAR_FORMAT``: the same digits with a ``T`` and zero microseconds,
    written without parsing when it has the usual 19 characters (a list of
    leases shows five dates per lease)."""
    if text is None:
        return None
    if len(text) == 19 and text[10] == ' ':
        return '%sT%s.000000' % (text[:10], text[11:])
    return timeutils.parse_strtime(text, STORE_FORMAT).strftime(
        BLAZAR_FORMAT)


def epoch_blazar_text(epoch):
    """``BLAZAR_FORMAT`` of epoch seconds."""
    return to_datetime(epoch).strftime(BLAZAR_FORMAT)


def minute_text(moment):
    """``MINUTE_FORMAT`` of a datetime (seconds dropped)."""
    return moment.strftime(MINUTE_FORMAT)


def utcnow():
    """The current time as the store keeps it: naive UTC, whole
    seconds."""
    return timeutils.utcnow().replace(microsecond=0)
