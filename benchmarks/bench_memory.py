"""Memory benchmark: peak RSS of blazar-nova-api and blazar-nova-agent.

Builds the scale data set (``scale_data.generate``: 10,000 hosts and
100,000 reservations; ``--quick``: 1,000 and 10,000) in a scratch store
(``--backend sqlite`` or ``postgresql``) with the project's migrations and
``bench_allocator.load``'s bulk inserts, its calendar moved onto the real
clock so that half a day of it (``--live-at``) has passed: the leases
started by then are ACTIVE (start event done), the rest PENDING. A real
Placement (``placement_ext.testing.placement_service.Standalone``,
SQLite) holds the 10,000 compute nodes, bulk-inserted as ``bench_filter``
does, all enrolled
(reservable trait); the live reservations are written into it by the
project's own Placement reconcile, as the agent would have left them.

Then ``blazar-nova-api`` and ``blazar-nova-agent`` run as processes over
that store and Placement:

* **idle**: both started and left alone ``--settle`` seconds (the agent
  makes its start-up heal and reconcile passes);
* **probe**: one request of each kind, one after another, the API's
  VmHWM read after each (which request raises the peak, and how far);
* **load**: ``--clients`` (8) concurrent clients for ``--duration``
  seconds: ``--admins`` (2) of them administrators listing every
  project's leases, the hosts and the allocations and asking for
  availability; the others members of a project of the data set listing
  its leases, showing, creating (short leases that start and end during
  the run: the agent's work) and deleting leases and asking for
  availability; ``blazar-nova-manage reconcile`` runs once half-way,
  against the agent's configuration file;
* **drain**: until the agent has run every event that fell due.

VmRSS of every process (and of any child) is sampled every
``--interval`` seconds; VmHWM is read after each phase. The report gives
peak RSS in MiB per process, at idle and after the workload, with the
data sizes and the response sizes; ``--json FILE`` writes it.

Usage::

    python -m benchmarks.bench_memory [--backend sqlite|postgresql]
        [--quick] [--duration S] [--json FILE]

See doc/benchmarks-memory.md. One run; the figures depend on what else
the machine does (the load average is recorded).
"""

import argparse
import collections
import concurrent.futures
import contextlib
import datetime
import json
import logging
import os
import pathlib
import platform
import random
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import uuid

import requests

from sqlalchemy import func
from sqlalchemy import select
from sqlalchemy import update

from benchmarks import bench_allocator
from benchmarks import bench_filter
from benchmarks import bench_scale_ours
from benchmarks.harness import scale_data
from placement_ext import context as bn_context
from placement_ext.db import api as db_api
from placement_ext.db import migration
from placement_ext.db import models
from blazar_nova import names
from placement_ext.placement import providers
from placement_ext.placement import reconcile
from placement_ext import states
from placement_ext.store import api as store_api
from placement_ext import timeconv
from placement_ext.testing import agent_fleet
from placement_ext.testing import api_process
from placement_ext.testing import db_backends
from placement_ext.testing import manage_process
from placement_ext.testing import placement_service as ps

LOG = logging.getLogger(__name__)

MIB = 1024.0 * 1024.0
HOUR = 3600
ADMIN = bn_context.admin_context()
SIZES = {'full': (10000, 100000), 'quick': (1000, 10000)}
HEADERS = {'Content-Type': 'application/json',
           'Accept': 'application/json',
           'OpenStack-API-Version': 'reservation 1.0'}
# One per lease in a lease list (json.dumps' default separators).
LEASE_MARK = b'"trust_id": null'
# The data set's leases belong to 50 projects (bench_allocator.load).
PROJECTS = 50
# Agent options that differ from its defaults: reconcile every minute
# instead of every 10, so that the run sees several passes.
AGENT_OPTIONS = dict(agent_fleet.DEFAULTS, reconcile_interval=60)
API_WORKERS = 8
# Leases the members create start this many seconds after the request and
# last this long: the agent starts and ends them during the run.
START_LEAD = (5, 15)
LENGTH = (30, 60)


# -- The store -----------------------------------------------------------

