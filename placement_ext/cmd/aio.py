"""``blazar-nova-aio``: the whole reservation service on this machine.

Usage::

    blazar-nova-aio [--config-file FILE] [--state-dir DIR]
                    [--api-port PORT] [--placement-port PORT]
                    [--demo-hosts N]

On 127.0.0.1 it runs a real Placement (openstack-placement's WSGI app on
SQLite, ``[api] auth_strategy = noauth2``, its database synced at start),
the reservation API (Blazar's v1, ``noauth``) and the lease agent (without
Nova: Placement steps only). Everything lives in the state directory
(``~/.local/state/blazar-nova`` by default): the store
``blazar_nova.sqlite`` (migrated at start) and ``placement.sqlite``, so a
restart keeps leases, hosts and providers. ``--demo-hosts N`` creates the
compute node providers ``demo-cn1`` ... ``demo-cnN`` in Placement, as
Nova's compute service would, and enrols them through the API
(``POST /v1/os-hosts``), skipping those already there. Enrolled hosts
this Placement lacks (added with ``blazar-nova-manage host add``, as the
earlier quickstart did) get their provider created from the store's
record, so leases on them can start. Ports 0 pick free
ports; the endpoints and the commands to try are printed on stdout, logs
go to stderr. SIGINT (Ctrl-C) and SIGTERM stop everything and exit 0.

Configuration: only the ``--config-file`` given is read, never
``/etc/blazar-nova/blazar-nova.conf`` and the other default places, so a
deployment's file cannot point this local service at its database. From
that file the store's options apply (``[database]``, ``[allocator]``,
``[leases]``, ``[agent]``, logging); the API always runs ``noauth`` on
127.0.0.1, and ``[placement]`` and ``[nova]`` are not used (the Placement
is this one, and no Nova reports to it).

Threads, not child processes: the three parts are in one process, each
server on a thread of its own and the agent on another; the main thread
only waits for a signal. So there is one log, one interpreter start
(importing Placement, oslo and SQLAlchemy is most of the start-up time),
no child to orphan or reap when the terminal's Ctrl-C reaches the whole
process group, and stopping is one ordered sequence: the agent finishes
the step in hand first (it may be talking to Placement), then both servers
stop and close their sockets. Every thread is a daemon, so a stuck request
cannot keep the process alive after that sequence. Placement keeps its
globals (database factory, policy) once per process, which is exactly one
Placement here; the store has an engine of its own. Placement's requests
are served one at a time: SQLite takes one writer at a time and a
threaded Placement answers concurrent writes with "database is locked"
(HTTP 500). This is a local, single-user service; deployments run each
part on its own (blazar-nova-api, blazar-nova-agent, a Placement under
uwsgi or Apache).
"""

import datetime
import json
import os
import shlex
import shutil
import signal
import sys
import threading
import urllib.error
import urllib.parse
import urllib.request
import uuid as uuidlib
import warnings

from keystoneauth1 import adapter as ks_adapter
from keystoneauth1 import session as ks_session
from oslo_config import cfg
from oslo_log import log as logging

from placement_ext.api import auth
from placement_ext.api import service
from placement_ext.cmd import api as api_cmd
from placement_ext import conf as bn_conf
from placement_ext.db import migration
from placement_ext import exception
from placement_ext.placement import client as placement_client
from placement_ext.placement import encoding
from placement_ext.store import api as store_api
from placement_ext import timeconv

LOG = logging.getLogger(__name__)

PROJECT = service.PROJECT
PROG = 'blazar-nova-aio'
HOST = '127.0.0.1'
TOKEN = auth.ADMIN_TOKEN
DEMO_PREFIX = 'demo-cn'
PLACEMENT_DB = 'placement.sqlite'
PLACEMENT_CONF = 'placement.conf'
PLACEMENT_CONF_TEXT = """\
# Written by blazar-nova-aio at each start (placement-manage --config-file
# reads it too); changes here are lost.
[api]
auth_strategy = noauth2

[placement_database]
connection = sqlite:///%s
sync_on_startup = True
"""

