"""Filter benchmark: our BlazarFilter against blazar-nova 10.0.0's.

For 100, 1,000 and 10,000 host states it builds the same reservations for
both filters, checks that they let the same hosts through, and reports the
median and p90 wall time of ``list(filter.filter_all(host_states, spec))``
for:

* **reservation hint**: the owner's request with ``reservation=<id>``
  (ours: one Placement call on every request);
* **no hint**: an ordinary request; ours both with the reservable-host
  list cached (``reservable_hosts_refresh`` default, the steady state) and
  with ``reservable_hosts_refresh = 0`` (a Placement read on every
  request);
* **preemptible**: ``blazar:preemptible=true`` with ``allow_preemptibles``
  on both sides (the two filters do not pass the same hosts here, see
  doc/benchmarks-filter.md).

Ours reads the real Placement service (``placement_ext.testing.
placement_service.Standalone``: placement's WSGI app on SQLite in a child
process, over loopback HTTP) through Nova's own
``SchedulerReportClient``. blazar-nova runs in its own virtualenv
(``peer/bench_filter_peer.py``), reading Nova host aggregates laid out as
Blazar leaves them.

Usage (``benchmarks/harness/run_filter_bench.sh`` makes the peer venv
first)::

    python -m benchmarks.bench_filter --peer-python .venv-peer/bin/python
        [--sizes 100,1000,10000] [--runs 21] [--large-runs 21]
        [--json FILE] [--profile]
"""

import argparse
import datetime
import json
import os
import pathlib
import random
import sqlite3
import subprocess
import sys
import tempfile
import time
import uuid

from benchmarks.peer import bench_filter_peer as common

RESERVED_FOR_REQUESTER = 10
OTHER_RESERVATIONS = 3
HOSTS_PER_OTHER = 5


def generate(n_hosts, rng):
    """One size of the data set, as the peer script reads it."""
    def new_uuid():
        return str(uuid.UUID(int=rng.getrandbits(128), version=4))

    def new_project():
        return uuid.UUID(int=rng.getrandbits(128), version=4).hex

    host_uuids = [new_uuid() for _ in range(n_hosts)]
    enrolled = list(range(0, n_hosts, 2))
    picked = rng.sample(enrolled, RESERVED_FOR_REQUESTER
                        + OTHER_RESERVATIONS * HOSTS_PER_OTHER)
    project = new_project()
    target = new_uuid()
    reservations = [{'id': target, 'project': project,
                     'hosts': sorted(picked[:RESERVED_FOR_REQUESTER])}]
    rest = picked[RESERVED_FOR_REQUESTER:]
    for n in range(OTHER_RESERVATIONS):
        reservations.append({
            'id': new_uuid(), 'project': new_project(),
            'hosts': sorted(rest[n * HOSTS_PER_OTHER:
                                 (n + 1) * HOSTS_PER_OTHER])})
    return {'hosts': n_hosts, 'host_uuids': host_uuids,
            'enrolled': enrolled, 'project': project, 'target': target,
            'reservations': reservations}


def expected(size):
    """Host uuids each scenario should pass, by the encoding's rules."""
    uuids = size['host_uuids']
    enrolled = set(size['enrolled'])
    reserved = {i for res in size['reservations'] for i in res['hosts']}
    target = size['reservations'][0]['hosts']
    return {
        'reservation hint': {uuids[i] for i in target},
        'no hint': {u for i, u in enumerate(uuids) if i not in enrolled},
        'preemptible ours': {u for i, u in enumerate(uuids)
                             if i not in reserved},
        'preemptible blazar-nova': {u for i, u in enumerate(uuids)
                                    if i in enrolled and i not in reserved},
    }


# -- Placement ---------------------------------------------------------------

# What Nova's compute service reports for each node: inventory (standard
# resource class ids are fixed in Placement) and some standard traits.
NODE_INVENTORY = [  # class id, total, reserved, max_unit, allocation ratio
    (0, 64, 0, 64, 4.0),        # VCPU
    (1, 262144, 512, 262144, 1.0),  # MEMORY_MB
    (2, 2000, 0, 2000, 1.0),    # DISK_GB
]
NODE_TRAITS = ['COMPUTE_NET_ATTACH_INTERFACE', 'COMPUTE_VOLUME_EXTEND',
               'COMPUTE_IMAGE_TYPE_QCOW2', 'HW_CPU_X86_AVX2']