def shifted_bookings(dataset, offset):
    """``bench_scale_ours.booking_tuples`` with every time moved by
    ``offset`` seconds."""
    return [(host_id, start + offset, end + offset, size, slots)
            for host_id, start, end, size, slots in
            bench_scale_ours.booking_tuples(dataset)]


def set_live_state(database, now):
    """Leases the clock ``now`` has reached, as the agent would have left
    them: started ones ACTIVE (reservations active, start event done),
    ended ones TERMINATED (reservations deleted, every event done).
    Returns the lease count by status."""
    now_dt = timeconv.to_datetime(now)
    lease, res, event = models.Lease, models.Reservation, models.Event
    _L, _R, _E = (states.LeaseStatus, states.ReservationStatus,
                  states.EventStatus)
    with database.engine.begin() as conn:
        conn.execute(update(lease).where(lease.end_date <= now_dt)
                     .values(status=_L.TERMINATED))
        conn.execute(update(lease).where(lease.start_date <= now_dt,
                                         lease.end_date > now_dt)
                     .values(status=_L.ACTIVE))
        for status, res_status in ((_L.ACTIVE, _R.ACTIVE),
                                   (_L.TERMINATED, _R.DELETED)):
            ids = select(lease.id).where(lease.status == status)
            conn.execute(update(res).where(res.lease_id.in_(ids))
                         .values(status=res_status))
        conn.execute(update(event).where(event.time <= now_dt)
                     .values(status=_E.DONE))
        counts = dict(conn.execute(select(lease.status, func.count())
                                   .group_by(lease.status)).all())
    return counts


def build_store(backend, workdir, dataset, now, live_at):
    """A migrated scratch store holding the data set, its calendar's
    ``live_at`` seconds at ``now``. Returns the scratch database, its URL
    and the lease count by status."""
    scratch = db_backends.ScratchDatabase(backend, workdir)
    try:
        url = agent_fleet.store_url(scratch.url)
        database = db_api.Database(connection=url)
        migration.upgrade(database)
        offset = now - (dataset['now'] + live_at)
        bench_allocator.load(database,
                             bench_scale_ours.host_rows(dataset),
                             shifted_bookings(dataset, offset))
        counts = set_live_state(database, now)
        database.dispose()
    except BaseException:
        scratch.drop()
        raise
    return scratch, url, counts


def store_sizes(url):
    """Row counts of the store's main tables."""
    database = db_api.Database(connection=url)
    try:
        with database.engine.connect() as conn:
            return {model.__tablename__: conn.scalar(
                select(func.count()).select_from(model))
                for model in (models.Host, models.Lease, models.Reservation,
                              models.Allocation, models.Event)}
    finally:
        database.dispose()


# -- Placement ------------------------------------------------------------

def start_placement(workdir, dataset):
    """A standalone Placement with every host of the data set as a
    compute node provider carrying the reservable trait (bulk-inserted as
    ``bench_filter`` does)."""
    service = ps.Standalone(workdir)
    try:
        providers.ensure_trait(service.client(), names.RESERVABLE_TRAIT)
        size = {'host_uuids': [h['uuid'] for h in dataset['hosts']],
                'enrolled': list(range(len(dataset['hosts'])))}
        bench_filter.bulk_insert_compute_nodes(
            service.dir / 'placement.sqlite', size, names.RESERVABLE_TRAIT)
    except BaseException:
        service.stop()
        raise
    return service


def encode_live(service, url):
    """Write the live reservations into Placement with the project's
    reconcile (what the agent's starts would have written); the number
    of changes it made."""
    database = db_api.Database(connection=url)
    try:
        store = store_api.Store(bench_allocator.make_conf(), database)
        report = reconcile.reconcile(service.client(), store, ADMIN)
    finally:
        database.dispose()
    if report.problems:
        raise SystemExit('Placement reconcile: %s' % report.problems[:5])
    return len(report.changes)


# -- Memory of processes ---------------------------------------------------

