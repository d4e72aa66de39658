"""Turn Blazar v1 lease bodies into validated requests.

Everything here is pure: no database, no clock (``now`` is passed in), no
side effects. Each refusal is an ``InvalidInput`` naming the offending field,
with reservation fields named like ``reservations[0].min``.

Rules:

* Dates are ``"now"``, ``YYYY-MM-DD HH:MM[:SS]`` (Blazar's form) or ISO 8601
  ``YYYY-MM-DDTHH:MM[:SS[.ffffff]]`` with an optional ``Z`` or ``+HH:MM``
  offset, in ASCII digits (``placement_ext.timeconv`` reads them). Naive
  dates are UTC; fractions of a second are dropped.
* Integers may be JSON numbers or decimal strings (``"2"``), since
  python-blazarclient sends strings; booleans and floats are not integers,
  and nothing above 2**31-1 is accepted.
* Dates, lengths and characters stay within ``placement_ext.limits``:
  every date (also one a relative move produces) lies between 1970-01-01
  and 9999-12-31 UTC, names are at most 80 characters, no text holds NUL.
* A start older than ``[leases] start_grace`` is in the past; a start within
  the grace is moved to ``now``. The end must follow the start, and the
  lease may not last longer than ``[leases] max_lease_duration`` (0: no
  limit). The before-end event lies within the lease and defaults to
  ``[leases] before_end_default`` seconds before the end.
* Unknown fields are refused, except the few that Blazar clients send back
  from what they read (``LEASE_TOLERATED_KEYS``,
  ``RESERVATION_TOLERATED_KEYS``); those are ignored.
* A lease may hold no reservations (as in Blazar).
* ``end_action`` and ``keep_grace`` (seconds the ``keep`` action leaves the
  instances after the end) default to ``[leases] default_end_action`` and
  ``[agent] keep_grace`` and may be changed by an update.
* Where Blazar has a sentence for a refusal (``blazar_words``), the
  message is Blazar's.
"""

import datetime
import re

from placement_ext.allocator import model
from placement_ext import blazar_words
from placement_ext import reservations
from placement_ext.conf import leases as leases_conf
from placement_ext.exception import InvalidInput
from placement_ext import limits
from placement_ext.reservations import fields
from placement_ext import timeconv

MAX_INT = limits.MAX_INT
MAX_NAME_LENGTH = limits.MAX_NAME_LENGTH
MAX_RESERVATIONS = 100

# Lease fields Blazar returns on GET; a client may send them back. Ignored.
LEASE_TOLERATED_KEYS = frozenset(
    ['id', 'project_id', 'user_id', 'trust_id', 'status', 'degraded'])
LEASE_KEYS = frozenset(['name', 'start_date', 'end_date', 'before_end_date',
                        'reservations', 'events', 'end_action',
                        'keep_grace'])
# Reservation fields Blazar returns on GET; a client may send them back.
# Ignored.
RESERVATION_TOLERATED_KEYS = frozenset(
    ['id', 'lease_id', 'status', 'missing_resources', 'resources_changed',
     'resource_id', 'allocations', 'created_at', 'updated_at',
     'server_group_id'])
UPDATE_KEYS = frozenset(['name', 'start_date', 'end_date', 'before_end_date',
                         'prolong_for', 'reduce_by', 'defer_by', 'advance_by',
                         'reservations', 'end_action', 'keep_grace'])
# Pairs of update keys that may not be given together.
EXCLUSIVE_UPDATE_KEYS = (
    ('start_date', 'defer_by'), ('start_date', 'advance_by'),
    ('defer_by', 'advance_by'), ('end_date', 'prolong_for'),
    ('end_date', 'reduce_by'), ('prolong_for', 'reduce_by'))
DATE_FORMATS = "'now' or YYYY-MM-DD HH:MM[:SS]"
_DURATION_RE = re.compile(r'^(-?)(\d+)([dhms]?)$')
_UNIT_SECONDS = {'d': 86400, 'h': 3600, 'm': 60, 's': 1, '': 1}


