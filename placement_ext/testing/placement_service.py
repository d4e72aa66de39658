"""Real Placement services for tests: in-process and on a loopback port.

``in_process(tmp_path)`` runs placement's WSGI app through its own
``PlacementDirect`` (wsgi-intercept, no socket) on a fresh SQLite file of
its own, even when called many times in one process.
``Standalone(tmp_path)`` runs ``placement.wsgi.api`` in a child process
under a threaded stdlib WSGI server on 127.0.0.1 and a free port, with its
own config file and SQLite database, as an operator would run it.
Both hand out a ``PlacementClient`` authenticated as admin (noauth2), and
the keystoneauth1 Adapter beneath it.

``wipe(client)`` empties a Placement of everything tests create (providers,
allocations, custom traits and resource classes), so that one standalone
service can serve many tests, each starting from a fresh-looking Placement.
``add_compute_node`` and ``allocate`` write what Nova's compute service and
scheduler would write.
"""

import atexit
import contextlib
import dataclasses
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import uuid as uuidlib

from keystoneauth1 import adapter as ks_adapter
from keystoneauth1 import session as ks_session
from oslo_config import cfg

from placement_ext.placement import client as pclient

ADMIN_HEADERS = {'X-Auth-Token': 'admin'}

# The two real Placements tests run against.
KINDS = ('in-process', 'standalone')


@dataclasses.dataclass
class PlacementUnderTest:
    """One running Placement: its kind, a PlacementClient, the
    keystoneauth1 Adapter beneath it and, for a standalone one, its URL."""

    kind: str
    client: object
    adapter: object
    endpoint: str = None


# What a small compute node offers, as Nova's compute service reports it.
NODE_INVENTORY = {
    'VCPU': {'total': 8, 'allocation_ratio': 16.0},
    'MEMORY_MB': {'total': 16384, 'reserved': 512},
    'DISK_GB': {'total': 200},
}
# A standard trait the compute service would report; the encoding must keep
# it when it changes the node's traits.
NODE_TRAIT = 'HW_CPU_X86_AVX2'


def _placement_conf(db_path):
    from placement import conf as placement_conf
    conf = cfg.ConfigOpts()
    placement_conf.register_opts(conf)
    # A config file, not set_default: placement's option objects are
    # shared by every ConfigOpts in the process, so a changed default
    # would leak into Nova's Placement fixture (which then migrates a
    # schema it has just created).
    conf_file = '%s.conf' % db_path
    with open(conf_file, 'w') as handle:
        handle.write('[placement_database]\nconnection = sqlite:///%s\n'
                     'sync_on_startup = True\n' % db_path)
    conf([], default_config_files=[conf_file])
    return conf


# A migrated Placement database with the standard traits and resource
# classes, copied for each in-process service (building one takes ~0.5 s).
_TEMPLATE = {}


def _template_database():
    if 'path' not in _TEMPLATE:
        directory = tempfile.mkdtemp(prefix='placement-template-')
        atexit.register(shutil.rmtree, directory, True)
        path = os.path.join(directory, 'placement.sqlite')
        with _fresh_app(path) as adapter:
            # The app (and its database) is built on the first request.
            adapter.get('/')
        _TEMPLATE['path'] = path
    return _TEMPLATE['path']


@contextlib.contextmanager
def _fresh_app(db_path):
    """Yield PlacementDirect's adapter over the SQLite file ``db_path``.

    Placement keeps one global transaction factory per process and
    configures it once, so a second ``db_api.configure`` would silently
    reuse the first database; each call patches a new factory in instead
    (as placement's own test fixtures patch an engine in), and makes the
    app check standard traits and resource classes in that database.
    """
    from oslo_db.sqlalchemy import enginefacade
    from placement import db_api
    from placement import direct
    from placement.objects import resource_class
    from placement.objects import trait

    conf = _placement_conf(db_path)
    factory = enginefacade._TransactionFactory()
    factory.configure(connection=conf.placement_database.connection)
    restore = db_api.placement_context_manager.patch_factory(factory)
    trait._TRAITS_SYNCED = False
    resource_class._RESOURCE_CLASSES_SYNCED = False
    service = direct.PlacementDirect(conf)
    # wsgi-intercept calls the app factory on every connection, so
    # PlacementDirect builds a whole new app (policy, database checks) per
    # request; build it once, as a deployed Placement does.
    build, built = service.app, []

    def app():
        if not built:
            built.append(build())
        return built[0]

    service.app = app
    try:
        with service as adapter:
            yield adapter
    finally:
        restore()
        trait._TRAITS_SYNCED = False
        resource_class._RESOURCE_CLASSES_SYNCED = False
        if factory._started:
            factory.dispose_pool()