def proc_status(pid):
    """``{'rss': MiB, 'hwm': MiB}`` of a running process, or None."""
    found = {}
    try:
        with open('/proc/%d/status' % pid) as status:
            for line in status:
                if line.startswith(('VmRSS:', 'VmHWM:')):
                    key, value = line.split(':', 1)
                    found[key[2:].lower()] = round(
                        int(value.split()[0]) / 1024.0, 1)
    except OSError:
        return None
    return found


def children_of(pid):
    """Pids of a process's children (every thread's)."""
    found = set()
    try:
        tasks = os.listdir('/proc/%d/task' % pid)
    except OSError:
        return found
    for task in tasks:
        try:
            with open('/proc/%d/task/%s/children' % (pid, task)) as kids:
                found.update(int(k) for k in kids.read().split())
        except OSError:
            continue
    return found


def memory_of(pid):
    """RSS and high-water mark of a process, with its children's."""
    figures = proc_status(pid) or {}
    kids = {str(kid): proc_status(kid) for kid in sorted(children_of(pid))}
    figures['children'] = {k: v for k, v in kids.items() if v}
    return figures


class Sampler(threading.Thread):
    """Reads VmRSS of the watched processes (and their children) every
    ``interval`` seconds; keeps the largest and a timeline."""

    def __init__(self, interval):
        super().__init__(name='rss-sampler', daemon=True)
        self.interval = interval
        self.pids = {}
        self.peak = collections.defaultdict(float)
        self.timeline = collections.defaultdict(list)
        self.began = time.monotonic()
        self._stop_event = threading.Event()
        self._lock = threading.Lock()

    def watch(self, name, pid):
        with self._lock:
            self.pids[name] = pid

    def run(self):
        while not self._stop_event.wait(self.interval):
            self.sample()

    def sample(self):
        with self._lock:
            watched = dict(self.pids)
        at = round(time.monotonic() - self.began, 1)
        for name, pid in watched.items():
            total = 0.0
            for one in [pid] + sorted(children_of(pid)):
                status = proc_status(one)
                if status:
                    total += status.get('rss', 0.0)
            if total:
                self.peak[name] = max(self.peak[name], total)
                self.timeline[name].append((at, round(total, 1)))

    def stop(self):
        self._stop_event.set()
        self.join(5)


# -- HTTP clients ----------------------------------------------------------

class Client:
    """One client of the reservation API: a token and a session; every
    request is recorded as ``(operation, seconds, status, bytes)``."""

    def __init__(self, url, token):
        self.url = url
        self.token = token
        self.session = requests.Session()
        self.records = []

    def call(self, operation, method, path, body=None, expect=200,
             count=False):
        """Send one request; the answer's JSON, or with ``count`` the
        number of leases in it (counted while streaming, never held)."""
        headers = dict(HEADERS, **{'X-Auth-Token': self.token})
        began = time.perf_counter()
        resp = self.session.request(
            method, self.url + path, headers=headers, stream=True,
            data=json.dumps(body) if body is not None else None)
        size, leases, tail, parts = 0, 0, b'', []
        for chunk in resp.iter_content(1 << 16):
            size += len(chunk)
            if count:
                window = tail + chunk
                leases += window.count(LEASE_MARK)
                tail = window[-(len(LEASE_MARK) - 1):]
            else:
                parts.append(chunk)
        seconds = time.perf_counter() - began
        self.records.append((operation, seconds, resp.status_code, size))
        if resp.status_code not in (
                expect if isinstance(expect, tuple) else (expect,)):
            raise RuntimeError('%s %s: %d %s' % (
                method, path, resp.status_code, b''.join(parts)[:300]))
        if count:
            return leases
        return json.loads(b''.join(parts)) if parts else None


def utc_text(epoch):
    return timeconv.to_text(timeconv.to_datetime(int(epoch)))


