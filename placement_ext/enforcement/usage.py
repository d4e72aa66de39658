"""A project's use of hosts and slots over time, read from the store.

Every allocation of the project's leases counts, whatever the lease's
status, for the time it holds its host: past allocations of leases still
in the store count toward host-hours; a deleted lease no longer counts,
and one being deleted (DELETING, the agent about to end it) counts only
up to now.
Whole-host reservations (``physical:host``) count one host per allocation;
the other types count their slots.
"""

import dataclasses

from sqlalchemy import select

from placement_ext.db import models
from placement_ext import reservations
from placement_ext import states

HOSTS = 'hosts'
SLOTS = 'slots'


@dataclasses.dataclass(frozen=True)
class Span:
    """One allocation: ``amount`` hosts or slots (``unit``) over
    ``[start, end)``, of lease ``lease_id``."""

    start: int
    end: int
    unit: str
    amount: int
    lease_id: str


def _unit(resource_type):
    return HOSTS if reservations.kind(resource_type).whole_host else SLOTS


def of_lease(lease):
    """The spans of the ORM ``lease`` as it is now."""
    return [Span(a.start_epoch, a.end_epoch, _unit(row.resource_type),
                 1 if _unit(row.resource_type) == HOSTS else a.slots,
                 lease.id)
            for row in lease.reservations for a in row.allocations]


def of_project(session, project_id, lo, hi, now):
    """The spans of ``project_id``'s leases meeting ``[lo, hi)``."""
    query = (select(models.Allocation.start_epoch,
                    models.Allocation.end_epoch, models.Allocation.slots,
                    models.Reservation.resource_type, models.Lease.id,
                    models.Lease.status)
             .join(models.Reservation,
                   models.Allocation.reservation_id == models.Reservation.id)
             .join(models.Lease, models.Reservation.lease_id
                   == models.Lease.id)
             .where(models.Lease.project_id == project_id)
             .where(models.Allocation.start_epoch < hi)
             .where(models.Allocation.end_epoch > lo))
    spans = []
    for (start, end, slots, resource_type, lease_id,
         status) in session.execute(query):
        if status == states.LeaseStatus.DELETING:
            end = min(end, now)
            if end <= start:
                continue
        unit = _unit(resource_type)
        spans.append(Span(start, end, unit, 1 if unit == HOSTS else slots,
                          lease_id))
    return spans


def held_at(spans, unit, moment):
    """Hosts or slots held at ``moment``."""
    return sum(s.amount for s in spans
               if s.unit == unit and s.start <= moment < s.end)


def moments(spans, lo, hi):
    """The moments within ``[lo, hi)`` at which the use of ``spans`` may
    change, and ``lo``: the use is constant between them."""
    found = {lo}
    for span in spans:
        for moment in (span.start, span.end):
            if lo < moment < hi:
                found.add(moment)
    return sorted(found)


def seconds_within(spans, lo, hi):
    """Host-seconds of whole-host spans within ``[lo, hi)``."""
    return sum(s.amount * max(0, min(s.end, hi) - max(s.start, lo))
               for s in spans if s.unit == HOSTS)


def window_starts(spans, width, lo, hi):
    """Where a window of ``width`` seconds meeting ``[lo, hi)`` may start
    for host-seconds to be greatest: the use is piecewise linear in the
    window's start, so its greatest value is at one of its bends or at an
    end of the range."""
    first, last = lo - width, hi
    starts = {first, last}
    for span in spans:
        for moment in (span.start, span.end, span.start - width,
                       span.end - width):
            if first <= moment <= last:
                starts.add(moment)
    return sorted(starts)
