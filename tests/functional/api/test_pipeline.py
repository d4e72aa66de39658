"""The pipeline of ``placement_ext/api/deploy.py`` and the ways the API
is served: the global request id passed on to a real (in-process)
Placement, CORS, the request log, who is an administrator (policy's
``context_is_admin``), the WSGI module behind a path prefix, and
``blazar-nova-api`` on IPv6."""

import http.client
import importlib
import json
import logging
import socket
import threading
import uuid

from oslo_config import cfg
import pytest
import webob

from placement_ext.api import service
from placement_ext import conf as bn_conf
from placement_ext.api import wsgi_app
from placement_ext.cmd import api as api_cmd
from placement_ext.db import api as db_api
from placement_ext.db import migration
from placement_ext.store import api as store_api
from placement_ext.testing import placement_service

ORIGIN = 'https://dashboard.example.org'


def _conf(tmp_path, extra=''):
    """A noauth configuration over a migrated SQLite store, written to a
    file (the WSGI module reads a file)."""
    path = tmp_path / 'blazar-nova.conf'
    path.write_text('[database]\nconnection = sqlite:///%s\n'
                    '[api]\nauth_strategy = noauth\n%s'
                    % (tmp_path / 'store.sqlite', extra))
    conf = cfg.ConfigOpts()
    bn_conf.register_opts(conf)
    conf(['--config-file', str(path)], project=service.PROJECT,
         default_config_files=[])
    database = db_api.Database(conf)
    migration.upgrade(database)
    database.dispose()
    return conf, path


@pytest.fixture
def built(tmp_path):
    """``build(extra_config, placement=None)``: the API of a fresh
    configuration."""
    stores = []

    def build(extra='', placement=None):
        conf, _ = _conf(tmp_path, extra)
        store = store_api.Store(conf)
        stores.append(store)
        return conf, store, service.build(conf, store=store,
                                          placement=placement)

    yield build
    for store in stores:
        getattr(store, 'close', lambda: None)()


def _request(application, path, method='GET', token='admin', body=None,
             headers=None, **kwargs):
    req = webob.Request.blank(path, method=method, **kwargs)
    if token:
        req.headers['X-Auth-Token'] = token
    if body is not None:
        req.content_type = 'application/json'
        req.body = json.dumps(body).encode()
    for name, value in (headers or {}).items():
        req.headers[name] = value
    return req.get_response(application)


# The global request id.

@pytest.fixture
def placement(tmp_path):
    """A real in-process Placement with one compute node, and the
    headers of every request sent to it."""
    with placement_service.in_process(tmp_path) as client:
        placement_service.add_compute_node(client, 'cn1')
        sent = []
        client._adapter.session.session.hooks['response'].append(
            lambda resp, **kwargs: sent.append(resp.request.headers))
        yield client, sent


def test_global_request_id_goes_to_placement(built, placement):
    client, sent = placement
    _, _, application = built(placement=client)
    global_id = 'req-%s' % uuid.uuid4()
    resp = _request(application, '/v1/os-hosts', 'POST',
                    body={'name': 'cn1'},
                    headers={'X-OpenStack-Request-ID': global_id})
    assert resp.status_int == 201, resp.text
    assert resp.headers['x-openstack-request-id'] != global_id
    assert len(sent) >= 2  # looked up, then marked reservable
    assert {h.get('X-OpenStack-Request-ID') for h in sent} == {global_id}

    # Withdrawing it too.
    del sent[:]
    resp = _request(application, '/v1/os-hosts/cn1', 'DELETE',
                    headers={'X-OpenStack-Request-ID': global_id})
    assert resp.status_int == 204, resp.text
    assert sent
    assert {h.get('X-OpenStack-Request-ID') for h in sent} == {global_id}


def test_without_a_global_id_placement_gets_the_apis_request_id(
        built, placement):
    client, sent = placement
    _, _, application = built(placement=client)
    # Not of the form req-<uuid>: ignored, as oslo.middleware does.
    resp = _request(application, '/v1/os-hosts', 'POST',
                    body={'name': 'cn1'},
                    headers={'X-OpenStack-Request-ID': 'made-up'})
    assert resp.status_int == 201, resp.text
    own = resp.headers['x-openstack-request-id']
    assert sent
    assert {h.get('X-OpenStack-Request-ID') for h in sent} == {own}


# CORS.

