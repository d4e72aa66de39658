"""``ComputeClient.in_project``: the ``[nova]`` user acting in a lease's
project (where the agent makes a reservation's server group).

The Keystone refusing the scope is a local HTTP server that answers every
request with 401: no Keystone runs in unit tests (tests/cloud has a real
one)."""

import http.server
import json
import threading

from oslo_config import cfg
import pytest

from placement_ext.conf import nova as nova_conf
from placement_ext.nova import compute


def _client(tmp_path, text):
    path = tmp_path / 'nova.conf'
    path.write_text('[nova]\n' + text)
    conf = cfg.ConfigOpts()
    nova_conf.register_opts(conf)
    conf(['--config-file', str(path)], default_config_files=[])
    return compute.ComputeClient.from_conf(conf)


def _password(auth_url):
    return ('auth_type = password\nauth_url = %s\nusername = blazar\n'
            'password = secret\nuser_domain_name = Default\n'
            'project_name = service\nproject_domain_name = Default\n'
            % auth_url)


def test_password_user_is_scoped_to_the_project(tmp_path):
    client = _client(tmp_path, _password('http://127.0.0.1:9/v3'))
    scoped = client.in_project('alpha-id')
    auth = scoped._adapter.auth
    # keystoneauth1's generic Password keeps them private.
    assert (auth._project_id, auth._project_name,
            auth._project_domain_name, auth._username) == (
        'alpha-id', None, None, 'blazar')
    # The agent's own client keeps its scope; one adapter per project.
    assert client._adapter.auth._project_name == 'service'
    assert client.in_project('alpha-id')._adapter is scoped._adapter
    assert client.in_project('beta-id')._adapter.auth._project_id == \
        'beta-id'


def test_credentials_without_a_project_cannot_be_scoped(tmp_path):
    assert _client(tmp_path, 'auth_type = none\nendpoint_override = '
                   'http://127.0.0.1:9/compute\n').in_project('p') is None
    assert _client(tmp_path, 'endpoint_override = http://127.0.0.1:9/\n'
                   ).in_project('p') is None


class _Refusing(http.server.BaseHTTPRequestHandler):
    """Identity v3's version document; every token request refused."""

    def _answer(self, status, body):
        data = json.dumps(body).encode()
        self.send_response(status)
        self.send_header('Content-Type', 'application/json')
        self.send_header('Content-Length', str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def do_GET(self):
        self._answer(200, {'version': {
            'id': 'v3.14', 'status': 'stable',
            'links': [{'rel': 'self', 'href': 'http://%s:%d/v3/'
                       % self.server.server_address}]}})

    def do_POST(self):
        self._answer(401, {'error': {'code': 401, 'message': 'no role',
                                     'title': 'Unauthorized'}})

    def log_message(self, *args):
        pass


@pytest.fixture
def refusing_keystone():
    server = http.server.ThreadingHTTPServer(('127.0.0.1', 0), _Refusing)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield 'http://127.0.0.1:%d/v3' % server.server_address[1]
    server.shutdown()
    server.server_close()


def test_keystone_refusing_the_scope_is_scope_refused(tmp_path,
                                                      refusing_keystone):
    client = _client(tmp_path, _password(refusing_keystone))
    with pytest.raises(compute.ScopeRefused) as exc:
        client.in_project('alpha-id').get('/os-server-groups')
    assert 'no token in project alpha-id' in str(exc.value)
    assert isinstance(exc.value, compute.ComputeRefused)
