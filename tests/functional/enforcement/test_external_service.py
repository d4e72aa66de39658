"""``ExternalServiceFilter`` against a real HTTP service (the operator's
service is an HTTP server; this one runs in a thread): Blazar's bodies,
204 allows, 403 refuses with the service's message, the timeout and the
configured answer when the service fails, on-end at deletion."""

import threading
import time

from keystoneauth1 import loading as ks_loading
import pytest

from placement_ext.cmd import api as api_cmd
from placement_ext import context as bn_context
from placement_ext.enforcement import errors
from placement_ext import exception
from tests.functional.enforcement.conftest import ctx
from tests.functional.enforcement.conftest import HOUR
from tests.functional.enforcement import service as enforcement_service

ADMIN = bn_context.admin_context()


def use(enforced, url, **options):
    options.setdefault('external_service_token', 'secret-token')
    enforced.set(enabled_filters=['ExternalServiceFilter'],
                 external_service_base_endpoint=url, **options)


def lease_count(enforced):
    return len(enforced.store.list_leases(ADMIN, all_projects=True))


def test_check_create_sends_blazars_bodies_and_204_allows(sqlite_enforced,
                                                          external):
    enforced = sqlite_enforced
    use(enforced, external.url, context_auth_url='http://keystone/v3',
        context_region_name='RegionOne')
    enforced.add_hosts(2)
    lease = enforced.host_lease(count=2)
    (call,) = external.calls
    assert call.path == '/enforcement/check-create'
    assert call.headers['X-Auth-Token'] == 'secret-token'
    assert call.headers['Content-Type'] == 'application/json'
    assert call.body['context'] == {
        'user_id': 'u-p1', 'project_id': 'p1',
        'auth_url': 'http://keystone/v3', 'region_name': 'RegionOne'}
    sent = call.body['lease']
    assert sent['name'] == lease['name']
    assert sent['project_id'] == 'p1' and sent['user_id'] == 'u-p1'
    # Blazar's isoformat() of the dates.
    assert sent['start_date'] == lease['start_date'][:19].replace(' ', 'T')
    assert sent['end_date'] == lease['end_date'][:19].replace(' ', 'T')
    for absent in ('id', 'status', 'events'):
        assert absent not in sent
    (reservation,) = sent['reservations']
    assert reservation['resource_type'] == 'physical:host'
    assert (reservation['min'], reservation['max']) == (2, 2)
    assert 'id' not in reservation
    hosts = reservation['allocations']
    assert sorted(h['hypervisor_hostname'] for h in hosts) == ['cn00',
                                                               'cn01']
    assert {h['vcpus'] for h in hosts} == {8}
    assert {h['slots'] for h in hosts} == {1}
    # The approved hosts are the ones written (nothing changed meanwhile).
    assert sorted(a['hypervisor_hostname'] for a in
                  lease['reservations'][0]['allocations']) == ['cn00',
                                                               'cn01']


def test_403_refuses_with_the_services_message_and_writes_nothing(
        sqlite_enforced, external):
    enforced = sqlite_enforced
    use(enforced, external.url)
    enforced.add_hosts(1)
    external.answer = lambda path, body: (
        403, {'message': 'Project p1 has 3 SUs left; this lease needs 4.'})
    with pytest.raises(errors.Refused) as exc:
        enforced.host_lease()
    assert str(exc.value) == 'Project p1 has 3 SUs left; this lease needs 4.'
    assert exc.value.code == 400              # Blazar's status
    assert lease_count(enforced) == 0


@pytest.mark.parametrize('status, answer', [
    (403, {'detail': 'no message key'}),
    (403, None),
    (200, {'ok': True}),
    (404, {'message': 'not this one'}),
])
def test_other_answers_refuse_with_blazars_generic_message(
        sqlite_enforced, external, status, answer):
    enforced = sqlite_enforced
    use(enforced, external.url)
    enforced.add_hosts(1)
    external.answer = lambda path, body: (status, answer)
    with pytest.raises(errors.Refused) as exc:
        enforced.host_lease()
    assert str(exc.value) == ('External service enforcement filter denied '
                              'the request.')
    assert lease_count(enforced) == 0


def _slow(path, body):
    time.sleep(2.0)
    return 204, None