def test_cors_preflight_from_an_allowed_origin(built):
    _, _, application = built('[cors]\nallowed_origin = %s\n' % ORIGIN)
    resp = _request(application, '/v1/leases', 'OPTIONS', token=None,
                    headers={'Origin': ORIGIN,
                             'Access-Control-Request-Method': 'POST',
                             'Access-Control-Request-Headers':
                                 'X-Auth-Token,Content-Type'})
    assert resp.status_int == 200, resp.text
    assert resp.headers['Access-Control-Allow-Origin'] == ORIGIN
    assert 'POST' in resp.headers['Access-Control-Allow-Methods']
    allowed = resp.headers['Access-Control-Allow-Headers'].lower()
    assert 'x-auth-token' in allowed and 'content-type' in allowed
    assert resp.headers['x-openstack-request-id'].startswith('req-')

    # An actual request from that origin may read the request id.
    resp = _request(application, '/v1/leases', headers={'Origin': ORIGIN})
    assert resp.status_int == 200
    assert resp.headers['Access-Control-Allow-Origin'] == ORIGIN
    assert 'x-openstack-request-id' in \
        resp.headers['Access-Control-Expose-Headers'].lower()


def test_cors_ignores_another_origin(built):
    _, _, application = built('[cors]\nallowed_origin = %s\n' % ORIGIN)
    resp = _request(application, '/v1/leases', 'OPTIONS', token=None,
                    headers={'Origin': 'https://elsewhere.example',
                             'Access-Control-Request-Method': 'POST'})
    assert 'Access-Control-Allow-Origin' not in resp.headers


def test_options_without_origin_is_the_apis_answer(built):
    _, _, application = built('[cors]\nallowed_origin = %s\n' % ORIGIN)
    resp = _request(application, '/v1/leases', 'OPTIONS')
    assert resp.status_int == 405, resp.text
    assert resp.headers['OpenStack-API-Version'] == 'reservation 1.0'


# The request log.

def _log_lines(caplog):
    return [r.getMessage() for r in caplog.records
            if r.name == 'placement_ext.api.requestlog']


def test_one_log_line_per_request(built, caplog):
    _, _, application = built()
    caplog.set_level(logging.INFO, logger='placement_ext.api.requestlog')
    resp = _request(application, '/v1/leases?status=ACTIVE', token='u1:p1')
    assert resp.status_int == 200
    resp.body  # written: the line is logged when the body is closed
    lines = _log_lines(caplog)
    assert len(lines) == 1, lines
    line = lines[0]
    assert '"GET /v1/leases?status=ACTIVE" status: 200 len: %d ' \
        % len(resp.body) in line
    assert 'time: ' in line
    assert line.endswith('request_id: %s'
                         % resp.headers['x-openstack-request-id'])

    caplog.clear()
    resp = _request(application, '/v1/leases', 'POST', token=None,
                    body={})
    assert resp.status_int == 401
    resp.body
    (line,) = _log_lines(caplog)
    assert '"POST /v1/leases" status: 401 len: %d ' % len(resp.body) \
        in line
    assert resp.headers['x-openstack-request-id'] in line


# Who is an administrator: the context_is_admin rule.

def _with_policy(tmp_path, rules):
    policy_file = tmp_path / 'policy.yaml'
    policy_file.write_text(json.dumps(rules))
    return '[oslo_policy]\npolicy_file = %s\n' % policy_file


def test_context_is_admin_makes_another_role_admin(built, tmp_path):
    conf, store, _ = built(_with_policy(
        tmp_path, {'context_is_admin': 'role:operator'}))
    # The caller as keystonemiddleware leaves it, with a role noauth
    # cannot give.
    dispatcher = wsgi_app.Dispatcher(wsgi_app.Services(conf, store))
    caller = {'X-User-Id': 'ops', 'X-Project-Id': 'ops-project',
              'X-Roles': 'operator', 'X-Identity-Status': 'Confirmed'}
    resp = _request(dispatcher, '/v1/os-hosts', token=None, headers=caller)
    assert resp.status_int == 200, resp.text
    assert resp.json == {'hosts': []}
    # ... and sees every project's leases.
    resp = _request(dispatcher, '/v1/leases?project_id=p1', token=None,
                    headers=caller)
    assert resp.status_int == 200, resp.text


def test_the_role_named_admin_is_not_admin_when_policy_says_so(
        built, tmp_path):
    _, _, application = built(_with_policy(
        tmp_path, {'context_is_admin': 'role:operator'}))
    resp = _request(application, '/v1/os-hosts', token='admin')
    assert resp.status_int == 403, resp.text
    # A project's admin still has its own leases, as any member.
    resp = _request(application, '/v1/leases', token='admin')
    assert resp.status_int == 200, resp.text


