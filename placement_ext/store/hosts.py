"""Enrolled hosts: add, change, list and remove them.

A host that holds current or future allocations cannot be removed, and its
capacity cannot shrink below what those allocations use; both are refused
with a 409 that names the reservations in the way.
"""

import math
import re
import uuid as uuidlib

from oslo_db import exception as db_exc
from sqlalchemy import select

from placement_ext.allocator import timeline
from placement_ext import blazar_words
from placement_ext.db import models
from placement_ext import exception
from placement_ext import limits
from placement_ext.store import host_cache
from placement_ext.store import locking
from placement_ext.store import snapshot
from placement_ext import timeconv

CAPACITY_FIELDS = ('vcpus', 'memory_mb', 'local_gb')
RESOURCE_CLASS = re.compile(r'^[A-Z0-9_]{1,255}$')
MAX_INT = limits.MAX_INT


def _check_int(values, field):
    value = values[field]
    if isinstance(value, bool) or not isinstance(value, int):
        raise exception.InvalidInput(field, 'must be an integer')
    if not 0 <= value <= MAX_INT:
        raise exception.InvalidInput(field, 'must be between 0 and %d'
                                     % MAX_INT)


def _check_properties(properties):
    if not isinstance(properties, dict):
        raise exception.InvalidInput('properties', 'must be an object')
    for name, value in properties.items():
        if not isinstance(name, str) or not limits.PROPERTY_NAME.match(name):
            raise exception.InvalidInput(
                'properties', 'bad property name %r: 1 to %d characters of '
                'A-Z, a-z, 0-9, _, ., : and -'
                % (name, limits.MAX_PROPERTY_NAME_LENGTH))
        if name in snapshot.STANDARD_PROPERTIES:
            raise exception.InvalidInput(
                'properties', '%r is a standard field, not a property'
                % name)
        _check_property_value(name, value)


def _check_property_value(name, value):
    """A string of acceptable text, a boolean, or a finite number."""
    if isinstance(value, str):
        problem = limits.text_problem(value)
        if len(value) > limits.MAX_PROPERTY_VALUE_LENGTH:
            problem = 'is longer than %d characters' % (
                limits.MAX_PROPERTY_VALUE_LENGTH)
        if problem:
            raise exception.InvalidInput(
                'properties', 'value of %r %s' % (name, problem))
    elif isinstance(value, float):
        if not math.isfinite(value):
            raise exception.InvalidInput(
                'properties', 'value of %r must be a finite number' % name)
    elif not isinstance(value, (int, bool)):
        raise exception.InvalidInput(
            'properties', 'value of %r must be a string, number or '
            'boolean' % name)


def _check_extra_capacity(extra):
    if not isinstance(extra, dict):
        raise exception.InvalidInput('extra_capacity', 'must be an object')
    for name, value in extra.items():
        if not RESOURCE_CLASS.match(str(name)):
            raise exception.InvalidInput(
                'extra_capacity', 'bad resource class %r' % name)
        if isinstance(value, bool) or not isinstance(value, int) \
                or not 0 <= value <= MAX_INT:
            raise exception.InvalidInput(
                'extra_capacity', '%s must be an integer from 0' % name)


def validate_host(values, partial=False):
    """Check host fields; with ``partial`` only those present."""
    allowed = {'uuid', 'hypervisor_hostname', 'reservable',
               'extra_capacity', 'properties'} | set(CAPACITY_FIELDS)
    for field in values:
        if field not in allowed:
            raise exception.InvalidInput(field, 'unknown field')
    if not partial:
        for field in ('hypervisor_hostname',) + CAPACITY_FIELDS:
            if field not in values:
                raise exception.InvalidInput(field, 'is required')
    if 'hypervisor_hostname' in values:
        name = values['hypervisor_hostname']
        if (not isinstance(name, str)
                or not 0 < len(name) <= limits.MAX_HOSTNAME_LENGTH):
            raise exception.InvalidInput(
                'hypervisor_hostname', 'must be a string of 1 to %d '
                'characters' % limits.MAX_HOSTNAME_LENGTH)
        problem = limits.text_problem(name)
        if problem:
            raise exception.InvalidInput('hypervisor_hostname', problem)
    if 'uuid' in values:
        try:
            uuidlib.UUID(str(values['uuid']))
        except ValueError:
            raise exception.InvalidInput('uuid', 'must be a UUID')
    for field in CAPACITY_FIELDS:
        if field in values:
            _check_int(values, field)
    if 'reservable' in values and not isinstance(values['reservable'],
                                                 bool):
        raise exception.InvalidInput('reservable', 'must be a boolean')
    if 'properties' in values:
        _check_properties(values['properties'])
    if 'extra_capacity' in values:
        _check_extra_capacity(values['extra_capacity'])


def create_host(session, values):
    """Enrol a host; the uuid defaults to a new one (no Placement yet)."""
    validate_host(values)
    host = models.Host(
        uuid=str(values.get('uuid') or uuidlib.uuid4()),
        hypervisor_hostname=values['hypervisor_hostname'],
        reservable=values.get('reservable', True),
        vcpus=values['vcpus'], memory_mb=values['memory_mb'],
        local_gb=values['local_gb'],
        extra_capacity=dict(values.get('extra_capacity') or {}),
        properties=dict(values.get('properties') or {}))
    session.add(host)
    try:
        session.flush()
    except db_exc.DBDuplicateEntry:
        raise exception.Conflict(
            'A host with hypervisor_hostname %s or uuid %s is already '
            'enrolled.' % (host.hypervisor_hostname, host.uuid))
    host_cache.bump_generation(session)
    return host


