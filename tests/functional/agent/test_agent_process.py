"""blazar-nova-agent as a real process, with a standalone Placement and a
store on SQLite that the test reads with a real clock.

What only a real process shows: a SIGKILL at any step of a start or an end
is repaired by a restart; another agent takes a dead agent's event only
once its claim expired; SIGTERM and ``--once`` exit 0; an outage of
Placement loses nothing; a deleted lease ends at once; a lease created while
the agent sleeps starts on time; the process shell (cotyledon): SIGTERM and
SIGINT finish the step in hand, SIGHUP reloads the configuration, a killed
worker is started again, an agent that cannot start exits 1, systemd is
told when it is ready. No Nova here: the agent skips flavors and
instances (the Nova side, and crashes after its steps, are tested in
tests/functional/nova); a test shows that it runs straight through them.
Crashes are injected through the agent's store and Placement client
(``placement_ext.testing.crash_points``), never by the agent itself.

Timings are short (``placement_ext.testing.agent_process.FAST``): events
are polled every 0.2 s, retried after 0.5 s doubling up to 2 s, claims
last 10 s.
"""

import os
import shutil
import signal
import socket
import sqlite3
import time
import uuid

import pytest

from placement_ext import context as bn_context
from placement_ext.db import api as db_api
from placement_ext.db import migration
from placement_ext import exception
from blazar_nova import names
from placement_ext.store import api as store_api
from placement_ext import timeconv
from placement_ext.testing import agent_process
from placement_ext.testing import crash_points
from placement_ext.testing import placement_service as ps

ADMIN = bn_context.admin_context()
HOUR = 3600
KILLED = -signal.SIGKILL
FAST = agent_process.FAST

# Crash points named for an agent with Nova (tests/functional/nova).
NOVA_POINTS = ('start:nova', 'start:server-group', 'end:instances',
               'end:nova')
PLACEMENT_POINTS = tuple(p for p in (crash_points.START_POINTS
                                     + crash_points.END_POINTS)
                         if p not in NOVA_POINTS)
HOST = 'physical:host'


# Fixtures ------------------------------------------------------------------
@pytest.fixture(scope='module')
def placement(tmp_path_factory):
    """One standalone Placement for the module, wiped before each test."""
    service = ps.Standalone(tmp_path_factory.mktemp('agent-placement'))
    yield service
    service.stop()


@pytest.fixture(scope='module')
def store_template(tmp_path_factory):
    """A migrated store database, copied for each test."""
    path = tmp_path_factory.mktemp('agent-store') / 'store.sqlite'
    database = db_api.Database(connection='sqlite:///%s' % path)
    migration.upgrade(database)
    database.dispose()
    # Fold the write-ahead log into the file, so that a copy is whole.
    with sqlite3.connect(path) as db:
        db.execute('PRAGMA journal_mode = DELETE')
    return path


