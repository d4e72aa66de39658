"""The reservation API over real HTTP with ``ExternalServiceFilter``: a
refusal shows the service's message in ``error_message``, with Blazar's
status, and a service that cannot decide gives a 503."""

import threading

import pytest
import requests

from placement_ext.api import service as api_service
from placement_ext.cmd import api as api_cmd
from tests.functional.enforcement.conftest import HOUR


@pytest.fixture
def api_url(sqlite_enforced, external):
    """``blazar-nova-api``'s server, serving on a free port, over a store
    whose enforcement asks ``external``."""
    enforced = sqlite_enforced
    enforced.conf.set_override('auth_strategy', 'noauth', group='api')
    enforced.set(enabled_filters=['ExternalServiceFilter'],
                 external_service_base_endpoint=external.url,
                 external_service_timeout=0.5)
    enforced.add_hosts(1)
    app = api_service.build(enforced.conf, store=enforced.store,
                            placement=object())
    server = api_cmd.Server(('127.0.0.1', 0), 4)
    server.set_app(app)
    thread = threading.Thread(target=server.serve_forever,
                              kwargs={'poll_interval': 0.05}, daemon=True)
    thread.start()
    yield 'http://127.0.0.1:%d' % server.server_address[1]
    server.shutdown()
    server.server_close()


def create(api_url, enforced, token='alice:p1'):
    return requests.post(api_url + '/v1/leases', timeout=10, headers={
        'X-Auth-Token': token}, json={
        'name': 'l1', 'start_date': enforced.date(HOUR)[:16],
        'end_date': enforced.date(2 * HOUR)[:16], 'events': [],
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
