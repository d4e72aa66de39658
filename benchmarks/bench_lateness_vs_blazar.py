"""Timing: start and end lateness of 1,000 leases due at the same second,
ours against the peer's manager loop.

Each side gets ``--leases`` leases that all start at the same second S and
all end at the same second E, created ahead of S, and is measured from its
own database, one side after the other:

* **ours**: ``bench_agent.Setup`` and ``bench_agent.run``: one host lease
  per compute node in a real standalone Placement (MariaDB), the store on
  PostgreSQL, one real ``blazar-nova-agent`` process (``--workers``).
  Lateness is ``done_ms - due`` from our events table (milliseconds).
* **Blazar 18.0.0**: the real ``blazar-manager`` (its event loop, a timer
  every ``EVENT_INTERVAL`` = 10 s in ``blazar/manager/service.py``) with
  ``blazar-api`` and Keystone (``blazar_stack.Stack``), on MariaDB and
  RabbitMQ. The leases are created through Blazar's REST API by
  ``--clients`` Keystone users, so each has a real Keystone trust, from
  which the manager builds a context for every event. Blazar takes dates
  to the minute (``LEASE_DATE_FORMAT = "%Y-%m-%d %H:%M"``), so S and E are
  minute boundaries. S is chosen after timing the creation of a few probe
  leases (a day ahead; they stay PENDING and are not counted).

E - S differs: ``--length`` seconds for ours, ``--blazar-length`` minutes
for Blazar (by default estimated from the probe), each long enough that
the side's starts are done before its ends fall due, so that each side's
ends are measured alone; ``starts_running_at_E`` says when that failed.
Blazar's start is followed by its before-end event in the same second
(``minutes_before_end_lease`` is 60, longer than the lease), as ours.

Blazar's figures come from its events table, polled every 0.5 s: the
``updated_at`` of each start_lease / end_lease row once DONE, minus its
``time``. ``updated_at`` is a MariaDB DATETIME, whole seconds, so these
understate Blazar's lateness by under a second (the ratios are lower
bounds); when each row was first seen DONE by the poll (which overstates
by up to the poll period) is reported beside them. The manager is
restarted, once, with one more configuration file that sets its
``blazar.manager.service`` logger to DEBUG (nothing else), so that each
pass of its loop logs ``Trying to get events from DB.``: that is the poll
interval observed.

``--peer-reservations`` says what Blazar's leases hold:

* ``none``: no reservation. Blazar 18.0.0's only Nova-free plugin,
  ``dummy.vm.plugin``, fails every lease creation, so leases without
  reservations are what runs without Nova. Their start and end then do no
  resource work at all: the manager loop, the lease and event rows, the
  trust-scoped contexts and the notifications only. Ours do the
  Placement work of a host lease, so this comparison favours Blazar.
* ``host`` (default): one ``physical:host`` reservation per lease naming
  its host (as ours), with Blazar's host plugin on a real nova-api
  (``blazar_stack.Stack(plugins=HOST_PLUGIN, hosts=N)``,
  ``benchmarks/harness/nova_stack.py``). When that stack is missing,
  cannot be stood up or refuses a host lease, the run falls back to
  ``none`` and records why.

Usage::

    python -m benchmarks.bench_lateness_vs_blazar [--leases 1000]
        [--length SECONDS] [--blazar-length MINUTES] [--workers 8]
        [--clients 4] [--peer-reservations host|none]
        [--keystone-hash-rounds N] [--sides ours,blazar] [--quick]
        [--json FILE]

``--quick`` is 20 leases: on a two-core machine Blazar's host lease took
about 6 s to start (start and before-end events) and 4 to 6 s to end,
most of it in Keystone (about ten POST /v3/auth/tokens per event, each
checking a password: a bcrypt hash at Keystone's default 12 rounds), so
100 leases take about 40 minutes on Blazar's side and 1,000 about five
hours. This is a benchmark run by hand or by ``run_suite.py``, not a
test: one run of each side, on whatever the machine is doing (the load
average is recorded).
"""

import argparse
import calendar
import collections
import concurrent.futures
import datetime
import inspect
import json
import logging
import math
import os
import pathlib
import re
import sys
import tempfile
import time
import types
import uuid

import requests
import sqlalchemy as sa

from benchmarks import bench_agent
from benchmarks import bench_api
from benchmarks.harness import blazar_stack