# A demo compute node's size; its inventory is reported as Nova's compute
# service reports one (default allocation ratios, reserved host memory).
DEMO_VCPUS = 32
DEMO_MEMORY_MB = 131072
DEMO_DISK_GB = 1000
NODE_TRAITS = ['COMPUTE_NODE', 'HW_CPU_X86_AVX2']

# Placement logs every request at INFO; alembic names its backend on
# every migration.
QUIET_LOGGERS = ['placement.requestlog=WARNING', 'alembic=WARNING',
                 'keystoneauth=WARNING', 'urllib3=WARNING']

cli_opts = [
    cfg.StrOpt('state-dir',
               help='Directory of the local state (the store and '
                    'Placement databases); default: [DEFAULT] state_path, '
                    '~/.local/state/blazar-nova.'),
    cfg.PortOpt('api-port', default=1234,
                help='Port of the reservation API on 127.0.0.1 (0: a free '
                     'port).'),
    cfg.PortOpt('placement-port', default=8778,
                help='Port of Placement on 127.0.0.1 (0: a free port).'),
    cfg.IntOpt('demo-hosts', default=0, min=0,
               help='Create and enrol this many demo compute nodes '
                    '(demo-cn1, ...); those already there are kept.'),
]


class Failed(Exception):
    """Start-up failed; the message says why."""


def _agent_cmd():
    """``placement_ext.cmd.agent``, imported without the deprecation notice
    eventlet prints when oslo.messaging loads it."""
    with warnings.catch_warnings():
        warnings.filterwarnings('ignore', message=r'\s*Eventlet is deprecated')
        warnings.filterwarnings('ignore',
                                message='eventletutils module is deprecated')
        from placement_ext.cmd import agent
    return agent


def _register(conf):
    bn_conf.register_opts(conf)
    logging.register_options(conf)
    conf.register_cli_opts(cli_opts)


# Placement -------------------------------------------------------------

def _placement_app(state_dir):
    """Placement's WSGI application on ``state_dir/placement.sqlite``,
    its database synced, serving one request at a time."""
    try:
        from placement import conf as p_conf
        from placement import db_api as p_db_api
        from placement import deploy as p_deploy
    except ImportError as exc:
        raise Failed('Placement is not installed (%s): pip install '
                     'openstack-placement' % exc)
    conf_file = os.path.join(state_dir, PLACEMENT_CONF)
    with open(conf_file, 'w') as handle:
        handle.write(PLACEMENT_CONF_TEXT % os.path.join(state_dir,
                                                        PLACEMENT_DB))
    conf = cfg.ConfigOpts()
    p_conf.register_opts(conf)
    conf([], project='placement', default_config_files=[conf_file])
    p_db_api.configure(conf)
    application = p_deploy.loadapp(conf)
    lock = threading.Lock()

    def serial(environ, start_response):
        with lock:
            result = application(environ, start_response)
            try:
                return list(result)
            finally:
                if hasattr(result, 'close'):
                    result.close()

    return serial


def placement_client_for(endpoint):
    """A PlacementClient sending admin requests (noauth2) to
    ``endpoint``."""
    session = ks_session.Session(auth=None,
                                 additional_headers={'X-Auth-Token': TOKEN})
    return placement_client.PlacementClient(ks_adapter.Adapter(
        session, service_type='placement', endpoint_override=endpoint))


def node_inventory(vcpus, memory_mb, disk_gb):
    """Inventory of a compute node as Nova's compute service reports it
    (classes with nothing to offer left out)."""
    found = {}
    for rc, total, reserved, ratio in (('VCPU', vcpus, 0, 16.0),
                                       ('MEMORY_MB', memory_mb, 512, 1.5),
                                       ('DISK_GB', disk_gb, 0, 1.0)):
        if total and total > reserved:
            found[rc] = {'total': total, 'reserved': reserved,
                         'min_unit': 1, 'max_unit': total, 'step_size': 1,
                         'allocation_ratio': ratio}
    return found


