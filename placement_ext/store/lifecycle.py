"""The lease agent's moves of a lease through its start and its end.

A start moves the lease PENDING (or ERROR, on retry) to STARTING before any
outside write and STARTING to ACTIVE in the same transaction that marks its
event DONE; an end does the same with TERMINATING and TERMINATED (or removes
the lease, when it was being deleted). A crash in between leaves the lease
in STARTING or TERMINATING with its event claimed by a dead agent, which
the next agent resumes: every outside step is idempotent.
"""

from sqlalchemy import select

from placement_ext.db import models
from placement_ext import exception
from placement_ext import states
from placement_ext.store import events
from placement_ext.store import leases
from placement_ext.store import results
from placement_ext import timeconv

_L = states.LeaseStatus
_R = states.ReservationStatus
_E = states.EventStatus

# Where each event may take the lease from, and the state it moves it to
# while the agent works.
ENTRY = {
    'start_lease': ({_L.PENDING, _L.ERROR}, _L.STARTING),
    'end_lease': ({_L.ACTIVE, _L.ERROR}, _L.TERMINATING),
}


def _reservation_work(row):
    hosts = sorted((results.HeldHost(
        uuid=a.host.uuid, hypervisor_hostname=a.host.hypervisor_hostname,
        slots=a.slots, host_id=a.host_id) for a in row.allocations),
        key=lambda h: h.hypervisor_hostname)
    return results.ReservationWork(
        id=row.id, resource_type=row.resource_type, status=row.status,
        hosts=tuple(hosts), vcpus=row.vcpus, memory_mb=row.memory_mb,
        disk_gb=row.disk_gb,
        extra_resources=dict(row.extra_resources or {}),
        before_end=row.before_end or 'default', affinity=row.affinity,
        server_group_id=row.server_group_id, flavor=row.flavor)


def lease_work(session, lease_id):
    """What the agent needs of a lease (``results.LeaseWork``), or None
    when it is gone."""
    lease = session.get(models.Lease, lease_id)
    if lease is None:
        return None
    return results.LeaseWork(
        id=lease.id, name=lease.name, project_id=lease.project_id,
        user_id=lease.user_id, status=lease.status,
        end_action=lease.end_action, keep_grace=lease.keep_grace,
        start=timeconv.to_epoch(lease.start_date),
        end=timeconv.to_epoch(lease.end_date),
        before_end=timeconv.to_epoch(lease.before_end_date),
        start_date=timeconv.to_text(lease.start_date),
        end_date=timeconv.to_text(lease.end_date),
        before_end_date=timeconv.to_text(lease.before_end_date),
        degraded_reason=lease.degraded_reason,
        reservations=tuple(_reservation_work(r)
                           for r in lease.reservations))


def enter(session, lease_id, event_type):
    """Move the lease into the working state of ``event_type``.

    Returns the lease's status afterwards: the working state (also when a
    crashed agent had already moved it), or whatever other state the lease
    is in (DELETING, say), which the caller handles.
    """
    lease = session.get(models.Lease, lease_id)
    if lease is None:
        return None
    sources, working = ENTRY[event_type]
    if lease.status in sources:
        leases.set_lease_status(session, lease_id, lease.status, working)
        return working
    return lease.status


def complete_start(session, lease_id, event_id, owner, done_ms):
    """Reservations active, lease ACTIVE, event DONE: one transaction."""
    lease = session.get(models.Lease, lease_id)
    if lease is not None and lease.status == _L.STARTING:
        for row in lease.reservations:
            if row.status in (_R.PENDING, _R.ERROR):
                row.status = _R.ACTIVE
        leases.set_lease_status(session, lease_id, _L.STARTING, _L.ACTIVE)
    events.finish(session, event_id, owner, done_ms)


def complete_end(session, lease_id, event_id, owner, done_ms):
    """Reservations deleted and lease TERMINATED with its event DONE, or
    the lease removed when it was being deleted."""
    lease = session.get(models.Lease, lease_id)
    events.finish(session, event_id, owner, done_ms)
    if lease is None:
        return
    if lease.status == _L.DELETING:
        session.delete(lease)
        session.flush()
        return
    for row in lease.reservations:
        if row.status != _R.DELETED:
            row.status = _R.DELETED
    if lease.status == _L.TERMINATING:
        leases.set_lease_status(session, lease_id, _L.TERMINATING,
                                _L.TERMINATED)


def fail_lease(session, lease_id, event_id, owner, error):
    """Park the event in ERROR, and the lease with it when the event was
    its start or end (a failed before-end step, a snapshot say, leaves the
    lease ACTIVE: ERROR would take its reservation out of Placement)."""
    events.fail(session, event_id, owner, error)
    if session.get(models.Event, event_id).event_type not in ENTRY:
        return
    lease = session.get(models.Lease, lease_id)
    if lease is not None and states.is_allowed('lease', lease.status,
                                               _L.ERROR):
        leases.set_lease_status(session, lease_id, lease.status, _L.ERROR)


def set_degraded(session, lease_id, reason):
    """Record why a lease lacks capacity (None: it has all it asked)."""
    lease = session.get(models.Lease, lease_id)
    if lease is None:
        raise exception.NotFound('Lease %s not found.' % lease_id)
    lease.degraded_reason = reason[:255] if reason else None
    session.flush()


def record_server_group(session, reservation_id, group_id):
    """Record the Nova server group the agent made for a reservation;
    False when the reservation is gone."""
    row = session.get(models.Reservation, reservation_id)
    if row is None:
        return False
    if row.server_group_id != group_id:
        row.server_group_id = group_id
        session.flush()
    return True


def leases_in(session, statuses):
    """Ids of leases in any of ``statuses``."""
    return list(session.scalars(select(models.Lease.id).where(
        models.Lease.status.in_(statuses))))