def bulk_insert_compute_nodes(db_path, size, reservable_trait):
    """Compute node providers, with their inventory, standard traits and,
    when enrolled, the RESERVABLE trait, written straight into placement's
    SQLite database (the HTTP API takes ~22 s per 1,000 providers). Each
    provider is its own root; its generation counts the writes Nova and
    the enrolment would have made (inventory, traits, RESERVABLE)."""
    now = datetime.datetime.utcnow().isoformat(' ')
    enrolled = set(size['enrolled'])
    db = sqlite3.connect(str(db_path), timeout=30)
    try:
        trait_ids = {name: rid for rid, name in db.execute(
            'SELECT id, name FROM traits WHERE name IN (%s)' % ','.join(
                '?' * (len(NODE_TRAITS) + 1)),
            NODE_TRAITS + [reservable_trait])}
        first = db.execute('SELECT COALESCE(MAX(id), 0) + 1 '
                           'FROM resource_providers').fetchone()[0]
        providers, inventories, traits = [], [], []
        for index, rp_uuid in enumerate(size['host_uuids']):
            rp_id = first + index
            carried = NODE_TRAITS + ([reservable_trait] if index in enrolled
                                     else [])
            providers.append((now, rp_id, rp_uuid, common.hostname(index),
                              3 if index in enrolled else 2, rp_id))
            for rc_id, total, reserved, max_unit, ratio in NODE_INVENTORY:
                inventories.append((now, rp_id, rc_id, total, reserved,
                                    max_unit, ratio))
            traits.extend((now, trait_ids[name], rp_id) for name in carried)
        db.executemany(
            'INSERT INTO resource_providers (created_at, id, uuid, name, '
            'generation, root_provider_id, parent_provider_id) '
            'VALUES (?, ?, ?, ?, ?, ?, NULL)', providers)
        db.executemany(
            'INSERT INTO inventories (created_at, resource_provider_id, '
            'resource_class_id, total, reserved, min_unit, max_unit, '
            'step_size, allocation_ratio) VALUES (?, ?, ?, ?, ?, 1, ?, 1, ?)',
            inventories)
        db.executemany(
            'INSERT INTO resource_provider_traits (created_at, trait_id, '
            'resource_provider_id) VALUES (?, ?, ?)', traits)
        db.commit()
    finally:
        db.close()


def load_placement(service, size):
    """Fill a fresh Placement: compute nodes in bulk, then every
    reservation through the real encoding (the type's ``activate``)."""
    from placement_ext.placement import encoding
    from placement_ext import reservations
    from placement_ext.reservations import physical_host
    from blazar_nova import names
    from placement_ext.placement import providers

    client = service.client()
    providers.ensure_trait(client, names.RESERVABLE_TRAIT)
    bulk_insert_compute_nodes(service.dir / 'placement.sqlite', size,
                              names.RESERVABLE_TRAIT)
    uuids = size['host_uuids']
    for res in size['reservations']:
        reservations.activate(client, encoding.Plan(
            reservation_id=res['id'], project_id=res['project'],
            resource_type=physical_host.NAME,
            hosts=tuple(encoding.HostShare(uuids[i], common.hostname(i))
                        for i in res['hosts'])))
    counts = {trait: len(providers.list_providers(client, required={trait}))
              for trait in (names.RESERVABLE_TRAIT, names.RESERVED_TRAIT)}
    counts['providers'] = len(providers.list_providers(client))
    sample = size['host_uuids'][size['enrolled'][-1]]
    inventories, generation = providers.get_inventories(client, sample)
    sample_traits, _ = providers.get_traits(client, sample)
    if (sorted(inventories) != ['DISK_GB', 'MEMORY_MB', 'VCPU']
            or not set(NODE_TRAITS) < sample_traits or generation < 3):
        raise SystemExit('bulk-inserted provider %s reads back as %s, %s, '
                         'generation %s' % (sample, inventories,
                                            sample_traits, generation))
    want = {names.RESERVABLE_TRAIT: len(size['enrolled']),
            names.RESERVED_TRAIT: sum(len(r['hosts'])
                                      for r in size['reservations']),
            'providers': size['hosts']}
    if counts != want:
        raise SystemExit('Placement holds %s, expected %s' % (counts, want))
    return counts


def nova_report_client(endpoint):
    """Nova's real SchedulerReportClient on a keystoneauth Adapter to the
    standalone service (noauth2: the admin token header)."""
    from keystoneauth1 import adapter as ks_adapter
    from keystoneauth1 import session as ks_session
    from nova.scheduler.client import report

    session = ks_session.Session(auth=None,
                                 additional_headers={'X-Auth-Token': 'admin'})
    return report.SchedulerReportClient(adapter=ks_adapter.Adapter(
        session, service_type='placement', endpoint_override=endpoint))


class CallCounter:
    """Wraps the report client to count the filter's Placement calls
    (used only while checking answers, never while timing)."""

    def __init__(self, client):
        self.client = client
        self.calls = 0

    def get(self, *args, **kwargs):
        self.calls += 1
        return self.client.get(*args, **kwargs)


# -- Ours --------------------------------------------------------------------