LOG = logging.getLogger(__name__)

HERE = os.path.dirname(os.path.abspath(__file__))

SIDES = ('ours', 'blazar')
PHASES = (('start', 'start_lease'), ('before_end', 'before_end_lease'),
          ('end', 'end_lease'))
POLL_S = 0.5
FINISHED = ('DONE', 'ERROR')
PROBES_PER_CLIENT = 2
# Keystone's tokens live an hour; the clients renew theirs sooner.
TOKEN_RENEW_S = 1800
# Each poll reads the rows updated since this many seconds before the
# previous poll began (updated_at is truncated to the second).
POLL_OVERLAP_S = 5
# Blazar's start (start and before-end events) took 2.8 to 3.2 times one
# lease creation at the clients' parallel rate (runs of 20 to 100 leases,
# with and without host reservations: both are dominated by Keystone's
# password checks); E is set SLACK times the estimate after S.
START_PHASE_PER_CREATION = 3.0
SLACK = 1.5
TIMESTAMP = r'^(\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\.\d+) '
POLL_LINE = re.compile(TIMESTAMP + r'\d+ DEBUG blazar\.manager\.service '
                       r'.*Trying to get events from DB\.')
OUTLASTED = re.compile(TIMESTAMP + r'.*_process_events.* run outlasted '
                       r'interval by ([0-9.]+) sec')

# Read from Blazar's code in its venv, so the report states what the
# running version does.
FACTS_SCRIPT = '''
import json
from oslo_config import cfg
from oslo_log import log
from blazar.manager import service
print(json.dumps({
    'event_interval_s': service.EVENT_INTERVAL,
    'lease_date_format': service.LEASE_DATE_FORMAT,
    'minutes_before_end_lease': cfg.CONF.manager.minutes_before_end_lease,
    'event_max_retries': cfg.CONF.manager.event_max_retries,
    'default_log_levels': log.get_default_log_levels()}))
'''

NONE_NOTE = (
    "Blazar's leases hold no reservation: Blazar 18.0.0's dummy.vm.plugin "
    "(the only resource plugin that needs no Nova) fails every lease "
    "creation, so empty leases are what Blazar runs without Nova. Their "
    "start and end do no resource work: only the manager's loop, the "
    "lease and event rows, Keystone trust-scoped contexts and a "
    "notification per event. Ours each write and remove a host "
    "reservation in Placement. The comparison favours Blazar.")
HOST_NOTE = ("One physical:host reservation per lease, naming its host (as "
             "ours); Blazar's host plugin moves the host between Nova "
             "aggregates at start and end.")


# --- shared ----------------------------------------------------------------

def blazar_facts():
    """EVENT_INTERVAL, LEASE_DATE_FORMAT and the manager's defaults, read
    from the installed Blazar."""
    python = blazar_stack.venv_python(blazar_stack.BLAZAR_VENV)
    facts = json.loads(blazar_stack.run_checked([python, '-c',
                                                 FACTS_SCRIPT]))
    facts['source'] = 'blazar/manager/service.py (blazar %s)' % (
        blazar_stack.package_version(python, 'blazar'))
    return facts


def phase_summary(lateness_ms, total, done, errors):
    """Median, p90 and max lateness in seconds, the time from the due
    second until the last one was done, and the counts."""
    figures = dict(bench_agent.summary(lateness_ms) or {})
    figures['all_done_after_due_s'] = figures.get('max_s')
    figures.update({'events': total, 'done': done, 'errors': errors})
    return figures


def starts_running_at_end(side, length_s):
    """Whether the last start was done after E (the ends then queued
    behind the starts)."""
    last = side['start'].get('all_done_after_due_s')
    return last is not None and last > length_s


def ratio(theirs, ours):
    if theirs is None or not ours:
        return None
    return round(theirs / ours, 1)


def ratios(report):
    """Blazar's median lateness and all-done time over ours, per phase
    (above 1: ours is sooner)."""
    result = {}
    for phase in ('start', 'end'):
        mine, theirs = report['ours'][phase], report['blazar'][phase]
        result[phase] = {
            'median_blazar_over_ours': ratio(theirs.get('median_s'),
                                             mine.get('median_s')),
            'all_done_blazar_over_ours': ratio(
                theirs.get('all_done_after_due_s'),
                mine.get('all_done_after_due_s'))}
    return result


