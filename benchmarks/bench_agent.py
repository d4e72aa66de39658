"""Lease agent benchmark: a thousand leases that start and end together.

Enrols ``--leases`` compute nodes in a real standalone Placement (its own
process on a loopback port: on a MariaDB scratch database, serving requests
concurrently, by default; ``--placement sqlite`` serves them one at a time)
and in the store (a scratch database on PostgreSQL by default), then, for
each value of ``--workers``:

* creates one host lease per node (``hypervisor_properties`` naming it),
  all starting at the same second S and ending at the same second
  E = S + ``--length``, before S;
* lets one real ``blazar-nova-agent`` process (``[agent] workers`` as
  given, other options at their defaults except ``heal_interval`` and
  ``reconcile_interval``, which are 0) start and end them;
* polls the store's events table until every end is DONE, then checks that
  every lease is TERMINATED and that Placement shows no reservation any
  more (no CUSTOM_RESERVATION_ trait, no CUSTOM_BLAZAR_RESERVED mark).

Figures, from the events table (``claimed_ms``, ``done_ms``), separately for
the start, before-end (due at S too: ``[leases] before_end_default`` is
longer than the lease) and end events:

* claim lateness: ``claimed_ms - due``; lateness: ``done_ms - due``
  (median, p90, max);
* the time from the due second until the last one is done;
* Placement requests per event, counted in Placement's request log, by
  method and path shape, while only starts and while only ends ran;
* the CPU seconds the agent and Placement used, and what Placement serves
  alone (8 clients reading provider traits for 5 s, before the runs).

Later runs reuse the enrolled nodes (the earlier leases have ended).
``--placement-processes N`` runs Placement as N processes sharing its port
and ``--placement-pool N`` sets its database pool, both on MariaDB only.

Usage::

    python -m benchmarks.bench_agent [--leases 1000] [--workers 8,16]
        [--length 60] [--store postgresql|mysql|sqlite]
        [--placement mysql|postgresql|sqlite] [--placement-processes N]
        [--placement-pool N] [--lead SECONDS] [--json FILE]

See doc/benchmarks-agent.md for the figures.

MariaDB and PostgreSQL are the local servers of
``placement_ext/testing/db_backends.py``.
This is a benchmark run by hand, not a test: one run, medians, on whatever
the machine is doing at the time (the load average is recorded).
"""

import argparse
import collections
import concurrent.futures
import datetime
import json
import os
import pathlib
import platform
import re
import statistics
import subprocess
import sys
import tempfile
import time

from oslo_config import cfg
from sqlalchemy import select

from placement_ext import conf as bn_conf
from placement_ext import context as bn_context
from placement_ext.db import api as db_api
from placement_ext.db import migration
from placement_ext.db import models
from placement_ext.store import api as store_api
from placement_ext import timeconv
from placement_ext.testing import agent_fleet
from placement_ext.testing import db_backends
from placement_ext.testing import placement_service as ps

ADMIN = bn_context.admin_context()
EVENT_TYPES = ('start_lease', 'before_end_lease', 'end_lease')
REQUEST = re.compile(
    r'^(\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\.\d+) \d+ INFO placement.requestlog '
    r'.*"(GET|PUT|POST|DELETE) ([^" ]+)" status: (\d+)')
SHAPES = [
    (re.compile(r'[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-'
                r'[0-9a-f]{12}'), '{uuid}'),
    (re.compile(r'CUSTOM_[A-Z0-9_]+'), '{trait}'),
]


def make_conf():
    conf = cfg.ConfigOpts()
    bn_conf.register_opts(conf)
    conf([], project='blazar-nova', default_config_files=[])
    return conf


def percentile(values, fraction):
    """Nearest-rank percentile of a non-empty list."""
    ordered = sorted(values)
    rank = max(1, int(round(fraction * len(ordered) + 0.4999)))
    return ordered[min(rank, len(ordered)) - 1]


def summary(values_ms):
    if not values_ms:
        return None
    return {'median_s': round(statistics.median(values_ms) / 1000.0, 3),
            'p90_s': round(percentile(values_ms, 0.9) / 1000.0, 3),
            'max_s': round(max(values_ms) / 1000.0, 3)}


