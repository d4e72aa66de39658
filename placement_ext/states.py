"""Lease and reservation state machines, checked in this one place.

Lease states follow Blazar's: a lease is CREATING while its reservations are
allocated, PENDING until its start, STARTING while the start event runs,
ACTIVE during its window, UPDATING while a change is applied, TERMINATING
while the end event runs and TERMINATED afterwards. DELETING is a lease being
removed; ERROR a lease whose last step failed and awaits a retry or deletion.

Only the transitions listed in ``LEASE_TRANSITIONS`` and
``RESERVATION_TRANSITIONS`` are legal; everything else raises
``InvalidStateTransition``.
"""

from placement_ext import exception


class LeaseStatus:
    CREATING = 'CREATING'
    PENDING = 'PENDING'
    STARTING = 'STARTING'
    ACTIVE = 'ACTIVE'
    UPDATING = 'UPDATING'
    TERMINATING = 'TERMINATING'
    TERMINATED = 'TERMINATED'
    DELETING = 'DELETING'
    ERROR = 'ERROR'

    STABLE = frozenset({PENDING, ACTIVE, TERMINATED, ERROR})
    TRANSITIONAL = frozenset({CREATING, STARTING, UPDATING, TERMINATING,
                              DELETING})
    ALL = STABLE | TRANSITIONAL


class ReservationStatus:
    PENDING = 'pending'
    ACTIVE = 'active'
    DELETED = 'deleted'
    ERROR = 'error'

    ALL = frozenset({PENDING, ACTIVE, DELETED, ERROR})


class EventStatus:
    UNDONE = 'UNDONE'
    IN_PROGRESS = 'IN_PROGRESS'
    DONE = 'DONE'
    ERROR = 'ERROR'

    ALL = frozenset({UNDONE, IN_PROGRESS, DONE, ERROR})


_L = LeaseStatus
LEASE_TRANSITIONS = {
    _L.CREATING: {_L.PENDING, _L.ERROR},
    _L.PENDING: {_L.STARTING, _L.UPDATING, _L.DELETING, _L.ERROR},
    _L.STARTING: {_L.ACTIVE, _L.ERROR, _L.DELETING},
    _L.ACTIVE: {_L.TERMINATING, _L.UPDATING, _L.DELETING, _L.ERROR},
    _L.UPDATING: {_L.PENDING, _L.ACTIVE, _L.ERROR},
    _L.TERMINATING: {_L.TERMINATED, _L.ERROR},
    _L.TERMINATED: {_L.DELETING},
    _L.DELETING: {_L.ERROR},
    # From ERROR an operator retries the failed step or removes the lease.
    _L.ERROR: {_L.STARTING, _L.TERMINATING, _L.UPDATING, _L.DELETING},
}

_R = ReservationStatus
RESERVATION_TRANSITIONS = {
    _R.PENDING: {_R.ACTIVE, _R.DELETED, _R.ERROR},
    _R.ACTIVE: {_R.DELETED, _R.ERROR},
    _R.ERROR: {_R.PENDING, _R.ACTIVE, _R.DELETED},
    _R.DELETED: set(),
}

_E = EventStatus
EVENT_TRANSITIONS = {
    _E.UNDONE: {_E.IN_PROGRESS, _E.DONE},
    _E.IN_PROGRESS: {_E.DONE, _E.ERROR, _E.UNDONE},
    # DONE from ERROR: skipped because the lease is being deleted.
    _E.ERROR: {_E.IN_PROGRESS, _E.UNDONE, _E.DONE},
    _E.DONE: set(),
}

_MACHINES = {
    'lease': LEASE_TRANSITIONS,
    'reservation': RESERVATION_TRANSITIONS,
    'event': EVENT_TRANSITIONS,
}


def is_allowed(kind, current, target):
    """Return whether ``kind`` ('lease', 'reservation', 'event') may move
    from ``current`` to ``target``."""
    return target in _MACHINES[kind].get(current, ())


def check_transition(kind, obj_id, current, target):
    """Raise ``InvalidStateTransition`` unless the move is legal."""
    if not is_allowed(kind, current, target):
        raise exception.InvalidStateTransition(kind, obj_id, current, target)
