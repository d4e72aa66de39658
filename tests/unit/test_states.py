"""The lease, reservation and event state machines."""

import pytest

from placement_ext import exception
from placement_ext import states

L = states.LeaseStatus


@pytest.mark.parametrize('current, target', [
    (L.CREATING, L.PENDING), (L.PENDING, L.STARTING),
    (L.STARTING, L.ACTIVE), (L.ACTIVE, L.TERMINATING),
    (L.TERMINATING, L.TERMINATED), (L.PENDING, L.UPDATING),
    (L.UPDATING, L.PENDING), (L.ACTIVE, L.UPDATING), (L.UPDATING, L.ACTIVE),
    (L.ERROR, L.STARTING), (L.ERROR, L.TERMINATING),
    (L.TERMINATED, L.DELETING), (L.ACTIVE, L.DELETING),
])
def test_legal_lease_moves(current, target):
    states.check_transition('lease', 'l1', current, target)


@pytest.mark.parametrize('current, target', [
    (L.PENDING, L.ACTIVE),          # must pass through STARTING
    (L.PENDING, L.TERMINATED),
    (L.ACTIVE, L.PENDING),
    (L.TERMINATED, L.ACTIVE),       # an ended lease never comes back
    (L.TERMINATED, L.UPDATING),
    (L.STARTING, L.TERMINATED),
    (L.DELETING, L.ACTIVE),
    (L.UPDATING, L.TERMINATED),
])
def test_illegal_lease_moves_raise_conflict(current, target):
    with pytest.raises(exception.InvalidStateTransition) as exc:
        states.check_transition('lease', 'l1', current, target)
    assert exc.value.code == 409
    assert 'l1 cannot go from %s to %s' % (current, target) in str(exc.value)


def test_every_state_has_a_row_and_targets_are_states():
    for kind, table, every in (
            ('lease', states.LEASE_TRANSITIONS, L.ALL),
            ('reservation', states.RESERVATION_TRANSITIONS,
             states.ReservationStatus.ALL),
            ('event', states.EVENT_TRANSITIONS, states.EventStatus.ALL)):
        assert set(table) == set(every), kind
        for targets in table.values():
            assert set(targets) <= set(every), kind


def test_terminal_states():
    assert states.RESERVATION_TRANSITIONS['deleted'] == set()
    assert states.EVENT_TRANSITIONS['DONE'] == set()
    assert not states.is_allowed('event', 'DONE', 'IN_PROGRESS')
    assert states.is_allowed('event', 'ERROR', 'IN_PROGRESS')
