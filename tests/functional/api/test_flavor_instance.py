"""flavor:instance through ``blazar-nova-api`` over HTTP: create, show and
the refusals, as a Blazar client sends them.

``blazar-nova-api`` runs as its own process over a migrated SQLite store,
enrolling hosts from a standalone Placement (its own process). Nova's flavor
API is a stand-in served over HTTP on a loopback port
(``flavor_support.NovaFlavors``: the three reads the API process makes, as
Nova answers them at microversion 2.61); the real Nova reads the flavor in
tests/functional/nova/test_flavor_instance.py.
"""

import datetime
import json
import threading
import urllib.error
import urllib.request
from wsgiref import simple_server

import pytest

from placement_ext.db import api as db_api
from placement_ext.db import migration
from placement_ext.placement import providers
from placement_ext.testing import api_process
from placement_ext.testing import db_backends
from placement_ext.testing import placement_service as ps
from tests.functional import flavor_support as fs

GPU = 'CUSTOM_FPGA'
TRAIT = 'CUSTOM_FAST_NIC'
FLAVORS = {
    'f-gpu': fs.nova_flavor('f-gpu', vcpus=2, ram=1024, disk=10,
                            extra_specs={'resources:%s' % GPU: '1',
                                         'trait:%s' % TRAIT: 'required'}),
    'f-grouped': fs.nova_flavor('f-grouped', extra_specs={
        'resources1:%s' % GPU: '1'}),
}


class Quiet(simple_server.WSGIRequestHandler):
    def log_message(self, *args):
        pass


@pytest.fixture(scope='module')
def nova():
    """Nova's flavor reads over HTTP on a loopback port."""
    flavors = fs.NovaFlavors(FLAVORS)

    def application(environ, start_response):
        answer = flavors.get(environ['PATH_INFO'])
        start_response('%d X' % answer.status,
                       [('Content-Type', 'application/json')])
        return [json.dumps(answer.body).encode()]

    server = simple_server.make_server('127.0.0.1', 0, application,
                                       handler_class=Quiet)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield 'http://127.0.0.1:%d' % server.server_port
    server.shutdown()
    server.server_close()


@pytest.fixture(scope='module')
def placement(tmp_path_factory):
    service = ps.Standalone(tmp_path_factory.mktemp('flavor-placement'))
    yield service
    service.stop()


@pytest.fixture
def store_url(tmp_path):
    database = db_backends.ScratchDatabase('sqlite', tmp_path)
    db = db_api.Database(connection=database.url)
    migration.upgrade(db)
    db.dispose()
    yield database.url
    database.drop()


def call(api, method, path, body=None, token='admin'):
    """``(status, decoded body)`` of one request to the API."""
    data = json.dumps(body).encode() if body is not None else None
    request = urllib.request.Request(
        api.url + path, data=data, method=method,
        headers={'X-Auth-Token': token,
                 'Content-Type': 'application/json'})
    try:
        with urllib.request.urlopen(request, timeout=30) as resp:
            raw = resp.read()
            return resp.status, json.loads(raw) if raw else None
    except urllib.error.HTTPError as exc:
        return exc.code, json.loads(exc.read())


def lease_body(name, **reservation):
    start = (datetime.datetime.now(datetime.timezone.utc)
             + datetime.timedelta(minutes=10))
    return {'name': name, 'start_date': start.strftime('%Y-%m-%d %H:%M'),
            'end_date': (start + datetime.timedelta(hours=1)).strftime(
                '%Y-%m-%d %H:%M'),
            'reservations': [dict({'resource_type': 'flavor:instance'},
                                  **reservation)]}


def test_create_show_and_refusals_over_http(tmp_path, store_url, placement,
                                            nova):
    pc = placement.client()
    ps.wipe(pc)
    providers.ensure_resource_class(pc, GPU)
    node = ps.add_compute_node(pc, 'cn1', inventory=dict(
        ps.NODE_INVENTORY, **{GPU: {'total': 2, 'max_unit': 1}}))
    providers.change_traits(pc, node, add={TRAIT})
    ps.add_compute_node(pc, 'cn2')
    with api_process.running(tmp_path, store_url, placement.endpoint,
                             nova) as api:
        for name in ('cn1', 'cn2'):
            assert call(api, 'POST', '/os-hosts', {'name': name})[0] == 201
        user = 'u1:p1'
        status, body = call(api, 'POST', '/leases', lease_body(
            'gpus', flavor_id='f-gpu', amount='2', affinity='None'), user)
        assert status == 201, body
        lease = body['lease']
        [res] = lease['reservations']
        assert {k: res[k] for k in ('resource_type', 'flavor_id', 'amount',
                                    'affinity', 'vcpus', 'memory_mb',
                                    'disk_gb', 'resources', 'traits')} == {
            'resource_type': 'flavor:instance', 'flavor_id': 'f-gpu',
            'amount': 2, 'affinity': None, 'vcpus': 2, 'memory_mb': 1024,
            'disk_gb': 10, 'resources': {'DISK_GB': 10, 'MEMORY_MB': 1024,
                                         'VCPU': 2, GPU: 1},
            'traits': {TRAIT: 'required'}}
        assert [(a['hypervisor_hostname'], a['slots'])
                for a in res['allocations']] == [('cn1', 2)]
        assert call(api, 'GET', '/leases/%s' % lease['id'], token=user) == (
            200, {'lease': lease})

        # Only cn1 has the trait and its two GPUs are taken.
        status, body = call(api, 'POST', '/leases', lease_body(
            'more', flavor_id='f-gpu', amount=1), user)
        assert status == 409, body
        assert body['error_message'].startswith(
            'Not enough hosts available: '), body
        status, body = call(api, 'POST', '/leases', lease_body(
            'nope', flavor_id='nope', amount=1), user)
        assert status == 400
        assert 'reservations[0].flavor_id' in body['error_message']
        status, body = call(api, 'POST', '/leases', lease_body(
            'grouped', flavor_id='f-grouped', amount=1), user)
        assert status == 400 and 'numbered request group' in \
            body['error_message'], body
        status, body = call(api, 'POST', '/leases', lease_body(
            'no-flavor', amount=1), user)
        assert status == 400 and 'flavor_id' in body['error_message']
        for change in ({'amount': 1}, {'flavor_id': 'f-grouped'}):
            status, body = call(api, 'PUT', '/leases/%s' % lease['id'], {
                'reservations': [dict(change, id=res['id'])]}, user)
            assert status == 409, body
            assert body['error_message'].startswith(
                'Flavor-based reservation update not yet supported')
        status, body = call(api, 'PUT', '/leases/%s' % lease['id'],
                            {'prolong_for': '1h'}, user)
        assert status == 200, body

    # Without Nova the type is refused, saying why.
    with api_process.running(tmp_path, store_url,
                             placement.endpoint) as api:
        status, body = call(api, 'POST', '/leases', lease_body(
            'no-nova', flavor_id='f-gpu', amount=1), 'u1:p1')
        assert status == 409 and 'no Nova configured' in \
            body['error_message'], body
