"""Lease throughput through the APIs: blazar-nova-api against Blazar 18.0.0.

The same workload, through real HTTP in Blazar's v1 wire format, against
both services, one after the other:

* **ours**: ``blazar-nova-api`` as its own process over a migrated scratch
  store with ``--hosts`` enrolled hosts (``bench_api.Service``), on each
  store of ``--stores``; tokens validated by keystonemiddleware against
  the same real Keystone as Blazar's (``noauth`` only when Blazar's stack
  could not be stood up);
* **Blazar**: Keystone, ``blazar-api`` and ``blazar-manager`` as real
  processes on MariaDB and RabbitMQ (``blazar_stack.Stack``), with its
  host plugin (``physical.host.plugin``) talking to a real ``nova-api``
  (Nova 34) and Placement (``nova_stack``) holding ``--hosts`` compute
  hosts, all in Nova's freepool and enrolled in Blazar's database.

``--clients`` threads (8), each a Keystone user of a project of its own,
each with its own ``requests`` session, run the phases one after another:

* **create**: ``--leases`` leases per client, one after another;
* **show**: each client reads each of its leases once;
* **list**: each client lists its project's leases ``--lists`` times (the
  answer must hold exactly the client's leases);
* **delete**: each client deletes each of its leases.

The leases are the same on both sides: name, dates (an hour each, the
windows of one client following one another a day ahead) and one host
each (``physical:host``, min = max = 1, no properties). On Blazar's side
each creation makes a Nova aggregate (named after the reservation, with
its availability zone and owner metadata) and each deletion removes it;
the reservation aggregates left in Nova are counted after each phase
(``nova_reservation_aggregates_after``) and at the end
(``nova_reservation_aggregates_left``, 0 when all went well).

When Nova and Placement cannot be stood up (the reason goes to
``blazar_host_plugin_error``), or with ``--blazar-plugin dummy``, Blazar
runs ``dummy.vm.plugin`` and its leases carry no reservation: that plugin
fails every lease creation in 18.0.0 (its ``allocation_candidates``
returns None, which the manager iterates), see ``blazar_error_plugin``.

Per operation and side: requests/s (the phase's requests over its wall
time), median, p90 and p99 latency as the clients saw it, errors (any
answer other than the expected status, which is then not counted in the
latencies), the CPU seconds of each server process and the requests
Keystone (and, on Blazar's side, Nova and Placement) served during the
phase, by method and path and per client request. Ratios per store and
operation: ``requests_per_s_ours_over_blazar`` and
``median_blazar_over_ours``, both above 1 when ours is faster.

Usage::

    python -m benchmarks.bench_api_vs_blazar [--leases 25] [--clients 8]
        [--lists 10] [--hosts 200] [--stores sqlite,postgresql]
        [--keystone-hash-rounds N] [--keystone-processes 2]
        [--blazar-plugin host|dummy] [--quick] [--json FILE]

See doc/benchmarks-vs-blazar-api.md.
"""

import argparse
import collections
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

from benchmarks import bench_agent
from benchmarks import bench_api
from benchmarks.harness import blazar_stack
from benchmarks.harness import nova_stack

LOG = logging.getLogger(__name__)

HERE = os.path.dirname(os.path.abspath(__file__))

OPERATIONS = ('create', 'show', 'list', 'delete')
OURS_SERVICE_USER = 'blazarnova'
OURS_SERVICE_PASSWORD = 'blazar-nova-bench-service'


class Side:
    """One service under test: its endpoint (``.../v1``), the clients'
    tokens, the lease body it is sent, the processes it runs, what tells
    the requests its servers (Keystone, Nova, Placement) have served so
    far (``served()``: ``{server: Counter}``) and what counts the Nova
    aggregates of its reservations (``aggregates()``), both optional."""

    def __init__(self, name, url, tokens, body, pids, served=None,
                 aggregates=None):
        self.name = name
        self.url = url
        self.tokens = tokens
        self.body = body
        self.pids = pids
        self.served = served
        self.aggregates = aggregates
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


def add_requests(figures, served, requests_made):
    """``<server>_requests`` (by method and path) and
    ``<server>_requests_per_request`` for each server in ``served``."""
    for server, counts in sorted(served.items()):
        figures['%s_requests' % server] = dict(counts.most_common())
        if requests_made:
            figures['%s_requests_per_request' % server] = round(
                sum(counts.values()) / float(requests_made), 2)


def run_phase(side, operation, args):
    """Every client runs ``operation`` at once; its figures, with the CPU
    each server process used, the requests Keystone, Nova and Placement
    served meanwhile and the reservation aggregates in Nova after it."""
    cpu_before = cpu_by_process(side.pids)
    served_before = side.served() if side.served else {}
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
    if side.served:
        add_requests(figures, {
            server: counts - served_before.get(
                server, collections.Counter())
            for server, counts in side.served().items()}, len(latencies))
    if side.aggregates:
        figures['nova_reservation_aggregates_after'] = side.aggregates()
    figures['load_average_1m'] = [round(load_before, 2),
                                  round(os.getloadavg()[0], 2)]
    LOG.info('  %s %s: %s', side.name, operation, figures)
    return figures


def run_side(side, args):
    return {operation: run_phase(side, operation, args)
            for operation in OPERATIONS}


