"""Allocator benchmark: decisions and availability on a loaded calendar.

Builds 1,000 hosts and 10,000 existing reservations (30 % whole-host, 70 %
instance slots, over 90 days, never double-booked) in a fresh database, then
reports the median and p90 wall time of:

* a host-reservation decision (``create_lease`` for 1 host with a property
  filter, through the store: lock, load, decide, write; rolled back);
* an instance-reservation decision (4 slots of 4 vCPU / 8 GB; rolled back);
* a flavor:instance decision of the same size (a flavor of 4 vCPU / 8 GB /
  40 GB with a required trait every host has, its flavor already read, as
  the store has it once ``resolve`` ran): the hosts' Placement copies are
  judged (traits, max_unit, (total - reserved) x ratio) before the same
  slot decision; rolled back;
* the flavor type's freshness check when nothing changed
  (``placement.inventories.refresh``: one listing of the 1,000 compute
  nodes from an in-process Placement and the stored generations; with
  ``--check``, as it costs a minute to fill Placement);
* a 30-day availability query (free hosts over time plus the earliest
  1-day window for 10 hosts).

Usage::

    python -m benchmarks.bench_allocator [--backends sqlite,postgresql]
        [--hosts 1000] [--reservations 10000] [--runs 31] [--json FILE]

PostgreSQL and MariaDB use scratch databases on the local servers (see
``placement_ext/testing/db_backends.py`` for the URLs).
"""

import argparse
import json
import os
import pathlib
import random
import statistics
import sys
import tempfile
import time
import uuid

from oslo_config import cfg
from sqlalchemy import insert
from sqlalchemy import text

from placement_ext.allocator import model
from placement_ext.allocator import timeline
from placement_ext import conf as bn_conf
from placement_ext import context as bn_context
from placement_ext.db import api as db_api
from placement_ext.db import migration
from placement_ext.db import models
from placement_ext.placement import inventories
from placement_ext.store import api as store_api
from placement_ext.store import leases
from placement_ext.store import length_bound
from placement_ext import timeconv
from placement_ext.testing import db_backends

NOW = 1_900_000_000
DAY = 86400
HORIZON = 90 * DAY
SIZES = [(2, 4096, 20), (4, 8192, 40), (8, 16384, 80), (1, 2048, 10)]
TRAIT = 'HW_CPU_X86_AVX2'
# The flavor as the store keeps it once read from Nova.
FLAVOR = {'id': 'bench', 'name': 'bench', 'vcpus': 4, 'ram': 8192,
          'disk': 40, 'ephemeral': 0, 'swap': 0,
          'extra_specs': {'trait:%s' % TRAIT: 'required'}}


def placement_view(vcpus, memory_mb, local_gb, generation=1):
    """A host's copy of its compute node (``hosts.placement``)."""
    def record(total):
        return {'total': total, 'reserved': 0, 'allocation_ratio': 1.0,
                'max_unit': total}
    return {'generation': generation, 'traits': [TRAIT],
            'inventories': {'VCPU': record(vcpus),
                            'MEMORY_MB': record(memory_mb),
                            'DISK_GB': record(local_gb)}}


class Rollback(Exception):
    """Raised inside a writer transaction to undo it after timing."""


def make_conf():
    conf = cfg.ConfigOpts()
    bn_conf.register_opts(conf)
    conf([], project='blazar-nova', default_config_files=[])
    return conf


def generate(n_hosts, n_reservations, rng):
    """Hosts and non-overlapping bookings, as rows ready to insert."""
    hosts = []
    for i in range(n_hosts):
        vcpus = rng.choice([32, 48, 64])
        hosts.append({
            'id': i + 1, 'uuid': str(uuid.UUID(int=rng.getrandbits(128))),
            'hypervisor_hostname': 'compute%04d' % i, 'reservable': True,
            'vcpus': vcpus, 'memory_mb': vcpus * 4096, 'local_gb': 2000,
            'extra_capacity': {},
            'placement': placement_view(vcpus, vcpus * 4096, 2000),
            'properties': {'rack': 'r%02d' % (i % 40),
                           'gpu': 'true' if i % 10 == 0 else 'false',
                           'cores': str(vcpus)}})
    capacity = {h['id']: {'vcpus': h['vcpus'], 'memory_mb': h['memory_mb'],
                          'local_gb': h['local_gb']} for h in hosts}
    bookings = {h['id']: [] for h in hosts}
    made = []
    while len(made) < n_reservations:
        whole = rng.random() < 0.3
        start = NOW + rng.randrange(0, HORIZON, 60)
        end = start + rng.randrange(3600, 7 * DAY, 60)
        host_id = rng.randrange(1, n_hosts + 1)
        if whole:
            if timeline.overlaps(timeline.busy_intervals(
                    bookings[host_id], 0), start, end):
                continue
            booking = model.Booking(host_id, '', start, end, True)
            made.append((host_id, start, end, None, 1))
        else:
            vcpus, memory_mb, disk_gb = rng.choice(SIZES)
            slots = rng.randrange(1, 5)
            size = {'vcpus': vcpus, 'memory_mb': memory_mb,
                    'local_gb': disk_gb}
            if timeline.free_slots(capacity[host_id], bookings[host_id],
                                   size, start, end, 0) < slots:
                continue
            booking = model.Booking(host_id, '', start, end, False,
                                    {k: v * slots for k, v in size.items()})
            made.append((host_id, start, end, (vcpus, memory_mb, disk_gb),
                         slots))
        bookings[host_id].append(booking)
    return hosts, made