# A UTC date for messages, or plain epoch seconds out of range.
_show_time = timeconv.message_text


def _show_duration(seconds):
    """``90061s (1d 1h 1m 1s)``: seconds, then a readable breakdown."""
    parts = []
    rest = seconds
    for unit in ('d', 'h', 'm', 's'):
        count, rest = divmod(rest, _UNIT_SECONDS[unit])
        if count:
            parts.append('%d%s' % (count, unit))
    return '%ds (%s)' % (seconds, ' '.join(parts) or '0s')


def parse_datetime(value, field, now):
    """Epoch seconds (UTC) of ``value``, a date string, ``"now"`` or a
    datetime; anything else is refused."""
    if isinstance(value, datetime.datetime):
        return check_epoch(timeconv.to_epoch(value), field)
    if not isinstance(value, str):
        raise InvalidInput(field, 'got %s; expected %s'
                           % (type(value).__name__, DATE_FORMATS))
    if value == 'now':
        return now
    try:
        epoch = timeconv.parse(value)
    except ValueError:
        raise InvalidInput(field, '%r is not a valid date; expected %s'
                           % (value, DATE_FORMATS),
                           message=blazar_words.invalid_date(value)) from None
    return check_epoch(epoch, field, value)


def check_epoch(epoch, field, shown=None):
    """``epoch`` when it is a date the store keeps
    (``limits.epoch_problem``); refused naming ``field`` otherwise."""
    problem = limits.epoch_problem(epoch)
    if problem:
        raise InvalidInput(field, '%s %s' % (
            repr(shown) if shown is not None else _show_time(epoch),
            problem))
    return epoch


def parse_duration(value, field):
    """Seconds in ``value``: a non-negative integer, or a string of digits
    with an optional unit ``d``, ``h``, ``m`` or ``s`` (``"2h"``)."""
    if isinstance(value, bool) or not isinstance(value, (int, str)):
        raise InvalidInput(field, 'got %s; expected a duration such as '
                           '"2h"' % type(value).__name__)
    match = _DURATION_RE.match(str(value).strip().lower())
    if not match:
        raise InvalidInput(field, '%r is not a duration; expected a number '
                           'of seconds or a number followed by d, h, m or s'
                           % (value,))
    if match.group(1):
        raise InvalidInput(field, 'must not be negative')
    if len(match.group(2).lstrip('0')) > limits.MAX_DIGITS:
        raise InvalidInput(field, 'must be at most %d seconds' % MAX_INT)
    seconds = int(match.group(2)) * _UNIT_SECONDS[match.group(3)]
    if seconds > MAX_INT:
        raise InvalidInput(field, 'must be at most %d seconds' % MAX_INT)
    return seconds


_check_keys = fields.check_keys


def parse_reservation(values, index, conf):
    """The request of one reservation dict, built by its type
    (``reservations.kind(resource_type)``)."""
    prefix = 'reservations[%d].' % index
    if not isinstance(values, dict):
        raise InvalidInput(prefix[:-1], 'must be an object')
    kind = reservations.kind(values.get('resource_type'),
                             prefix + 'resource_type')
    _check_keys(values, set(kind.fields) | {'resource_type'}
                | RESERVATION_TOLERATED_KEYS, prefix)
    return kind.build(fields.parse_all(kind.fields, values, prefix), prefix)


def _parse_name(value):
    """A non-blank string of at most MAX_NAME_LENGTH characters."""
    if not isinstance(value, str) or not value.strip():
        raise InvalidInput('name', 'must be a non-empty string')
    if len(value) > MAX_NAME_LENGTH:
        raise InvalidInput('name', 'must be at most %d characters long'
                           % MAX_NAME_LENGTH)
    problem = limits.text_problem(value)
    if problem:
        raise InvalidInput('name', problem)
    return value


def default_before_end(start, end, conf):
    """``[leases] before_end_default`` seconds before the end, not before
    the start."""
    return max(start, end - conf.leases.before_end_default)


