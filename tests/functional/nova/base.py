"""A Nova functional test case with BlazarFilter enabled and a real store.

Each test runs Nova's real API, conductor, scheduler (with ``BlazarFilter``
among Nova's default filters) and fake compute hosts in process, over
Nova's in-process Placement (``PlacementFixture``). Reservations come from
this project's store on a SQLite file and reach Placement through
``reconcile.reconcile`` over a keystoneauth1 Adapter, exactly as the agent
writes them; reservation flavors are made by ``flavors.ensure_flavor``
through a ``ComputeClient`` talking to the intercepted Nova API. Nothing of
Nova is mocked. (``OS_NOVA_DISABLE_EVENTLET_PATCHING`` is set by the
package, before anything imports ``nova.tests``.)

Two things of Nova's test harness are changed, in memory and for the test
only (Nova is never patched on disk); see ``harness.ReaderPreferringLock``
and ``harness.BoundedServiceStop``:

* Under native threads Nova's fixtures can deadlock: ``CellDatabases``
  guards "which cell database is current" with a writer-preferring
  reader/writer lock, and ``DatabaseWriteLock`` serialises writer
  transactions per database with an RLock. A thread inside a writer
  transaction on cell1 (holding that RLock; e.g. a service's periodic
  ``Service.save`` through an untargeted context, which the fixture points
  at the last targeted cell) asks for a read lock and waits because a
  writer is queued; the queued writer (``target_cell`` to another cell)
  waits for the readers to leave; one reader (the conductor inside
  ``target_cell(cell1)``) waits for cell1's RLock held by the first thread.
  Nobody ever moves, CPU idle. Seen here with py-spy on the first run of
  tests/functional/nova, the test's main thread stuck in a GET behind the
  same read lock.
* When that cycle (or an RPC call to a service already stopped, which the
  fake transport leaves unanswered until ``long_rpc_timeout``, 1800 s)
  holds an RPC handler, the test's cleanup stops the services and
  ``Service.stop`` -> ``MessageHandlingServer.wait`` -> futurist
  ``ThreadPoolExecutor.shutdown(wait=True)`` -> ``Queue.join`` waits for
  that handler for ever: the hang of issue 15.
"""

import atexit
import datetime
import itertools
import logging
import os
import shutil
import sysconfig
import tempfile
import threading
import time

import fixtures
from keystoneauth1 import adapter as ks_adapter
from keystoneauth1 import session as ks_session
from nova.conf import scheduler as nova_scheduler_conf
from nova.tests import fixtures as nova_fixtures
from nova.tests.functional.api import client as api_client
from nova.tests.functional import integrated_helpers
from nova import utils as nova_utils
from oslo_config import cfg

from placement_ext.nova import compute as bn_compute
# Importing the filter registers nova.conf's [blazar_filter] options.
from blazar_nova.scheduler.filters import blazar_filter  # noqa: F401
from placement_ext import conf as bn_conf
from placement_ext import context as bn_context
from placement_ext.db import api as db_api
from placement_ext.db import migration
from placement_ext.placement import client as pclient
from placement_ext.placement import reconcile
from placement_ext.store import api as store_api
from tests.functional.nova import harness

PROJECT = nova_fixtures.PROJECT_ID
OTHER_PROJECT = 'a1b2c3d4e5f60718293a4b5c6d7e8f90'
DAY = 86400

# MediumFakeDriver's capacity: the store is told the same.
VCPUS, MEMORY_MB, LOCAL_GB = 10, 8192, 1028

# What ``_outcomes`` says of a server in ERROR with "No valid host".
NO_VALID_HOST = 'No valid host'

FILTER = 'blazar_nova.scheduler.filters.blazar_filter.BlazarFilter'

LOG = logging.getLogger(__name__)


def _nova_default_filters():
    for opt in nova_scheduler_conf.filter_scheduler_opts:
        if opt.name == 'enabled_filters':
            return list(opt.default)
    raise AssertionError('Nova has no [filter_scheduler] enabled_filters')


