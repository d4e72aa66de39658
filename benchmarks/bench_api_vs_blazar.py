"""Lease throughput through the APIs: blazar-nova-api against Blazar 18.0.0.

The same workload, through real HTTP in Blazar's v1 wire format, against
both services, one after the other:

* **ours**: ``blazar-nova-api`` as its own process over a migrated scratch
  store with ``--hosts`` enrolled hosts (``bench_api.Service``), on each
  store of ``--stores``; tokens validated by keystonemiddleware against
  the same real Keystone as Blazar's (``noauth`` only when Blazar's stack
  could not be stood up);
* **Blazar**: Keystone, ``blazar-api`` and ``blazar-manager`` as real
  processes on MariaDB and RabbitMQ (``blazar_stack.Stack``).

``--clients`` threads (8), each a Keystone user of a project of its own,
each with its own ``requests`` session, run the phases one after another:

* **create**: ``--leases`` leases per client, one after another;
* **show**: each client reads each of its leases once;
* **list**: each client lists its project's leases ``--lists`` times (the
  answer must hold exactly the client's leases);
* **delete**: each client deletes each of its leases.

The leases are the same on both sides (name, dates: an hour each, the
windows of one client following one another a day ahead) except for their
reservations: ours take one host (``physical:host``, min = max = 1);
Blazar's have none, because its only Nova-free resource plugin,
``dummy.vm.plugin``, fails every lease creation in 18.0.0 (its
``allocation_candidates`` returns None, which the manager iterates) and
the host and instance plugins need Nova at reservation time.

Per operation and side: requests/s (the phase's requests over its wall
time), median, p90 and p99 latency as the clients saw it, errors (any
answer other than the expected status, which is then not counted in the
latencies), the CPU seconds of each server process and the Keystone
requests during the phase. Ratios per store and operation:
``requests_per_s_ours_over_blazar`` and ``median_blazar_over_ours``, both
above 1 when ours is faster.

Usage::

    python benchmarks/bench_api_vs_blazar.py [--leases 25] [--clients 8]
        [--lists 10] [--hosts 200] [--stores sqlite,postgresql]
        [--keystone-hash-rounds N] [--keystone-processes 2] [--quick]
        [--json FILE]

See doc/benchmarks-vs-blazar-api.md.
"""

import argparse
import concurrent.futures
import datetime
import json
import logging
import os
import pathlib
import sys
import tempfile
import time
import types
import uuid

import requests

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
sys.path.insert(0, ROOT)

from benchmarks import bench_agent  # noqa: E402
from benchmarks import bench_api  # noqa: E402
from benchmarks import blazar_stack  # noqa: E402

LOG = logging.getLogger(__name__)

OPERATIONS = ('create', 'show', 'list', 'delete')
OURS_SERVICE_USER = 'blazarnova'
OURS_SERVICE_PASSWORD = 'blazar-nova-bench-service'


class Side:
    """One service under test: its endpoint (``.../v1``), the clients'
    tokens, the lease body it is sent and the processes it runs."""

    def __init__(self, name, url, tokens, body, pids, keystone=None):
        self.name = name
        self.url = url
        self.tokens = tokens
        self.body = body
        self.pids = pids
        self.keystone = keystone
        self.ids = {client: [] for client in range(len(tokens))}


def call(session, side, client, method, path, body=None, expect=200):
    """One timed request; ``(seconds, response)``, or a RuntimeError for
    any answer but ``expect`` or a failed connection."""
    try:
        return bench_api.timed(session, method, side.url + path,
                               side.tokens[client], body, expect=expect)
    except requests.RequestException as exc:
        raise RuntimeError('%s %s: %s' % (method, path, exc))


def create(side, client, args):
    took, errors = [], []
    session = requests.Session()
    for index in range(args.leases):
        try:
            elapsed, resp = call(session, side, client, 'POST', '/leases',
                                 side.body(client, index), expect=201)
        except RuntimeError as exc:
            errors.append(str(exc))
            continue
        took.append(elapsed)
        side.ids[client].append(resp.json()['lease']['id'])
    return took, errors