def test_a_project_can_be_made_admin(built, tmp_path):
    _, _, application = built(_with_policy(
        tmp_path, {'context_is_admin': 'role:admin or project_id:ops'}))
    assert _request(application, '/v1/os-hosts',
                    token='bob:ops').status_int == 200
    assert _request(application, '/v1/os-hosts',
                    token='bob:dev').status_int == 403


# The WSGI module, behind a path prefix.

@pytest.fixture
def wsgi_module(tmp_path, monkeypatch):
    from placement_ext.api import wsgi
    _, path = _conf(tmp_path)
    monkeypatch.setenv('BLAZAR_NOVA_CONFIG_FILE', str(path))
    monkeypatch.delenv('BLAZAR_NOVA_CONFIG', raising=False)
    # A fresh module-level application, built from that file.
    yield importlib.reload(wsgi)
    importlib.reload(wsgi)


def test_wsgi_application_under_a_prefix(wsgi_module):
    application = wsgi_module.application
    base = 'http://cloud.example'
    # uwsgi mounted at /reservation: SCRIPT_NAME holds the prefix.
    resp = _request(application, '/', token=None,
                    base_url=base + '/reservation')
    assert resp.status_int == 300, resp.text
    assert resp.json['versions'][0]['links'] == [
        {'rel': 'self', 'href': base + '/reservation/v1'}]
    resp = _request(application, '/v1', base_url=base + '/reservation')
    assert resp.status_int == 200, resp.text
    assert resp.json['version']['links'] == [
        {'rel': 'self', 'href': base + '/reservation/v1'}]
    # Without a prefix, as blazar-nova-api serves it.
    resp = _request(application, '/v1', base_url=base + ':1234')
    assert resp.json['version']['links'][0]['href'] == base + ':1234/v1'
    # The configuration is the one the variable names (noauth).
    assert _request(application, '/v1/leases',
                    token='u:p').status_int == 200


def test_wsgi_refuses_a_missing_named_configuration(
        wsgi_module, tmp_path, monkeypatch):
    monkeypatch.setenv('BLAZAR_NOVA_CONFIG_FILE', str(tmp_path / 'none'))
    with pytest.raises(RuntimeError, match='does not exist'):
        wsgi_module.init_application()


def test_proxy_prefix_header_when_enabled(built):
    _, _, application = built(
        '[oslo_middleware]\nenable_proxy_headers_parsing = true\n')
    resp = _request(application, '/', token=None,
                    headers={'X-Forwarded-Proto': 'https',
                             'X-Forwarded-Host': 'api.example',
                             'X-Forwarded-Prefix': '/reservation'})
    assert resp.json['versions'][0]['links'][0]['href'] == \
        'https://api.example/reservation/v1'


# blazar-nova-api on IPv6.

def _ipv6_loopback():
    try:
        with socket.socket(socket.AF_INET6) as sock:
            sock.bind(('::1', 0))
        return True
    except OSError:
        return False


@pytest.mark.skipif(not _ipv6_loopback(), reason='no IPv6 loopback')
def test_api_command_serves_on_ipv6(built):
    conf, _, application = built('[api]\nbind_host = ::1\nbind_port = 0\n')
    # A bind_port of 0 is not a valid PortOpt for every oslo.config:
    # pick a free port instead.
    with socket.socket(socket.AF_INET6) as sock:
        sock.bind(('::1', 0))
        port = sock.getsockname()[1]
    conf.set_override('bind_port', port, group='api')
    started = threading.Event()
    servers = []

    def ready(server):
        servers.append(server)
        started.set()

    thread = threading.Thread(target=api_cmd.serve,
                              args=(conf, application, ready), daemon=True)
    thread.start()
    assert started.wait(10)
    try:
        assert servers[0].socket.family == socket.AF_INET6
        connection = http.client.HTTPConnection('::1', port, timeout=10)
        connection.request('GET', '/v1', headers={'X-Auth-Token': 'u:p'})
        resp = connection.getresponse()
        body = json.loads(resp.read())
        connection.close()
        assert resp.status == 200
        assert body['version']['links'][0]['href'] == \
            'http://[::1]:%d/v1' % port
    finally:
        servers[0].shutdown()
        thread.join(10)