# --- ours ------------------------------------------------------------------

def run_ours(args):
    """bench_agent's run: ``args.leases`` host leases, one agent."""
    options = types.SimpleNamespace(
        leases=args.leases, store='postgresql', placement='mysql',
        placement_processes=1, placement_pool=0, lead=0,
        length=args.length, timeout=args.timeout or 600)
    with tempfile.TemporaryDirectory(prefix='bench-lateness-') as tmp:
        setup = bench_agent.Setup(options, pathlib.Path(tmp))
        try:
            result = bench_agent.run(setup, args.workers, options, 0)
        finally:
            setup.close()
    return ours_summary(result, args)


def ours_summary(result, args):
    """The figures of one bench_agent run, per phase."""
    summary = {'leases': result['leases'], 'length_s': args.length,
               'workers': args.workers, 'store': 'PostgreSQL',
               'placement': 'standalone, MariaDB, concurrent',
               'reservations': 'one host (physical:host, min=max=1)',
               'precision': 'milliseconds (done_ms, written by the agent)',
               'lease_statuses': result['lease_statuses'],
               'placement_leftovers': sum(
                   len(v) for v in result['placement_leftovers'].values()),
               'cpu_s': result['cpu_seconds'],
               'load_average_at_S': result['load_average_at_S']}
    for phase, event_type in PHASES:
        fig = result['figures'][event_type]
        summary[phase] = dict(
            fig['lateness'] or {},
            all_done_after_due_s=fig['all_done_after_due_s'],
            events=fig['events'], done=fig['done'],
            errors=fig['events'] - fig['done'],
            retried=fig['attempts_over_1'])
    summary['starts_running_at_E'] = starts_running_at_end(summary,
                                                           args.length)
    return summary


# --- Blazar: the stack ------------------------------------------------------

def host_support():
    """``(True, None)`` when blazar_stack can run Blazar's host plugin on
    a real nova-api (``Stack(plugins=HOST_PLUGIN, hosts=N)``), else
    ``(False, why)``."""
    if not os.path.exists(os.path.join(HERE, 'harness', 'nova_stack.py')):
        return False, 'benchmarks/harness/nova_stack.py is not in this tree'
    if not hasattr(blazar_stack, 'HOST_PLUGIN') or 'hosts' not in \
            inspect.signature(blazar_stack.Stack).parameters:
        return False, ('blazar_stack.Stack takes no hosts for the host '
                       'plugin in this tree')
    return True, None


class Client:
    """A Keystone user with the member role on a project of its own (the
    same name), as lease owners are. Its first token is taken at once
    (Keystone writes the user's ``last_active_at`` at a first password
    check of the day, and two such writes at once can find its SQLite
    database locked); it is renewed every TOKEN_RENEW_S seconds, since
    creating many leases outlasts one."""

    def __init__(self, keystone, name):
        self.keystone = keystone
        self.name = name
        self.password = uuid.uuid4().hex
        keystone.add_user(name, self.password, name, 'member')
        self._issued = 0.0
        self._token = self.token()

    def token(self, attempts=3):
        """The current token; Keystone's refusals are tried again."""
        if time.monotonic() - self._issued <= TOKEN_RENEW_S:
            return self._token
        for attempt in range(attempts):
            try:
                self._token = self.keystone.token(self.name, self.password,
                                                  self.name)
                break
            except blazar_stack.StackError:
                if attempt == attempts - 1:
                    raise
                time.sleep(1)
        self._issued = time.monotonic()
        return self._token