def show(side, client, args):
    took, errors = [], []
    session = requests.Session()
    for lease_id in side.ids[client]:
        try:
            elapsed, resp = call(session, side, client, 'GET',
                                 '/leases/' + lease_id)
        except RuntimeError as exc:
            errors.append(str(exc))
            continue
        if resp.json()['lease']['id'] != lease_id:
            errors.append('GET /leases/%s: another lease' % lease_id)
            continue
        took.append(elapsed)
    return took, errors


def list_own(side, client, args):
    """The list must hold exactly the client's leases."""
    took, errors = [], []
    session = requests.Session()
    mine = set(side.ids[client])
    for _ in range(args.lists):
        try:
            elapsed, resp = call(session, side, client, 'GET', '/leases')
        except RuntimeError as exc:
            errors.append(str(exc))
            continue
        listed = {lease['id'] for lease in resp.json()['leases']}
        if listed != mine:
            errors.append('GET /leases: %d leases, %d expected'
                          % (len(listed), len(mine)))
            continue
        took.append(elapsed)
    return took, errors


def delete(side, client, args):
    took, errors = [], []
    session = requests.Session()
    for lease_id in list(side.ids[client]):
        try:
            elapsed, _ = call(session, side, client, 'DELETE',
                              '/leases/' + lease_id, expect=204)
        except RuntimeError as exc:
            errors.append(str(exc))
            continue
        took.append(elapsed)
        side.ids[client].remove(lease_id)
    return took, errors


WORK = {'create': create, 'show': show, 'list': list_own, 'delete': delete}


def cpu_by_process(pids):
    return {name: bench_agent.cpu_seconds(group)
            for name, group in pids.items()}


def run_phase(side, operation, args):
    """Every client runs ``operation`` at once; its figures, with the CPU
    each server process used and the Keystone requests meanwhile."""
    cpu_before = cpu_by_process(side.pids)
    keystone_before = side.keystone.requests_served() \
        if side.keystone else None
    load_before = os.getloadavg()[0]
    started = time.perf_counter()
    with concurrent.futures.ThreadPoolExecutor(len(side.tokens)) as pool:
        results = list(pool.map(
            lambda client: WORK[operation](side, client, args),
            range(len(side.tokens))))
    seconds = time.perf_counter() - started
    latencies = [t for took, _ in results for t in took]
    errors = [e for _, errs in results for e in errs]
    figures = bench_api.summary(latencies, seconds) if latencies else {
        'requests': 0, 'seconds': round(seconds, 2)}
    figures['errors'] = len(errors)
    if errors:
        figures['first_error'] = errors[0][:500]
    figures['cpu_s'] = {name: round(used - cpu_before[name], 2)
                        for name, used in cpu_by_process(side.pids).items()}
    if side.keystone:
        served = side.keystone.requests_served() - keystone_before
        figures['keystone_requests'] = dict(served.most_common())
        if latencies:
            figures['keystone_requests_per_request'] = round(
                sum(served.values()) / float(len(latencies)), 2)
    figures['load_average_1m'] = [round(load_before, 2),
                                  round(os.getloadavg()[0], 2)]
    LOG.info('  %s %s: %s', side.name, operation, figures)
    return figures


def run_side(side, args):
    return {operation: run_phase(side, operation, args)
            for operation in OPERATIONS}


def lease_bodies(args):
    """``(ours, Blazar's)`` body makers: the same lease, ours with one
    host, Blazar's without reservations."""
    base = (datetime.datetime.utcnow() + datetime.timedelta(days=1)).replace(
        minute=0, second=0, microsecond=0)

    def ours(client, index):
        return bench_api.lease_body(client, index, args, base)

    def blazars(client, index):
        return dict(ours(client, index), reservations=[])

    return ours, blazars