@contextlib.contextmanager
def in_process_adapter(tmp_path):
    """Yield a keystoneauth1 Adapter over placement's in-process app, on a
    database of its own (a copy of a freshly synced one)."""
    path = tmp_path / ('placement-%s.sqlite' % uuidlib.uuid4().hex[:8])
    shutil.copyfile(_template_database(), path)
    with _fresh_app(path) as adapter:
        yield adapter


@contextlib.contextmanager
def in_process(tmp_path):
    """Yield a PlacementClient over placement's in-process app."""
    with in_process_adapter(tmp_path) as adapter:
        yield pclient.PlacementClient(adapter)


def free_port():
    with socket.socket() as sock:
        sock.bind(('127.0.0.1', 0))
        return sock.getsockname()[1]


def adapter_for(endpoint):
    """A keystoneauth1 Adapter sending admin requests to ``endpoint``."""
    session = ks_session.Session(auth=None, additional_headers=ADMIN_HEADERS)
    return ks_adapter.Adapter(session, service_type='placement',
                              endpoint_override=endpoint)


SERVER = '''
import socketserver, sys, threading
from wsgiref import simple_server
from placement.wsgi import api

class Server(socketserver.ThreadingMixIn, simple_server.WSGIServer):
    daemon_threads = True

class Quiet(simple_server.WSGIRequestHandler):
    def log_message(self, *args):
        pass

application = api.application
if sys.argv[2] == 'serial':
    # SQLite takes one writer at a time: a threaded server on it answers
    # concurrent writes with "database is locked" (HTTP 500), which no
    # production Placement gives. Serve one request at a time instead.
    lock = threading.Lock()

    def application(environ, start_response, app=api.application):
        with lock:
            return list(app(environ, start_response))

httpd = simple_server.make_server('127.0.0.1', int(sys.argv[1]),
                                  application, server_class=Server,
                                  handler_class=Quiet)
httpd.serve_forever()
'''


class Standalone:
    """Placement as its own process on a loopback port.

    On its own SQLite file by default, serving one request at a time;
    given a ``connection`` URL (MySQL, PostgreSQL) it serves requests
    concurrently, as production Placements do. ``stop()`` then
    ``restart()`` make an outage.
    """

    def __init__(self, tmp_path, connection=None):
        self.dir = tmp_path / 'placement'
        self.dir.mkdir(exist_ok=True)
        self.port = free_port()
        self.endpoint = 'http://127.0.0.1:%d' % self.port
        mode = 'concurrent' if connection else 'serial'
        connection = connection or 'sqlite:///%s' % (self.dir /
                                                     'placement.sqlite')
        (self.dir / 'placement.conf').write_text(
            '[DEFAULT]\nuse_stderr = True\n'
            '[api]\nauth_strategy = noauth2\n'
            '[placement_database]\nconnection = %s\n'
            'sync_on_startup = True\n' % connection)
        self._mode = mode
        self._start('wb')

    def _start(self, log_mode):
        env = dict(os.environ, OS_PLACEMENT_CONFIG_DIR=str(self.dir))
        with open(self.dir / 'log', log_mode) as log:
            self.process = subprocess.Popen(
                [sys.executable, '-c', SERVER, str(self.port), self._mode],
                env=env, stdout=subprocess.DEVNULL, stderr=log)
        try:
            self._wait()
        except Exception:
            self.stop()
            raise

    def _wait(self, timeout=60):
        deadline = time.monotonic() + timeout
        client = self.client()
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError('placement exited: %s'
                                   % (self.dir / 'log').read_text())
            try:
                client.get('/')
                return
            except Exception:
                time.sleep(0.1)
        raise RuntimeError('placement did not answer within %ds' % timeout)

    def adapter(self):
        return adapter_for(self.endpoint)

    def client(self):
        return pclient.PlacementClient(self.adapter())

    def restart(self):
        """Stop the server if it runs, then start it again on the same port
        and database (its log goes on in the same file): an outage ends."""
        self.stop()
        self._start('ab')

    def stop(self):
        if self.process.poll() is not None:
            return
        self.process.terminate()
        try:
            self.process.wait(10)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()


def _ok(resp, *statuses):
    if resp.status not in statuses:
        raise AssertionError('Placement answered %s: %s'
                             % (resp.status, resp.body))
    return resp