class Peer:
    """A started Blazar stack for ``kind`` leases, its users and a
    connection to its database; ``stop()`` removes everything."""

    def __init__(self, kind, args):
        self.kind = kind
        options = {'hash_rounds': args.keystone_hash_rounds}
        if kind == 'host':
            options.update(plugins=blazar_stack.HOST_PLUGIN,
                           hosts=args.leases)
        self.stack = blazar_stack.Stack(**options)
        self.stack.start()
        self.engine = None
        try:
            self.hostnames = [host['hypervisor_hostname']
                              for host in getattr(self.stack, 'hosts', [])]
            self.clients = [Client(self.stack.keystone, 'late-%s-%d' % (
                self.stack.name[-6:], i)) for i in range(args.clients)]
            self.engine = sa.create_engine(self.stack.database_url,
                                           poolclass=sa.pool.NullPool)
        except BaseException:
            self.stop()
            raise
        self.poll_log = None

    def reservations(self, index):
        """What lease ``index`` holds: nothing, or host ``index`` (modulo
        the host count, for the probes)."""
        if self.kind == 'none':
            return []
        name = self.hostnames[index % len(self.hostnames)]
        return [{'resource_type': 'physical:host', 'min': 1, 'max': 1,
                 'hypervisor_properties': json.dumps(
                     ['==', '$hypervisor_hostname', name]),
                 'resource_properties': ''}]

    def trace_polls(self, default_log_levels):
        """Restart blazar-manager, the same command, with one more config
        file setting its ``blazar.manager.service`` logger to DEBUG, so
        that each pass of its loop is logged (in ``poll_log``)."""
        blazar = self.stack.blazar
        extra = blazar.dir / 'trace-polls.conf'
        extra.write_text('[DEFAULT]\ndefault_log_levels = %s\n' % ','.join(
            default_log_levels + ['blazar.manager.service=DEBUG']))
        command = list(blazar.manager.popen.args) + [
            '--config-file', str(extra)]
        blazar.manager.stop()
        blazar.manager = blazar_stack.Process(
            'blazar-manager', command, blazar.dir / 'manager-traced.log')
        self.poll_log = blazar.manager.log_path
        blazar_stack.wait_until(
            lambda: loop_passes(self.poll_log, 0, time.time() + 1),
            'blazar-manager polling again', 90, [blazar.manager])

    def keystone_requests(self):
        """Keystone's requests so far, by method and path shape."""
        counts = collections.Counter()
        for shape, count in self.stack.keystone.requests_served().items():
            counts[re.sub('/+', '/', shape)] += count
        return counts

    def stop(self):
        if self.engine is not None:
            self.engine.dispose()
        self.stack.stop()


def open_peer(args):
    """``(peer, fallback)``: the stack for the reservations asked for, or
    for none with the reason why host reservations could not be had."""
    if args.peer_reservations == 'host':
        ok, reason = host_support()
        if ok:
            try:
                peer = Peer('host', args)
            except Exception as exc:  # any failure: fall back, say why
                reason = 'the host plugin stack failed: %s' % str(exc)[:500]
            else:
                return peer, None
        LOG.warning('Blazar leases without reservations: %s', reason)
        return Peer('none', args), reason
    return Peer('none', args), None


# --- Blazar: the leases -----------------------------------------------------

def minute_text(epoch):
    return datetime.datetime.utcfromtimestamp(epoch).strftime(
        '%Y-%m-%d %H:%M')