def _api_paste_ini():
    return os.path.join(sysconfig.get_paths()['data'], 'etc', 'nova',
                        'api-paste.ini')


# Nova's fixtures point tempfile at a per-test directory; the template
# outlives tests, so it goes under the temporary directory of the process.
_TMP_ROOT = tempfile.gettempdir()
_template_lock = threading.Lock()
_template = {}


def _migrated_template():
    """A migrated empty store database file, made once per process;
    each test copies it (cheaper than running the migrations again)."""
    with _template_lock:
        if 'path' not in _template:
            directory = tempfile.mkdtemp(prefix='blazar-nova-store-',
                                         dir=_TMP_ROOT)
            atexit.register(shutil.rmtree, directory, True)
            path = os.path.join(directory, 'template.sqlite')
            database = db_api.Database(connection='sqlite:///' + path)
            try:
                migration.upgrade(database)
            finally:
                database.dispose()
            _template['path'] = path
        return _template['path']


def _library_opts():
    """Options of other libraries whose defaults Nova's ConfFixture
    changes process-wide at every setUp (``nova.config.set_lib_defaults``:
    oslo.log ``default_log_levels``, oslo.middleware CORS, oslo.messaging
    ``control_exchange``)."""
    from oslo_log import _options as log_options
    from oslo_messaging import transport
    from oslo_middleware import cors
    return (list(log_options.list_opts()[0][1]) + list(cors.CORS_OPTS)
            + list(transport._transport_opts))


class LibraryDefaults(fixtures.Fixture):
    """Put the defaults of ``_library_opts`` back after the test, so that
    later tests in the process (oslo-config-generator samples) see the
    libraries' own defaults."""

    def _setUp(self):
        saved = [(opt, opt.default) for opt in _library_opts()]

        def restore():
            for opt, default in saved:
                opt.default = default

        self.addCleanup(restore)


class Clock:
    """The store's clock (epoch seconds), moved by hand."""

    def __init__(self, now):
        self.now = now

    def __call__(self):
        return self.now


