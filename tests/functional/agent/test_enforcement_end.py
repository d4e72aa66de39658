"""The agent tells ``ExternalServiceFilter``'s on-end of every lease it
ends, after the end is done; a failing service is logged and never holds
the end back (a real Placement, a real HTTP service; SQLite: the agent's
part does not depend on the database)."""

import pytest

from placement_ext.store import api as store_api
from tests.functional.agent.conftest import HOUR
from tests.functional.enforcement import service as enforcement_service


@pytest.fixture
def external():
    with enforcement_service.running() as service:
        yield service


@pytest.mark.parametrize('db_url', ['sqlite'], indirect=True)
@pytest.mark.parametrize('answer', [204, 500, 'dead'])
def test_on_end_is_told_once_and_never_blocks_the_end(world, external,
                                                      answer):
    url = external.url
    if answer == 'dead':
        url = enforcement_service.dead_url()
    external.answer = lambda path, body: (
        answer if isinstance(answer, int) else 204, None)
    world.conf.set_override('enabled_filters', ['ExternalServiceFilter'],
                            group='enforcement')
    world.conf.set_override('external_service_on_end_endpoint',
                            url + 'on-end', group='enforcement')
    world.conf.set_override('external_service_timeout', 0.3,
                            group='enforcement')
    world.store = store_api.Store(world.conf, world.store.db,
                                  clock=world.clock)
    world.enrol('h1')
    lease = world.host_lease('h1')
    agent = world.agent()
    world.clock.now += HOUR
    agent.run_once()
    assert world.status(lease) == 'ACTIVE'
    assert external.paths() == []
    world.clock.now += HOUR
    agent.run_once()
    assert world.status(lease) == 'TERMINATED'
    agent.run_once()
    if answer == 'dead':
        return
    (call,) = external.calls
    assert call.path == '/enforcement/on-end'
    sent = call.body['lease']
    assert sent['id'] == lease['id']
    assert sent['status'] == 'TERMINATING'
    assert [a['hypervisor_hostname'] for a in
            sent['reservations'][0]['allocations']] == ['h1']
    assert call.body['context']['project_id'] == 'p1'