def _check_window(start, end, conf, field,
                  words=blazar_words.END_BEFORE_START):
    """The end follows the start and the lease is not too long."""
    if end <= start:
        raise InvalidInput(field, 'end_date must be after start_date (%s is '
                           'not after %s)'
                           % (_show_time(end), _show_time(start)),
                           message=words)
    limit = conf.leases.max_lease_duration
    if limit and end - start > limit:
        raise InvalidInput(field, 'lease lasts %s, longer than the maximum '
                           'of %s' % (_show_duration(end - start),
                                      _show_duration(limit)))


def _not_past(moment, field, conf, now, words=blazar_words.START_IN_PAST):
    """``moment``, moved to ``now`` if within the start grace before it;
    refused if older than that."""
    if moment < now - conf.leases.start_grace:
        raise InvalidInput(field, 'is in the past (%s; now is %s)'
                           % (_show_time(moment), _show_time(now)),
                           message=words)
    return max(moment, now)


def _parse_before_end(value, start, end, now):
    """A before-end date within the lease window."""
    before_end = parse_datetime(value, 'before_end_date', now)
    if not start <= before_end <= end:
        raise InvalidInput('before_end_date', '%s is not between start_date '
                           '%s and end_date %s' % (_show_time(before_end),
                                                   _show_time(start),
                                                   _show_time(end)),
                           message=blazar_words.OUT_OF_LEASE_LIMITS)
    return before_end


def check_caller(project_id, user_id):
    """The ids a new lease is recorded under: what Keystone can issue
    (``limits.id_problem``), so every backend can store them."""
    for field, value in (('project_id', project_id), ('user_id', user_id)):
        problem = limits.id_problem(value)
        if problem:
            raise InvalidInput(field, "the caller's %s %s"
                               % (field.replace('_', ' '), problem))


def parse_lease(body, conf, now):
    """A LeaseRequest from a Blazar v1 lease-create body."""
    if not isinstance(body, dict):
        raise InvalidInput('body', 'must be a JSON object')
    _check_keys(body, LEASE_KEYS | LEASE_TOLERATED_KEYS, '')
    missing = [key for key in ('name', 'start_date', 'end_date')
               if key not in body]
    if missing:
        raise InvalidInput(missing[0], 'is required',
                           message=blazar_words.missing_parameter(*missing))
    name = _parse_name(body['name'])
    raw_start = body['start_date']
    start = parse_datetime(raw_start, 'start_date', now)
    end = parse_datetime(body['end_date'], 'end_date', now)
    moved = _not_past(start, 'start_date', conf, now)
    start_is_now = raw_start == 'now' or moved != start
    start = moved
    _check_window(start, end, conf, 'end_date')
    if body.get('before_end_date') is not None:
        before_end = _parse_before_end(body['before_end_date'], start, end,
                                       now)
    else:
        before_end = default_before_end(start, end, conf)
    end_action = _parse_end_action(
        body.get('end_action', conf.leases.default_end_action))
    keep_grace = (parse_duration(body['keep_grace'], 'keep_grace')
                  if body.get('keep_grace') is not None
                  else conf.agent.keep_grace)
    if body.get('events', []) != []:
        raise InvalidInput('events', 'custom events are not supported; '
                           'send an empty list')
    reservations = body.get('reservations', [])
    if not isinstance(reservations, list):
        raise InvalidInput('reservations', 'must be a list')
    if len(reservations) > MAX_RESERVATIONS:
        raise InvalidInput('reservations', 'at most %d reservations per '
                           'lease' % MAX_RESERVATIONS)
    return model.LeaseRequest(
        name=name, start=start, end=end, before_end=before_end,
        reservations=[parse_reservation(values, index, conf)
                      for index, values in enumerate(reservations)],
        end_action=end_action, start_is_now=start_is_now,
        keep_grace=keep_grace)


def _parse_end_action(value):
    if value not in leases_conf.END_ACTIONS:
        raise InvalidInput('end_action', '%r is not one of %s'
                           % (value, ', '.join(leases_conf.END_ACTIONS)))
    return value