def run_ours(args, store, stack, users, workdir, body):
    """blazar-nova-api on ``store``: keystonemiddleware against the
    stack's Keystone when there is one, noauth otherwise."""
    service_args = types.SimpleNamespace(store=store, hosts=args.hosts,
                                         clients=args.clients)
    if stack is not None:
        extra = '[api]\nauth_strategy = keystone\n' + \
            stack.keystone.authtoken_section(OURS_SERVICE_USER,
                                             OURS_SERVICE_PASSWORD)
        tokens = [user['token'] for user in users]
    else:
        extra = None
        tokens = ['user%d:bench-project-%s-%d' % (
            c, uuid.uuid4().hex[:6], c) for c in range(args.clients)]
    directory = workdir / store
    directory.mkdir()
    LOG.info('ours on %s (%s)', store, 'keystone' if extra else 'noauth')
    service = bench_api.Service(service_args, directory, extra_config=extra)
    try:
        pids = {'blazar-nova-api': [service.process.pid]}
        if stack is not None:
            pids['keystone'] = stack.keystone.pids()
        side = Side('ours-' + store, service.url, tokens, body, pids,
                    stack.keystone if stack is not None else None)
        figures = run_side(side, args)
    finally:
        service.stop()
    return {'store': store, 'auth': 'keystone' if extra else 'noauth',
            'hosts': args.hosts,
            'lease': 'one host (physical:host, min=max=1)',
            'figures': figures}


def run_blazar(stack, users, body, args):
    side = Side('blazar', stack.url, [u['token'] for u in users], body,
                stack.pids(), stack.keystone)
    return {'versions': stack.versions(),
            'lease': 'no reservation (see blazar_error_plugin)',
            'figures': run_side(side, args)}


def ratios(ours, blazar):
    """Per operation: ours' requests/s over Blazar's, and Blazar's median
    over ours (both above 1 when ours is faster)."""
    result = {}
    for operation in OPERATIONS:
        mine, theirs = ours[operation], blazar[operation]
        if not mine.get('requests') or not theirs.get('requests'):
            result[operation] = None
            continue
        result[operation] = {
            'requests_per_s_ours_over_blazar': round(
                mine['requests_per_s'] / theirs['requests_per_s'], 2),
            'median_blazar_over_ours': round(
                theirs['median_ms'] / mine['median_ms'], 2)}
    return result


def start_stack(args):
    """The Blazar stack, its users (one per client) and our service user;
    ``(stack, users, None)`` or ``(None, None, reason)``."""
    stack = blazar_stack.Stack(keystone_processes=args.keystone_processes,
                               hash_rounds=args.keystone_hash_rounds)
    try:
        stack.start()
        stack.keystone.add_user(OURS_SERVICE_USER, OURS_SERVICE_PASSWORD,
                                'service', 'admin')
        users = stack.users(args.clients)
    except blazar_stack.StackError as exc:
        stack.stop()
        LOG.error('Blazar could not be stood up: %s', exc)
        return None, None, str(exc)
    return stack, users, None


def bench(args):
    """The whole comparison; the report (a dict)."""
    report = {'benchmark': 'api_vs_blazar',
              'workload': {'clients': args.clients,
                           'leases_per_client': args.leases,
                           'lists_per_client': args.lists,
                           'operations': list(OPERATIONS)},
              'machine': bench_agent.machine()}
    ours_body, blazar_body = lease_bodies(args)
    stack, users, error = start_stack(args)
    try:
        with tempfile.TemporaryDirectory(prefix='bench-api-vs-') as tmp:
            report['ours'] = {
                store: run_ours(args, store, stack, users,
                                pathlib.Path(tmp), ours_body)
                for store in args.stores}
        if stack is not None:
            report['blazar'] = run_blazar(stack, users, blazar_body, args)
            report['blazar_error_plugin'] = DUMMY_PLUGIN_FAILURE
    finally:
        if stack is not None:
            stack.stop()
    if error:
        report['blazar_error'] = error
        report['ratio'] = None
    else:
        report['ratio'] = {
            store: ratios(entry['figures'], report['blazar']['figures'])
            for store, entry in report['ours'].items()}
    report['machine']['load_average_end'] = [
        round(x, 2) for x in os.getloadavg()]
    return report