def _date(epoch):
    return timeconv.to_text(timeconv.to_datetime(epoch))


def machine():
    model = ''
    try:
        with open('/proc/cpuinfo') as info:
            for line in info:
                if line.startswith('model name'):
                    model = line.split(':', 1)[1].strip()
                    break
    except OSError:
        pass
    return {'cpus': os.cpu_count(), 'cpu_model': model,
            'python': platform.python_version(),
            'load_average': [round(x, 2) for x in os.getloadavg()]}


# Placement as N processes sharing one port (SO_REUSEPORT), the way a
# production Placement runs several WSGI processes: the same server as
# placement_ext.testing.placement_service.Standalone's, each process on
# its own log.
FARM_SERVER = '''
import socketserver, sys
from wsgiref import simple_server
from placement.wsgi import api

class Server(socketserver.ThreadingMixIn, simple_server.WSGIServer):
    daemon_threads = True
    allow_reuse_port = True

class Quiet(simple_server.WSGIRequestHandler):
    def log_message(self, *args):
        pass

httpd = simple_server.make_server('127.0.0.1', int(sys.argv[1]),
                                  api.application, server_class=Server,
                                  handler_class=Quiet)
sys.stderr.write('SERVING\\n')
sys.stderr.flush()
httpd.serve_forever()
'''


class PlacementFarm:
    """``processes`` Placement processes on one loopback port, on the
    database ``connection`` (MySQL: they serve concurrently)."""

    def __init__(self, tmp_path, connection, processes, pool_size=None):
        self.dir = tmp_path / 'placement'
        self.dir.mkdir(exist_ok=True)
        self.port = ps.free_port()
        self.endpoint = 'http://127.0.0.1:%d' % self.port
        (self.dir / 'placement.conf').write_text(
            '[DEFAULT]\nuse_stderr = True\n'
            '[api]\nauth_strategy = noauth2\n'
            '[placement_database]\nconnection = %s\n'
            'sync_on_startup = True\n%s' % (
                connection, 'max_pool_size = %d\n' % pool_size
                if pool_size else ''))
        self.env = dict(os.environ, OS_PLACEMENT_CONFIG_DIR=str(self.dir))
        self.logs = []
        self.processes = []
        try:
            # The first one migrates the database; then the others.
            self._start()
            self._wait(lambda: self.client().get('/'))
            for _ in range(processes - 1):
                self._start()
            self._wait(lambda: all('SERVING' in log.read_text(
                errors='replace') for log in self.logs))
        except Exception:
            self.stop()
            raise

    def _start(self):
        log_path = self.dir / ('log-%d' % len(self.logs))
        with open(log_path, 'wb') as log:
            self.processes.append(subprocess.Popen(
                [sys.executable, '-c', FARM_SERVER, str(self.port)],
                env=self.env, stdout=subprocess.DEVNULL, stderr=log))
        self.logs.append(log_path)

    def _wait(self, ready, timeout=60):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if any(p.poll() is not None for p in self.processes):
                raise RuntimeError('placement exited: %s' % ''.join(
                    log.read_text(errors='replace') for log in self.logs))
            try:
                if ready() is not False:
                    return
            except Exception:
                pass
            time.sleep(0.1)
        raise RuntimeError('placement not ready within %ds' % timeout)

    def client(self):
        return ps.pclient.PlacementClient(ps.adapter_for(self.endpoint))

    def stop(self):
        for process in self.processes:
            if process.poll() is None:
                process.terminate()
        for process in self.processes:
            try:
                process.wait(10)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()