def create_compute_node(client, name, uuid, inventory):
    """Create the root provider of a compute node as Nova's compute
    service does: named after the hypervisor hostname, with its inventory
    and traits."""
    rp = client.post('/resource_providers', {'name': name, 'uuid': uuid})
    generation = rp.body['generation']
    if inventory:
        resp = client.put('/resource_providers/%s/inventories' % uuid,
                          {'inventories': inventory,
                           'resource_provider_generation': generation})
        generation = resp.body['resource_provider_generation']
    client.put('/resource_providers/%s/traits' % uuid,
               {'traits': NODE_TRAITS,
                'resource_provider_generation': generation})
    LOG.info('Created the compute node provider %s (%s) in Placement',
             name, uuid)


def _providers_named(client, name):
    return client.get('/resource_providers?name=%s' % urllib.parse.quote(
        name, safe='')).body['resource_providers']


def ensure_demo_node(client, name):
    """The uuid of the root provider ``name``, created first when
    Placement has none."""
    found = _providers_named(client, name)
    if found:
        return found[0]['uuid']
    uuid = str(uuidlib.uuid4())
    create_compute_node(client, name, uuid, node_inventory(
        DEMO_VCPUS, DEMO_MEMORY_MB, DEMO_DISK_GB))
    return uuid


def adopt_hosts(client, hosts):
    """Give every enrolled host this Placement lacks its compute node
    provider, from the store's record (a host added with
    ``blazar-nova-manage host add``, as the earlier quickstart did, has
    none), so that leases on it can start."""
    for host in hosts:
        name, uuid = host['hypervisor_hostname'], host['uuid']
        if client.get('/resource_providers/%s' % uuid,
                      expect=(200, 404)).status == 200:
            continue
        if _providers_named(client, name):
            LOG.warning('Host %s (%s) is enrolled but Placement has another '
                        'provider of that name: delete the host (openstack '
                        'reservation host delete) and enrol it again',
                        name, uuid)
            continue
        create_compute_node(client, name, uuid, node_inventory(
            host['vcpus'], host['memory_mb'], host['local_gb']))
        encoding.enrol_host(client, uuid)


# The reservation API, as a client ----------------------------------------

def api_request(endpoint, method, path, body=None):
    """``(status, decoded body)`` of one admin request to the API."""
    data = None if body is None else json.dumps(body).encode()
    req = urllib.request.Request(endpoint + path, data=data, method=method)
    req.add_header('X-Auth-Token', TOKEN)
    req.add_header('Accept', 'application/json')
    if data is not None:
        req.add_header('Content-Type', 'application/json')
    try:
        with urllib.request.urlopen(req, timeout=30) as resp:
            status, raw = resp.status, resp.read()
    except urllib.error.HTTPError as exc:
        status, raw = exc.code, exc.read()
    try:
        return status, json.loads(raw) if raw else None
    except ValueError:
        return status, raw.decode(errors='replace')


def list_hosts(api_endpoint):
    status, body = api_request(api_endpoint, 'GET', '/os-hosts')
    if status != 200:
        raise Failed('Cannot list hosts: HTTP %s %s' % (status, body))
    return body['hosts']


def enrol_demo_hosts(api_endpoint, placement, count, enrolled):
    """Create ``demo-cn1`` ... in Placement and enrol those not in
    ``enrolled`` (host names); return ``[(name, provider uuid)]``."""
    nodes = []
    for i in range(1, count + 1):
        name = '%s%d' % (DEMO_PREFIX, i)
        uuid = ensure_demo_node(placement, name)
        if name not in enrolled:
            status, body = api_request(
                api_endpoint, 'POST', '/os-hosts',
                {'name': name, 'rack': 'r%d' % (i % 2 + 1)})
            if status != 201:
                raise Failed('Cannot enrol %s: HTTP %s %s'
                             % (name, status, body))
        nodes.append((name, uuid))
    return nodes


# What to print -----------------------------------------------------------