@pytest.mark.parametrize('failure', ['500', 'dead port', 'timeout'])
def test_a_failing_service_follows_on_failure(sqlite_enforced, external,
                                              failure):
    enforced = sqlite_enforced
    url = external.url
    if failure == '500':
        external.answer = lambda path, body: (500, {'message': 'boom'})
    elif failure == 'dead port':
        url = enforcement_service.dead_url()
    else:
        external.answer = _slow
    use(enforced, url, external_service_timeout=0.2)
    enforced.add_hosts(1)
    began = time.monotonic()
    with pytest.raises(errors.ServiceFailed) as exc:
        enforced.host_lease()
    assert time.monotonic() - began < 1.5       # the timeout, not the sleep
    assert exc.value.code == 503
    assert 'could not check this lease' in str(exc.value)
    assert 'boom' not in str(exc.value)
    assert lease_count(enforced) == 0

    use(enforced, url, external_service_timeout=0.2,
        external_service_on_failure='allow')
    assert enforced.host_lease()['status'] == 'PENDING'


def test_check_update_sends_current_and_new_lease(sqlite_enforced,
                                                  external):
    enforced = sqlite_enforced
    use(enforced, external.url)
    enforced.add_hosts(1)
    lease = enforced.host_lease()
    external.answer = lambda path, body: (
        (403, {'message': 'No prolonging past Friday.'})
        if body['lease']['end_date'] > body['current_lease']['end_date']
        else (204, None))
    with pytest.raises(errors.Refused) as exc:
        enforced.store.update_lease(ctx(), lease['id'],
                                    {'prolong_for': '1h'})
    assert str(exc.value) == 'No prolonging past Friday.'
    assert enforced.store.get_lease(ctx(), lease['id']) == lease
    call = external.calls[-1]
    assert call.path == '/enforcement/check-update'
    current, new = call.body['current_lease'], call.body['lease']
    assert current['id'] == new['id'] == lease['id']
    assert current['status'] == 'PENDING'
    assert [e['event_type'] for e in current['events']] == [
        'start_lease', 'before_end_lease', 'end_lease']
    assert (current['reservations'][0]['allocations'][0]
            ['hypervisor_hostname']) == 'cn00'
    assert new['end_date'] == enforced.date(3 * HOUR).replace(' ', 'T')[:19]

    updated = enforced.store.update_lease(ctx(), lease['id'],
                                          {'reduce_by': '30m'})
    assert updated['end_date'] > lease['start_date']
    assert external.paths()[-1] == '/enforcement/check-update'
    asked = len(external.calls)
    # A rename alone is not asked, as in Blazar.
    enforced.store.update_lease(ctx(), lease['id'], {'name': 'renamed'})
    assert len(external.calls) == asked


def test_deleting_a_pending_lease_tells_on_end_and_a_failure_is_logged(
        sqlite_enforced, external):
    enforced = sqlite_enforced
    use(enforced, external.url)
    enforced.add_hosts(1)
    lease = enforced.host_lease()
    external.answer = lambda path, body: (500, None)
    assert enforced.store.delete_lease(ctx(), lease['id']) is True
    call = external.calls[-1]
    assert call.path == '/enforcement/on-end'
    assert call.body['lease']['id'] == lease['id']
    assert call.body['lease']['reservations'][0]['allocations']
    assert lease_count(enforced) == 0


def test_endpoint_overrides_and_static_token(sqlite_enforced, external):
    enforced = sqlite_enforced
    enforced.set(enabled_filters=['ExternalServiceFilter'],
                 external_service_check_create_endpoint=(
                     external.url + 'create-here'),
                 external_service_token='')
    enforced.add_hosts(1)
    lease = enforced.host_lease()
    assert external.paths() == ['/enforcement/create-here']
    assert 'X-Auth-Token' not in external.calls[0].headers
    # No check-update endpoint: updates are not asked.
    enforced.store.update_lease(ctx(), lease['id'], {'prolong_for': '1h'})
    assert external.paths() == ['/enforcement/create-here']


def test_the_written_lease_is_the_approved_one_or_asked_again(
        sqlite_enforced, external):
    """Another project takes a host while the service is asked: the
    lease written would hold fewer hosts than approved, so the service is
    asked again about the lease as it now stands."""
    enforced = sqlite_enforced
    use(enforced, external.url)
    enforced.add_hosts(2)
    taken = []

    def answer(path, body):
        if body['context']['project_id'] == 'p1' and not taken:
            taken.append(enforced.host_lease(project='p2'))
        return 204, None

    external.answer = answer
    lease = enforced.host_lease(count=1, max_=2)
    asked = [len(c.body['lease']['reservations'][0]['allocations'])
             for c in external.calls
             if c.body['context']['project_id'] == 'p1']
    assert asked == [2, 1]
    assert len(lease['reservations'][0]['allocations']) == 1