class Setup:
    """The scratch databases, Placement and the enrolled nodes."""

    def __init__(self, args, workdir):
        self.args = args
        self.workdir = workdir
        self.scratch = []
        self.placement = None
        self.db = None
        try:
            self._build(args, workdir)
        except BaseException:
            self.close()
            raise

    def _build(self, args, workdir):
        started = time.monotonic()
        store_db = db_backends.ScratchDatabase(args.store, workdir)
        self.scratch.append(store_db)
        self.store_url = agent_fleet.store_url(store_db.url)
        self.db = db_api.Database(connection=self.store_url)
        migration.upgrade(self.db)
        self.store = store_api.Store(make_conf(), self.db)
        connection = None
        if args.placement in ('mysql', 'postgresql'):
            placement_db = db_backends.ScratchDatabase(args.placement,
                                                       workdir)
            self.scratch.append(placement_db)
            connection = agent_fleet.store_url(placement_db.url)
        if args.placement_processes > 1 or args.placement_pool:
            self.placement = PlacementFarm(workdir, connection,
                                           args.placement_processes,
                                           args.placement_pool)
            self.placement_logs = self.placement.logs
        else:
            self.placement = ps.Standalone(workdir, connection=connection)
            self.placement_logs = [workdir / 'placement' / 'log']
        self.client = self.placement.client()
        self.nodes = self._enrol(args.leases)
        self.setup_seconds = round(time.monotonic() - started, 1)
        self.capacity = self._probe(list(self.nodes.values()))

    def _probe(self, nodes, threads=8, seconds=5.0):
        """What Placement alone serves: ``threads`` clients reading
        provider traits (one of the agent's most frequent requests) as
        fast as they can for ``seconds``."""
        def reader(offset):
            client = self.placement.client()
            took = []
            stop = time.monotonic() + seconds
            i = offset
            while time.monotonic() < stop:
                began = time.monotonic()
                client.get('/resource_providers/%s/traits'
                           % nodes[i % len(nodes)])
                took.append(time.monotonic() - began)
                i += threads
            return took

        with concurrent.futures.ThreadPoolExecutor(threads) as pool:
            took = [t for part in pool.map(reader, range(threads))
                    for t in part]
        return {'clients': threads, 'request': 'GET provider traits',
                'requests_per_s': round(len(took) / seconds, 1),
                'median_ms': round(statistics.median(took) * 1000, 1),
                'p90_ms': round(percentile(took, 0.9) * 1000, 1)}

    def _enrol(self, count):
        names = ['bench%04d' % i for i in range(count)]
        # Nova's compute services report their nodes in parallel.
        with concurrent.futures.ThreadPoolExecutor(8) as pool:
            uuids = list(pool.map(
                lambda name: ps.add_compute_node(self.placement.client(),
                                                 name), names))
        for name, node in zip(names, uuids):
            self.store.create_host(ADMIN, {
                'hypervisor_hostname': name, 'uuid': node, 'vcpus': 8,
                'memory_mb': 16384, 'local_gb': 200})
        return dict(zip(names, uuids))

    def close(self):
        if self.placement is not None:
            self.placement.stop()
        if self.db is not None:
            self.db.dispose()
        for scratch in self.scratch:
            scratch.drop()


def cpu_seconds(pids):
    """User plus system CPU seconds the processes used so far."""
    tick = os.sysconf('SC_CLK_TCK')
    total = 0.0
    for pid in pids:
        try:
            with open('/proc/%d/stat' % pid) as stat:
                fields = stat.read().rsplit(')', 1)[1].split()
        except OSError:
            continue
        total += (int(fields[11]) + int(fields[12])) / float(tick)
    return total


def placement_pids(placement):
    if isinstance(placement, PlacementFarm):
        return [p.pid for p in placement.processes]
    return [placement.process.pid]


def create_leases(store, hostnames, start, end, run_index):
    ctx = bn_context.RequestContext(project_id='p1', user_id='u1')
    ids = []
    for name in hostnames:
        lease = store.create_lease(ctx, {
            'name': 'bench-%d-%s' % (run_index, name),
            'start_date': _date(start),
            'end_date': _date(end),
            'reservations': [{
                'resource_type': 'physical:host', 'min': 1, 'max': 1,
                'hypervisor_properties':
                    '["==", "$hypervisor_hostname", "%s"]' % name}]})
        ids.append(lease['id'])
    return ids


def events_of(db, lease_ids):
    wanted = set(lease_ids)
    with db.reader(ADMIN) as session:
        rows = session.execute(select(
            models.Event.lease_id, models.Event.event_type,
            models.Event.time, models.Event.status, models.Event.attempts,
            models.Event.owner, models.Event.claimed_ms,
            models.Event.done_ms)).all()
    return [{'lease_id': r[0], 'event_type': r[1],
             'due_ms': timeconv.to_epoch(r[2]) * 1000, 'status': r[3],
             'attempts': r[4], 'owner': r[5], 'claimed_ms': r[6],
             'done_ms': r[7]} for r in rows if r[0] in wanted]