class Rig:
    """A store, a Placement and the agents a test starts (killed, if still
    running, when it ends)."""

    def __init__(self, tmp_path, service, conf, store_template):
        self.tmp = tmp_path
        self.service = service
        self.placement = service.client()
        path = tmp_path / 'store.sqlite'
        shutil.copyfile(store_template, path)
        self.connection = 'sqlite:///%s' % path
        self.database = db_api.Database(connection=self.connection)
        self.store = store_api.Store(conf, self.database)
        self.hosts = {}
        self.agents = []

    def close(self):
        for agent in self.agents:
            agent.kill()
        self.database.dispose()

    def enrol(self, hostname):
        node = ps.add_compute_node(self.placement, hostname)
        self.store.create_host(ADMIN, {
            'hypervisor_hostname': hostname, 'uuid': node, 'vcpus': 8,
            'memory_mb': 16384, 'local_gb': 200})
        self.hosts[hostname] = node
        return node

    def lease(self, kind='host', hostname='h1', start=0, end=HOUR):
        """A lease of one host (``hostname``) or of two instance slots,
        starting and ending ``start`` and ``end`` seconds from now; returns
        its ``lease_work`` (id, project, epochs, hosts and slots)."""
        now = int(time.time())
        if kind == 'host':
            reservation = {'resource_type': HOST, 'min': 1, 'max': 1,
                           'hypervisor_properties':
                           '["==", "$hypervisor_hostname", "%s"]'
                           % hostname}
        else:
            reservation = {'resource_type': 'virtual:instance',
                           'amount': 2, 'vcpus': 1, 'memory_mb': 512,
                           'disk_gb': 1, 'affinity': None}
        ctx = bn_context.RequestContext(project_id='p1', user_id='u1')
        created = self.store.create_lease(ctx, {
            'name': 'lease-%s' % uuid.uuid4().hex[:8],
            'start_date': timeconv.to_text(timeconv.to_datetime(now + start)),
            'end_date': timeconv.to_text(timeconv.to_datetime(now + end)),
            'reservations': [reservation]})
        return self.store.lease_work(ADMIN, created['id'])

    def agent(self, host='agent-1', crash_at=None, once=False,
              process=None, **options):
        """An agent process; ``process`` holds more AgentProcess
        arguments."""
        config = agent_process.write_config(
            self.tmp / ('%s.conf' % host), self.connection,
            self.service.endpoint, host, **options)
        agent = agent_process.AgentProcess(
            config, self.tmp / ('%s.log' % host), crash_at=crash_at,
            once=once, **(process or {}))
        self.agents.append(agent)
        return agent

    def status(self, lease):
        return self.store.get_lease(ADMIN, lease.id)['status']

    def event(self, lease, event_type):
        return {e['event_type']: e for e in self.store.lease_events(
            ADMIN, lease.id)}[event_type]

    def gone(self, lease):
        try:
            self.store.get_lease(ADMIN, lease.id)
        except exception.NotFound:
            return True
        return False

    def wait_for(self, what, predicate, timeout):
        """Poll ``predicate`` until true; fail with the agents' logs."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if predicate():
                return time.time()
            time.sleep(0.05)
        logs = '\n'.join('--- %s\n%s' % (a.log_path.name, a.tail())
                         for a in self.agents)
        raise AssertionError('not %s after %ss\n%s' % (what, timeout, logs))

    # Placement -------------------------------------------------------------
    def shown(self):
        """What Placement holds of reservations: traits and resource
        classes named after them, blazar_ child providers and the providers
        marked reserved."""
        rps = self.placement.get('/resource_providers').body[
            'resource_providers']
        return {
            'traits': set(ps.custom_traits(self.placement,
                                           names.RESERVATION_PREFIX)),
            'classes': {rc for rc in
                        ps.custom_resource_classes(self.placement)
                        if rc.startswith(names.RESERVATION_PREFIX)},
            'children': {rp['uuid'] for rp in rps
                         if rp['name'].startswith(names.CHILD_PREFIX)},
            'reserved': ps.carriers(self.placement, names.RESERVED_TRAIT),
        }

    def expected(self, leases):
        """``shown()`` when exactly ``leases`` are active; checks each
        access trait's carriers and each child's slots on the way."""
        want = {'traits': set(), 'classes': set(), 'children': set(),
                'reserved': set()}
        for lease in leases:
            for res in lease.reservations:
                trait = names.access_trait(res.id, lease.project_id)
                hosts = {h.uuid: h.slots for h in res.hosts}
                want['traits'].add(trait)
                want['reserved'].update(hosts)
                if res.resource_type == HOST:
                    carriers = set(hosts)
                else:
                    rc = names.resource_class(res.id)
                    want['classes'].add(rc)
                    carriers = {names.child_provider_uuid(h) for h in hosts}
                    want['children'].update(carriers)
                    for host, slots in hosts.items():
                        child = names.child_provider_uuid(host)
                        inventory = ps.inventory_of(self.placement, child)
                        assert inventory is not None, child
                        assert inventory[rc]['total'] == slots
                assert ps.carriers(self.placement, trait) == carriers
        return want

    def assert_shows(self, *leases):
        """Placement shows exactly ``leases``: nothing more, nothing less
        (none at all: nothing orphaned)."""
        assert self.shown() == self.expected(leases)


@pytest.fixture
def rig(placement, store_template, conf, tmp_path):
    ps.wipe(placement.client())
    rig = Rig(tmp_path, placement, conf, store_template)
    yield rig
    rig.close()


@pytest.fixture
def own_rig(store_template, conf, tmp_path):
    """A rig with a Placement of its own, which the test may stop."""
    service = ps.Standalone(tmp_path)
    rig = Rig(tmp_path, service, conf, store_template)
    yield rig
    rig.close()
    service.stop()


# 1. A SIGKILL at any step ----------------------------------------------------
def _check_cut(rig, lease, point):
    """Placement as the steps before ``point`` left it."""
    if point in ('start:entered', 'end:placement'):
        rig.assert_shows()
    elif point in ('start:placement', 'end:entered'):
        rig.assert_shows(lease)
    elif point == 'end:revoked':
        # Access gone; an instance reservation's slots and marks still
        # there, a host reservation's mark gone with its access trait.
        shown = rig.shown()
        want = rig.expected([])
        (res,) = lease.reservations
        assert ps.carriers(rig.placement, names.access_trait(
            res.id, lease.project_id)) == set()
        hosts = {h.uuid for h in res.hosts}
        assert shown['reserved'] == (
            set() if res.resource_type == HOST else hosts)
        if res.resource_type != HOST:
            want['classes'] = {names.resource_class(res.id)}
            want['children'] = {names.child_provider_uuid(h) for h in hosts}
        assert (shown['classes'], shown['children']) == (
            want['classes'], want['children'])
    else:
        raise AssertionError('no check for %s' % point)


def _id(point):
    # No ':' in test ids: gabbi's pytest plugin takes such items for its
    # own YAML tests.
    return point.replace(':', '-')


CRASHES = ([pytest.param(p, 'host', id='host-%s' % _id(p))
            for p in PLACEMENT_POINTS]
           + [pytest.param(p, 'instance', id='instance-%s' % _id(p))
              for p in ('start:placement', 'end:revoked', 'end:placement')])


@pytest.mark.parametrize('point,kind', CRASHES)
def test_restart_completes_a_start_or_end_killed_at_any_step(
        rig, point, kind):
    rig.enrol('h1')
    ending = point.startswith('end:')
    # An end point: the same run starts the lease, then dies in its end.
    lease = rig.lease(kind, start=0, end=1 if ending else HOUR)
    event_type = 'end_lease' if ending else 'start_lease'

    first = rig.agent('agent-1', crash_at=point)
    assert first.wait(30) == KILLED, first.tail()
    assert 'Crashing at %s' % point in first.log()
    cut = rig.event(lease, event_type)
    assert rig.status(lease) == ('TERMINATING' if ending else 'STARTING')
    assert (cut['status'], cut['owner'], cut['attempts']) == (
        'IN_PROGRESS', 'agent-1', 1)
    if ending:
        assert rig.event(lease, 'start_lease')['status'] == 'DONE'
    _check_cut(rig, lease, point)

    second = rig.agent('agent-1')
    rig.wait_for('%s done' % event_type,
                 lambda: rig.event(lease, event_type)['status'] == 'DONE',
                 20)
    assert second.terminate()[0] == 0, second.tail()
    done = rig.event(lease, event_type)
    assert (done['owner'], done['attempts']) == ('agent-1', 2)
    # Taken back at once on restart, not after the claim expired.
    assert done['claimed_ms'] - cut['claimed_ms'] < FAST[
        'claim_timeout'] * 1000
    if ending:
        view = rig.store.get_lease(ADMIN, lease.id)
        assert view['status'] == 'TERMINATED'
        assert view['reservations'][0]['status'] == 'deleted'
        rig.assert_shows()
    else:
        assert rig.status(lease) == 'ACTIVE'
        rig.assert_shows(lease)


@pytest.mark.parametrize('phase', ['start', 'end'])
def test_without_nova_the_nova_steps_are_skipped(rig, phase):
    rig.enrol('h1')
    ending = phase == 'end'
    lease = rig.lease('host', start=0, end=1 if ending else HOUR)
    while ending and time.time() < lease.end:
        time.sleep(0.05)
    agent = rig.agent('agent-1', once=True)
    assert agent.wait(30) == 0, agent.tail()
    assert 'No Nova endpoint configured' in agent.log()
    event = rig.event(lease, 'end_lease' if ending else 'start_lease')
    assert (event['status'], event['attempts']) == ('DONE', 1), agent.tail()
    assert rig.status(lease) == ('TERMINATED' if ending else 'ACTIVE')


# 2. Another agent takes over ---------------------------------------------
def test_another_agent_takes_a_dead_agents_event_once_its_claim_expired(
        rig):
    ttl = 5     # the least claim_timeout allows
    rig.enrol('h1')
    lease = rig.lease('host')
    dead = rig.agent('agent-a', crash_at='start:placement',
                     claim_timeout=ttl)
    assert dead.wait(30) == KILLED, dead.tail()
    cut = rig.event(lease, 'start_lease')
    assert (cut['status'], cut['owner']) == ('IN_PROGRESS', 'agent-a')
    expiry_ms = cut['claimed_ms'] + ttl * 1000

    other = rig.agent('agent-b', claim_timeout=ttl)
    running = other.wait_running('agent-b')
    # B was there well before the claim expired ...
    assert running * 1000 < expiry_ms - 1000
    time.sleep(max(0, expiry_ms / 1000.0 - 0.5 - time.time()))
    held = rig.event(lease, 'start_lease')
    # ... and left the event alone until then.
    assert (held['status'], held['owner'], held['attempts']) == (
        'IN_PROGRESS', 'agent-a', 1)

    rig.wait_for('taken over', lambda: rig.event(
        lease, 'start_lease')['status'] == 'DONE', 10)
    done = rig.event(lease, 'start_lease')
    assert (done['owner'], done['attempts']) == ('agent-b', 2)
    print('taken over %d ms after the claim expired'
          % (done['claimed_ms'] - expiry_ms))
    assert expiry_ms <= done['claimed_ms'] < expiry_ms + 2500
    assert rig.status(lease) == 'ACTIVE'
    rig.assert_shows(lease)
    assert other.terminate()[0] == 0


# 3. SIGTERM and --once -------------------------------------------------------
def test_sigterm_stops_an_idle_agent_with_code_0(rig):
    rig.enrol('h1')
    rig.lease('host', start=HOUR, end=2 * HOUR)
    agent = rig.agent('agent-1')
    agent.wait_running('agent-1')
    time.sleep(0.5)
    code, took = agent.terminate()
    print('SIGTERM: exit %s after %.2f s' % (code, took))
    assert code == 0, agent.tail()
    assert took < 2
    assert 'Agent agent-1 stopped' in agent.log()


def test_once_runs_the_due_events_and_exits(rig):
    rig.enrol('h1')
    rig.enrol('h2')
    due = rig.lease('host', 'h1', start=0, end=HOUR)
    later = rig.lease('host', 'h2', start=HOUR, end=2 * HOUR)
    agent = rig.agent('agent-1', once=True)
    assert agent.wait(30) == 0, agent.tail()
    assert rig.status(due) == 'ACTIVE'
    assert rig.event(due, 'start_lease')['status'] == 'DONE'
    assert rig.event(due, 'end_lease')['status'] == 'UNDONE'
    assert rig.status(later) == 'PENDING'
    start = rig.event(later, 'start_lease')
    assert (start['status'], start['attempts'], start['owner']) == (
        'UNDONE', 0, None)
    rig.assert_shows(due)


# 4. Placement outage ---------------------------------------------------------
def _given_back(event):
    return (event['status'] == 'UNDONE' and event['last_error'] is not None
            and event['retry_at'] is not None)


def test_a_placement_outage_delays_starts_and_ends_and_loses_nothing(
        own_rig):
    """Events due while Placement is down are retried until it is back.

    The outage lasts ~6 s; a one-minute one behaves the same, since retries
    come at most ``retry_max`` (2 s here) apart however long it lasts: the
    event completes within ``retry_max`` of Placement's return.
    """
    rig = own_rig
    rig.enrol('h1')
    rig.enrol('h2')
    agent = rig.agent('agent-1')
    agent.wait_running('agent-1')
    ending = rig.lease('host', 'h2', start=0, end=4)
    rig.wait_for('started', lambda: rig.status(ending) == 'ACTIVE', 10)
    starting = rig.lease('host', 'h1', start=2, end=HOUR)
    rig.service.stop()
    down = time.time()

    rig.wait_for('given back', lambda: (
        _given_back(rig.event(starting, 'start_lease'))
        and _given_back(rig.event(ending, 'end_lease'))), 10)
    for lease, event_type in ((starting, 'start_lease'),
                              (ending, 'end_lease')):
        assert 'Placement is unreachable' in rig.event(
            lease, event_type)['last_error']
    assert rig.status(starting) == 'STARTING'
    assert rig.status(ending) == 'TERMINATING'
    time.sleep(max(0, down + 6 - time.time()))
    # Retried all along, with the agent alive.
    assert rig.event(starting, 'start_lease')['attempts'] >= 3
    assert agent.alive(), agent.tail()

    rig.service.restart()
    back = time.time()
    rig.wait_for('done', lambda: (
        rig.event(starting, 'start_lease')['status'] == 'DONE'
        and rig.event(ending, 'end_lease')['status'] == 'DONE'), 10)
    for lease, event_type in ((starting, 'start_lease'),
                              (ending, 'end_lease')):
        event = rig.event(lease, event_type)
        print('%s done %d ms after Placement returned (attempt %d)'
              % (event_type, event['done_ms'] - back * 1000,
                 event['attempts']))
        assert event['done_ms'] - back * 1000 < (FAST['retry_max']
                                                 + 1.5) * 1000
    assert rig.status(starting) == 'ACTIVE'
    assert rig.status(ending) == 'TERMINATED'
    rig.assert_shows(starting)
    assert agent.alive(), agent.tail()
    assert agent.terminate()[0] == 0


# 5. A lease deleted while active -----------------------------------------
def test_a_lease_deleted_while_active_is_ended_and_removed_at_once(rig):
    rig.enrol('h1')
    lease = rig.lease('instance', start=0, end=HOUR)
    agent = rig.agent('agent-1')
    rig.wait_for('started', lambda: rig.status(lease) == 'ACTIVE', 15)
    rig.assert_shows(lease)

    asked = time.time()
    assert rig.store.delete_lease(ADMIN, lease.id) is False
    removed = rig.wait_for('removed', lambda: rig.gone(lease), 10)
    print('deleted lease removed %.2f s after the delete' % (removed - asked))
    assert removed - asked < 3
    rig.assert_shows()
    assert agent.alive(), agent.tail()
    assert agent.terminate()[0] == 0


# 6. On time ------------------------------------------------------------------
def test_a_lease_created_while_the_agent_sleeps_starts_on_time(rig):
    rig.enrol('h1')
    rig.enrol('h2')
    rig.lease('host', 'h2', start=HOUR, end=2 * HOUR)
    agent = rig.agent('agent-1')
    agent.wait_running('agent-1')
    time.sleep(1)       # asleep until the next event, an hour away

    lease = rig.lease('host', 'h1', start=2, end=HOUR)
    rig.wait_for('started', lambda: rig.status(lease) == 'ACTIVE', 10)
    event = rig.event(lease, 'start_lease')
    claimed = event['claimed_ms'] - lease.start * 1000
    late = event['done_ms'] - lease.start * 1000
    print('start claimed %d ms and done %d ms after its date'
          % (claimed, late))
    assert 0 <= claimed <= late < 2000
    rig.assert_shows(lease)
    assert agent.terminate()[0] == 0


# 7. The process shell --------------------------------------------------------
@pytest.mark.parametrize('signum', [signal.SIGTERM, signal.SIGINT],
                         ids=['SIGTERM', 'SIGINT'])
def test_a_stop_signal_finishes_the_step_in_hand_then_exits_0(rig, signum):
    rig.enrol('h1')
    rig.enrol('h2')
    lease = rig.lease('host', 'h1', start=0, end=HOUR)
    agent = rig.agent('agent-1', process={
        'pause_at': ('start:placement', 2)})
    agent.wait_log('Pausing 2 s at start:placement')
    (worker,) = agent.workers()
    # Due while the agent stops: never started.
    later = rig.lease('host', 'h2', start=0, end=HOUR)
    agent.signal(signum)
    code = agent.wait(10)
    assert code == 0, agent.tail()
    log = agent.log()
    assert log.index('Resuming at start:placement') < log.index(
        'Agent agent-1 stopped')
    # The step in hand was finished, and the event with it.
    assert rig.status(lease) == 'ACTIVE'
    done = rig.event(lease, 'start_lease')
    assert (done['status'], done['attempts']) == ('DONE', 1)
    rig.assert_shows(lease)
    assert rig.event(later, 'start_lease')['status'] == 'UNDONE'
    assert not os.path.exists('/proc/%d' % worker), 'worker left behind'


def _rewrite(config, **changes):
    lines = config.read_text().splitlines()
    for key, value in changes.items():
        lines = ['%s = %s' % (key, value) if line.startswith(key + ' =')
                 else line for line in lines]
    config.write_text('\n'.join(lines) + '\n')


def test_sighup_reloads_the_mutable_options_in_the_running_worker(rig):
    rig.enrol('h1')
    rig.enrol('h2')
    agent = rig.agent('agent-1')
    agent.wait_running('agent-1')
    first = rig.lease('host', 'h1', start=0, end=HOUR)
    rig.wait_for('started', lambda: rig.status(first) == 'ACTIVE', 10)
    assert 'Claimed event' not in agent.log()       # debug is off
    (worker,) = agent.workers()

    config = rig.tmp / 'agent-1.conf'
    _rewrite(config, debug=True, retry_max=3, claim_timeout=12)
    agent.signal(signal.SIGHUP)
    # Master and worker both reload; debug and retry_max change,
    # claim_timeout cannot.
    agent.wait_log('Configuration reloaded: 2 option(s) changed', count=2)
    log = agent.log()
    assert 'Option DEFAULT.debug changed from [False] to [True]' in log
    assert 'Option agent.retry_max changed from' in log
    assert 'Ignoring change to immutable option agent.claim_timeout' in log
    assert 'Agent agent-1: configuration in force' in log

    second = rig.lease('host', 'h2', start=0, end=HOUR)
    rig.wait_for('started', lambda: rig.status(second) == 'ACTIVE', 10)
    event = rig.event(second, 'start_lease')
    agent.wait_log('Claimed event %s' % event['id'])
    # The same worker: reloaded, not restarted.
    assert agent.workers() == [worker]
    assert agent.terminate()[0] == 0


def test_sighup_with_a_broken_file_keeps_the_configuration(rig):
    rig.enrol('h1')
    agent = rig.agent('agent-1')
    agent.wait_running('agent-1')
    config = rig.tmp / 'agent-1.conf'
    config.write_text(config.read_text() + '[agent\nnot ini\n')
    agent.signal(signal.SIGHUP)
    agent.wait_log('Configuration not reloaded', count=2)
    lease = rig.lease('host', 'h1', start=0, end=HOUR)
    rig.wait_for('started', lambda: rig.status(lease) == 'ACTIVE', 10)
    assert agent.terminate()[0] == 0


def test_a_killed_worker_is_started_again_and_finishes_the_event(rig):
    rig.enrol('h1')
    lease = rig.lease('host', start=0, end=HOUR)
    agent = rig.agent('agent-1', crash_at='start:placement',
                      process={'worker_only': True})
    agent.wait_log('Crashing at start:placement')
    rig.wait_for('started', lambda: rig.status(lease) == 'ACTIVE', 15)
    assert agent.alive(), agent.tail()
    assert 'The agent worker died (exit code -9)' in agent.log()
    done = rig.event(lease, 'start_lease')
    # Taken back at once by the new worker, not after the claim expired.
    assert (done['owner'], done['attempts']) == ('agent-1', 2)
    assert agent.log().count('Agent agent-1 running') == 2
    rig.assert_shows(lease)
    assert agent.terminate()[0] == 0


def test_an_agent_that_cannot_start_exits_1_once(rig):
    config = agent_process.write_config(
        rig.tmp / 'bad.conf', rig.connection, rig.service.endpoint,
        'agent-1')
    _rewrite(config, auth_type='no-such-plugin')
    agent = agent_process.AgentProcess(config, rig.tmp / 'bad.log')
    rig.agents.append(agent)
    assert agent.wait(20) == 1, agent.tail()
    log = agent.log()
    assert log.count('The agent could not start') == 1, log
    assert 'no-such-plugin' in log
    assert 'Agent agent-1 running' not in log


def test_systemd_is_told_when_the_agent_is_ready(rig, tmp_path):
    path = str(tmp_path / 'notify.sock')
    with socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM) as sock:
        sock.bind(path)
        sock.settimeout(20)
        agent = rig.agent('agent-1', process={
            'env': {'NOTIFY_SOCKET': path}})
        assert sock.recv(64) == b'READY=1'
        agent.wait_running('agent-1')
        assert agent.terminate()[0] == 0
