"""``blazar-nova-manage events show|retry`` and ``reconcile``, as an
operator runs them, on a lease whose end failed."""

import pytest

from tests.functional.agent.conftest import ADMIN
from tests.functional.agent.conftest import HOUR
from placement_ext.testing import crash_points
from placement_ext.testing import manage_process
from placement_ext.testing import placement_service as ps

on_sqlite = pytest.mark.parametrize('db_url', ['sqlite'], indirect=True)


def _config(tmp_path, world, placement_endpoint='http://127.0.0.1:9'):
    path = tmp_path / 'blazar-nova.conf'
    path.write_text(
        '[DEFAULT]\nstate_path = %s\n[database]\nconnection = %s\n'
        '[placement]\nauth_type = admin_token\nendpoint = %s\n'
        'token = admin\n' % (tmp_path / 'state', world.store.db.connection,
                             placement_endpoint))
    return path


def _fail(point):
    raise RuntimeError('injected failure at %s' % point)


def _failing_end(world):
    """A started lease whose end failed for good (ERROR): its agent's
    Placement client fails at ``end:revoked``."""
    world.enrol('h1')
    lease = world.host_lease('h1')
    world.conf.set_override('max_failures', 1, group='agent')
    world.clock.now += HOUR
    world.agent().run_once()
    agent = world.agent(injector=crash_points.Injector('end:revoked',
                                                       _fail))
    world.clock.now += HOUR
    agent.run_once()
    return lease, agent


@on_sqlite
def test_show_then_retry_a_failed_end(world, tmp_path):
    lease, agent = _failing_end(world)
    assert world.status(lease) == 'ERROR'
    config = _config(tmp_path, world)

    shown = manage_process.run(config, 'events', 'show', lease['id'])
    assert shown.returncode == 0, shown.stderr
    lines = shown.stdout.splitlines()
    assert lines[0].endswith(': ERROR')
    end_line = next(line for line in lines if ' end_lease' in line)
    assert 'ERROR' in end_line and 'agent-1' in end_line
    assert 'RuntimeError: injected failure at end:revoked' in end_line
    start_line = next(line for line in lines if 'start_lease' in line)
    assert 'DONE' in start_line

    end_id = world.events(lease)['end_lease']['id']
    retried = manage_process.run(config, 'events', 'retry', str(end_id))
    assert retried.returncode == 0, retried.stderr
    assert 'is UNDONE again' in retried.stdout
    assert agent.run_once() == 1
    assert world.status(lease) == 'TERMINATED'


@on_sqlite
def test_retry_refuses_an_event_not_in_error(world, tmp_path):
    world.enrol('h1')
    lease = world.host_lease('h1')
    config = _config(tmp_path, world)
    start_id = world.events(lease)['start_lease']['id']
    result = manage_process.run(config, 'events', 'retry', str(start_id))
    assert result.returncode == 1
    assert result.stderr.count('\n') == 1 and 'UNDONE' in result.stderr
    missing = manage_process.run(config, 'events', 'retry', '999999')
    assert missing.returncode == 1 and 'not found' in missing.stderr
    unknown = manage_process.run(config, 'events', 'show', 'nope')
    assert unknown.returncode == 1 and 'not found' in unknown.stderr


@on_sqlite
def test_reconcile_repairs_placement_and_reports_errors(world, tmp_path):
    standalone = ps.Standalone(tmp_path)
    try:
        client = standalone.client()
        world.placement = client
        lease, _ = _failing_end(world)
        other = world.enrol('h2')
        config = _config(tmp_path, world, standalone.endpoint)
        result = manage_process.run(config, 'reconcile')
        assert result.returncode == 3, result.stderr
        assert ('changed: marked host %s reservable' % other
                in result.stdout)
        assert 'flavors not checked' in result.stdout
        assert ('problem: lease %s is in ERROR' % lease['id']
                in result.stdout)
        view = world.store.get_lease(ADMIN, lease['id'])
        assert view['status'] == 'ERROR'
    finally:
        standalone.stop()


@on_sqlite
def test_a_failed_before_end_leaves_the_lease_active(world):
    world.enrol('h1')
    lease = world.host_lease('h1', end=3 * HOUR)
    world.conf.set_override('max_failures', 1, group='agent')
    agent = world.agent()
    world.clock.now += HOUR
    agent.run_once()
    # Fail the before-end step: the notifier raises.
    original = agent.steps.notifier.notify

    def broken(ctx, event_type, payload):
        if event_type == 'lease.event.before_end_lease':
            raise RuntimeError('broker exploded')
        return original(ctx, event_type, payload)

    agent.steps.notifier.notify = broken
    world.clock.now += HOUR
    agent.run_once()
    assert world.events(lease)['before_end_lease']['status'] == 'ERROR'
    assert world.status(lease) == 'ACTIVE'
    # Still live: Placement keeps the reservation.
    live = world.store.live_reservations(ADMIN)
    assert [e.reservation_id for e in live] == [
        lease['reservations'][0]['id']]
    # The failed step does not hold up the end.
    world.clock.now += HOUR
    agent.run_once()
    assert world.status(lease) == 'TERMINATED'