def lease_statuses(db, lease_ids):
    wanted = set(lease_ids)
    with db.reader(ADMIN) as session:
        rows = session.execute(select(models.Lease.id,
                                      models.Lease.status)).all()
    return collections.Counter(status for lid, status in rows
                               if lid in wanted)


def placement_requests(log_paths, since, until):
    """Placement's requests between two epochs, by method and shape."""
    counts = collections.Counter()
    errors = collections.Counter()
    for path in log_paths:
        _count_requests(path, since, until, counts, errors)
    return counts, errors


def _count_requests(log_path, since, until, counts, errors):
    with open(log_path, errors='replace') as log:
        for line in log:
            match = REQUEST.match(line)
            if not match:
                continue
            when = datetime.datetime.strptime(
                match.group(1), '%Y-%m-%d %H:%M:%S.%f').timestamp()
            if not since <= when <= until:
                continue
            path = match.group(3).split('?')[0]
            for pattern, shape in SHAPES:
                path = pattern.sub(shape, path)
            key = '%s %s' % (match.group(2), path)
            counts[key] += 1
            if match.group(4).startswith('5'):
                errors[key] += 1


def run(setup, workers, args, index):
    store, db = setup.store, setup.db
    hostnames = sorted(setup.nodes)
    options = dict(agent_fleet.DEFAULTS, workers=workers, heal_interval=0,
                   reconcile_interval=0)
    agent = agent_fleet.start_agent(
        setup.workdir / 'agents', 'bench-agent-%d' % index,
        setup.store_url, setup.placement.endpoint, **options)
    try:
        agent.wait_running()
        lead = args.lead or int(15 + 0.1 * len(hostnames))
        start = int(time.time()) + lead
        end = start + args.length
        print('workers=%d: creating %d leases, start in %d s, length %d s'
              % (workers, len(hostnames), lead, args.length), flush=True)
        made = time.monotonic()
        lease_ids = create_leases(store, hostnames, start, end, index)
        create_seconds = time.monotonic() - made
        margin = start - time.time()
        print('  created in %.1f s; %.1f s before the start'
              % (create_seconds, margin), flush=True)
        if margin < 1:
            raise SystemExit('Lease creation outlasted --lead: raise it.')
        load_at_start = None
        pids = {'agent': [agent.process.pid],
                'placement': placement_pids(setup.placement)}
        cpu_before = {k: cpu_seconds(v) for k, v in pids.items()}
        all_started = all_ended = None
        deadline = end + args.timeout
        while time.time() < deadline:
            time.sleep(0.5)
            now = time.time()
            if load_at_start is None and now >= start:
                load_at_start = os.getloadavg()[0]
            done = collections.Counter(
                e['event_type'] for e in events_of(db, lease_ids)
                if e['status'] == 'DONE')
            if all_started is None and done['start_lease'] == len(
                    lease_ids):
                all_started = now
                print('  all started %.1f s after S' % (now - start),
                      flush=True)
            if done['end_lease'] == len(lease_ids):
                all_ended = now
                print('  all ended %.1f s after E' % (now - end),
                      flush=True)
                break
        events = events_of(db, lease_ids)
        statuses = lease_statuses(db, lease_ids)
        leftovers = agent_fleet.placement_leftovers(
            setup.client, setup.nodes.values())
        load_after = os.getloadavg()[0]
        cpu_used = {k: round(cpu_seconds(v) - cpu_before[k], 1)
                    for k, v in pids.items()}
    finally:
        code, _ = agent.terminate(60)
    by_type = {t: [e for e in events if e['event_type'] == t]
               for t in EVENT_TYPES}
    figures = {}
    for event_type, rows in by_type.items():
        finished = [e for e in rows if e['done_ms'] is not None]
        due = rows[0]['due_ms'] if rows else 0
        figures[event_type] = {
            'events': len(rows),
            'done': sum(1 for e in rows if e['status'] == 'DONE'),
            'attempts_over_1': sum(1 for e in rows if e['attempts'] > 1),
            'claim_lateness': summary([e['claimed_ms'] - e['due_ms']
                                       for e in rows
                                       if e['claimed_ms'] is not None]),
            'lateness': summary([e['done_ms'] - e['due_ms']
                                 for e in finished]),
            'all_done_after_due_s': round(
                (max(e['done_ms'] for e in finished) - due) / 1000.0, 3)
            if finished else None,
        }
    # Placement requests per start and per end: counted while only starts
    # (and before-ends) ran, from S until the first end was claimed or
    # the last start was done, and while only ends ran, from E or the last
    # start, whichever is later, until the last end was done.

    def done_at(event_type):
        return sorted(e['done_ms'] / 1000.0 for e in by_type[event_type]
                      if e['done_ms'] is not None)

    starts_done, ends_done = done_at('start_lease'), done_at('end_lease')
    last_start = starts_done[-1] if starts_done else start
    last_end = ends_done[-1] if ends_done else end
    first_end_claim = min((e['claimed_ms'] / 1000.0
                           for e in by_type['end_lease']
                           if e['claimed_ms'] is not None), default=end)
    start_until = min(last_start, first_end_claim)
    end_from = max(end, last_start)
    phases = {
        'start': (start, start_until,
                  [t for t in starts_done if t <= start_until]),
        'end': (end_from, last_end,
                [t for t in ends_done if t >= end_from]),
    }
    requests = {}
    for phase, (lo, hi, counted) in phases.items():
        counts, errors = placement_requests(setup.placement_logs, lo, hi)
        total = sum(counts.values())
        requests[phase] = {
            'window_s': round(hi - lo, 1),
            'events_in_window': len(counted),
            'requests': total,
            'per_event': round(total / float(len(counted)), 2)
            if counted else None,
            'requests_per_s': round(total / (hi - lo), 1)
            if hi > lo else None,
            'by_shape': dict(counts.most_common()),
            'http_5xx': dict(errors),
        }
    counts, errors = placement_requests(setup.placement_logs, start,
                                        last_end)
    requests['whole_run'] = {
        'requests': sum(counts.values()),
        'per_lease': round(sum(counts.values()) / float(len(lease_ids)), 2),
        'http_5xx': dict(errors)}
    result = {
        'workers': workers,
        'leases': len(lease_ids),
        'length_s': args.length,
        'create_seconds': round(create_seconds, 1),
        'lead_margin_s': round(margin, 1),
        'figures': figures,
        'all_started_after_S_s': round(all_started - start, 1)
        if all_started else None,
        'all_terminated_after_E_s': round(
            figures['end_lease']['all_done_after_due_s'], 1)
        if figures['end_lease']['all_done_after_due_s'] is not None
        else None,
        'seen_all_ended_by_polling_after_E_s': round(all_ended - end, 1)
        if all_ended else None,
        'lease_statuses': dict(statuses),
        'placement_leftovers': leftovers,
        'placement_requests': requests,
        'agent_exit_code': code,
        # From the lease creation's end until the last end was seen.
        'cpu_seconds': cpu_used,
        'agent_cpu_ms_per_event': round(
            cpu_used['agent'] * 1000 / len(events), 1) if events else None,
        'placement_cpu_ms_per_request': round(
            cpu_used['placement'] * 1000
            / requests['whole_run']['requests'], 1)
        if requests['whole_run']['requests'] else None,
        'load_average_at_S': round(load_at_start, 2)
        if load_at_start is not None else None,
        'load_average_after': round(load_after, 2),
    }
    return result


