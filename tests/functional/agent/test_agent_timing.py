"""Races between the agent's loop and its store: an event is never left
waiting because the loop looked at the wrong moment."""

import time

from tests.functional.agent.conftest import ADMIN
from tests.functional.agent.conftest import HOUR


def test_a_dead_agents_claim_is_due_when_next_due_time_says(world):
    # An agent sleeps until next_due_time; were the event not due then, it
    # would poll the store in a loop until it is.
    world.enrol('h1')
    lease = world.host_lease('h1')
    world.clock.now += HOUR
    (event,) = world.store.due_events(ADMIN)
    assert event.lease_id == lease['id']
    assert world.store.claim_event(ADMIN, event.id, 'dead-agent', 60)

    due = world.store.next_due_time(ADMIN)
    world.clock.now = due - 1
    assert world.store.due_events(ADMIN) == []
    world.clock.now = due
    assert [e.id for e in world.store.due_events(ADMIN)] == [event.id]


def test_once_runs_an_event_made_due_while_it_looked(world, monkeypatch):
    # The start finishes while run_once reads the due events (a slow
    # store): the before-end it makes due is run before run_once returns.
    world.enrol('h1')
    lease = world.host_lease('h1')
    world.clock.now += HOUR
    agent = world.agent()
    read = world.store.due_events

    def slow(context, limit=100):
        found = read(context, limit)
        time.sleep(0.2)
        return found

    monkeypatch.setattr(world.store, 'due_events', slow)
    assert agent.run_once() == 2
    assert world.events(lease)['before_end_lease']['status'] == 'DONE'