def _moved(body, current, now, keys):
    """The new value of a lease date and the key that set it, from the
    keys (absolute date, later by, earlier by); ``(current, None)`` if
    none is given."""
    absolute, later, earlier = keys
    if absolute in body:
        return parse_datetime(body[absolute], absolute, now), absolute
    if later in body:
        return check_epoch(current + parse_duration(body[later], later),
                           later), later
    if earlier in body:
        return check_epoch(
            current - parse_duration(body[earlier], earlier),
            earlier), earlier
    return current, None


def _parse_reservation_change(values, index, seen):
    """The changes to one existing reservation: its id plus the given
    fields, validated like at creation."""
    prefix = 'reservations[%d].' % index
    if not isinstance(values, dict):
        raise InvalidInput(prefix[:-1], 'must be an object')
    changeable = reservations.change_fields()
    _check_keys(values, set(changeable) | RESERVATION_TOLERATED_KEYS
                | {'resource_type'}, prefix)
    res_id = values.get('id')
    if res_id is None:
        raise InvalidInput(prefix + 'id', 'is required', message=(
            blazar_words.missing_parameter('reservation ID')))
    if not isinstance(res_id, str) or not res_id:
        raise InvalidInput(prefix + 'id', 'is required')
    if res_id in seen:
        raise InvalidInput(prefix + 'id', 'reservation %s is given twice'
                           % res_id)
    seen.add(res_id)
    change = {'id': res_id}
    if 'resource_type' in values:
        change['resource_type'] = values['resource_type']
    for key, field in changeable.items():
        if key in values:
            change[key] = field.parse(values[key], prefix + key)
    for kind in reservations.registry().values():
        kind.check_change(change, prefix)
    return change


def parse_lease_update(body, lease_start, lease_end, conf, now, started):
    """The new absolute window (and name, reservation changes) from a
    Blazar v1 lease-update body applied to a lease from ``lease_start`` to
    ``lease_end``; ``started`` forbids moving the start."""
    if not isinstance(body, dict):
        raise InvalidInput('body', 'must be a JSON object')
    if not body:
        raise InvalidInput('body', 'nothing to update')
    _check_keys(body, UPDATE_KEYS, '')
    for first, second in EXCLUSIVE_UPDATE_KEYS:
        if first in body and second in body:
            raise InvalidInput(first, 'cannot be combined with %s' % second)
    result = {}
    if 'name' in body:
        result['name'] = _parse_name(body['name'])

    start, start_field = _moved(body, lease_start, now,
                                ('start_date', 'defer_by', 'advance_by'))
    if start_field and start != lease_start:
        if started:
            raise InvalidInput(start_field, 'cannot change the start of a '
                               'lease that has started',
                               message=blazar_words.STARTED_LEASE_START)
        start = _not_past(start, start_field, conf, now)

    end, end_field = _moved(body, lease_end, now,
                            ('end_date', 'prolong_for', 'reduce_by'))
    if end_field and end != lease_end:
        end = _not_past(end, end_field, conf, now,
                        words=blazar_words.END_NOT_LATER)

    if start_field or end_field:
        _check_window(start, end, conf, end_field or start_field,
                      words=blazar_words.END_NOT_LATER)
    result.update(start=start, end=end, before_end=None)
    if body.get('before_end_date') is not None:
        result['before_end'] = _parse_before_end(body['before_end_date'],
                                                 start, end, now)

    if 'end_action' in body:
        result['end_action'] = _parse_end_action(body['end_action'])
    if body.get('keep_grace') is not None:
        result['keep_grace'] = parse_duration(body['keep_grace'],
                                              'keep_grace')

    reservations = body.get('reservations', [])
    if not isinstance(reservations, list):
        raise InvalidInput('reservations', 'must be a list')
    seen = set()
    result['reservations'] = [
        _parse_reservation_change(values, index, seen)
        for index, values in enumerate(reservations)]
    return result
