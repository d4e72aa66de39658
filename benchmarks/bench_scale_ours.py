"""Our allocator on the scale data set: host and instance decisions.

Loads ``benchmarks/harness/scale_data.py``'s data set into a database
through the project's migrations and bulk inserts, then times one
decision per probe window, through the whole store path (allocator lock,
load, decide, write the lease, its reservation, allocations and events),
rolled back so that the calendar stays the same for every probe.

Usage::

    python -m benchmarks.bench_scale_ours DATASET.json DB_URL OUT.json
        [--runs 31] [--budget 60] [--warmup 2]

``DB_URL`` names an empty database; ``OUT.json`` gets the samples in the
same shape as ``peer/bench_scale_peer.py`` writes them.
"""

import argparse
import json
import statistics
import sys
import time

from benchmarks import bench_allocator
from benchmarks.harness import scale_data
from placement_ext.db import api as db_api
from placement_ext.db import migration
from placement_ext.store import api as store_api
from placement_ext import timeconv


def host_rows(dataset):
    """The data set's hosts as rows of our ``hosts`` table."""
    return [dict(host, reservable=True, extra_capacity={})
            for host in dataset['hosts']]


def booking_tuples(dataset):
    """Bookings in the shape ``bench_allocator.load`` takes."""
    made = []
    for host_id, start, end, vcpus, memory_mb, disk_gb, slots in dataset[
            'bookings']:
        size = None if vcpus is None else (vcpus, memory_mb, disk_gb)
        made.append((host_id, start, end, size, slots))
    return made


def request_body(window, reservation):
    start, end = window
    return {'name': 'probe',
            'start_date': timeconv.to_text(timeconv.to_datetime(start)),
            'end_date': timeconv.to_text(timeconv.to_datetime(end)),
            'reservations': [reservation]}


def reservations(dataset):
    """``{operation: reservation body}`` for the two probes."""
    host, inst = dataset['host_probe'], dataset['instance_probe']
    return {
        'host decision': dict(resource_type='physical:host', **host),
        'instance decision': dict(resource_type='virtual:instance', **inst),
    }


def probe_kind(operation):
    return 'host' if operation.startswith('host') else 'instance'


def time_operation(store, dataset, operation, args):
    """Decisions at the probe windows until ``runs`` or ``budget``."""
    body_of = reservations(dataset)[operation]
    windows = dataset['probes'][probe_kind(operation)]
    for window in windows[-args.warmup:] if args.warmup else []:
        bench_allocator.timed_decision(store, request_body(window, body_of))
    samples, outcomes, spent = [], [], 0.0
    for index, window in enumerate(windows[:args.runs]):
        seconds, outcome = bench_allocator.timed_decision(
            store, request_body(window, body_of))
        samples.append(seconds * 1000)
        outcomes.append({'probe': index, 'granted': outcome == 'granted',
                         'outcome': outcome})
        spent += seconds
        if spent > args.budget and len(samples) >= 3:
            break
    ordered = sorted(samples)
    return {'samples_ms': [round(s, 3) for s in samples],
            'median_ms': round(statistics.median(ordered), 3),
            'p90_ms': round(ordered[int(len(ordered) * 0.9)], 3),
            'runs': len(samples), 'outcomes': outcomes}


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument('dataset')
    parser.add_argument('db_url')
    parser.add_argument('out')
    parser.add_argument('--runs', type=int, default=31)
    parser.add_argument('--budget', type=float, default=60.0)
    parser.add_argument('--warmup', type=int, default=2)
    args = parser.parse_args(argv)
    dataset = scale_data.read(args.dataset)
    database = db_api.Database(connection=args.db_url)
    migration.upgrade(database)
    began = time.perf_counter()
    bench_allocator.load(database, host_rows(dataset),
                         booking_tuples(dataset))
    load_seconds = time.perf_counter() - began
    store = store_api.Store(bench_allocator.make_conf(), database,
                            clock=lambda: dataset['now'])
    report = {'backend': database.engine.dialect.name,
              'load_seconds': round(load_seconds, 2), 'results': {}}
    for operation in reservations(dataset):
        report['results'][operation] = time_operation(
            store, dataset, operation, args)
        print('ours %-18s %9.2f ms median (%d runs)' % (
            operation, report['results'][operation]['median_ms'],
            report['results'][operation]['runs']), file=sys.stderr)
    database.dispose()
    with open(args.out, 'w') as out:
        json.dump(report, out)
    return 0


if __name__ == '__main__':
    sys.exit(main())