DUMMY_PLUGIN_FAILURE = (
    "Blazar 18.0.0's dummy.vm.plugin (virtual:instance, the only resource "
    "plugin that needs no Nova) fails every lease creation: its "
    "allocation_candidates() returns None and ManagerService."
    "_allocation_candidates iterates it (TypeError: 'NoneType' object is "
    "not iterable, HTTP 500). physical:host and the instance plugins "
    "create Nova aggregates or flavors when the lease is created, and "
    "there is no Nova here. Blazar's leases therefore carry no "
    "reservation: the API, keystonemiddleware, the trust, the RPC to the "
    "manager and its lease and event rows, without any plugin work.")


def print_table(report):
    print('%-8s %-22s %9s %9s %9s %7s' % (
        'op', 'side', 'req/s', 'median', 'p99', 'errors'))
    rows = [('ours (%s)' % store, entry['figures'])
            for store, entry in report['ours'].items()]
    if report.get('blazar'):
        rows.append(('Blazar 18.0.0', report['blazar']['figures']))
    for operation in OPERATIONS:
        for name, figures in rows:
            fig = figures[operation]
            print('%-8s %-22s %9s %7s ms %6s ms %7d' % (
                operation, name, fig.get('requests_per_s', '-'),
                fig.get('median_ms', '-'), fig.get('p99_ms', '-'),
                fig['errors']))
    if report.get('ratio'):
        for store, by_operation in report['ratio'].items():
            print('ratios, ours on %s: %s' % (store, ', '.join(
                '%s x%s req/s, x%s median' % (
                    op, r['requests_per_s_ours_over_blazar'],
                    r['median_blazar_over_ours'])
                for op, r in by_operation.items() if r)))
    if report.get('blazar_error'):
        print('Blazar could not be stood up: %s' % report['blazar_error'])


def default_json(quick):
    return os.path.join(HERE, 'results', 'api-vs-blazar-%s%s.json' % (
        datetime.date.today().isoformat(), '-quick' if quick else ''))


def parse_args(argv):
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument('--leases', type=int, default=None,
                        help='leases each client creates (25; quick 3)')
    parser.add_argument('--clients', type=int, default=8)
    parser.add_argument('--lists', type=int, default=None,
                        help='lists each client makes (10; quick 3)')
    parser.add_argument('--hosts', type=int, default=None,
                        help='hosts enrolled in our store (200; quick 20)')
    parser.add_argument('--stores', default=None,
                        help='our stores, comma-separated (sqlite,'
                             'postgresql; quick sqlite)')
    parser.add_argument('--keystone-hash-rounds', type=int, default=None,
                        help="Keystone's [identity] password_hash_rounds "
                             "(default: Keystone's, bcrypt 12)")
    parser.add_argument('--keystone-processes', type=int, default=2)
    parser.add_argument('--quick', action='store_true',
                        help='a small run: 3 leases per client, 3 lists, '
                             'SQLite only')
    parser.add_argument('--json', help='write the report here (default '
                        'benchmarks/results/api-vs-blazar-DATE.json)')
    args = parser.parse_args(argv)
    defaults = {'leases': (25, 3), 'lists': (10, 3), 'hosts': (200, 20),
                'stores': ('sqlite,postgresql', 'sqlite')}
    for name, (full, quick) in defaults.items():
        if getattr(args, name) is None:
            setattr(args, name, quick if args.quick else full)
    args.stores = args.stores.split(',')
    return args


def main(argv=None):
    args = parse_args(argv)
    logging.basicConfig(level=logging.INFO, format='%(message)s')
    report = bench(args)
    path = args.json or default_json(args.quick)
    pathlib.Path(path).write_text(json.dumps(report, indent=2) + '\n')
    print_table(report)
    print('figures in %s' % path)
    return 0


if __name__ == '__main__':
    sys.exit(main())