def load(database, hosts, made):
    lease_rows, res_rows, alloc_rows, event_rows = [], [], [], []
    for n, (host_id, start, end, size, slots) in enumerate(made):
        lease_id = str(uuid.UUID(int=n + 1))
        res_id = str(uuid.UUID(int=10 ** 9 + n))
        start_at = timeconv.to_datetime(start)
        end_at = timeconv.to_datetime(end)
        lease_rows.append({
            'id': lease_id, 'name': 'bench-%d' % n, 'project_id': 'p%d'
            % (n % 50), 'user_id': 'u', 'start_date': start_at,
            'end_date': end_at, 'before_end_date': end_at,
            'status': 'PENDING', 'end_action': 'delete'})
        row = {'id': res_id, 'lease_id': lease_id, 'status': 'pending',
               'resource_type': 'physical:host' if size is None
               else 'virtual:instance', 'min_count': None,
               'max_count': None, 'amount': None, 'vcpus': None,
               'memory_mb': None, 'disk_gb': None, 'extra_resources': None,
               'affinity': None, 'hypervisor_properties': '',
               'resource_properties': ''}
        if size is None:
            row.update(min_count=1, max_count=1)
        else:
            row.update(amount=slots, vcpus=size[0], memory_mb=size[1],
                       disk_gb=size[2])
        res_rows.append(row)
        alloc_rows.append({'reservation_id': res_id, 'host_id': host_id,
                           'slots': slots, 'start_epoch': start,
                           'end_epoch': end})
        for kind, at in (('start_lease', start_at),
                         ('before_end_lease', end_at),
                         ('end_lease', end_at)):
            event_rows.append({'lease_id': lease_id, 'event_type': kind,
                               'time': at, 'status': 'UNDONE'})
    with database.engine.begin() as conn:
        for table, rows in ((models.Host, hosts), (models.Lease, lease_rows),
                            (models.Reservation, res_rows),
                            (models.Allocation, alloc_rows),
                            (models.Event, event_rows)):
            for i in range(0, len(rows), 2000):
                conn.execute(insert(table), rows[i:i + 2000])
    # As the store's writers would have left it (placement_ext/store/
    # length_bound.py).
    with database.writer(bn_context.admin_context()) as session:
        length_bound.recompute(session)
    analyze(database)


def analyze(database):
    """On PostgreSQL, ``VACUUM ANALYZE`` after the bulk load, as
    autovacuum would soon do (and as the peer's loader does): planner
    statistics and the visibility map that index-only scans need."""
    if database.engine.dialect.name != 'postgresql':
        return
    with database.engine.connect().execution_options(
            isolation_level='AUTOCOMMIT') as conn:
        conn.execute(text('VACUUM ANALYZE'))


def timed_decision(store, body):
    context = bn_context.RequestContext(project_id='bench', user_id='b')
    request = None
    if body['reservations'][0]['resource_type'] == 'flavor:instance':
        # What ``Store.create_lease`` hands over once the type resolved
        # the flavor (outside the lock, not timed here).
        request = leases.parse_new_lease(store.conf, context, body,
                                         store.now())
        request.reservations[0].flavor = dict(FLAVOR)
    began = time.perf_counter()
    outcome = 'granted'
    try:
        with store.db.writer(context) as session:
            try:
                leases.create_lease(session, store.conf, context, body,
                                    store.now(), load_hosts=store.host_loader,
                                    request=request)
            except Exception as exc:  # a refusal is a decision too
                outcome = type(exc).__name__
            raise Rollback()
    except Rollback:
        pass
    return time.perf_counter() - began, outcome


def window_body(rng, reservation):
    start = NOW + rng.randrange(DAY, HORIZON - 10 * DAY, 60)
    end = start + rng.randrange(3600, 3 * DAY, 60)
    return {'name': 'probe', 'start_date': timeconv.to_text(
        timeconv.to_datetime(start)), 'end_date': timeconv.to_text(
        timeconv.to_datetime(end)), 'reservations': [reservation]}


