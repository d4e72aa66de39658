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
only (Nova is never patched on disk); see ``ReaderPreferringLock`` and
``BoundedServiceStop``:

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
import collections
import contextlib
import datetime
import itertools
import logging
import os
import shutil
import sys
import sysconfig
import tempfile
import threading
import time
import traceback

import fixtures
from keystoneauth1 import adapter as ks_adapter
from keystoneauth1 import session as ks_session
from nova.conf import scheduler as nova_scheduler_conf
from nova import service as nova_service
from nova.tests import fixtures as nova_fixtures
from nova.tests.functional.api import client as api_client
from nova.tests.functional import integrated_helpers
from nova import thread_pool_factory
from nova import utils as nova_utils
from oslo_config import cfg

from blazar_nova import compute as bn_compute
# Importing the filter registers nova.conf's [blazar_filter] options.
from blazar_nova.scheduler.filters import blazar_filter  # noqa: F401
from placement_ext import conf as bn_conf
from placement_ext import context as bn_context
from placement_ext.db import api as db_api
from placement_ext.db import migration
from placement_ext.placement import client as pclient
from placement_ext.placement import reconcile
from placement_ext.store import api as store_api

PROJECT = nova_fixtures.PROJECT_ID
OTHER_PROJECT = 'a1b2c3d4e5f60718293a4b5c6d7e8f90'
DAY = 86400

# MediumFakeDriver's capacity: the store is told the same.
VCPUS, MEMORY_MB, LOCAL_GB = 10, 8192, 1028

# What ``_outcomes`` says of a server in ERROR with "No valid host".
NO_VALID_HOST = 'No valid host'

FILTER = 'blazar_nova.scheduler.filters.blazar_filter.BlazarFilter'

# Seconds an RPC call may wait for its answer. Nova's long_rpc_timeout
# (1800 s, for select_destinations among others) is cut so that a call left
# unanswered by a service stopped first (the fake transport never answers
# it) ends well within STOP_TIMEOUT and its handler can finish.
RPC_TIMEOUT = 60
# Seconds a service stop may wait for its RPC handlers (and the test's
# cleanup for Nova's thread pools) before the test fails with every
# thread's stack instead of waiting for ever.
STOP_TIMEOUT = 90

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


class ReaderPreferringLock:
    """A reader/writer lock for ``CellDatabases``, in place of its
    writer-preferring one: a reader waits only while a writer holds the
    lock, never for a writer that is only waiting. Writers hold it just to
    set which cell database is current (nothing that blocks), so no reader
    can be stuck behind one; the deadlock described at the top of this
    module needs a reader queued behind a waiting writer. Same interface
    and rules as ``fasteners.ReaderWriterLock`` as the fixture uses it:
    re-entrant read and write locks per thread, a writer may read, a reader
    may not become a writer."""

    def __init__(self):
        self._cond = threading.Condition()
        self._readers = collections.Counter()
        self._writer = None
        self._writer_depth = 0

    @contextlib.contextmanager
    def read_lock(self):
        me = threading.get_ident()
        with self._cond:
            while self._writer not in (None, me):
                self._cond.wait()
            self._readers[me] += 1
        try:
            yield self
        finally:
            with self._cond:
                self._readers[me] -= 1
                if not self._readers[me]:
                    del self._readers[me]
                self._cond.notify_all()

    @contextlib.contextmanager
    def write_lock(self):
        me = threading.get_ident()
        with self._cond:
            if self._writer == me:
                self._writer_depth += 1
            else:
                if me in self._readers:
                    raise RuntimeError('Reader %s to writer privilege '
                                       'escalation not allowed' % me)
                while self._writer is not None or self._readers:
                    self._cond.wait()
                self._writer, self._writer_depth = me, 1
        try:
            yield self
        finally:
            with self._cond:
                self._writer_depth -= 1
                if not self._writer_depth:
                    self._writer = None
                self._cond.notify_all()


class ServiceStopTimeout(AssertionError):
    """A Nova service (or Nova's thread pools) did not stop in time."""


# Frames (among the three innermost) of threads that merely wait for work.
_IDLE_FRAMES = {('_thread.py', '_wait_for_work'), ('impl_fake.py', 'poll')}


def thread_stacks():
    """Every thread's stack, for a failure message; threads idle in a
    pool or an RPC listener are only counted."""
    names = {t.ident: t.name for t in threading.enumerate()}
    shown, idle = [], 0
    for ident, frame in sys._current_frames().items():
        stack = traceback.extract_stack(frame)
        if {(os.path.basename(f.filename), f.name)
                for f in stack[-3:]} & _IDLE_FRAMES:
            idle += 1
            continue
        shown.append('Thread %s (%s):\n%s' % (
            names.get(ident, '?'), ident,
            ''.join(traceback.format_list(stack))))
    shown.append('(%d idle pool or listener threads not shown)' % idle)
    return '\n'.join(shown)