def short_lease(name, rng):
    """A lease starting ``START_LEAD`` seconds from now and lasting
    ``LENGTH``: one host or one or two instance slots."""
    start = time.time() + rng.uniform(*START_LEAD)
    end = start + rng.uniform(*LENGTH)
    if rng.random() < 0.5:
        reservation = {'resource_type': 'physical:host', 'min': 1,
                       'max': 1, 'hypervisor_properties': '',
                       'resource_properties': ''}
    else:
        reservation = {'resource_type': 'virtual:instance',
                       'amount': rng.randint(1, 2), 'vcpus': 2,
                       'memory_mb': 4096, 'disk_gb': 20,
                       'affinity': 'None', 'resource_properties': ''}
    return {'name': name, 'start_date': utc_text(start),
            'end_date': utc_text(end), 'reservations': [reservation],
            'events': []}


def availability_body(dataset, rng):
    """The data set's host or instance probe over the next 7 days, with
    the earliest day-long fit."""
    if rng.random() < 0.5:
        reservation = dict(resource_type='physical:host',
                           **dataset['host_probe'])
    else:
        reservation = dict(resource_type='virtual:instance',
                           **dataset['instance_probe'])
    now = time.time()
    return {'reservation': reservation, 'start_date': utc_text(now + 60),
            'end_date': utc_text(now + 7 * 86400), 'duration': '1d'}


def lease_id_of(booking_index):
    """The id ``bench_allocator.load`` gives the n-th booking's lease."""
    return str(uuid.UUID(int=booking_index + 1))


class Member:
    """A member of one of the data set's projects: lists its leases,
    shows one, creates a short lease, asks for availability and, every
    other round, deletes the oldest lease it created."""

    def __init__(self, url, project, index, dataset, seed):
        self.client = Client(url, 'member%d:%s' % (index, project))
        self.project = int(project[1:])
        self.index = index
        self.dataset = dataset
        self.rng = random.Random(seed)
        self.created = collections.deque()
        self.rounds = 0

    def own_lease(self):
        per_project = len(self.dataset['bookings']) // PROJECTS
        return lease_id_of(self.project
                           + PROJECTS * self.rng.randrange(per_project))

    def round(self):
        client = self.client
        name = 'mem-%d-%d' % (self.index, self.rounds)
        # Counted first: a round that fails half-way must not make the
        # next one reuse its lease name.
        self.rounds += 1
        lease = client.call('create', 'POST', '/leases',
                            short_lease(name, self.rng), expect=201)
        self.created.append(lease['lease']['id'])
        client.call('list own', 'GET', '/leases', count=True)
        client.call('show', 'GET', '/leases/%s' % self.own_lease())
        client.call('availability', 'POST', '/availability',
                    availability_body(self.dataset, self.rng))
        if self.rounds % 2 == 0 and self.created:
            # 409 when the agent is ending that lease at this moment.
            client.call('delete', 'DELETE',
                        '/leases/%s' % self.created.popleft(),
                        expect=(204, 409))


class Operator:
    """An administrator: every project's leases, the hosts, the
    allocations, and availability."""

    def __init__(self, url, index, dataset, seed):
        self.client = Client(url, 'admin')
        self.index = index
        self.dataset = dataset
        self.rng = random.Random(seed)
        self.rounds = 0

    def round(self):
        client = self.client
        steps = [
            lambda: client.call('list all (admin)', 'GET', '/leases',
                                count=True),
            lambda: client.call('host list', 'GET', '/os-hosts'),
            lambda: client.call('allocations', 'GET',
                                '/os-hosts/allocations'),
            lambda: client.call('availability', 'POST', '/availability',
                                availability_body(self.dataset, self.rng)),
        ]
        # Operators start at different steps, so that they do not all
        # list every lease at the same moment.
        for step in steps[self.index:] + steps[:self.index]:
            step()
        self.rounds += 1


def make_clients(url, dataset, args):
    """``args.admins`` operators and the rest members of projects p0,
    p1, ..."""
    clients = []
    for index in range(args.clients):
        seed = args.seed + index
        if index < args.admins:
            clients.append(Operator(url, index, dataset, seed))
        else:
            member = index - args.admins
            clients.append(Member(url, 'p%d' % (member % PROJECTS),
                                  member, dataset, seed))
    return clients