OURS = [
    # (row label, peer scenario, reservable_hosts_refresh or None for the
    #  default, allow_preemptibles)
    ('reservation hint', 'reservation hint', None, False),
    ('no hint, cached list', 'no hint', None, False),
    ('no hint, refresh=0', 'no hint', 0, False),
    ('preemptible', 'preemptible', None, True),
]


def make_filter(refresh):
    import nova.conf
    from blazar_nova.scheduler.filters import blazar_filter
    conf = nova.conf.CONF
    if refresh is None:
        conf.clear_override('reservable_hosts_refresh', group='blazar_filter')
    else:
        conf.set_override('reservable_hosts_refresh', refresh,
                          group='blazar_filter')
    try:
        return blazar_filter.BlazarFilter()
    finally:
        conf.clear_override('reservable_hosts_refresh', group='blazar_filter')


def run_ours(size, args, workdir, profile):
    import nova.conf
    from nova.scheduler.client import report
    # Importing the filter registers nova.conf's [blazar_filter] options.
    from blazar_nova.scheduler.filters import blazar_filter  # noqa: F401
    from placement_ext.testing import placement_service

    conf = nova.conf.CONF
    began = time.perf_counter()
    service = placement_service.Standalone(workdir)
    try:
        counts = load_placement(service, size)
        build = time.perf_counter() - began
        states = common.host_states(size, common.blazar_aggregates(size))
        client = nova_report_client(service.endpoint)
        results = {}
        for label, scenario, refresh, allow in OURS:
            conf.set_override('allow_preemptibles', allow,
                              group='blazar_filter')
            spec = common.request_spec(size, scenario)
            filt = make_filter(refresh)
            counter = CallCounter(client)
            report.PLACEMENTCLIENT = counter
            passing = [h.uuid for h in filt.filter_all(states, spec)]
            again = len(list(filt.filter_all(states, spec)))
            report.PLACEMENTCLIENT = client
            if again != len(passing):
                raise SystemExit('%s: answers changed between requests'
                                 % label)
            samples = common.timed(
                lambda: list(filt.filter_all(states, spec)),
                common.runs_for(size, args), args.warmup)
            results[label] = dict(
                common.summary(samples), passing=passing,
                placement_calls_first_two=counter.calls)
            print('ours        %6d hosts  %-21s %9.3f ms  (%d pass, %d '
                  'Placement calls for 2 requests)' % (
                      size['hosts'], label, results[label]['median_ms'],
                      len(passing), counter.calls), file=sys.stderr)
            if profile and size['hosts'] == max(args.sizes):
                profile_call(label, lambda: list(filt.filter_all(states,
                                                                 spec)))
        conf.clear_override('allow_preemptibles', group='blazar_filter')
        results['_placement'] = {'build_seconds': round(build, 1),
                                 'counts': counts,
                                 'response_bytes': response_sizes(
                                     client, size)}
        return results
    finally:
        report.PLACEMENTCLIENT = None
        service.stop()


def response_sizes(client, size):
    """Bytes of the answers the filter reads, per question."""
    from placement_ext.placement import client as pclient
    from blazar_nova import names
    trait = names.access_trait(size['target'], size['project'])
    sizes = {}
    for label, required in (('access trait', trait),
                            ('reservable', names.RESERVABLE_TRAIT),
                            ('reserved', names.RESERVED_TRAIT)):
        resp = client.get('/resource_providers?required=%s' % required,
                          version=pclient.MICROVERSION)
        sizes[label] = len(resp.content)
    return sizes


def profile_call(label, call, repeat=5):
    import cProfile
    import io
    import pstats
    prof = cProfile.Profile()
    prof.enable()
    for _ in range(repeat):
        call()
    prof.disable()
    out = io.StringIO()
    pstats.Stats(prof, stream=out).sort_stats('cumulative').print_stats(25)
    print('--- profile of ours, %s (%d calls) ---\n%s'
          % (label, repeat, out.getvalue()), file=sys.stderr)


# -- Orchestration -----------------------------------------------------------

def run_peer(args, dataset_path, workdir):
    out = workdir / 'peer.json'
    command = [args.peer_python, os.path.join(os.path.dirname(
        os.path.abspath(__file__)), 'peer', 'bench_filter_peer.py'),
        str(dataset_path), str(out), '--runs', str(args.runs),
        '--large-runs', str(args.large_runs), '--warmup', str(args.warmup)]
    env = dict(os.environ, PYTHONWARNINGS='ignore')  # eventlet's notice
    subprocess.run(command, check=True, env=env)
    with open(out) as data:
        return json.load(data)