def next_minute(epoch):
    return (int(epoch) // 60 + 1) * 60


def lease_body(peer, name, start, end, index):
    return {'name': name,
            'start_date': minute_text(start), 'end_date': minute_text(end),
            'reservations': peer.reservations(index), 'events': []}


def create_leases(peer, bodies):
    """The leases of ``bodies``, the clients in parallel, each its share
    one after another; ``(ids, errors, seconds)``."""
    clients = len(peer.clients)

    def work(client):
        session = requests.Session()
        ids, errors = [], []
        for body in bodies[client::clients]:
            try:
                _, resp = bench_api.timed(
                    session, 'POST', peer.stack.url + '/leases',
                    peer.clients[client].token(), body, expect=201)
                ids.append(resp.json()['lease']['id'])
            except (RuntimeError, requests.RequestException) as exc:
                errors.append(str(exc)[:300])
        return ids, errors

    began = time.monotonic()
    with concurrent.futures.ThreadPoolExecutor(clients) as pool:
        parts = list(pool.map(work, range(clients)))
    return ([i for ids, _ in parts for i in ids],
            [e for _, errs in parts for e in errs],
            time.monotonic() - began)


def probe(peer):
    """Seconds per lease creation with every client busy: probe leases a
    day ahead, an hour each, two hours apart (so that they never compete
    for a host), which stay PENDING; a RuntimeError if one was refused."""
    base = next_minute(time.time() + 86400)
    bodies = [lease_body(peer, 'probe-%d' % i, base + 7200 * i,
                         base + 7200 * i + 3600, i)
              for i in range(PROBES_PER_CLIENT * len(peer.clients))]
    _, errors, seconds = create_leases(peer, bodies)
    if errors:
        raise RuntimeError('Blazar refused a probe lease: %s' % errors[0])
    return seconds / len(bodies)


def blazar_timeout(args, per_lease):
    """Seconds after E to give up: the given ones, or 300 and four times
    the probe's creation time per lease (a host lease's end took 2 to 2.7
    times one)."""
    return args.timeout or int(300 + 4 * per_lease * args.leases)


def blazar_length(args, per_lease):
    """E - S in minutes: the given one, or the estimated start phase
    with slack."""
    if args.blazar_length:
        return args.blazar_length
    start_phase = START_PHASE_PER_CREATION * per_lease * args.leases
    return max(1, int(math.ceil(SLACK * start_phase / 60.0)))


# --- Blazar: the database ---------------------------------------------------

def utc_epoch(value):
    """A naive UTC datetime (as Blazar stores them) as epoch seconds."""
    return calendar.timegm(value.timetuple()) + value.microsecond / 1e6


def event_rows(engine, lease_ids):
    """Blazar's events of these leases: id -> (event_type, due epoch)."""
    wanted = set(lease_ids)
    with engine.connect() as conn:
        rows = conn.execute(sa.text(
            'SELECT id, lease_id, event_type, time FROM events')).all()
    return {r[0]: (r[2], utc_epoch(r[3])) for r in rows if r[1] in wanted}


def changed_rows(engine, since):
    """``(id, status, updated_at epoch)`` of the events not UNDONE
    updated at or after ``since`` (epoch)."""
    since = datetime.datetime.utcfromtimestamp(int(since))
    with engine.connect() as conn:
        rows = conn.execute(sa.text(
            "SELECT id, status, updated_at FROM events "
            "WHERE status <> 'UNDONE' AND updated_at >= :since"),
            {'since': since}).all()
    return [(r[0], r[1], utc_epoch(r[2])) for r in rows]


def lease_statuses(engine, lease_ids):
    wanted = set(lease_ids)
    with engine.connect() as conn:
        rows = conn.execute(sa.text('SELECT id, status FROM leases')).all()
    return dict(collections.Counter(s for i, s in rows if i in wanted))


class Watch:
    """What the polls of Blazar's events table saw: when each event was
    first seen in each status, and its last status and ``updated_at``."""

    def __init__(self, events):
        self.events = events
        self.seen = {}
        self.last = {}
        self.polls = 0
        self.since = 0

    def poll(self, engine):
        """Read the rows changed since the previous poll (all of them the
        first time)."""
        began = time.time()
        rows = changed_rows(engine, self.since)
        now = time.time()
        self.since = began - POLL_OVERLAP_S
        self.polls += 1
        for event_id, status, updated in rows:
            if event_id in self.events:
                self.seen.setdefault((event_id, status), now)
                self.last[event_id] = (status, updated)

    def settle(self, engine):
        """Read every row's last status once more (not counted as
        seen)."""
        for event_id, status, updated in changed_rows(engine, 0):
            if event_id in self.events:
                self.last[event_id] = (status, updated)

    def ids(self, event_type):
        return [eid for eid, (kind, _) in self.events.items()
                if kind == event_type]

    def status(self, event_id):
        return self.last.get(event_id, ('UNDONE', None))[0]

    def all_finished(self, event_type):
        return all(self.status(eid) in FINISHED
                   for eid in self.ids(event_type))

    def phase(self, event_type):
        """Lateness from ``updated_at`` (whole seconds) and as seen by the
        polls, when the polls first saw the loop take the events (claim),
        and the counts."""
        ids = self.ids(event_type)
        due = {eid: self.events[eid][1] for eid in ids}
        done = [eid for eid in ids if self.status(eid) == 'DONE']
        figures = phase_summary(
            [(self.last[eid][1] - due[eid]) * 1000 for eid in done],
            len(ids), len(done),
            sum(1 for eid in ids if self.status(eid) == 'ERROR'))
        figures['seen_by_poll'] = bench_agent.summary(
            [(self.seen[(eid, 'DONE')] - due[eid]) * 1000 for eid in done
             if (eid, 'DONE') in self.seen])
        figures['claim_seen_by_poll'] = bench_agent.summary(
            [(self.seen[(eid, 'IN_PROGRESS')] - due[eid]) * 1000
             for eid in ids if (eid, 'IN_PROGRESS') in self.seen])
        return figures


def watch_events(engine, events, until):
    """Poll Blazar's events table every POLL_S until every end is DONE or
    ERROR or ``until`` (epoch) has passed; the Watch."""
    watch = Watch(events)
    while True:
        watch.poll(engine)
        if watch.all_finished('end_lease') or time.time() > until:
            return watch
        time.sleep(POLL_S)


# --- Blazar: the manager's loop ---------------------------------------------

def log_times(log_path, pattern):
    """``(epoch, match)`` of each line of the log matching ``pattern``."""
    found = []
    text = pathlib.Path(log_path).read_text(errors='replace')
    for line in text.splitlines():
        match = pattern.match(line)
        if match:
            found.append((datetime.datetime.strptime(
                match.group(1), '%Y-%m-%d %H:%M:%S.%f').timestamp(), match))
    return found


def loop_passes(log_path, since, until):
    """When the manager's loop passed (its DEBUG line) between two
    epochs."""
    return [when for when, _ in log_times(log_path, POLL_LINE)
            if since <= when <= until]


def next_pass(log_path, after, timeout=120):
    """The time of the manager loop's first pass after ``after`` (epoch),
    waiting up to ``timeout`` seconds for it; the time waited up to
    otherwise."""
    deadline = time.time() + timeout
    while time.time() < deadline:
        passes = loop_passes(log_path, after, deadline)
        if passes:
            return passes[0]
        time.sleep(1)
    return deadline


def manager_loop(log_path, start, end, until):
    """The manager loop's passes from a minute before S to ``until``: the
    intervals between them, the first pass at or after S and after E,
    and the 'run outlasted interval' warnings."""
    passes = loop_passes(log_path, start - 60, until)
    gaps = [b - a for a, b in zip(passes, passes[1:])]
    outlasted = [float(match.group(2)) for when, match in
                 log_times(log_path, OUTLASTED) if start <= when <= until]

    def first_after(due):
        later = [when - due for when in passes if when >= due]
        return round(later[0], 2) if later else None

    return {'passes': len(passes),
            'interval_s': bench_agent.summary([g * 1000 for g in gaps]),
            'min_interval_s': round(min(gaps), 2) if gaps else None,
            'first_pass_after_S_s': first_after(start),
            'first_pass_after_E_s': first_after(end),
            'outlasted_interval_by_s': [round(x, 1) for x in outlasted][:10]}


# --- Blazar: the run --------------------------------------------------------

def run_blazar(args, facts):
    """Blazar's side: the stack, the leases, the watch; its figures."""
    LOG.info('Blazar: standing up the stack (%s reservations asked)',
             args.peer_reservations)
    peer, fallback = open_peer(args)
    try:
        peer.trace_polls(facts['default_log_levels'])
        try:
            per_lease = probe(peer)
        except RuntimeError as exc:
            if peer.kind == 'none':
                raise
            peer.stop()
            fallback = str(exc)
            LOG.warning('Blazar leases without reservations: %s', fallback)
            peer = Peer('none', args)
            peer.trace_polls(facts['default_log_levels'])
            per_lease = probe(peer)
        result = measure_blazar(peer, args, per_lease)
    finally:
        peer.stop()
    result['host_fallback_reason'] = fallback
    return result


def create_ahead(peer, args, per_lease):
    """The leases, created before S; ``(ids, S, E, creation figures)``."""
    lead = args.blazar_lead or (20 + SLACK * per_lease * args.leases)
    start = next_minute(time.time() + lead)
    end = start + 60 * blazar_length(args, per_lease)
    LOG.info('Blazar: %.2f s per lease creation; %d leases from %s to %s '
             'UTC', per_lease, args.leases, minute_text(start),
             minute_text(end))
    ids, errors, seconds = create_leases(peer, [
        lease_body(peer, 'late-%05d' % i, start, end, i)
        for i in range(args.leases)])
    margin = start - time.time()
    LOG.info('Blazar: %d created in %.1f s (%d refused), %.1f s before S',
             len(ids), seconds, len(errors), margin)
    if not ids:
        raise RuntimeError('Blazar refused every lease: %s' % errors[0])
    if margin < 1:
        raise RuntimeError('Blazar lease creation ended %.1f s after S: '
                           'raise --blazar-lead' % -margin)
    return ids, start, end, {
        'clients': len(peer.clients),
        'probe_seconds_per_lease': round(per_lease, 2),
        'seconds': round(seconds, 1), 'refused': len(errors),
        'first_refusal': errors[0] if errors else None,
        'margin_before_S_s': round(margin, 1)}


def measure_blazar(peer, args, per_lease):
    """Create the leases ahead of S, then watch them start and end."""
    lease_ids, start, end, creation = create_ahead(peer, args, per_lease)
    events = event_rows(peer.engine, lease_ids)
    time.sleep(max(0.0, start - time.time() - 2))
    cpu_before = cpu_of(peer.stack.pids())
    keystone_before = peer.keystone_requests()
    load_at_start = round(os.getloadavg()[0], 2)
    watch = watch_events(peer.engine, events,
                         end + blazar_timeout(args, per_lease))
    watch.settle(peer.engine)
    # The pass that ran the ends logs its overrun when it returns, after
    # their notifications: wait for the next pass.
    finished = next_pass(peer.poll_log, time.time())
    cpu = {name: round(used - cpu_before[name], 1)
           for name, used in cpu_of(peer.stack.pids()).items()}
    result = {
        'versions': peer.stack.versions(),
        'reservations': peer.kind,
        'reservations_note': NONE_NOTE if peer.kind == 'none' else HOST_NOTE,
        'leases': len(lease_ids), 'length_min': (end - start) // 60,
        'creation': creation,
        'precision': 'whole seconds (updated_at, a MariaDB DATETIME); '
                     'seen_by_poll: first seen DONE by a %.1f s poll'
                     % POLL_S,
        'lease_statuses': lease_statuses(peer.engine, lease_ids),
        'cpu_s': cpu,
        'cpu_window': "from 2 s before S to the manager loop's first pass "
                      'after the last end',
        'keystone_requests_per_event': per_event(
            peer.keystone_requests() - keystone_before, len(events)),
        'manager_loop': manager_loop(peer.poll_log, start, end, finished),
        'load_average_at_S': load_at_start,
    }
    for phase, event_type in PHASES:
        result[phase] = watch.phase(event_type)
    result['starts_running_at_E'] = starts_running_at_end(result,
                                                          end - start)
    return result


def per_event(counts, events):
    """Requests per event: in all, and for the three commonest shapes."""
    events = float(events or 1)
    result = {'all': round(sum(counts.values()) / events, 1)}
    result.update((shape, round(count / events, 1))
                  for shape, count in counts.most_common(3))
    return result


def cpu_of(pids):
    return {name: bench_agent.cpu_seconds(group)
            for name, group in pids.items()}


# --- report -----------------------------------------------------------------

def bench(args, save):
    """Both sides, one after the other; ``save(report)`` after each."""
    report = {'benchmark': 'lateness_vs_blazar', 'leases': args.leases,
              'quick': args.quick, 'machine': bench_agent.machine()}
    facts = blazar_facts()
    report['blazar_facts'] = {k: v for k, v in facts.items()
                              if k != 'default_log_levels'}
    report['notes'] = notes(facts)
    if 'ours' in args.sides:
        LOG.info('ours: %d leases, one agent (%d workers)', args.leases,
                 args.workers)
        report['ours'] = run_ours(args)
        save(report)
    if 'blazar' in args.sides:
        try:
            report['blazar'] = run_blazar(args, facts)
        except (blazar_stack.StackError, RuntimeError) as exc:
            LOG.error('Blazar side failed: %s', exc)
            report['blazar_error'] = str(exc)
    if report.get('ours') and report.get('blazar'):
        report['ratios'] = ratios(report)
    report['machine']['load_average_end'] = [
        round(x, 2) for x in os.getloadavg()]
    return report


def notes(facts):
    """What the reader must know to read the figures."""
    return [
        "Blazar's manager passes over its due events every %d s "
        '(EVENT_INTERVAL, %s); a pass that outlasts it is followed at '
        'once by the next.' % (facts['event_interval_s'], facts['source']),
        "Blazar's dates are minutes (LEASE_DATE_FORMAT %r): its S and E "
        'are minute boundaries.' % facts['lease_date_format'],
        "Blazar's lateness is from updated_at (whole seconds): it is "
        'understated by under a second, so the ratios are lower bounds.',
        'E - S differs per side: each long enough for its starts to be '
        'done before its ends (see starts_running_at_E).']


def triple(fig):
    if not fig or fig.get('median_s') is None:
        return '-'
    return '%.2f / %.2f / %.2f' % (fig['median_s'], fig['p90_s'],
                                   fig['max_s'])


def print_table(report):
    print('%d leases per side, all due at S, all ending at E' % (
        report['leases']))
    print('%-7s %-11s %-26s %10s %9s %6s' % (
        'side', 'event', 'late med/p90/max s', 'all done', 'done',
        'errors'))
    for side in SIDES:
        if not report.get(side):
            continue
        for phase, _ in PHASES:
            fig = report[side][phase]
            print('%-7s %-11s %-26s %9ss %9s %6s' % (
                side, phase, triple(fig), fig.get('all_done_after_due_s'),
                '%s/%s' % (fig['done'], fig['events']), fig['errors']))
    if report.get('ours'):
        ours = report['ours']
        print('ours: E - S %d s; CPU s %s; leases %s' % (
            ours['length_s'], ours['cpu_s'], ours['lease_statuses']))
    if report.get('blazar'):
        print_blazar(report['blazar'])
    for phase, entry in (report.get('ratios') or {}).items():
        print('%s: Blazar over ours: median x%s, all done x%s' % (
            phase, entry['median_blazar_over_ours'],
            entry['all_done_blazar_over_ours']))
    if report.get('blazar_error'):
        print('Blazar failed: %s' % report['blazar_error'])


def print_blazar(blazar):
    loop = blazar['manager_loop']
    print('Blazar: E - S %d min; CPU s %s; leases %s' % (
        blazar['length_min'], blazar['cpu_s'], blazar['lease_statuses']))
    print('Blazar: Keystone requests per event: %s'
          % blazar['keystone_requests_per_event'])
    print("Blazar's loop: %d passes, interval %s s; first pass %s s after "
          'S, %s s after E' % (
              loop['passes'], triple(loop['interval_s']),
              loop['first_pass_after_S_s'], loop['first_pass_after_E_s']))
    print('Blazar reservations: %s%s' % (
        blazar['reservations'], ' (host reservations: %s)'
        % blazar['host_fallback_reason']
        if blazar['host_fallback_reason'] else ''))


def parse_args(argv):
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument('--leases', type=int, default=None,
                        help='leases per side (1000; quick 20)')
    parser.add_argument('--length', type=int, default=None,
                        help='E - S for ours, seconds (60 + 0.15 per '
                             'lease)')
    parser.add_argument('--blazar-length', type=int, default=0,
                        help="E - S for Blazar, minutes (default: from "
                             'the probe, so that its starts are done)')
    parser.add_argument('--workers', type=int, default=8,
                        help="our agent's [agent] workers (8)")
    parser.add_argument('--clients', type=int, default=4,
                        help='Keystone users creating Blazar leases in '
                             'parallel (4)')
    parser.add_argument('--peer-reservations', choices=('host', 'none'),
                        default='host',
                        help="what Blazar's leases hold (host, falling "
                             'back to none when unavailable)')
    parser.add_argument('--keystone-hash-rounds', type=int, default=None,
                        help="Keystone's [identity] password_hash_rounds "
                             "(default: Keystone's, bcrypt 12)")
    parser.add_argument('--blazar-lead', type=int, default=0,
                        help='seconds from the start of Blazar lease '
                             'creation to S (default: from the probe)')
    parser.add_argument('--timeout', type=int, default=0,
                        help='seconds after E to give up waiting (ours '
                             "600, Blazar's from the probe)")
    parser.add_argument('--sides', default=','.join(SIDES))
    parser.add_argument('--quick', action='store_true', help='20 leases')
    parser.add_argument('--json', help='write the report here')
    args = parser.parse_args(argv)
    if args.leases is None:
        args.leases = 20 if args.quick else 1000
    if args.length is None:
        args.length = int(60 + 0.15 * args.leases)
    args.sides = args.sides.split(',')
    return args


def main(argv=None):
    args = parse_args(argv)
    logging.basicConfig(level=logging.INFO, format='%(message)s')

    def save(report):
        if args.json:
            pathlib.Path(args.json).write_text(
                json.dumps(report, indent=1) + '\n')

    report = bench(args, save)
    save(report)
    print_table(report)
    return 1 if report.get('blazar_error') else 0


if __name__ == '__main__':
    sys.exit(main())