def _bounded(function, timeout, what):
    """Run ``function`` in a daemon thread and wait at most ``timeout``
    seconds; return a failure message (with every thread's stack) if it
    is still running then, else None. Its exceptions are logged, as the
    Nova code wrapped here does with its own."""
    def run():
        try:
            function()
        except Exception:
            LOG.exception('%s failed', what)

    waiter = threading.Thread(target=run, name='bounded: ' + what,
                              daemon=True)
    waiter.start()
    waiter.join(timeout)
    if not waiter.is_alive():
        return None
    message = ('%s still waiting after %s s (left running in a daemon '
               'thread); threads:\n%s' % (what, timeout, thread_stacks()))
    LOG.error('%s', message)
    return message


class BoundedServiceStop(fixtures.Fixture):
    """Stop Nova services (and reset Nova's thread pools at cleanup)
    with a bounded wait.

    ``Service.stop`` waits for its RPC servers with
    ``MessageHandlingServer.wait()``, which ends in futurist's
    ``ThreadPoolExecutor.shutdown(wait=True)`` -> ``Queue.join()`` with no
    timeout (oslo.messaging's ``wait(timeout=...)`` only bounds waiting for
    ``stop()``, not the handlers); ``IsolatedExecutorFixture``'s cleanup
    does the same on Nova's own pools. A handler that never returns thus
    hangs the cleanup. Here ``Service._wait_rpc_server`` (which Nova calls
    for each RPC server in ``stop``) and ``thread_pool_factory.
    reset_all_executors`` wait at most ``timeout`` seconds; ``stop`` then
    finishes its other steps (the alternate RPC server, the service's
    timers) and raises ``ServiceStopTimeout`` with every thread's stack,
    so the test fails in seconds, naming the stuck handler. Set up before
    Nova's fixtures, so that their cleanups run with it in place."""

    def __init__(self, timeout=None):
        super().__init__()
        self.timeout = STOP_TIMEOUT if timeout is None else timeout

    def _setUp(self):
        for name in ('_wait_rpc_server', 'stop'):
            if not callable(getattr(nova_service.Service, name, None)):
                raise AssertionError('nova.service.Service.%s is gone: '
                                     'update BoundedServiceStop' % name)
        wait_rpc_server = nova_service.Service._wait_rpc_server
        stop = nova_service.Service.stop
        reset_all = thread_pool_factory.reset_all_executors
        timeout = self.timeout

        def bounded_wait_rpc_server(service, rpc_server, topic):
            failure = _bounded(
                lambda: wait_rpc_server(service, rpc_server, topic),
                timeout, 'stopping %s on %s: RPC server %s'
                % (service.binary, service.host, topic))
            if failure:
                service.__dict__.setdefault('_stop_failures', []).append(
                    failure)

        def bounded_stop(service, *args, **kwargs):
            service.__dict__.pop('_stop_failures', None)
            stop(service, *args, **kwargs)
            failures = service.__dict__.pop('_stop_failures', None)
            if failures:
                raise ServiceStopTimeout('\n\n'.join(failures))

        def bounded_reset_all():
            failure = _bounded(reset_all, timeout,
                               "resetting Nova's thread pools")
            if failure:
                raise ServiceStopTimeout(failure)

        self.useFixture(fixtures.MonkeyPatch(
            'nova.service.Service._wait_rpc_server', bounded_wait_rpc_server))
        self.useFixture(fixtures.MonkeyPatch(
            'nova.service.Service.stop', bounded_stop))
        self.useFixture(fixtures.MonkeyPatch(
            'nova.thread_pool_factory.reset_all_executors',
            bounded_reset_all))


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
        self.useFixture(BoundedServiceStop())
        # All of these must be set before the scheduler service starts.
        self.flags(api_paste_config=_api_paste_ini(), group='wsgi')
        self.flags(long_rpc_timeout=RPC_TIMEOUT)
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
            fixture._cell_lock = ReaderPreferringLock()
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
    def _post(self, hint=None, api=None, flavor_id=None, min_count=None):
        """Ask for a server (or ``min_count`` of them); return the ids."""
        api = api or self.api
        body = {'server': {
            'name': 'srv-%d' % next(self._names), 'imageRef': self.image_id,
            'flavorRef': flavor_id or self.flavor_id, 'networks': 'none'}}
        if hint is not None:
            body['os:scheduler_hints'] = {'reservation': hint}
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