def check(size, ours, peer):
    """Both filters pass the hosts the rules say, and the same ones where
    the two sets of rules agree."""
    want = expected(size)
    problems = []
    for label, scenario, _refresh, _allow in OURS:
        key = 'preemptible ours' if scenario == 'preemptible' else scenario
        if set(ours[label]['passing']) != want[key]:
            problems.append('ours, %s: %d hosts pass, expected %d' % (
                label, len(ours[label]['passing']), len(want[key])))
    for scenario in common.SCENARIOS:
        key = ('preemptible blazar-nova' if scenario == 'preemptible'
               else scenario)
        if set(peer[scenario]['passing']) != want[key]:
            problems.append('blazar-nova, %s: %d hosts pass, expected %d' % (
                scenario, len(peer[scenario]['passing']), len(want[key])))
    if problems:
        raise SystemExit('%d hosts: %s' % (size['hosts'],
                                           '; '.join(problems)))


def table(report):
    lines = ['%6s  %-21s %10s %10s %8s %8s' % (
        'hosts', 'scenario', 'ours ms', 'blazar ms', 'ratio', 'pass')]
    for hosts, rows in report['results'].items():
        for label, row in rows.items():
            lines.append('%6s  %-21s %10.2f %10.2f %8.2f %8s' % (
                hosts, label, row['ours']['median_ms'],
                row['blazar_nova']['median_ms'], row['ratio'],
                '%d/%d' % (row['ours']['passing'],
                           row['blazar_nova']['passing'])))
    return '\n'.join(lines)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument('--peer-python', required=True,
                        help='python of a venv with nova and blazar-nova')
    parser.add_argument('--sizes', default='100,1000,10000')
    parser.add_argument('--runs', type=int, default=21)
    parser.add_argument('--large-runs', type=int, default=21,
                        help='runs at 10,000 hosts and more')
    parser.add_argument('--warmup', type=int, default=3)
    parser.add_argument('--seed', type=int, default=20261121)
    parser.add_argument('--json', help='write the figures to this file')
    parser.add_argument('--profile', action='store_true',
                        help='cProfile ours at the largest size')
    args = parser.parse_args(argv)
    args.sizes = [int(s) for s in args.sizes.split(',')]
    common.quiet_logging()

    from importlib import metadata
    from nova import objects
    objects.register_all()

    started = time.perf_counter()
    rng = random.Random(args.seed)
    dataset = {'seed': args.seed,
               'sizes': [generate(n, rng) for n in args.sizes]}
    report = {'date': datetime.date.today().isoformat(),
              'cpus': os.cpu_count(), 'python': sys.version.split()[0],
              'runs': args.runs, 'large_runs': args.large_runs,
              'warmup': args.warmup, 'seed': args.seed,
              'versions': {name: metadata.version(name) for name in
                           ('nova', 'openstack-placement', 'keystoneauth1',
                            'blazar-nova-placement')},
              'results': {}, 'placement': {}}
    report['load_average_before'] = [round(x, 2) for x in os.getloadavg()]
    with tempfile.TemporaryDirectory() as tmp:
        tmp = pathlib.Path(tmp)
        for size in dataset['sizes']:
            # One size at a time, blazar-nova then ours, so that both see
            # the same background load.
            workdir = tmp / str(size['hosts'])
            workdir.mkdir()
            dataset_path = workdir / 'dataset.json'
            dataset_path.write_text(json.dumps({'seed': args.seed,
                                                'sizes': [size]}))
            peer = run_peer(args, dataset_path, workdir)
            report['peer_versions'] = dict(peer['versions'],
                                           python=peer['python'])
            ours = run_ours(size, args, workdir, args.profile)
            theirs = peer['sizes'][str(size['hosts'])]
            check(size, ours, theirs)
            report['placement'][str(size['hosts'])] = ours.pop('_placement')
            rows = {}
            for label, scenario, _refresh, _allow in OURS:
                mine, other = ours[label], theirs[scenario]
                rows[label] = {
                    'ours': dict(mine, passing=len(mine['passing'])),
                    'blazar_nova': dict(other,
                                        passing=len(other['passing'])),
                    'ratio': round(other['median_ms'] / mine['median_ms'],
                                   2)}
            report['results'][str(size['hosts'])] = rows
    report['load_average_after'] = [round(x, 2) for x in os.getloadavg()]
    report['total_seconds'] = round(time.perf_counter() - started, 1)
    print('%d CPUs; medians of %d runs (%d at 10,000 hosts) after %d '
          'warm-up runs; ratio = blazar-nova / ours (> 1: ours faster)'
          % (os.cpu_count(), args.runs, args.large_runs, args.warmup))
    print(table(report))
    print('preemptible: the filters pass different hosts by design '
          '(ours/blazar-nova counts in the last column)')
    print('total %.0f s; load average %s before, %s after' % (
        report['total_seconds'], report['load_average_before'][0],
        report['load_average_after'][0]))
    if args.json:
        with open(args.json, 'w') as out:
            json.dump(report, out, indent=2)
            out.write('\n')
    return 0


if __name__ == '__main__':
    sys.exit(main())