def add_compute_node(client, hostname, uuid=None, inventory=None):
    """Create a root provider as Nova's compute service does for a compute
    node: named after the hypervisor hostname, with VCPU, MEMORY_MB and
    DISK_GB inventory and a standard trait; return its uuid."""
    uuid = uuid or str(uuidlib.uuid4())
    rp = _ok(client.post('/resource_providers',
                         {'name': hostname, 'uuid': uuid}), 200).body
    _ok(client.put('/resource_providers/%s/inventories' % uuid,
                   {'inventories': inventory or NODE_INVENTORY,
                    'resource_provider_generation': rp['generation']}), 200)
    _ok(client.put('/resource_providers/%s/traits' % uuid,
                   {'traits': [NODE_TRAIT],
                    'resource_provider_generation': rp['generation'] + 1}),
        200)
    return uuid


def allocate(client, consumer, provider, resource_class, amount=1,
             project_id='p1', user_id='u1'):
    """Claim ``amount`` of ``resource_class`` on ``provider`` for a new
    consumer, as Nova's scheduler claims an instance's resources (the
    client's microversion, 1.29); return Placement's status (204, or 409
    when the provider cannot give it)."""
    body = {'allocations': {provider: {'resources': {resource_class:
                                                     amount}}},
            'project_id': project_id, 'user_id': user_id,
            'consumer_generation': None}
    return client.put('/allocations/%s' % consumer, body,
                      expect=(204, 400, 409)).status


def wipe(client):
    """Delete every allocation, provider, custom trait and custom resource
    class; fail unless Placement is then empty of them."""
    rps = client.get('/resource_providers').body['resource_providers']
    for rp in rps:
        allocs = client.get('/resource_providers/%s/allocations'
                            % rp['uuid']).body['allocations']
        for consumer in allocs:
            client.delete('/allocations/%s' % consumer, expect=(204, 404))
    parent = {rp['uuid']: rp['parent_provider_uuid'] for rp in rps}

    def depth(uuid):
        return 0 if parent.get(uuid) is None else 1 + depth(parent[uuid])

    for rp in sorted(rps, key=lambda r: -depth(r['uuid'])):
        _ok(client.delete('/resource_providers/%s' % rp['uuid'],
                          expect=(204, 404)), 204, 404)
    for name in custom_traits(client):
        _ok(client.delete('/traits/%s' % name, expect=(204, 404)), 204, 404)
    for name in custom_resource_classes(client):
        _ok(client.delete('/resource_classes/%s' % name,
                          expect=(204, 404)), 204, 404)
    left = (client.get('/resource_providers').body['resource_providers'],
            custom_traits(client), custom_resource_classes(client))
    if any(left):
        raise AssertionError('Placement not empty after wipe: %r' % (left,))


def custom_traits(client, prefix='CUSTOM_'):
    return sorted(client.get('/traits?name=startswith:%s'
                             % prefix).body['traits'])


def custom_resource_classes(client):
    return sorted(rc['name'] for rc in
                  client.get('/resource_classes').body['resource_classes']
                  if rc['name'].startswith('CUSTOM_'))


def traits_of(client, uuid):
    """A provider's traits, or None when it does not exist."""
    resp = client.get('/resource_providers/%s/traits' % uuid,
                      expect=(200, 404))
    return set(resp.body['traits']) if resp.status == 200 else None


def inventory_of(client, uuid):
    """A provider's inventories by class, or None when it does not
    exist."""
    resp = client.get('/resource_providers/%s/inventories' % uuid,
                      expect=(200, 404))
    return resp.body['inventories'] if resp.status == 200 else None


def provider(client, uuid):
    resp = client.get('/resource_providers/%s' % uuid, expect=(200, 404))
    return resp.body if resp.status == 200 else None


def carriers(client, trait):
    """Uuids of the providers ``GET /resource_providers?required=trait``
    lists: the operator's query. A trait Placement does not know is carried
    by no provider (Placement answers that query with 400 "No such
    trait")."""
    resp = client.get('/resource_providers?required=%s' % trait,
                      expect=(200, 400))
    if resp.status == 400:
        assert 'No such trait' in pclient.error_detail(resp), resp.body
        return set()
    return {rp['uuid'] for rp in resp.body['resource_providers']}


def resource_class_exists(client, name):
    return client.get('/resource_classes/%s' % name,
                      expect=(200, 404)).status == 200


def trait_exists(client, name):
    return client.get('/traits/%s' % name, expect=(204, 404)).status == 204