def test_a_slow_service_never_holds_the_allocator_lock(sqlite_enforced,
                                                       external):
    """Project p1's check waits in the service; project p2's lease is
    created (and checked) meanwhile."""
    enforced = sqlite_enforced
    use(enforced, external.url, external_service_timeout=5)
    enforced.add_hosts(2)
    p1_waiting = threading.Event()
    release = threading.Event()

    def answer(path, body):
        if body['context']['project_id'] == 'p1':
            p1_waiting.set()
            release.wait(5)
        return 204, None

    external.answer = answer
    results = {}

    def create_p1():
        results['p1'] = enforced.host_lease(project='p1', name='slow')

    first = threading.Thread(target=create_p1)
    first.start()
    try:
        assert p1_waiting.wait(5)
        began = time.monotonic()
        second = enforced.host_lease(project='p2', name='quick')
        took = time.monotonic() - began
        assert 'p1' not in results          # p1 still waits
    finally:
        release.set()
        first.join(10)
    assert took < 2.0
    assert second['status'] == 'PENDING'
    assert results['p1']['status'] == 'PENDING'


def test_misconfiguration_stops_the_store(sqlite_enforced):
    enforced = sqlite_enforced
    enforced.set(enabled_filters=['NoSuchFilter'])
    with pytest.raises(errors.Misconfigured, match='NoSuchFilter'):
        enforced.store
    enforced.set(enabled_filters=['ExternalServiceFilter'])
    with pytest.raises(errors.Misconfigured, match='no endpoint'):
        enforced.store
    assert issubclass(errors.Misconfigured, exception.ReservationError)


@pytest.mark.parametrize('lines', [
    'enabled_filters = NoSuchFilter',
    'enabled_filters = ExternalServiceFilter\n'
    'external_service_base_endpoint = ftp://svc/',
])
def test_the_api_command_stops_on_a_misconfiguration(tmp_path,
                                                     monkeypatch, lines):
    config = tmp_path / 'blazar-nova.conf'
    config.write_text('[enforcement]\n%s\n[database]\nconnection = '
                      'sqlite:///%s\n' % (lines, tmp_path / 'x.sqlite'))
    logged = []
    monkeypatch.setattr(api_cmd.LOG, 'error',
                        lambda fmt, *args: logged.append(fmt % args))
    assert api_cmd.main(['--config-file', str(config)]) == 1
    assert logged and logged[0].startswith('[enforcement]'), logged


def test_a_lease_of_several_reservations_is_approved_in_request_order(
        sqlite_enforced, external):
    enforced = sqlite_enforced
    use(enforced, external.url)
    enforced.add_hosts(3)
    reservations = [
        {'resource_type': 'virtual:instance', 'amount': 3, 'vcpus': 1,
         'memory_mb': 512, 'disk_gb': 1, 'affinity': None},
        {'resource_type': 'physical:host', 'min': 1, 'max': 1},
        {'resource_type': 'virtual:instance', 'amount': 1, 'vcpus': 2,
         'memory_mb': 512, 'disk_gb': 1, 'affinity': None}]
    for attempt in range(3):
        lease = enforced.store.create_lease(ctx(), {
            'name': 'mixed-%d' % attempt,
            'start_date': enforced.date(HOUR + attempt * 3 * HOUR),
            'end_date': enforced.date(2 * HOUR + attempt * 3 * HOUR),
            'reservations': reservations})
        assert len(lease['reservations']) == 3
    # One check per lease: the written leases were the approved ones.
    assert len(external.calls) == 3
    sent = external.calls[0].body['lease']['reservations']
    assert [(r['resource_type'], r.get('amount'),
             sum(a['slots'] for a in r['allocations'])) for r in sent] == [
        ('virtual:instance', 3, 3), ('physical:host', None, 1),
        ('virtual:instance', 1, 1)]


def test_a_keystone_token_replaces_the_static_one(sqlite_enforced,
                                                  external):
    """With the group's keystoneauth1 options (here the ``admin_token``
    plugin, which needs no Keystone), the plugin's token is sent."""
    enforced = sqlite_enforced
    conf = enforced.conf
    conf.register_opts(ks_loading.get_auth_plugin_conf_options(
        'admin_token'), group='enforcement')
    conf.set_override('auth_type', 'admin_token', group='enforcement')
    conf.set_override('token', 'keystone-token', group='enforcement')
    conf.set_override('endpoint', external.url, group='enforcement')
    use(enforced, external.url)
    enforced.add_hosts(1)
    enforced.host_lease()
    assert external.calls[0].headers['X-Auth-Token'] == 'keystone-token'


def test_the_default_timeout_is_a_few_seconds(conf):
    """Blazar waits for ever; here a dead service costs a lease at most
    this long (to connect, and again to read)."""
    assert 1 <= conf.enforcement.external_service_timeout <= 10
    assert conf.enforcement.external_service_on_failure == 'deny'