def run_clients(clients, seconds):
    """Every client runs rounds until ``seconds`` have passed (the round
    in hand is finished); returns the wall time and the errors."""
    deadline = time.monotonic() + seconds
    errors = []

    def work(client):
        while time.monotonic() < deadline:
            try:
                client.round()
            except Exception as exc:  # counted, and the client goes on
                errors.append(str(exc)[:300])
                time.sleep(1)

    began = time.monotonic()
    with concurrent.futures.ThreadPoolExecutor(len(clients)) as pool:
        list(pool.map(work, clients))
    return time.monotonic() - began, errors


def operation_figures(clients):
    """Requests per operation: count, failures (non-2xx but the 409 of
    deleting a lease the agent is ending), 409s, median and max seconds,
    largest answer in bytes."""
    by_operation = collections.defaultdict(list)
    for client in clients:
        for operation, seconds, status, size in client.client.records:
            by_operation[operation].append((seconds, status, size))
    figures = {}
    for operation, rows in sorted(by_operation.items()):
        took = [r[0] for r in rows]
        figures[operation] = {
            'requests': len(rows),
            'failed': sum(1 for r in rows
                          if r[1] >= 300 and r[1] != 409),
            'conflicts_409': sum(1 for r in rows if r[1] == 409),
            'median_s': round(statistics.median(took), 3),
            'max_s': round(max(took), 3),
            'max_bytes': max(r[2] for r in rows)}
    return figures


# -- Phases ------------------------------------------------------------------

def probe(url, dataset, api_pid, args):
    """One request of each kind, one after another; the API's VmRSS and
    VmHWM after each, and the answer's size."""
    rng = random.Random(args.seed)
    member = Member(url, 'p0', 99, dataset, args.seed)
    admin = Client(url, 'admin')
    own = member.client
    steps = [
        (admin, 'host list', 'GET', '/os-hosts', None, 200),
        (admin, 'allocations', 'GET', '/os-hosts/allocations', None, 200),
        (own, 'availability', 'POST', '/availability',
         availability_body(dataset, rng), 200),
        (own, 'list own', 'GET', '/leases', None, 200),
        (own, 'show', 'GET', '/leases/%s' % member.own_lease(), None, 200),
        (own, 'create', 'POST', '/leases', short_lease('mem-probe', rng),
         201),
        (own, 'delete', 'DELETE', None, None, 204),
        (admin, 'list all (admin)', 'GET', '/leases', None, 200),
    ]
    rows = []
    for client, label, method, path, body, expect in steps:
        if label == 'delete':
            path = '/leases/%s' % member.created.popleft()
        answer = client.call(label, method, path, body, expect,
                             count=label.startswith('list'))
        if label == 'create':
            member.created.append(answer['lease']['id'])
        _, seconds, _, size = client.records[-1]
        after = proc_status(api_pid)
        row = {'request': label, 'seconds': round(seconds, 3),
               'bytes': size, 'api_rss_mib': after['rss'],
               'api_hwm_mib': after['hwm']}
        if label.startswith('list'):
            row['leases'] = answer
        rows.append(row)
        LOG.info('probe %-17s %7.2f s %11d bytes  API RSS %.0f MiB, '
                 'HWM %.0f MiB', label, seconds, size, after['rss'],
                 after['hwm'])
    return rows


def run_manage_reconcile(config, log_path):
    """``blazar-nova-manage reconcile`` on ``config``; its exit code,
    seconds and peak RSS (from ``wait4``)."""
    env = dict(os.environ)
    env['PYTHONPATH'] = os.pathsep.join(
        filter(None, [manage_process.REPO_ROOT, env.get('PYTHONPATH')]))
    began = time.monotonic()
    with open(log_path, 'wb') as log:
        process = subprocess.Popen(
            [sys.executable, '-m', 'placement_ext.cmd.manage',
             '--config-file', str(config), 'reconcile'],
            cwd=manage_process.REPO_ROOT, env=env,
            stdin=subprocess.DEVNULL, stdout=log, stderr=subprocess.STDOUT)
        _, status, usage = os.wait4(process.pid, 0)
    process.returncode = os.waitstatus_to_exitcode(status)
    lines = log_path.read_text(errors='replace').strip().splitlines()
    return {'exit_code': process.returncode,
            'seconds': round(time.monotonic() - began, 1),
            'peak_rss_mib': round(usage.ru_maxrss / 1024.0, 1),
            'last_line': lines[-1] if lines else ''}