def _host_query(ident):
    """The query finding host ``ident`` (an id: ASCII digits; otherwise a
    uuid or hypervisor hostname), or None when no host can have it."""
    query = select(models.Host)
    if isinstance(ident, int) and not isinstance(ident, bool):
        number = ident
    elif isinstance(ident, str) and limits.HOST_ID.fullmatch(ident):
        number = int(ident)
    else:
        text = str(ident)
        if (len(text) > limits.MAX_HOSTNAME_LENGTH
                or limits.text_problem(text)):
            return None
        return query.where((models.Host.uuid == text)
                           | (models.Host.hypervisor_hostname == text))
    if not 0 < number <= MAX_INT:
        return None
    return query.where(models.Host.id == number)


def get_host(session, ident):
    """A host by id, uuid or hypervisor hostname, or NotFound."""
    query = _host_query(ident)
    host = None if query is None else session.scalars(query).first()
    if host is None:
        raise exception.NotFound(blazar_words.host_not_found(ident))
    return host


def list_hosts(session):
    return list(session.scalars(
        select(models.Host).order_by(models.Host.hypervisor_hostname)))


def _holders(session, host_id, now):
    """Reservation ids with allocations on the host ending after ``now``."""
    return sorted(session.scalars(
        select(models.Allocation.reservation_id)
        .where(models.Allocation.host_id == host_id)
        .where(models.Allocation.end_epoch > now)))


def allocations_between(session, lo, hi):
    """Allocations meeting ``[lo, hi)`` with their lease, by host id.

    Each is a dict with ``reservation_id``, ``lease_id``, ``lease_name``,
    ``project_id``, ``start``, ``end`` (epoch seconds), ``slots`` and
    ``resource_type``.
    """
    rows = session.execute(
        select(models.Allocation.host_id, models.Allocation.reservation_id,
               models.Allocation.start_epoch, models.Allocation.end_epoch,
               models.Allocation.slots, models.Lease.id, models.Lease.name,
               models.Lease.project_id, models.Reservation.resource_type)
        .join(models.Reservation,
              models.Reservation.id == models.Allocation.reservation_id)
        .join(models.Lease, models.Lease.id == models.Reservation.lease_id)
        .where(models.Allocation.start_epoch < hi)
        .where(models.Allocation.end_epoch > lo)
        .order_by(models.Allocation.start_epoch))
    by_host = {}
    for row in rows:
        by_host.setdefault(row.host_id, []).append({
            'reservation_id': row.reservation_id, 'lease_id': row.id,
            'lease_name': row.name, 'project_id': row.project_id,
            'start': row.start_epoch, 'end': row.end_epoch,
            'slots': row.slots, 'resource_type': row.resource_type})
    return by_host


def _merged_properties(current, changes):
    """``current`` properties with ``changes`` applied (None unsets)."""
    properties = dict(current or {})
    for name, value in changes.items():
        if value is None:
            properties.pop(name, None)
        else:
            properties[name] = value
    return properties


def update_host(session, ident, values, now, margin, property_changes=None):
    """Change a host; capacity may not drop below what is booked on it.

    ``property_changes`` (``{name: value}``, None unsetting a name) are
    merged into the host's properties under the allocator lock, in this
    transaction, so concurrent updates of one host never lose each
    other's changes.
    """
    validate_host(values, partial=True)
    locking.lock_allocations(session)
    host = get_host(session, ident)
    if property_changes:
        values = dict(values, properties=_merged_properties(
            host.properties, property_changes))
        validate_host({'properties': values['properties']}, partial=True)
    for field, value in values.items():
        setattr(host, field, value)
    host_cache.bump_generation(session)
    session.flush()
    shrinking = any(f in values for f in CAPACITY_FIELDS + (
        'extra_capacity',))
    if shrinking:
        _check_capacity_still_fits(session, host, now, margin)
    return host


def _check_capacity_still_fits(session, host, now, margin):
    bookings = [b for b in snapshot.load_bookings(
        session, now, timeconv.FAR_FUTURE, margin).get(host.id, [])
        if not b.whole_host]
    peak, _whole = timeline.peak_usage(bookings, now, timeconv.FAR_FUTURE,
                                       margin)
    capacity = snapshot.host_from_row(host).capacity
    for key, used in sorted(peak.items()):
        if used > capacity.get(key, 0):
            raise exception.Conflict(
                'Host %s has %d %s booked by reservations; its capacity '
                'cannot drop to %d.' % (host.hypervisor_hostname, used, key,
                                        capacity.get(key, 0)))


def delete_host(session, ident, now):
    """Remove a host that no current or future reservation holds."""
    locking.lock_allocations(session)
    host = get_host(session, ident)
    holders = _holders(session, host.id, now)
    if holders:
        raise exception.Conflict(
            '%s It is allocated to reservation(s) %s; it can be removed '
            'once they end.' % (
                blazar_words.cant_delete_host(host.hypervisor_hostname),
                ', '.join(holders)))
    session.execute(
        models.Allocation.__table__.delete()
        .where(models.Allocation.host_id == host.id))
    session.delete(host)
    host_cache.bump_generation(session)


def set_placement(session, views):
    """Store ``views`` (``{uuid: placement view}``) on their hosts; a
    host removed meanwhile is skipped. The hosts' generation moves, so
    every process's host cache reads them again."""
    hosts = session.scalars(select(models.Host).where(
        models.Host.uuid.in_(sorted(views))))
    for host in hosts:
        host.placement = views[host.uuid]
    session.flush()
    host_cache.bump_generation(session)
