"""Load what the allocator needs: hosts and the bookings near a window."""

from sqlalchemy import func
from sqlalchemy import select

from placement_ext.allocator import model
from placement_ext.allocator import timeline
from placement_ext.db import models
from placement_ext import reservations
from placement_ext.store import length_bound

STANDARD_PROPERTIES = ('hypervisor_hostname', 'vcpus', 'memory_mb',
                       'local_gb')


def host_from_row(row):
    """An allocator ``Host`` from a ``hosts`` row.

    Property filters see the free-form properties plus the standard fields
    ``hypervisor_hostname``, ``vcpus``, ``memory_mb`` and ``local_gb``.
    """
    capacity = {'vcpus': row.vcpus, 'memory_mb': row.memory_mb,
                'local_gb': row.local_gb}
    capacity.update(row.extra_capacity or {})
    properties = dict(row.properties or {})
    for name in STANDARD_PROPERTIES:
        properties[name] = getattr(row, name)
    return model.Host(id=row.id, uuid=row.uuid,
                      hypervisor_hostname=row.hypervisor_hostname,
                      reservable=row.reservable, capacity=capacity,
                      properties=properties, placement=row.placement)


def load_hosts(session):
    """Every enrolled host, as allocator ``Host`` objects."""
    rows = session.execute(select(
        models.Host.id, models.Host.uuid, models.Host.hypervisor_hostname,
        models.Host.reservable, models.Host.vcpus, models.Host.memory_mb,
        models.Host.local_gb, models.Host.extra_capacity,
        models.Host.properties, models.Host.placement))
    return [host_from_row(row) for row in rows]


def known_properties(hosts):
    """Every property name a filter may refer to."""
    names = set(STANDARD_PROPERTIES)
    for host in hosts:
        names.update(host.properties)
    return names


def _meeting(query, session, lo, hi, margin, ignore_reservations):
    """``query`` restricted to allocations meeting ``[lo, hi)`` once
    extended by ``margin``, bounded below by the allocation length bound,
    without those of ``ignore_reservations``."""
    query = (query.where(models.Allocation.start_epoch < hi)
             .where(models.Allocation.end_epoch > lo - margin))
    bound = length_bound.read(session)
    if bound is not None:
        query = query.where(
            models.Allocation.start_epoch >= lo - margin - bound)
    if ignore_reservations:
        query = query.where(
            models.Allocation.reservation_id.not_in(
                list(ignore_reservations)))
    return query


def load_bookings(session, lo, hi, margin, ignore_reservations=()):
    """Bookings meeting ``[lo, hi)`` once extended by ``margin``, by host.

    Bookings of ``ignore_reservations`` (a reservation being updated) are
    left out.
    """
    query = _meeting(
        select(models.Allocation.host_id,
               models.Allocation.reservation_id,
               models.Allocation.start_epoch, models.Allocation.end_epoch,
               models.Allocation.slots, models.Reservation.resource_type,
               models.Reservation.vcpus, models.Reservation.memory_mb,
               models.Reservation.disk_gb,
               models.Reservation.extra_resources)
        .join(models.Reservation,
              models.Reservation.id == models.Allocation.reservation_id),
        session, lo, hi, margin, ignore_reservations)
    by_host = {}
    kinds = reservations.registry()
    # Core rows on the session's connection (flushed first, as the ORM
    # would): the ORM's result machinery costs more than the database for
    # the tens of thousands of rows a window can meet.
    session.flush()
    for row in session.connection().execute(query):
        by_host.setdefault(row[0], []).append(
            kinds[row[5]].booking_from_row(row))
    return by_host


def load_busy_spans(session, lo, hi, margin, ignore_reservations=()):
    """For whole-host decisions only: by host, one whole-host ``Booking``
    from the earliest start to the latest end of the bookings meeting
    ``[lo, hi)`` once extended by ``margin``.

    Rule: a host has a span exactly when ``load_bookings`` would give it a
    booking, which is all a whole-host decision asks. One grouped query:
    no booking rows, usage or slots are loaded, so instance decisions must
    use ``load_bookings``.
    """
    table = models.Allocation
    query = _meeting(
        select(table.host_id, func.min(table.start_epoch),
               func.max(table.end_epoch)),
        session, lo, hi, margin, ignore_reservations)
    session.flush()
    return {host_id: [model.Booking(host_id, '', first, last, True, {}, 1)]
            for host_id, first, last in session.connection().execute(
                query.group_by(table.host_id))}


def load_gaps(session, start, end, margin, horizon, ignore_reservations=()):
    """Free time around ``[start, end + margin)`` on each host, by host id.

    Returns ``{host_id: (before, after)}``: seconds since the latest booking
    (with its margin) ended, and until the next one starts, looking at most
    ``horizon`` seconds each way; hosts with nothing in a direction get
    ``INF`` there. Two aggregate queries, so no booking rows are loaded.
    """
    window_end = end + margin
    table = models.Allocation
    bound = length_bound.read(session)
    session.flush()
    connection = session.connection()

    def query(column, *conditions):
        statement = select(table.host_id, column).where(*conditions)
        if ignore_reservations:
            statement = statement.where(
                table.reservation_id.not_in(list(ignore_reservations)))
        return connection.execute(statement.group_by(table.host_id))

    # Bookings ending in the horizon before the window started at most
    # ``bound`` earlier, which lets the start index bound the walk.
    ended_before = [table.end_epoch <= start - margin,
                    table.end_epoch > start - margin - horizon,
                    table.start_epoch < start - margin]
    if bound is not None:
        ended_before.append(
            table.start_epoch >= start - margin - horizon - bound)
    gaps = {}
    for host_id, latest_end in query(func.max(table.end_epoch),
                                     *ended_before):
        gaps[host_id] = (start - latest_end - margin, timeline.INF)
    for host_id, next_start in query(
            func.min(table.start_epoch),
            table.start_epoch >= window_end,
            table.start_epoch < window_end + horizon):
        before = gaps.get(host_id, (timeline.INF,))[0]
        gaps[host_id] = (before, next_start - window_end)
    return gaps