def events_done(url, since, until):
    """Events the agent finished in ``[since, until]`` (epoch seconds),
    by type, and what is still due."""
    database = db_api.Database(connection=url)
    event = models.Event
    try:
        with database.engine.connect() as conn:
            done = dict(conn.execute(
                select(event.event_type, func.count())
                .where(event.done_ms >= since * 1000,
                       event.done_ms <= until * 1000)
                .group_by(event.event_type)).all())
            due = conn.scalar(select(func.count()).where(
                event.status.in_([states.EventStatus.UNDONE,
                                  states.EventStatus.IN_PROGRESS]),
                event.time <= timeconv.to_datetime(int(until))))
            failed = conn.scalar(select(func.count()).where(
                event.status == states.EventStatus.ERROR))
    finally:
        database.dispose()
    return {'done': done, 'due_not_done': due, 'error': failed}


def drain(url, began, until, timeout):
    """Wait until the clock has passed ``until`` (epoch seconds) and no
    event due by then is left undone, or ``timeout`` seconds after
    ``until``."""
    deadline = until + timeout
    while True:
        now = time.time()
        state = events_done(url, began, now)
        if (now >= until and not state['due_not_done']) or now > deadline:
            return state
        time.sleep(2)


# -- Orchestration ---------------------------------------------------------

def machine():
    with open('/proc/meminfo') as meminfo:
        total_kb = int(meminfo.readline().split()[1])
    return {'cpus': os.cpu_count(), 'python': platform.python_version(),
            'memory_gib': round(total_kb / 2 ** 20, 1)}


class Processes:
    """The API and the agent over one store and Placement, watched by a
    sampler; ``stop()`` ends both."""

    def __init__(self, workdir, url, placement, sampler):
        self.api = self.agent = None
        port = ps.free_port()
        config = api_process.write_config(
            workdir / 'api.conf', url, port, placement.endpoint,
            workers=API_WORKERS)
        self.api = api_process.ApiProcess(config, workdir / 'api.log', port)
        self.agent = agent_fleet.start_agent(
            workdir / 'agent', 'mem-agent', url, placement.endpoint,
            **AGENT_OPTIONS)
        self.agent_config = workdir / 'agent' / 'mem-agent.conf'
        sampler.watch('api', self.api.pid)
        sampler.watch('agent', self.agent.pid)
        self.api.wait_ready(120)
        self.agent.wait_running(120)

    def stop(self):
        codes = {}
        if self.api is not None and self.api.alive():
            try:
                self.api.stop(60)
                codes['api'] = 0
            except AssertionError as exc:
                LOG.warning('%s', str(exc)[:500])
                self.api.kill()
                codes['api'] = 'killed'
        if self.agent is not None and self.agent.alive():
            try:
                codes['agent'] = self.agent.terminate(120)[0]
            except AssertionError as exc:
                LOG.warning('%s', str(exc)[:500])
                self.agent.kill()
                codes['agent'] = 'killed'
        return codes


def workload(procs, url, dataset, args, workdir, sampler):
    """The load phase with the reconcile command half-way; returns its
    figures."""
    clients = make_clients(procs.api.url, dataset, args)
    manage = {}

    def reconcile_later():
        time.sleep(args.duration / 2.0)
        manage.update(run_manage_reconcile(procs.agent_config,
                                           workdir / 'manage.log'))

    helper = threading.Thread(target=reconcile_later, daemon=True)
    began = time.time()
    helper.start()
    seconds, errors = run_clients(clients, args.duration)
    helper.join()
    return {'seconds': round(seconds, 1), 'began': began,
            'operations': operation_figures(clients),
            'errors': errors[:20], 'error_count': len(errors),
            'manage_reconcile': manage}