def print_result(result):
    print('workers=%d, %d leases:' % (result['workers'], result['leases']))
    print('  %-17s %8s %27s %27s %9s' % (
        'event', 'done', 'claim late med/p90/max s',
        'done late med/p90/max s', 'last s'))
    for event_type in EVENT_TYPES:
        fig = result['figures'][event_type]

        def triple(s):
            return ('%.2f / %.2f / %.2f' % (s['median_s'], s['p90_s'],
                                            s['max_s'])) if s else '-'
        print('  %-17s %8s %27s %27s %9s' % (
            event_type, '%d/%d' % (fig['done'], fig['events']),
            triple(fig['claim_lateness']), triple(fig['lateness']),
            fig['all_done_after_due_s']))
    for phase in ('start', 'end'):
        req = result['placement_requests'][phase]
        print('  Placement while only %ss ran: %d requests in %.1f s for '
              '%d events (%s per event, %s requests/s), 5xx: %d'
              % (phase, req['requests'], req['window_s'],
                 req['events_in_window'], req['per_event'],
                 req['requests_per_s'], sum(req['http_5xx'].values())))
    whole = result['placement_requests']['whole_run']
    print('  Placement over the run: %d requests (%.1f per lease), 5xx: %d'
          % (whole['requests'], whole['per_lease'],
             sum(whole['http_5xx'].values())))
    print('  all started %s s after S; all terminated %s s after E'
          % (result['all_started_after_S_s'],
             result['all_terminated_after_E_s']))
    print('  CPU seconds %s: agent %s ms per event, Placement %s ms per '
          'request' % (result['cpu_seconds'],
                       result['agent_cpu_ms_per_event'],
                       result['placement_cpu_ms_per_request']))
    print('  leases: %s; Placement leftovers: %s; agent exit %s'
          % (result['lease_statuses'],
             {k: len(v) for k, v in result['placement_leftovers'].items()},
             result['agent_exit_code']))


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument('--leases', type=int, default=1000)
    parser.add_argument('--workers', default='8',
                        help='comma-separated; one run each (default 8)')
    parser.add_argument('--length', type=int, default=60,
                        help='seconds from the start to the end (60)')
    parser.add_argument('--store', default='postgresql',
                        choices=('postgresql', 'mysql', 'sqlite'))
    parser.add_argument('--placement', default='mysql',
                        choices=('mysql', 'postgresql', 'sqlite'),
                        help='mysql, postgresql: concurrent Placement on '
                             'a MariaDB (PyMySQL) or PostgreSQL (psycopg2) '
                             'scratch database; sqlite: one request at a '
                             'time')
    parser.add_argument('--placement-processes', type=int, default=1,
                        help='Placement processes sharing its port (1: '
                             'placement_service.Standalone)')
    parser.add_argument('--placement-pool', type=int, default=0,
                        help="Placement's [placement_database] "
                             'max_pool_size (default: oslo.db\'s, 5)')
    parser.add_argument('--lead', type=int, default=0,
                        help='seconds from the lease creation to S '
                             '(default 15 + 0.1 per lease)')
    parser.add_argument('--timeout', type=int, default=600,
                        help='seconds after E to give up waiting')
    parser.add_argument('--json', help='write the figures to this file')
    args = parser.parse_args(argv)
    workers = [int(w) for w in args.workers.split(',')]
    if args.placement == 'sqlite' and (args.placement_processes > 1
                                       or args.placement_pool):
        parser.error('a Placement on SQLite serves one request at a time: '
                     'one process, no pool')
    report = {'benchmark': 'agent', 'leases': args.leases,
              'store': args.store,
              'placement': {'mysql': 'standalone, MariaDB, concurrent',
                            'postgresql': 'standalone, PostgreSQL, '
                                          'concurrent',
                            'sqlite': 'standalone, SQLite, serial'}[
                                args.placement],
              'placement_processes': args.placement_processes,
              'placement_max_pool_size': args.placement_pool or None,
              'machine': machine(), 'runs': []}
    with tempfile.TemporaryDirectory(prefix='bench-agent-') as tmp:
        workdir = pathlib.Path(tmp)
        print('Setting up: %d nodes in Placement (%s) and the store (%s)'
              % (args.leases, report['placement'], args.store), flush=True)
        setup = Setup(args, workdir)
        report['setup_seconds'] = setup.setup_seconds
        report['placement_capacity'] = setup.capacity
        print('  set up in %.1f s; Placement alone: %s'
              % (setup.setup_seconds, setup.capacity), flush=True)
        try:
            for index, count in enumerate(workers):
                result = run(setup, count, args, index)
                print_result(result)
                report['runs'].append(result)
                report['machine']['load_average_end'] = [
                    round(x, 2) for x in os.getloadavg()]
                if args.json:
                    with open(args.json, 'w') as out:
                        json.dump(report, out, indent=2)
        finally:
            setup.close()
    return 0


if __name__ == '__main__':
    sys.exit(main())
