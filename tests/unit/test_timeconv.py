"""Dates read and written by ``placement_ext.timeconv``."""

import calendar
import datetime

import pytest

from placement_ext import timeconv

UTC = datetime.timezone.utc


def epoch(*args):
    return calendar.timegm(datetime.datetime(*args).timetuple())


@pytest.mark.parametrize('text,expected', [
    ('2030-01-02 03:04', epoch(2030, 1, 2, 3, 4)),
    ('2030-01-02 03:04:05', epoch(2030, 1, 2, 3, 4, 5)),
    ('2030-01-02T03:04', epoch(2030, 1, 2, 3, 4)),
    ('2030-01-02T03:04:05.999999', epoch(2030, 1, 2, 3, 4, 5)),
    ('2030-01-02T03:04:05.5Z', epoch(2030, 1, 2, 3, 4, 5)),
    ('2030-01-02 03:04Z', epoch(2030, 1, 2, 3, 4)),
    ('2030-01-02T03:04:05+02:00', epoch(2030, 1, 2, 1, 4, 5)),
    ('2030-01-02T03:04:05-05:30', epoch(2030, 1, 2, 8, 34, 5)),
    ('2030-01-02T03:04+23:59', epoch(2030, 1, 1, 3, 5)),
    ('2030-01-02T03:04-00:00', epoch(2030, 1, 2, 3, 4)),
    # What the hand-written parser took too ('$' allows a final newline).
    ('2030-01-02 03:04\n', epoch(2030, 1, 2, 3, 4)),
    # Outside years 1 to 9999 once in UTC: still a number, for the caller
    # to refuse as out of range.
    ('9999-12-31T23:59:59-23:59', epoch(9999, 12, 31, 23, 59, 59)
     + 23 * 3600 + 59 * 60),
    ('0001-01-01T00:00+01:00', epoch(1, 1, 1) - 3600),
])
def test_parse_reads_the_accepted_shapes(text, expected):
    assert timeconv.parse(text) == expected


@pytest.mark.parametrize('text', [
    # Shapes iso8601 would read but the API does not take.
    '2030', '2030-01', '2030-01-02', '20300102T0304', '2030-01-02T0304',
    '2030-01-02T03', '2030-01-02T03:04+0200', '2030-01-02T03:04+02',
    '2030-01-02T03:04:05,5', '2030-01-02T03:04:05.1234567',
    '2030-1-2 03:04', '2030-01-02 3:04', '2030-01-02T03:04.5',
    # Shapes nobody reads.
    '', 'now', ' 2030-01-02 03:04', '2030-01-02 03:04 ', '02/01/2030 03:04',
    '2030-01-02T03:04+02:75',
    # Non-ASCII digits (the hand-written parser's \\d took them).
    '\u0662\u0660\u0663\u0660-\u0660\u0661-\u0660\u0662 '
    '\u0660\u0660:\u0660\u0660',
    '\uff12\uff10\uff13\uff10-01-02 00:00',
    # The right shape, no such date.
    '2030-13-01 00:00', '2030-02-30 00:00', '2030-01-02 24:00',
    '2030-01-02 00:60', '2030-01-02 00:00:60', '0000-01-01 00:00',
    '2030-01-02T03:04+24:00',
])
def test_parse_refuses_other_text(text):
    with pytest.raises(ValueError):
        timeconv.parse(text)


def test_to_epoch_of_naive_and_aware_datetimes():
    assert timeconv.to_epoch(None) is None
    assert timeconv.to_epoch(datetime.datetime(1970, 1, 1)) == 0
    assert timeconv.to_epoch(
        datetime.datetime(2030, 1, 2, 3, 4, 5, 999999)) == epoch(
            2030, 1, 2, 3, 4, 5)
    zone = datetime.timezone(datetime.timedelta(hours=-3))
    assert timeconv.to_epoch(
        datetime.datetime(2030, 1, 2, 3, 4, 5, tzinfo=zone)) == epoch(
            2030, 1, 2, 6, 4, 5)
    # Before the epoch, a fraction rounds down as the seconds do.
    assert timeconv.to_epoch(
        datetime.datetime(1969, 12, 31, 23, 59, 59, 500000)) == -1


@pytest.mark.parametrize('moment', [
    datetime.datetime(1970, 1, 1), datetime.datetime(2030, 1, 2, 3, 4, 5),
    datetime.datetime(9999, 12, 31),
])
def test_epoch_and_datetime_round_trip(moment):
    assert timeconv.to_datetime(timeconv.to_epoch(moment)) == moment
    assert timeconv.to_datetime(None) is None


def test_store_text():
    assert timeconv.to_text(None) is None
    assert timeconv.to_text(datetime.datetime(2030, 1, 2, 3, 4, 5)) == \
        '2030-01-02 03:04:05'
    assert timeconv.epoch_text(epoch(2030, 1, 2, 3, 4, 5)) == \
        '2030-01-02 03:04:05'
    assert timeconv.epoch_text(timeconv.FAR_FUTURE) == '9999-12-31 00:00:00'


@pytest.mark.parametrize('moment', [
    datetime.datetime(2030, 1, 1, 0, 0, 0),
    datetime.datetime(2026, 12, 6, 23, 59, 59),
    datetime.datetime(1999, 2, 28, 7, 5, 3),
    datetime.datetime(9999, 12, 30, 12, 0, 0),
])
def test_blazar_text_is_the_parsed_and_reformatted_store_text(moment):
    text = timeconv.to_text(moment)
    expected = datetime.datetime.strptime(
        text, '%Y-%m-%d %H:%M:%S').strftime('%Y-%m-%dT%H:%M:%S.%f')
    assert timeconv.blazar_text(text) == expected
    assert timeconv.epoch_blazar_text(timeconv.to_epoch(moment)) == expected


def test_blazar_text_of_another_shape_is_parsed_and_bad_text_refused():
    assert timeconv.blazar_text(None) is None
    assert timeconv.blazar_text('2030-1-2 3:04:05') == \
        '2030-01-02T03:04:05.000000'
    with pytest.raises(ValueError):
        timeconv.blazar_text('2030-01-01T00:00')


def test_message_text():
    assert timeconv.message_text(0) == '1970-01-01 00:00:00 UTC'
    assert timeconv.message_text(-1) == '1969-12-31 23:59:59 UTC'
    assert timeconv.message_text(10 ** 12) == \
        '1000000000000 seconds since the epoch'
    assert timeconv.message_text(10 ** 20) == \
        '100000000000000000000 seconds since the epoch'


def test_minute_text_and_utcnow():
    assert timeconv.minute_text(
        datetime.datetime(2030, 1, 2, 3, 4, 59, tzinfo=UTC)) == \
        '2030-01-02 03:04'
    before = datetime.datetime.now(UTC).replace(tzinfo=None, microsecond=0)
    now = timeconv.utcnow()
    after = datetime.datetime.now(UTC).replace(tzinfo=None)
    assert now.tzinfo is None and now.microsecond == 0
    assert before <= now <= after