def measure(args, workdir, dataset, sampler):
    """Start the processes and run the phases; the report's figures."""
    report = {}
    began = time.time()
    placement = start_placement(workdir, dataset)
    scratch = None
    procs = None
    try:
        sampler.watch('placement', placement.process.pid)
        scratch, url, statuses = build_store(
            args.backend, workdir, dataset, int(time.time()),
            int(args.live_at * HOUR))
        report['lease_statuses'] = statuses
        report['store_rows'] = store_sizes(url)
        report['placement_changes_at_setup'] = encode_live(placement, url)
        report['setup_seconds'] = round(time.time() - began, 1)
        LOG.info('store and Placement ready in %.0f s: %s',
                 report['setup_seconds'], statuses)
        procs = Processes(workdir, url, placement, sampler)
        started = time.time()
        time.sleep(args.settle)
        idle = {'api': memory_of(procs.api.pid),
                'agent': memory_of(procs.agent.pid)}
        LOG.info('idle: %s', {k: (v['rss'], v['hwm'])
                              for k, v in idle.items()})
        report['probe'] = probe(procs.api.url, dataset, procs.api.pid, args)
        after_probe = memory_of(procs.api.pid)
        load = workload(procs, url, dataset, args, workdir, sampler)
        report['load'] = load
        # Every lease created during the load has ended by then.
        last_end = time.time() + START_LEAD[1] + LENGTH[1]
        report['agent_events'] = drain(url, started, last_end, args.drain)
        time.sleep(args.settle)
        final = {'api': memory_of(procs.api.pid),
                 'agent': memory_of(procs.agent.pid),
                 'placement': memory_of(placement.process.pid)}
        report['exit_codes'] = procs.stop()
        procs = None
        report['memory'] = {'idle': idle, 'after_probe': after_probe,
                            'final': final}
    finally:
        if procs is not None:
            procs.stop()
        placement.stop()
        if scratch is not None:
            scratch.drop()
    return report


def summary(report, sampler):
    """The ``api`` and ``agent`` entries of the JSON report."""
    memory = report['memory']
    entries = {}
    for name in ('api', 'agent'):
        entries[name] = {
            'idle_rss_mib': memory['idle'][name]['rss'],
            'idle_peak_mib': memory['idle'][name]['hwm'],
            'after_rss_mib': memory['final'][name]['rss'],
            'peak_mib': memory['final'][name]['hwm'],
            'sampled_max_rss_mib': round(sampler.peak[name], 1),
            'children': memory['final'][name]['children'],
        }
    entries['api']['after_probe_peak_mib'] = memory['after_probe']['hwm']
    return entries


