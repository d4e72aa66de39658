"""Healing: a held host whose resource provider is gone is replaced from
the free hosts, in the store and (for live leases) in Placement; when none
fits the lease is marked degraded. (Nova's view of down or disabled
compute services is proved in tests/functional/nova.)"""

import pytest

from blazar_nova import names
from tests.functional.agent.conftest import ADMIN
from tests.functional.agent.conftest import HOUR
from placement_ext.testing import placement_service as ps

on_sqlite_and_pg = pytest.mark.parametrize(
    'db_url', ['sqlite', 'postgresql'], indirect=True)


def _hosts_of(world, lease):
    view = world.store.get_lease(ADMIN, lease['id'])
    return sorted(a['hypervisor_hostname']
                  for a in view['reservations'][0]['allocations'])


def _remove_provider(world, hostname):
    world.placement.delete('/resource_providers/%s' % world.hosts[hostname],
                           expect=(204,))


@on_sqlite_and_pg
def test_active_host_lease_moves_to_a_free_host(world):
    for name in ('h1', 'h2', 'h3'):
        world.enrol(name)
    lease = world.host_lease('', end=3 * HOUR)
    agent = world.agent()
    world.clock.now += HOUR
    agent.run_once()
    (held,) = _hosts_of(world, lease)
    trait = names.access_trait(lease['reservations'][0]['id'], 'p1')

    _remove_provider(world, held)
    outcomes = agent.healer.heal(ADMIN)

    assert [o.replaced for o in outcomes] == [True]
    (new,) = _hosts_of(world, lease)
    assert new != held
    assert ps.carriers(world.placement, trait) == {world.hosts[new]}
    assert names.RESERVED_TRAIT in ps.traits_of(world.placement,
                                                world.hosts[new])
    view = world.store.get_lease(ADMIN, lease['id'])
    assert (view['status'], view['degraded']) == ('ACTIVE', False)
    # A second pass finds nothing left to heal.
    assert agent.healer.heal(ADMIN) == []


@on_sqlite_and_pg
def test_no_free_host_marks_the_lease_degraded(world):
    world.enrol('h1')
    world.enrol('h2')
    mine = world.host_lease('h1')
    world.host_lease('h2', project='p2')      # takes the only other host
    agent = world.agent()
    _remove_provider(world, 'h1')
    outcomes = agent.healer.heal(ADMIN)
    assert [o.replaced for o in outcomes] == [False]
    view = world.store.get_lease(ADMIN, mine['id'])
    assert view['degraded'] is True
    assert 'host h1 is down (resource provider gone from Placement)' in (
        view['degraded_reason'])
    assert 'no free replacement' in view['degraded_reason']
    assert _hosts_of(world, mine) == ['h1']


@on_sqlite_and_pg
def test_upcoming_instance_slots_move_off_a_failed_host(world):
    world.enrol('h1', vcpus=2)
    world.enrol('h2', vcpus=2)
    lease = world.slot_lease(amount=2)    # 1 vcpu each: fits either host
    (held,) = _hosts_of(world, lease)
    agent = world.agent()
    _remove_provider(world, held)
    agent.healer.heal(ADMIN)
    (new,) = _hosts_of(world, lease)
    assert new != held
    view = world.store.get_lease(ADMIN, lease['id'])
    assert view['reservations'][0]['allocations'][0]['slots'] == 2
    # Nothing was written to Placement for a lease that has not started.
    rc = names.resource_class(lease['reservations'][0]['id'])
    assert not ps.resource_class_exists(world.placement, rc)
    world.clock.now += HOUR
    agent.run_once()
    child = names.child_provider_uuid(world.hosts[new])
    assert ps.inventory_of(world.placement, child)[rc]['total'] == 2


@on_sqlite_and_pg
def test_ended_and_unheld_hosts_are_left_alone(world):
    world.enrol('h1')
    world.enrol('h2')
    lease = world.host_lease('h1')
    agent = world.agent()
    world.clock.now += 3 * HOUR
    agent.run_once()
    assert world.status(lease) == 'TERMINATED'
    _remove_provider(world, 'h1')
    assert agent.healer.heal(ADMIN) == []
    assert _hosts_of(world, lease) == ['h1']