def lease_bodies(args, blazar_hosts):
    """``(ours, Blazar's)`` body makers: the same lease with one host;
    Blazar's without reservations unless ``blazar_hosts`` (its host
    plugin runs)."""
    base = (datetime.datetime.utcnow() + datetime.timedelta(days=1)).replace(
        minute=0, second=0, microsecond=0)

    def ours(client, index):
        return bench_api.lease_body(client, index, args, base)

    def blazars(client, index):
        return dict(ours(client, index), reservations=[])

    return ours, ours if blazar_hosts else blazars


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
        served = None
        if stack is not None:
            pids['keystone'] = stack.keystone.pids()
            served = (lambda: {
                'keystone': stack.keystone.requests_served()})
        side = Side('ours-' + store, service.url, tokens, body, pids,
                    served)
        figures = run_side(side, args)
    finally:
        service.stop()
    return {'store': store, 'auth': 'keystone' if extra else 'noauth',
            'hosts': args.hosts,
            'lease': 'one host (physical:host, min=max=1)',
            'figures': figures}


def run_blazar(stack, users, body, args):
    """Blazar's side; with its host plugin, the reservation aggregates
    Nova holds after each phase and at the end (none should be left)."""
    aggregates = None
    if stack.nova is not None:
        aggregates = (lambda: len(stack.reservation_aggregates()))
    side = Side('blazar', stack.url, [u['token'] for u in users], body,
                stack.pids(), stack.requests_served, aggregates)
    result = {'versions': stack.versions(),
              'figures': run_side(side, args)}
    if stack.nova is None:
        result['lease'] = 'no reservation (see blazar_error_plugin)'
        return result
    result['lease'] = ('one host (physical:host, min=max=1), host plugin '
                       'with nova-api and Placement')
    result['hosts'] = len(stack.hosts)
    result['nova_reservation_aggregates_left'] = aggregates()
    result['freepool_hosts_at_end'] = len(
        stack.nova.aggregate(nova_stack.FREEPOOL)['hosts'])
    return result


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


def start_stack(args, plugins):
    """The Blazar stack with ``plugins`` (and, for the host plugin, Nova
    with ``args.hosts`` hosts), its users (one per client) and our service
    user; ``(stack, users, None)`` or ``(None, None, reason)``."""
    stack = blazar_stack.Stack(keystone_processes=args.keystone_processes,
                               hash_rounds=args.keystone_hash_rounds,
                               plugins=plugins, hosts=args.hosts)
    try:
        stack.start()
        stack.keystone.add_user(OURS_SERVICE_USER, OURS_SERVICE_PASSWORD,
                                'service', 'admin')
        users = stack.users(args.clients)
    except blazar_stack.StackError as exc:
        stack.stop()
        LOG.error('Blazar (%s) could not be stood up: %s', plugins, exc)
        return None, None, str(exc)
    return stack, users, None


def start_stacks(args, report):
    """Blazar with its host plugin and Nova, else (the reason in
    ``report['blazar_host_plugin_error']``) with the dummy plugin;
    ``(stack, users, error)`` as ``start_stack``."""
    if args.blazar_plugin == 'host':
        stack, users, error = start_stack(args, blazar_stack.HOST_PLUGIN)
        if stack is not None:
            return stack, users, None
        report['blazar_host_plugin_error'] = error
    return start_stack(args, blazar_stack.PLUGIN)


def bench(args):
    """The whole comparison; the report (a dict)."""
    report = {'benchmark': 'api_vs_blazar',
              'workload': {'clients': args.clients,
                           'leases_per_client': args.leases,
                           'lists_per_client': args.lists,
                           'operations': list(OPERATIONS)},
              'machine': bench_agent.machine()}
    stack, users, error = start_stacks(args, report)
    ours_body, blazar_body = lease_bodies(
        args, stack is not None and stack.nova is not None)
    try:
        with tempfile.TemporaryDirectory(prefix='bench-api-vs-') as tmp:
            report['ours'] = {
                store: run_ours(args, store, stack, users,
                                pathlib.Path(tmp), ours_body)
                for store in args.stores}
        if stack is not None:
            report['blazar'] = run_blazar(stack, users, blazar_body, args)
            if stack.nova is None:
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
    if report.get('blazar'):
        print('Blazar leases: %s' % report['blazar']['lease'])
        if 'nova_reservation_aggregates_left' in report['blazar']:
            print('reservation aggregates left in Nova: %d' %
                  report['blazar']['nova_reservation_aggregates_left'])
    if report.get('blazar_host_plugin_error'):
        print("Blazar's host plugin could not be stood up: %s"
              % report['blazar_host_plugin_error'])
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
                        help='hosts enrolled in our store and in Blazar '
                             '(and Nova) (200; quick 20)')
    parser.add_argument('--stores', default=None,
                        help='our stores, comma-separated (sqlite,'
                             'postgresql; quick sqlite)')
    parser.add_argument('--keystone-hash-rounds', type=int, default=None,
                        help="Keystone's [identity] password_hash_rounds "
                             "(default: Keystone's, bcrypt 12)")
    parser.add_argument('--keystone-processes', type=int, default=2)
    parser.add_argument('--blazar-plugin', choices=('host', 'dummy'),
                        default='host',
                        help="Blazar's resource plugin: host (physical:"
                             "host with nova-api and Placement, the "
                             "default; dummy when they cannot be stood "
                             "up) or dummy (leases without reservations)")
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