def print_report(result):
    print('%s: %d hosts, %d reservations; %d CPUs, load %s -> %s'
          % (result['backend'], result['hosts'], result['reservations'],
             result['machine']['cpus'], result['load_average_before'],
             result['load_average_after']))
    print('%-8s %10s %10s %10s %10s %12s' % (
        'process', 'idle RSS', 'idle peak', 'after RSS', 'peak',
        'sampled max'))
    for name in ('api', 'agent'):
        row = result[name]
        print('%-8s %10.0f %10.0f %10.0f %10.0f %12.0f' % (
            name, row['idle_rss_mib'], row['idle_peak_mib'],
            row['after_rss_mib'], row['peak_mib'],
            row['sampled_max_rss_mib']))
    print('(MiB)  Placement peak %.0f MiB; blazar-nova-manage reconcile '
          'peak %s MiB' % (result['placement']['peak_mib'],
                           result['manage_reconcile'].get('peak_rss_mib')))
    print('probe (one request at a time; API high-water mark after it):')
    for row in result['probe']:
        print('  %-17s %8.2f s %12d bytes %8.0f MiB' % (
            row['request'], row['seconds'], row['bytes'],
            row['api_hwm_mib']))
    print('load: %d clients for %s s' % (result['clients'],
                                         result['load']['seconds']))
    for operation, row in result['load']['operations'].items():
        print('  %-17s %5d requests (%d failed), median %.2f s, max '
              '%.2f s, largest %d bytes' % (
                  operation, row['requests'], row['failed'],
                  row['median_s'], row['max_s'], row['max_bytes']))
    print('agent events done during the run: %s; due but not done: %s'
          % (result['agent_events']['done'],
             result['agent_events']['due_not_done']))


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument('--backend', default='sqlite',
                        choices=('sqlite', 'postgresql'))
    parser.add_argument('--quick', action='store_true',
                        help='1,000 hosts and 10,000 reservations')
    parser.add_argument('--duration', type=float, default=None,
                        help='seconds of load (180; quick 30)')
    parser.add_argument('--clients', type=int, default=8)
    parser.add_argument('--admins', type=int, default=2,
                        help='clients that are administrators (2)')
    parser.add_argument('--live-at', type=float, default=12.0,
                        help='hours of the calendar already passed (12)')
    parser.add_argument('--settle', type=float, default=None,
                        help='seconds left idle after start (20; quick 5)')
    parser.add_argument('--drain', type=float, default=120.0,
                        help='seconds at most to wait for due events once '
                             'the last created lease has ended')
    parser.add_argument('--interval', type=float, default=0.5,
                        help='seconds between VmRSS samples')
    parser.add_argument('--seed', type=int, default=20261121)
    parser.add_argument('--json', help='write the figures to this file')
    parser.add_argument('--keep', action='store_true',
                        help='keep the working directory (store, logs of '
                        'the API, agent and Placement) and say where')
    args = parser.parse_args(argv)
    if not 0 <= args.admins <= args.clients:
        parser.error('--admins must be between 0 and --clients')
    mode = 'quick' if args.quick else 'full'
    if args.duration is None:
        args.duration = 30.0 if args.quick else 180.0
    if args.settle is None:
        args.settle = 5.0 if args.quick else 20.0
    logging.basicConfig(level=logging.INFO, stream=sys.stderr,
                        format='%(asctime)s %(message)s')
    for noisy in ('urllib3', 'keystoneauth', 'placement_ext', 'alembic'):
        logging.getLogger(noisy).setLevel(logging.WARNING)
    n_hosts, n_reservations = SIZES[mode]
    dataset = scale_data.generate(n_hosts, n_reservations, seed=args.seed)
    result = {'backend': args.backend, 'hosts': n_hosts,
              'reservations': n_reservations, 'clients': args.clients,
              'admins': args.admins, 'duration_s': args.duration,
              'live_at_hours': args.live_at,
              'date': datetime.date.today().isoformat(),
              'machine': machine(),
              'load_average_before': [round(x, 2) for x in os.getloadavg()]}
    sampler = Sampler(args.interval)
    sampler.start()
    try:
        if args.keep:
            workdir = contextlib.nullcontext(
                tempfile.mkdtemp(prefix='bench-memory-'))
        else:
            workdir = tempfile.TemporaryDirectory(prefix='bench-memory-')
        with workdir as tmp:
            if args.keep:
                print('working directory kept: %s' % tmp, file=sys.stderr)
            report = measure(args, pathlib.Path(tmp), dataset, sampler)
    finally:
        sampler.stop()
    result['load_average_after'] = [round(x, 2) for x in os.getloadavg()]
    result.update(summary(report, sampler))
    final_placement = report['memory']['final']['placement']
    result['placement'] = {'peak_mib': final_placement['hwm'],
                           'after_rss_mib': final_placement['rss'],
                           'sampled_max_rss_mib': round(
                               sampler.peak['placement'], 1)}
    result['manage_reconcile'] = report['load'].pop('manage_reconcile')
    for key in ('lease_statuses', 'store_rows', 'placement_changes_at_setup',
                'setup_seconds', 'probe', 'load', 'agent_events',
                'exit_codes'):
        result[key] = report[key]
    result['load'].pop('began')
    result['rss_timeline'] = {name: points for name, points in
                              sampler.timeline.items()}
    print_report(result)
    if args.json:
        with open(args.json, 'w') as out:
            json.dump(result, out, indent=1)
            out.write('\n')
    return 0


if __name__ == '__main__':
    sys.exit(main())
