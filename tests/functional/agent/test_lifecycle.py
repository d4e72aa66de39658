"""The agent starts and ends leases in Placement and the store, on a real
store (SQLite, MariaDB, PostgreSQL) and a real Placement."""

import uuid

from blazar_nova import names
from placement_ext import context as bn_context
from tests.functional.agent.conftest import ADMIN
from tests.functional.agent.conftest import HOUR
from placement_ext.testing import placement_service as ps


def _trait(lease):
    res = lease['reservations'][0]
    return names.access_trait(res['id'], lease['project_id'])


def test_host_lease_starts_and_ends_on_time(world):
    world.enrol('h1')
    world.enrol('h2')
    lease = world.host_lease('h1', end=3 * HOUR)
    agent = world.agent()

    assert agent.run_once() == 0
    assert world.status(lease) == 'PENDING'
    assert ps.carriers(world.placement, _trait(lease)) == set()

    world.clock.now += HOUR
    assert agent.run_once() == 1
    assert world.status(lease) == 'ACTIVE'
    assert ps.carriers(world.placement, _trait(lease)) == {world.hosts["h1"]}
    assert names.RESERVED_TRAIT in ps.traits_of(world.placement,
                                                world.hosts['h1'])
    start = world.events(lease)['start_lease']
    assert (start['status'], start['owner'], start['attempts']) == (
        'DONE', 'agent-1', 1)
    assert start['done_ms'] >= start['claimed_ms'] >= (
        world.clock.now * 1000)

    world.clock.now += HOUR
    assert agent.run_once() == 1          # before-end
    assert world.status(lease) == 'ACTIVE'
    world.clock.now += HOUR
    assert agent.run_once() == 1
    assert world.status(lease) == 'TERMINATED'
    assert not ps.trait_exists(world.placement, _trait(lease))
    assert names.RESERVED_TRAIT not in ps.traits_of(world.placement,
                                                    world.hosts['h1'])
    view = world.store.get_lease(ADMIN, lease['id'])
    assert view['reservations'][0]['status'] == 'deleted'


def test_instance_lease_slots_appear_and_disappear(world):
    world.enrol('h1')
    lease = world.slot_lease(amount=3)
    rc = names.resource_class(lease['reservations'][0]['id'])
    agent = world.agent()
    world.clock.now += HOUR
    agent.run_once()
    child = names.child_provider_uuid(world.hosts['h1'])
    assert ps.inventory_of(world.placement, child)[rc]['total'] == 3
    world.clock.now += HOUR
    agent.run_once()
    assert world.status(lease) == 'TERMINATED'
    assert not ps.resource_class_exists(world.placement, rc)
    assert ps.provider(world.placement, child) is None


def test_slots_in_use_hold_the_end_until_freed(world):
    world.enrol('h1')
    lease = world.slot_lease(amount=2)
    rc = names.resource_class(lease['reservations'][0]['id'])
    agent = world.agent()
    world.clock.now += HOUR
    agent.run_once()
    child = names.child_provider_uuid(world.hosts['h1'])
    consumer = str(uuid.uuid4())
    assert ps.allocate(world.placement, consumer, child, rc) == 204

    world.clock.now += HOUR
    agent.run_once()
    end = world.events(lease)['end_lease']
    assert world.status(lease) == 'TERMINATING'
    assert end['status'] == 'UNDONE' and 'still used' in end['last_error']
    # The access trait went first: nothing new can use the slots.
    assert ps.carriers(world.placement, _trait(lease)) == set()

    world.placement.delete('/allocations/%s' % consumer, expect=(204,))
    world.clock.now += 120
    agent.run_once()
    assert world.status(lease) == 'TERMINATED'
    assert not ps.resource_class_exists(world.placement, rc)


def test_deleting_an_active_lease_ends_then_removes_it(world):
    world.enrol('h1')
    lease = world.host_lease('h1')
    agent = world.agent()
    world.clock.now += HOUR
    agent.run_once()
    assert world.store.delete_lease(ADMIN, lease['id']) is False
    assert world.status(lease) == 'DELETING'
    agent.run_once()
    assert [x['id'] for x in world.store.list_leases(
        ADMIN, all_projects=True)] == []
    assert not ps.trait_exists(world.placement, _trait(lease))


def test_events_of_a_lease_run_in_order_even_when_all_are_due(world):
    world.enrol('h1')
    lease = world.host_lease('h1')
    world.clock.now += 3 * HOUR      # the agent was down the whole window
    agent = world.agent()
    assert agent.run_once() == 3
    events = world.events(lease)
    assert (events['start_lease']['done_ms']
            <= events['before_end_lease']['claimed_ms'])
    assert (events['before_end_lease']['done_ms']
            <= events['end_lease']['claimed_ms'])
    assert world.status(lease) == 'TERMINATED'


def test_a_lease_without_reservations_starts_and_ends(world):
    """Blazar accepts a lease that reserves nothing; its events run like
    any other's."""
    lease = world.store.create_lease(
        bn_context.RequestContext(project_id='p1', user_id='u-p1'),
        {'name': 'nothing', 'start_date': world.date(HOUR),
         'end_date': world.date(3 * HOUR)})
    agent = world.agent()
    world.clock.now += HOUR
    assert agent.run_once() == 1
    assert world.status(lease) == 'ACTIVE'
    world.clock.now += 2 * HOUR
    assert agent.run_once() == 2
    assert world.status(lease) == 'TERMINATED'
    assert {e['status'] for e in world.events(lease).values()} == {'DONE'}