def _openstack():
    """How to call the ``openstack`` client: by name when it is the one
    on PATH (or none is installed), else by the path of the one installed
    next to this program."""
    local = os.path.join(os.path.dirname(sys.executable), 'openstack')
    if not os.access(local, os.X_OK):
        return 'openstack'
    on_path = shutil.which('openstack')
    if on_path and os.path.realpath(on_path) == os.path.realpath(local):
        return 'openstack'
    return local


def commands(api_endpoint, placement_endpoint, node_name=None,
             node_uuid=None, now=None):
    """``[(what, command)]`` to try against the running service."""
    osc = shlex.quote(_openstack())
    reservation = ('%s --os-auth-type admin_token --os-token %s '
                   '--os-endpoint %s reservation'
                   % (osc, TOKEN, api_endpoint))
    now = now or datetime.datetime.now(datetime.timezone.utc)
    # Dates are in UTC, to the minute: start at the next minute that is
    # at least one minute away.
    start = now + datetime.timedelta(minutes=2)
    start = start.replace(second=0, microsecond=0)
    end = start + datetime.timedelta(hours=1)
    found = [
        ('the enrolled hosts', '%s host list' % reservation),
        ('lease one host for an hour, starting within two minutes',
         '%s lease create --reservation resource_type=physical:host,'
         'min=1,max=1 --start-date "%s" --end-date "%s" my-lease'
         % (reservation, timeconv.minute_text(start),
            timeconv.minute_text(end))),
        ('the lease: PENDING, ACTIVE from its start; its allocations name '
         'the host', '%s lease show my-lease' % reservation),
    ]
    if node_uuid:
        found.append((
            'the traits of %s in Placement (while a lease holds it: its '
            'access trait and CUSTOM_BLAZAR_RESERVED)' % node_name,
            '%s --os-placement-api-version 1.6 --os-auth-type admin_token '
            '--os-token %s --os-endpoint %s resource provider trait list %s'
            % (osc, TOKEN, placement_endpoint, node_uuid)))
    return found


def _say(text=''):
    print(text, flush=True)


def report(state_dir, api_endpoint, placement_endpoint, nodes, hosts):
    _say('blazar-nova-aio is running; state in %s' % state_dir)
    _say('  Reservation API (Blazar v1, noauth): %s' % api_endpoint)
    _say('  Placement (noauth2): %s' % placement_endpoint)
    _say('  Lease agent: running (Placement only, no Nova)')
    if nodes:
        _say('  Demo hosts: %s' % ', '.join(
            '%s (%s)' % node for node in nodes))
    _say('  Enrolled hosts: %d' % len(hosts))
    _say()
    _say('Try (the token "admin" is an administrator; "USER:PROJECT" acts '
         'as that user of that project):')
    first = nodes[0] if nodes else (None, None)
    if not nodes and hosts:
        first = hosts[0]['hypervisor_hostname'], hosts[0]['uuid']
    for what, command in commands(api_endpoint, placement_endpoint,
                                  *first):
        _say('  # %s' % what)
        _say('  %s' % command)
    if not hosts:
        _say('  # no host is enrolled: start with --demo-hosts 3')
    _say()
    _say('Ctrl-C stops everything; the next start finds the same state.')


# Running -----------------------------------------------------------------

class _Served:
    """One WSGI server on its own thread."""

    def __init__(self, name, port, application, workers):
        try:
            self.server = api_cmd.Server((HOST, port), workers)
        except OSError as exc:
            raise Failed('%s cannot listen on %s:%d: %s'
                         % (name, HOST, port, exc))
        self.server.set_app(application)
        self.port = self.server.server_address[1]
        self.thread = threading.Thread(
            target=self.server.serve_forever, kwargs={'poll_interval': 0.2},
            name='wsgi-%d' % self.port, daemon=True)

    def start(self):
        self.thread.start()

    def stop(self):
        if self.thread.is_alive():
            self.server.shutdown()
        self.server.server_close()


