"""Reservations that Placement must show now, read in one query.

A reservation is live while its lease is ACTIVE, or STARTING or UPDATING
after its start date (an agent is writing it), unless the reservation
itself was deleted. TERMINATING, TERMINATED, PENDING, DELETING and ERROR
leases are not live: their encoding is to be removed (once no instance uses
it).
"""

from sqlalchemy import or_
from sqlalchemy import select

from placement_ext.db import models
from placement_ext import states
from placement_ext.store import results
from placement_ext import timeconv

_L = states.LeaseStatus


def live_reservations(session, now):
    """Live reservations (``results.LiveReservation``) with their hosts,
    ordered by id."""
    now_dt = timeconv.to_datetime(now)
    lease, res = models.Lease, models.Reservation
    alloc, host = models.Allocation, models.Host
    query = (
        select(res.id, lease.project_id, res.resource_type, res.vcpus,
               res.memory_mb, res.disk_gb, res.extra_resources, res.flavor,
               host.uuid,
               host.hypervisor_hostname, alloc.slots)
        .join(lease, lease.id == res.lease_id)
        .join(alloc, alloc.reservation_id == res.id)
        .join(host, host.id == alloc.host_id)
        .where(res.status != states.ReservationStatus.DELETED)
        .where(or_(lease.status == _L.ACTIVE,
                   (lease.status.in_([_L.STARTING, _L.UPDATING])
                    & (lease.start_date <= now_dt))))
        .order_by(res.id, host.hypervisor_hostname))
    found = {}
    hosts = {}
    for (rid, project_id, rtype, vcpus, memory_mb, disk_gb, extra, flavor,
         host_uuid, hostname, slots) in session.execute(query):
        if rid not in found:
            found[rid] = dict(
                reservation_id=rid, project_id=project_id,
                resource_type=rtype, vcpus=vcpus, memory_mb=memory_mb,
                disk_gb=disk_gb, extra_resources=dict(extra or {}),
                flavor=flavor)
        hosts.setdefault(rid, []).append(
            results.HeldHost(host_uuid, hostname, slots))
    return [results.LiveReservation(hosts=tuple(hosts[rid]), **fields)
            for rid, fields in found.items()]


def reservation_owner(session, reservation_id):
    """The ``results.Owner`` of any stored reservation, or None."""
    row = session.get(models.Reservation, reservation_id)
    if row is None:
        return None
    return results.Owner(
        row.lease.project_id, row.resource_type,
        tuple(results.HeldHost(a.host.uuid, a.host.hypervisor_hostname,
                               a.slots, a.host_id)
              for a in row.allocations))
