"""Clients of a running tools/cloud cloud for the benchmarks, through
keystoneauth1 (run them with the cloud venv, ``.venv-cloud``).

The cloud is found by its clouds.yaml: ``$OS_CLIENT_CONFIG_FILE``, or the
one in the state directory of tools/cloud/layout.py
(``$BLAZAR_NOVA_CLOUD_DIR``). Each user's session gets one token at first
use and the endpoints from Keystone's catalog (public interface), so the
requests timed are the API calls alone, as a Python client makes them.
Every call raises ``CallFailed`` for a status it did not expect.
"""

import logging
import os
import pathlib
import time

import yaml
from keystoneauth1 import exceptions as ks_exceptions
from keystoneauth1 import loading
from keystoneauth1 import session as ks_session

from tools.cloud import layout

LOG = logging.getLogger(__name__)

# Compute microversion: 2.37 is the first with ``"networks": "none"``.
COMPUTE_VERSION = '2.37'


class CallFailed(Exception):
    """An API answered with a status the caller did not expect."""


def clouds_yaml_path():
    path = os.environ.get('OS_CLIENT_CONFIG_FILE')
    return pathlib.Path(path) if path else layout.Layout().clouds_yaml


def load_clouds(path=None):
    """{cloud name: its ``auth`` dict} from clouds.yaml."""
    path = path or clouds_yaml_path()
    with open(path) as source:
        data = yaml.safe_load(source)
    return {name: cloud['auth'] for name, cloud in data['clouds'].items()}


class Client:
    """One user of the cloud: ``call(service_type, method, path, ...)``
    against the catalog's endpoint of that service."""

    def __init__(self, name, auth):
        self.name = name
        loader = loading.get_plugin_loader('password')
        plugin = loader.load_from_options(**auth)
        self.session = ks_session.Session(auth=plugin)
        self.user_id = self.session.get_user_id()
        self.project_id = self.session.get_project_id()

    def call(self, service_type, method, path, body=None,
             expect=(200, 201, 202, 204), headers=None):
        """The JSON answer (None when empty); CallFailed for a status
        outside ``expect``."""
        headers = dict(headers or {})
        if service_type == 'compute':
            headers.setdefault('OpenStack-API-Version',
                               'compute %s' % COMPUTE_VERSION)
        try:
            resp = self.session.request(
                path, method, json=body, raise_exc=False, headers=headers,
                endpoint_filter={'service_type': service_type,
                                 'interface': 'public'})
        except ks_exceptions.ConnectionError as exc:
            raise CallFailed('%s %s %s: %s' % (self.name, method, path, exc))
        if resp.status_code not in expect:
            raise CallFailed('%s %s %s: %d %s' % (
                self.name, method, path, resp.status_code, resp.text[:400]))
        return resp.json() if resp.content else None

    def status(self, service_type, path):
        """The HTTP status of ``GET path`` (404 when gone)."""
        return self.session.request(
            path, 'GET', raise_exc=False,
            endpoint_filter={'service_type': service_type,
                             'interface': 'public'}).status_code


def clients(names=('admin', 'alice', 'bob')):
    """{name: Client}; checks the clouds.yaml is the one of the cloud this
    process's layout names (same Keystone port)."""
    auths = load_clouds()
    keystone = auths['admin']['auth_url']
    expected = layout.url('keystone', '/v3')
    if keystone.rstrip('/') != expected:
        raise CallFailed(
            'clouds.yaml names Keystone %s but the layout expects %s: set '
            'BLAZAR_NOVA_CLOUD_DIR and BLAZAR_NOVA_CLOUD_PORT_OFFSET as '
            'for tools/cloud.sh up' % (keystone, expected))
    return {name: Client(name, auths[name]) for name in names}


def wait_for(check, what, timeout, interval=0.05):
    """Poll ``check()`` every ``interval`` s until it returns something
    true; (that value, the monotonic time it was seen). CallFailed after
    ``timeout`` seconds."""
    deadline = time.monotonic() + timeout
    while True:
        value = check()
        seen = time.monotonic()
        if value:
            return value, seen
        if seen > deadline:
            raise CallFailed('%s: not within %.0f s' % (what, timeout))
        time.sleep(interval)


def lookup(admin):
    """Ids the benchmarks boot with: {'flavor': id of layout.FLAVOR's,
    'image': id of layout.IMAGE_NAME}."""
    flavors = admin.call('compute', 'GET', '/flavors')['flavors']
    images = admin.call('image', 'GET', '/v2/images?name=%s'
                        % layout.IMAGE_NAME)['images']
    flavor = [f['id'] for f in flavors if f['name'] == layout.FLAVOR['name']]
    if not flavor or not images:
        raise CallFailed('no flavor %s or image %s in the cloud' % (
            layout.FLAVOR['name'], layout.IMAGE_NAME))
    return {'flavor': flavor[0], 'image': images[0]['id']}


def boot(client, ids, name, reservation=None):
    """POST /servers (no network); the server's id."""
    body = {'server': {'name': name, 'flavorRef': ids['flavor'],
                       'imageRef': ids['image'], 'networks': 'none'}}
    if reservation:
        body['os:scheduler_hints'] = {'reservation': reservation}
    return client.call('compute', 'POST', '/servers', body)['server']['id']


def server_status(client, server_id):
    return client.call('compute', 'GET', '/servers/%s' % server_id)[
        'server']['status']


def wait_active(client, server_id, timeout=60):
    """Poll until the server is ACTIVE (CallFailed when ERROR); the
    monotonic time it was seen ACTIVE."""
    def check():
        status = server_status(client, server_id)
        if status == 'ERROR':
            raise CallFailed('server %s went to ERROR' % server_id)
        return status == 'ACTIVE'
    return wait_for(check, 'server %s ACTIVE' % server_id, timeout)[1]


def delete_server(client, server_id, timeout=60):
    """DELETE the server and wait until GET answers 404."""
    client.call('compute', 'DELETE', '/servers/%s' % server_id,
                expect=(204, 404))
    wait_for(lambda: client.status('compute', '/servers/%s' % server_id)
             == 404, 'server %s gone' % server_id, timeout, interval=0.1)


def host_of(admin, server_id):
    """The compute host of a server (admin's view)."""
    return admin.call('compute', 'GET', '/servers/%s' % server_id)[
        'server']['OS-EXT-SRV-ATTR:host']
