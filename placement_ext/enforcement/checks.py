"""The hooks the store calls inside the allocator lock
(``store.leases.create_lease`` and ``update_lease``'s ``check``).

``Rehearsal`` lets the store decide a lease as it would write it, then
rolls the transaction back (``Rehearsed`` carries the bodies out): the
outside filters judge that tentative lease with no lock held.
``LockedCheck`` runs the inside filters on the lease being written and,
when outside filters approved a rehearsal, makes sure the written lease is
the one they approved (``Approval``); if not, ``errors.Stale`` sends the
whole check round again.
"""

import dataclasses
import typing

from placement_ext.enforcement import bodies
from placement_ext.enforcement import errors
from placement_ext import timeconv


@dataclasses.dataclass(frozen=True)
class LeaseChange:
    """What the inside filters judge: a lease created (``previous`` is
    None) or updated (``previous`` its window before), as written."""

    operation: str
    lease_id: str
    project_id: str
    start: int
    end: int
    now: int
    previous: typing.Optional[typing.Tuple[int, int]] = None


@dataclasses.dataclass(frozen=True)
class Approval:
    """What the outside filters approved of a rehearsed lease: its window
    and, per reservation, its type, hosts and slots. The hosts themselves
    may differ at the real write (the service judged the request and its
    size, as Blazar's candidates are not the hosts it writes either)."""

    start: int
    end: int
    amounts: tuple
    at: int

    def matches(self, lease, now):
        """Whether the written ``lease`` is the approved one. A start of
        ``now`` moves with the clock: it may lie up to the time elapsed
        since the rehearsal after the approved start."""
        start = timeconv.to_epoch(lease.start_date)
        return (timeconv.to_epoch(lease.end_date) == self.end
                and self.start <= start <= self.start + (now - self.at)
                and amounts(lease) == self.amounts)


def amounts(lease):
    """Per reservation, in the lease's order (a new lease's: the
    request's), its type, hosts and slots."""
    return tuple((row.resource_type, len(row.allocations),
                  sum(a.slots for a in row.allocations))
                 for row in lease.reservations)


def _change(operation, lease, now, previous):
    return LeaseChange(
        operation=operation, lease_id=lease.id, project_id=lease.project_id,
        start=timeconv.to_epoch(lease.start_date),
        end=timeconv.to_epoch(lease.end_date), now=now, previous=previous)


def _window(lease):
    return (timeconv.to_epoch(lease.start_date),
            timeconv.to_epoch(lease.end_date))


class LockedCheck:
    """Inside filters on the written lease, and the approval it must
    match."""

    def __init__(self, conf, operation, inside, clock, approval=None):
        self.conf = conf
        self.operation = operation
        self.inside = inside
        self.clock = clock
        self.approval = approval
        self.previous = None
        self.remembered = {}

    def before(self, session, lease):
        self.previous = _window(lease)
        self.remembered = {id(f): f.remember(session, lease)
                           for f in self.inside}

    def after(self, session, lease):
        now = self.clock()
        change = _change(self.operation, lease, now, self.previous)
        for each in self.inside:
            each.check_locked(session, change, self.remembered.get(id(each)))
        approval = self.approval
        if approval is not None and not approval.matches(lease, now):
            raise errors.Stale()


class Rehearsed(Exception):
    """Raised out of a rehearsal's transaction (rolling it back) with the
    bodies the outside filters are to judge."""

    def __init__(self, context, current, lease, approval):
        super().__init__('rehearsal')
        self.context = context
        self.current = current
        self.lease = lease
        self.approval = approval


class Rehearsal(LockedCheck):
    """The inside filters first (a cheap refusal comes before any call),
    then the tentative lease's bodies, out through ``Rehearsed``."""

    def __init__(self, conf, operation, inside, clock):
        super().__init__(conf, operation, inside, clock)
        self.current = None

    def before(self, session, lease):
        super().before(session, lease)
        self.current = bodies.lease_body(lease)

    def after(self, session, lease):
        super().after(session, lease)
        start, end = _window(lease)
        raise Rehearsed(
            bodies.context_body(self.conf, lease), self.current,
            bodies.lease_body(lease, new=self.operation == 'create'),
            Approval(start=start, end=end, amounts=amounts(lease),
                     at=self.clock()))
