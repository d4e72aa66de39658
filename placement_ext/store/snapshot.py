"""Load what the allocator needs: hosts and the bookings near a window."""

from sqlalchemy import select

from placement_ext.allocator import model
from placement_ext.db import models
from placement_ext.store import timeconv

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
                      properties=properties)


def load_hosts(session):
    """Every enrolled host, as allocator ``Host`` objects."""
    rows = session.execute(select(
        models.Host.id, models.Host.uuid, models.Host.hypervisor_hostname,
        models.Host.reservable, models.Host.vcpus, models.Host.memory_mb,
        models.Host.local_gb, models.Host.extra_capacity,
        models.Host.properties))
    return [host_from_row(row) for row in rows]


def known_properties(hosts):
    """Every property name a filter may refer to."""
    names = set(STANDARD_PROPERTIES)
    for host in hosts:
        names.update(host.properties)
    return names


def booking_from_row(row):
    """An allocator ``Booking`` from an allocations-join-reservations row."""
    whole = row.resource_type == model.HOST
    usage = {}
    if not whole:
        usage = {'vcpus': row.vcpus * row.slots,
                 'memory_mb': row.memory_mb * row.slots,
                 'local_gb': row.disk_gb * row.slots}
        for key, value in (row.extra_resources or {}).items():
            usage[key] = value * row.slots
    return model.Booking(host_id=row.host_id,
                         reservation_id=row.reservation_id,
                         start=timeconv.to_epoch(row.start_at),
                         end=timeconv.to_epoch(row.end_at),
                         whole_host=whole, usage=usage, slots=row.slots)


def load_bookings(session, lo, hi, margin, ignore_reservations=()):
    """Bookings meeting ``[lo, hi)`` once extended by ``margin``, by host.

    Bookings of ``ignore_reservations`` (a reservation being updated) are
    left out.
    """
    query = (
        select(models.Allocation.host_id,
               models.Allocation.reservation_id,
               models.Allocation.start_at, models.Allocation.end_at,
               models.Allocation.slots, models.Reservation.resource_type,
               models.Reservation.vcpus, models.Reservation.memory_mb,
               models.Reservation.disk_gb,
               models.Reservation.extra_resources)
        .join(models.Reservation,
              models.Reservation.id == models.Allocation.reservation_id)
        .where(models.Allocation.start_at < timeconv.to_datetime(hi))
        .where(models.Allocation.end_at >
               timeconv.to_datetime(lo - margin)))
    if ignore_reservations:
        query = query.where(
            models.Allocation.reservation_id.not_in(
                list(ignore_reservations)))
    by_host = {}
    for row in session.execute(query):
        by_host.setdefault(row.host_id, []).append(booking_from_row(row))
    return by_host