class BlazarFilterTestCase(integrated_helpers.ProviderUsageBaseTestCase):
    """Nova with BlazarFilter enabled, a store, and helpers to drive them."""

    compute_driver = 'fake.MediumFakeDriver'
    microversion = 'latest'
    # Whether [blazar_filter] allow_preemptibles is on for the scheduler.
    allow_preemptibles = False

    def setUp(self):
        # First in, so their cleanups run after Nova's.
        self.useFixture(LibraryDefaults())
        self.useFixture(harness.BoundedServiceStop())
        # All of these must be set before the scheduler service starts.
        self.flags(api_paste_config=_api_paste_ini(), group='wsgi')
        self.flags(long_rpc_timeout=harness.RPC_TIMEOUT)
        self.flags(available_filters=['nova.scheduler.filters.all_filters',
                                      FILTER],
                   enabled_filters=_nova_default_filters() + ['BlazarFilter'],
                   group='filter_scheduler')
        self.flags(reservable_hosts_refresh=0,
                   allow_preemptibles=self.allow_preemptibles,
                   group='blazar_filter')
        super().setUp()

        base_url = self.api_fixture.base_url
        # Servers are created by plain project members; admin_api (same
        # project, admin role) reads where they landed.
        self.api = self._project_api('demo', PROJECT)
        self.other_api = self._project_api('other-user', OTHER_PROJECT)
        self.image_id = self.glance.image1['id']
        self.flavor_id = self._smallest_flavor()

        placement_fixture = self.placement.fixture
        self.placement_client = pclient.PlacementClient(ks_adapter.Adapter(
            ks_session.Session(auth=None, additional_headers={
                'X-Auth-Token': placement_fixture.token}),
            service_type='placement',
            endpoint_override=placement_fixture.endpoint))
        # The same headers TestOpenStackClient sends for admin_api.
        self.compute_client = bn_compute.ComputeClient(ks_adapter.Adapter(
            ks_session.Session(auth=None, additional_headers={
                'X-Auth-User': 'admin', 'X-User-Id': 'admin',
                'X-Auth-Project-Id': PROJECT,
                'X-Roles': 'reader,member,admin'}),
            service_type='compute', endpoint_override=base_url))

        self.clock = Clock(int(time.time()) // 60 * 60)
        self.store = self._make_store()
        self.admin_ctx = bn_context.admin_context()
        self.rp_uuids = {}
        self.lease_ids = {}
        self.slots = {}
        self._names = itertools.count()

    def useFixture(self, fixture):
        # Nova's _setup_cells hands its CellDatabases to useFixture before
        # any service starts: give it the lock that cannot deadlock.
        if (isinstance(fixture, nova_fixtures.CellDatabases)
                and nova_utils.concurrency_mode_threading()):
            fixture._cell_lock = harness.ReaderPreferringLock()
        return super().useFixture(fixture)

    def _clear_attrs(self):
        # pytest deletes the bound test method it set on the instance after
        # the test; nova's _clear_attrs would delete it first (pitfall 3).
        keep = getattr(self, '_testMethodName', None)
        for key in [k for k in self.__dict__ if k[0] != '_']:
            if key not in ('id', keep):
                del self.__dict__[key]

    # Setup helpers ------------------------------------------------------
    def _project_api(self, user, project):
        api = api_client.TestOpenStackClient(
            user, self.api_fixture.base_url, project_id=project,
            roles=['reader', 'member'])
        api.microversion = 'latest'
        return api

    def _smallest_flavor(self):
        flavors = self.admin_api.get_flavors()
        return min(flavors, key=lambda f: (f['ram'], f['vcpus']))['id']

    def _make_store(self):
        directory = self.useFixture(fixtures.TempDir()).path
        path = os.path.join(directory, 'store.sqlite')
        shutil.copyfile(_migrated_template(), path)
        conf = cfg.ConfigOpts()
        bn_conf.register_opts(conf)
        conf([], project='blazar-nova', default_config_files=[])
        database = db_api.Database(connection='sqlite:///' + path)
        self.addCleanup(database.dispose)
        return store_api.Store(conf, database, clock=self.clock)

    def _start_hosts(self, reservable=(), ordinary=()):
        """Start fake compute hosts; enrol ``reservable`` ones in the store
        (uuid = their compute node provider) and write Placement."""
        for name in tuple(reservable) + tuple(ordinary):
            self._start_compute(name)
            self.rp_uuids[name] = self._get_provider_uuid_by_host(name)
        for name in reservable:
            self.store.create_host(self.admin_ctx, {
                'uuid': self.rp_uuids[name], 'hypervisor_hostname': name,
                'vcpus': VCPUS, 'memory_mb': MEMORY_MB,
                'local_gb': LOCAL_GB})
        self._reconcile()

    def _reconcile(self):
        report = reconcile.reconcile(self.placement_client, self.store,
                                     self.admin_ctx)
        self.assertEqual([], report.problems)
        return report

    # Leases -------------------------------------------------------------
    def _date(self, offset):
        moment = datetime.datetime.fromtimestamp(self.clock.now + offset,
                                                 datetime.timezone.utc)
        return moment.strftime('%Y-%m-%d %H:%M')

    def _lease(self, reservation, project=PROJECT, start=None,
               live=True):
        """Create a lease of one reservation; start it (and reconcile)
        unless ``live`` is False. Returns ``(reservation_id, hosts)``;
        ``self.slots[reservation_id]`` is ``{host: slots}``."""
        ctx = bn_context.RequestContext(project_id=project,
                                        user_id='u-' + project)
        lease = self.store.create_lease(ctx, {
            'name': 'lease-%d' % next(self._names),
            'start_date': 'now' if start is None else self._date(start),
            'end_date': self._date(DAY),
            'reservations': [reservation]})
        self.assertEqual('PENDING', lease['status'])
        (res,) = lease['reservations']
        hosts = sorted(a['hypervisor_hostname'] for a in res['allocations'])
        self.lease_ids[res['id']] = lease['id']
        self.slots[res['id']] = {a['hypervisor_hostname']: a['slots']
                                 for a in res['allocations']}
        if live:
            self._move(res['id'], 'PENDING', 'STARTING', 'ACTIVE')
        else:
            self._reconcile()
        return res['id'], hosts

    def _host_lease(self, host, project=PROJECT, **kwargs):
        return self._lease({
            'resource_type': 'physical:host', 'min': 1, 'max': 1,
            'hypervisor_properties': '["==", "$hypervisor_hostname", "%s"]'
            % host, 'resource_properties': ''}, project=project, **kwargs)

    def _instance_lease(self, amount, vcpus=1, memory_mb=512, disk_gb=1,
                        project=PROJECT, **kwargs):
        return self._lease({
            'resource_type': 'virtual:instance', 'amount': amount,
            'vcpus': vcpus, 'memory_mb': memory_mb, 'disk_gb': disk_gb,
            'affinity': None}, project=project, **kwargs)

    def _move(self, reservation_id, *statuses):
        """Walk the lease of ``reservation_id`` through ``statuses``
        (the lease agent's job) and reconcile Placement after each."""
        lease_id = self.lease_ids[reservation_id]
        for expected, target in zip(statuses, statuses[1:]):
            self.store.set_lease_status(self.admin_ctx, lease_id, expected,
                                        target)
            self._reconcile()

    # Servers ------------------------------------------------------------
    def _post(self, hint=None, api=None, flavor_id=None, min_count=None,
              group=None):
        """Ask for a server (or ``min_count`` of them), with the hints
        ``reservation=hint`` and ``group=group`` when given; return the
        ids."""
        api = api or self.api
        body = {'server': {
            'name': 'srv-%d' % next(self._names), 'imageRef': self.image_id,
            'flavorRef': flavor_id or self.flavor_id, 'networks': 'none'}}
        hints = {'reservation': hint, 'group': group}
        if hint is not None or group is not None:
            body['os:scheduler_hints'] = {
                k: v for k, v in hints.items() if v is not None}
        if min_count:
            body['server'].update(min_count=min_count, max_count=min_count,
                                  return_reservation_id=True)
            rid = api.post_server(body)['reservation_id']
            found = self.admin_api.get_servers(search_opts={
                'reservation_id': rid, 'all_tenants': 1})
            self.assertEqual(min_count, len(found))
            return [s['id'] for s in found]
        return [api.post_server(body)['id']]

    def _boot(self, count=1, **kwargs):
        """Post ``count`` requests (see ``_post``) without waiting; return
        the server ids."""
        return [sid for _ in range(count) for sid in self._post(**kwargs)]

    def _settle(self, server_ids, timeout=60):
        """Wait until every server is ACTIVE, or ERROR with its fault;
        return them in order. One list call per poll, so that polling
        takes little from the in-process services."""
        pending = set(server_ids)
        found = {}
        deadline = time.monotonic() + timeout
        while True:
            for server in self.admin_api.get_servers(
                    search_opts={'all_tenants': 1}):
                if server['id'] in pending and (
                        server['status'] == 'ACTIVE' or (
                            server['status'] == 'ERROR'
                            and 'fault' in server)):
                    found[server['id']] = server
                    pending.discard(server['id'])
            if not pending:
                return [found[sid] for sid in server_ids]
            if time.monotonic() > deadline:
                self.fail('servers %s still building after %ss'
                          % (sorted(pending), timeout))
            time.sleep(0.2)

    def _outcomes(self, server_ids):
        """Where each server landed (its host), or ``NO_VALID_HOST``."""
        result = []
        for server in self._settle(server_ids):
            if server['status'] == 'ACTIVE':
                result.append(server['OS-EXT-SRV-ATTR:host'])
            elif 'No valid host' in server['fault']['message']:
                self.assertIsNone(server['OS-EXT-SRV-ATTR:host'])
                result.append(NO_VALID_HOST)
            else:
                result.append('ERROR: %s' % server['fault']['message'])
        return result