def measure(store, runs, rng, placement=None):
    host_request = {'resource_type': 'physical:host', 'min': 1, 'max': 1,
                    'hypervisor_properties': '[">=", "$memory_mb", "131072"]'}
    slot_request = {'resource_type': 'virtual:instance', 'amount': 4,
                    'vcpus': 4, 'memory_mb': 8192, 'disk_gb': 40}
    flavor_request = {'resource_type': 'flavor:instance', 'amount': 4,
                      'flavor_id': 'bench'}
    results = {}
    # The instance and flavor decisions are paired: the same window for
    # both, taken in turns, so that the machine's load weighs on both.
    for labelled in ((('host decision', host_request),),
                     (('instance decision', slot_request),
                      ('flavor decision', flavor_request))):
        figures = {label: ([], {}) for label, _ in labelled}
        for run in range(runs):
            body = window_body(rng, None)
            turns = labelled if run % 2 == 0 else labelled[::-1]
            for label, reservation in turns:
                seconds, outcome = timed_decision(
                    store, dict(body, reservations=[reservation]))
                samples, outcomes = figures[label]
                samples.append(seconds)
                outcomes[outcome] = outcomes.get(outcome, 0) + 1
        results.update(figures)
    context = bn_context.admin_context()
    samples = []
    for _ in range(runs):
        lo = NOW + rng.randrange(0, HORIZON - 30 * DAY, 60)
        began = time.perf_counter()
        answer = store.availability(
            context, {'resource_type': 'physical:host', 'min': 10,
                      'max': 10},
            timeconv.to_text(timeconv.to_datetime(lo)),
            timeconv.to_text(timeconv.to_datetime(lo + 30 * DAY)),
            duration=DAY)
        samples.append(time.perf_counter() - began)
    results['30-day availability'] = (
        samples, {'timeline points': len(answer['timeline'])})
    if placement is not None:
        samples = []
        for _ in range(runs):
            began = time.perf_counter()
            read = inventories.refresh(placement, store, context)
            samples.append(time.perf_counter() - began)
        results['flavor check'] = (samples, {'hosts read': read})
    return results


def fill_placement(placement, hosts):
    """The hosts' compute nodes in Placement, reservable; their copies in
    the store then name Placement's generations."""
    from blazar_nova import names
    from placement_ext.placement import providers
    from placement_ext.testing import placement_service
    views = {}
    for host in hosts:
        placement_service.add_compute_node(
            placement, host['hypervisor_hostname'], uuid=host['uuid'],
            inventory={'VCPU': {'total': host['vcpus']},
                       'MEMORY_MB': {'total': host['memory_mb']},
                       'DISK_GB': {'total': host['local_gb']}})
        providers.change_traits(placement, host['uuid'],
                                add={names.RESERVABLE_TRAIT})
    for rp in providers.list_providers(placement):
        views[rp['uuid']] = rp['generation']
    return views


def run_backend(backend, args, tmpdir, placement=None):
    scratch = db_backends.ScratchDatabase(backend, tmpdir)
    try:
        database = db_api.Database(connection=scratch.url)
        migration.upgrade(database)
        rng = random.Random(args.seed)
        began = time.perf_counter()
        hosts, made = generate(args.hosts, args.reservations, rng)
        if placement is not None:
            generations = fill_placement(placement, hosts)
            for host in hosts:
                host['placement']['generation'] = generations[host['uuid']]
        load(database, hosts, made)
        build = time.perf_counter() - began
        store = store_api.Store(make_conf(), database, clock=lambda: NOW)
        measure(store, 3, rng, placement)  # warm caches and connections
        results = measure(store, args.runs, rng, placement)
        database.dispose()
        return build, results
    finally:
        scratch.drop()


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument('--backends', default='sqlite,postgresql')
    parser.add_argument('--hosts', type=int, default=1000)
    parser.add_argument('--reservations', type=int, default=10000)
    parser.add_argument('--runs', type=int, default=31)
    parser.add_argument('--seed', type=int, default=20261121)
    parser.add_argument('--json', help='write the figures to this file')
    parser.add_argument('--check', action='store_true',
                        help='also time the flavor type\'s freshness check '
                             'against an in-process Placement holding the '
                             'hosts')
    args = parser.parse_args(argv)
    report = {'hosts': args.hosts, 'reservations': args.reservations,
              'runs': args.runs, 'cpus': os.cpu_count(), 'results': {}}
    print('%d hosts, %d existing reservations, %d runs per figure, '
          '%d CPUs' % (args.hosts, args.reservations, args.runs,
                       os.cpu_count()))
    print('%-11s %-20s %10s %10s  %s' % ('backend', 'operation',
                                         'median ms', 'p90 ms', 'notes'))
    with tempfile.TemporaryDirectory() as tmpdir:
        for backend in args.backends.split(','):
            if args.check:
                from placement_ext.testing import placement_service
                with placement_service.in_process(
                        pathlib.Path(tmpdir)) as placement:
                    build, results = run_backend(backend, args, tmpdir,
                                                 placement)
            else:
                build, results = run_backend(backend, args, tmpdir)
            report['results'][backend] = {'build_seconds': build}
            for label, (samples, notes) in results.items():
                samples = sorted(samples)
                median = statistics.median(samples) * 1000
                p90 = samples[int(len(samples) * 0.9)] * 1000
                report['results'][backend][label] = {
                    'median_ms': round(median, 2), 'p90_ms': round(p90, 2),
                    'notes': notes}
                print('%-11s %-20s %10.1f %10.1f  %s' % (
                    backend, label, median, p90, notes))
    if args.json:
        with open(args.json, 'w') as out:
            json.dump(report, out, indent=2)
    return 0


if __name__ == '__main__':
    sys.exit(main())
