"""The reservation API over real HTTP with ``ExternalServiceFilter``: a
refusal shows the service's message in ``error_message``, with Blazar's
status, and a service that cannot decide gives a 503."""

import contextlib
import threading

import pytest
import requests

from placement_ext.api import service as api_service
from placement_ext.cmd import api as api_cmd
from tests.functional.enforcement.conftest import HOUR


@contextlib.contextmanager
def serving(enforced):
    """``blazar-nova-api``'s server on a free port over ``enforced``'s
    store (noauth: ``user:project`` tokens); its URL."""
    enforced.conf.set_override('auth_strategy', 'noauth', group='api')
    enforced.add_hosts(1)
    app = api_service.build(enforced.conf, store=enforced.store,
                            placement=object())
    server = api_cmd.Server(('127.0.0.1', 0), 4)
    server.set_app(app)
    thread = threading.Thread(target=server.serve_forever,
                              kwargs={'poll_interval': 0.05}, daemon=True)
    thread.start()
    try:
        yield 'http://127.0.0.1:%d' % server.server_address[1]
    finally:
        server.shutdown()
        server.server_close()


@pytest.fixture
def api_url(sqlite_enforced, external):
    """The API over a store whose enforcement asks ``external``."""
    sqlite_enforced.set(enabled_filters=['ExternalServiceFilter'],
                        external_service_base_endpoint=external.url,
                        external_service_timeout=0.5)
    with serving(sqlite_enforced) as url:
        yield url


def create(api_url, enforced, token='alice:p1', end=2 * HOUR):
    return requests.post(api_url + '/v1/leases', timeout=10, headers={
        'X-Auth-Token': token}, json={
        'name': 'l1', 'start_date': enforced.date(HOUR)[:16],
        'end_date': enforced.date(end)[:16], 'events': [],
        'reservations': [{'resource_type': 'physical:host', 'min': 1,
                          'max': 1}]})


def test_the_services_refusal_reaches_the_user(api_url, sqlite_enforced,
                                               external):
    external.answer = lambda path, body: (
        403, {'message': 'Your allocation has expired.'})
    resp = create(api_url, sqlite_enforced)
    assert resp.status_code == 400, resp.text
    assert resp.json() == {'error_code': 400,
                           'error_message': 'Your allocation has expired.',
                           'error_name': 'BAD_REQUEST'}
    assert external.calls[0].body['context']['project_id'] == 'p1'

    external.answer = lambda path, body: (204, None)
    resp = create(api_url, sqlite_enforced)
    assert resp.status_code == 201, resp.text


def test_a_service_that_cannot_decide_gives_503(api_url, sqlite_enforced,
                                                external):
    external.answer = lambda path, body: (502, None)
    resp = create(api_url, sqlite_enforced)
    assert resp.status_code == 503, resp.text
    assert 'Try again later' in resp.json()['error_message']


def test_max_lease_duration_answers_as_blazar(sqlite_enforced):
    sqlite_enforced.set(enabled_filters=['MaxLeaseDurationFilter'],
                        max_lease_duration=HOUR)
    with serving(sqlite_enforced) as url:
        resp = create(url, sqlite_enforced, end=3 * HOUR)
        assert resp.status_code == 403, resp.text
        assert resp.json()['error_message'] == (
            'Lease duration of 7200 seconds must be less than or equal to '
            'the maximum lease duration of 3600 seconds.')
        resp = create(url, sqlite_enforced)
        assert resp.status_code == 201, resp.text
        lease_id = resp.json()['lease']['id']
        resp = requests.put(url + '/v1/leases/' + lease_id, timeout=10,
                            headers={'X-Auth-Token': 'alice:p1'},
                            json={'end_date': sqlite_enforced.date(
                                3 * HOUR)[:16]})
        assert resp.status_code == 400, resp.text
        assert 'maximum lease duration' in resp.json()['error_message']