class AllInOne:
    """Placement, the API and the agent of one configuration."""

    def __init__(self, conf):
        self.conf = conf
        self.stopping = threading.Event()
        self.servers = []
        self.agent = None
        self.agent_thread = None
        self.failed = False

    def _check(self):
        if self.stopping.is_set():
            raise KeyboardInterrupt

    def start(self):
        conf = self.conf
        state_dir = os.path.abspath(os.path.expanduser(conf.state_path))
        os.makedirs(state_dir, exist_ok=True)

        store = store_api.Store(conf)
        revision = migration.upgrade(store.db)
        LOG.info('Store %s at revision %s', store.db.connection, revision)
        self._check()

        placement = _Served('Placement (--placement-port)',
                            conf.placement_port,
                            _placement_app(state_dir), 8)
        self.servers.append(placement)
        placement.start()
        placement_endpoint = 'http://%s:%d' % (HOST, placement.port)
        LOG.info('Placement listening on %s', placement_endpoint)
        self._check()

        conf.set_override('auth_strategy', 'noauth', group='api')
        application = service.build(
            conf, store=store,
            placement=placement_client_for(placement_endpoint))
        api = _Served('The reservation API (--api-port)', conf.api_port,
                      application, conf.api.workers)
        self.servers.append(api)
        api.start()
        api_endpoint = 'http://%s:%d/v1' % (HOST, api.port)
        LOG.info('Reservation API listening on %s', api_endpoint)
        self._check()

        client = placement_client_for(placement_endpoint)
        hosts = list_hosts(api_endpoint)
        adopt_hosts(client, hosts)
        nodes = []
        if conf.demo_hosts:
            nodes = enrol_demo_hosts(
                api_endpoint, client, conf.demo_hosts,
                {h['hypervisor_hostname'] for h in hosts})
            hosts = list_hosts(api_endpoint)
        self._check()

        # The agent starts last: its first reconcile finds every host. No
        # Nova reports to this Placement, so [nova] is not used.
        conf.set_override('auth_type', None, group='nova')
        conf.set_override('endpoint_override', None, group='nova')
        self.agent = _agent_cmd().build(
            conf, store=store,
            placement=placement_client_for(placement_endpoint))
        self.agent_thread = threading.Thread(target=self._run_agent,
                                             name='agent', daemon=True)
        self.agent_thread.start()
        self._check()
        report(state_dir, api_endpoint, placement_endpoint, nodes, hosts)

    def _run_agent(self):
        try:
            self.agent.run()
        except Exception:
            LOG.exception('The lease agent failed: stopping')
            self.failed = True
            self.stopping.set()

    def stop(self):
        """Agent first (its step in hand may need Placement), then the
        API, then Placement."""
        if self.agent is not None:
            self.agent.stop()
            self.agent_thread.join(30)
        for served in reversed(self.servers):
            served.stop()
        self.servers = []


def main(argv=None):
    conf = cfg.ConfigOpts()
    _register(conf)
    logging.set_defaults(default_log_levels=(
        logging.get_default_log_levels() + QUIET_LOGGERS))
    conf.set_default('use_stderr', True)
    try:
        conf(sys.argv[1:] if argv is None else argv, project=PROJECT,
             prog=PROG, default_config_files=[], default_config_dirs=[])
    except cfg.Error as exc:
        print('ERROR: %s' % exc, file=sys.stderr)
        return 1
    if conf.state_dir:
        conf.set_override('state_path', os.path.abspath(
            os.path.expanduser(conf.state_dir)))
    logging.setup(conf, PROJECT)

    aio = AllInOne(conf)

    def on_signal(signum, frame):
        if not aio.stopping.is_set():
            LOG.info('Signal %d received: stopping', signum)
        aio.stopping.set()

    signal.signal(signal.SIGTERM, on_signal)
    signal.signal(signal.SIGINT, on_signal)
    error = None
    try:
        aio.start()
        while not aio.stopping.wait(3600):
            pass
    except KeyboardInterrupt:
        pass
    except (Failed, exception.ReservationError) as exc:
        error = str(exc)
    finally:
        aio.stop()
    if error:
        LOG.error('%s', error)
    LOG.info('Stopped')
    return 1 if error or aio.failed else 0


if __name__ == '__main__':
    sys.exit(main())
