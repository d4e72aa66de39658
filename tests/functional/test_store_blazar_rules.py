"""Blazar's rules at the edges, in the store (SQLite, MariaDB,
PostgreSQL): active instance reservations, terminated leases, leases
without reservations, and hosts made unreservable."""

import pytest

from placement_ext import context as bn_context
from placement_ext.db import models
from placement_ext import exception
from tests.functional.test_store import add_hosts
from tests.functional.test_store import counts
from tests.functional.test_store import ctx
from tests.functional.test_store import date
from tests.functional.test_store import DAY
from tests.functional.test_store import host_lease
from tests.functional.test_store import HOUR
from tests.functional.test_store import slot_lease

ADMIN = bn_context.admin_context()


def _change(lease, **fields):
    return {'reservations': [dict(fields,
                                  id=lease['reservations'][0]['id'])]}


@pytest.mark.parametrize('fields,words', [
    ({'vcpus': 1}, 'An active reservation only accepts to update amount.'),
    ({'amount': 3, 'resource_properties': ''},
     'An active reservation only accepts to update amount.'),
    ({'amount': 1}, "Instance reservation doesn't allow to reduce/replace "
                    "reserved instance slots when the reservation is in "
                    "active status."),
])
def test_started_instance_reservation_only_grows_its_amount(
        store, clock, fields, words):
    add_hosts(store, 2)
    lease = store.create_lease(ctx(), slot_lease(clock, amount=2,
                                                 end=DAY))
    clock.now += HOUR + 60
    before = counts(store)
    with pytest.raises(exception.Conflict) as exc:
        store.update_lease(ctx(), lease['id'], _change(lease, **fields))
    assert str(exc.value) == words
    assert counts(store) == before
    (kept,) = store.get_lease(ctx(), lease['id'])['reservations']
    assert (kept['amount'], kept['vcpus']) == (2, 2)
    grown = store.update_lease(ctx(), lease['id'], _change(lease, amount=3))
    assert grown['reservations'][0]['amount'] == 3


def test_pending_instance_reservation_changes_anything(store, clock):
    add_hosts(store, 2)
    lease = store.create_lease(ctx(), slot_lease(clock, amount=3))
    changed = store.update_lease(ctx(), lease['id'],
                                 _change(lease, amount=1, vcpus=1))
    assert (changed['reservations'][0]['amount'],
            changed['reservations'][0]['vcpus']) == (1, 1)


def _terminate(store, lease_id):
    with store.db.writer(ADMIN) as session:
        session.get(models.Lease, lease_id).status = 'TERMINATED'


def test_terminated_lease_can_only_be_renamed(store, clock):
    add_hosts(store, 1)
    lease = store.create_lease(ctx(), host_lease(clock))
    store.create_lease(ctx(), host_lease(clock, name='taken', start=DAY,
                                         end=DAY + HOUR))
    _terminate(store, lease['id'])
    with pytest.raises(exception.Conflict) as exc:
        store.update_lease(ctx(), lease['id'], {'prolong_for': '1h'})
    assert str(exc.value) == 'Terminated leases can only be renamed'
    with pytest.raises(exception.Conflict) as exc:
        store.update_lease(ctx(), lease['id'], {'name': 'taken'})
    assert str(exc.value) == 'The lease with name: taken already exists'
    renamed = store.update_lease(ctx(), lease['id'], {'name': 'old'})
    assert (renamed['name'], renamed['status']) == ('old', 'TERMINATED')


def test_lease_without_reservations(store, clock):
    lease = store.create_lease(ctx(), {
        'name': 'empty', 'start_date': date(clock, HOUR),
        'end_date': date(clock, 2 * HOUR)})
    assert lease['reservations'] == []
    assert sorted(e['event_type'] for e in lease['events']) == [
        'before_end_lease', 'end_lease', 'start_lease']
    moved = store.update_lease(ctx(), lease['id'], {'prolong_for': '1h'})
    assert moved['end_date'] == date(clock, 3 * HOUR)
    assert store.delete_lease(ctx(), lease['id']) is True


def test_unreservable_host_gives_up_pending_reservations_only(store,
                                                              clock):
    """Pending reservations move (or keep the host, their lease
    degraded, when nothing is free); a started lease keeps the host until
    its end."""
    first, second, third = add_hosts(store, 3)
    started = store.create_lease(ctx(), host_lease(
        clock, name='started', start=60, end=DAY,
        props='["=", "$hypervisor_hostname", "cn00"]'))
    clock.now += 120
    pending = store.create_lease(ctx(), host_lease(
        clock, name='pending', start=2 * DAY, end=3 * DAY,
        props='["=", "$rack", "r0"]'))
    stuck = store.create_lease(ctx(), host_lease(
        clock, name='stuck', start=4 * DAY, end=5 * DAY,
        props='["=", "$hypervisor_hostname", "cn00"]'))
    assert {r['allocations'][0]['hypervisor_hostname']
            for lease in (started, pending, stuck)
            for r in lease['reservations']} == {'cn00'}

    host, outcomes = store.update_host_moving(ADMIN, first['id'],
                                              {'reservable': False})
    assert host['reservable'] is False
    by_lease = {o.lease_id: o for o in outcomes}
    assert set(by_lease) == {pending['id'], stuck['id']}
    assert by_lease[pending['id']].replaced is True
    assert by_lease[pending['id']].message == (
        'host cn00 is gone (set unreservable by an administrator); '
        'replaced by cn02')
    assert by_lease[stuck['id']].replaced is False

    def hosts_of(lease):
        view = store.get_lease(ctx(), lease['id'])
        return [a['hypervisor_hostname']
                for a in view['reservations'][0]['allocations']], view

    assert hosts_of(pending)[0] == ['cn02']
    held, view = hosts_of(stuck)
    assert held == ['cn00'] and view['degraded'] is True
    assert 'set unreservable' in view['degraded_reason']
    held, view = hosts_of(started)
    assert held == ['cn00'] and view['degraded'] is False
    assert store.update_host_moving(ADMIN, second['id'],
                                    {'properties': {'x': 'y'}})[1] == []
