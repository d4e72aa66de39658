"""blazar-nova's BlazarFilter on the filter benchmark's data set.

Runs in a virtualenv holding Nova and blazar-nova 10.0.0 (the peer; see
``benchmarks/harness/run_filter_bench.sh``), never in the project's own:
it imports nothing from this repository, and runs by path, so that not
even the repository root is on its ``sys.path``. ``bench_filter.py``
writes the data set, runs this script, and imports the helpers below so
that both filters are timed by the same code on the same kind of host
states and request specs.

Usage::

    .venv-peer/bin/python benchmarks/peer/bench_filter_peer.py \
        DATASET.json OUT.json [--runs 21] [--large-runs 21] [--warmup 3]

Blazar's state lives in Nova host aggregates, as Blazar leaves them: every
enrolled free host in ``freepool``; the hosts of a host reservation moved
out of it into an aggregate named after the reservation, with availability
zone ``blazar_<id>`` and metadata ``blazar:owner=<project>``.
"""

import argparse
import json
import logging
import statistics
import sys
import time

LARGE = 10000
FREEPOOL = 'freepool'
AZ_PREFIX = 'blazar_'
OWNER_KEY = 'blazar:owner'
PREEMPTIBLE_KEY = 'blazar:preemptible'

# name: (scheduler hints, flavor extra specs, allow_preemptibles); the
# hint is filled in with the data set's reservation.
SCENARIOS = {
    'reservation hint': ('hint', {}, False),
    'no hint': (None, {}, False),
    'preemptible': (None, {PREEMPTIBLE_KEY: 'true'}, True),
}


def quiet_logging():
    """Nova's and both filters' loggers at WARNING: per-host INFO lines
    (blazar-nova logs one for every pooled host) are not emitted."""
    logging.basicConfig(level=logging.WARNING)
    for name in ('nova', 'blazarnova', 'blazar_nova', 'placement_ext',
                 'keystoneauth', 'urllib3'):
        logging.getLogger(name).setLevel(logging.WARNING)


def hostname(index):
    return 'compute%05d' % index


def host_states(size, aggregates_of=None):
    """Nova ``HostState`` objects for one size of the data set, with
    ``uuid`` set and, when ``aggregates_of`` is given, ``aggregates``
    (shared ``objects.Aggregate`` instances, as Nova's HostManager hands
    them out)."""
    from nova.scheduler import host_manager
    states = []
    for index, uuid in enumerate(size['host_uuids']):
        state = host_manager.HostState(hostname(index), hostname(index),
                                       'cell1')
        state.uuid = uuid
        if aggregates_of is not None:
            state.aggregates = aggregates_of.get(index, [])
        states.append(state)
    return states


def request_spec(size, scenario):
    """The ``objects.RequestSpec`` a scenario sends."""
    from nova import objects
    hint, extra_specs, _allow = SCENARIOS[scenario]
    hints = {'reservation': [size['target']]} if hint else {}
    return objects.RequestSpec(
        project_id=size['project'], user_id='benchuser',
        instance_uuid='00000000-0000-4000-8000-00000000beef',
        flavor=objects.Flavor(name='bench', extra_specs=dict(extra_specs)),
        scheduler_hints=hints)


def runs_for(size, args):
    return args.large_runs if size['hosts'] >= LARGE else args.runs


def timed(call, runs, warmup):
    """Seconds taken by each of ``runs`` calls, after ``warmup`` calls."""
    for _ in range(warmup):
        call()
    samples = []
    for _ in range(runs):
        began = time.perf_counter()
        call()
        samples.append(time.perf_counter() - began)
    return samples


def summary(samples):
    ordered = sorted(samples)
    return {'median_ms': round(statistics.median(ordered) * 1000, 3),
            'p90_ms': round(ordered[int(len(ordered) * 0.9)] * 1000, 3),
            'runs': len(ordered)}


def blazar_aggregates(size):
    """``{host index: [Aggregate]}`` as Blazar leaves Nova's aggregates."""
    from nova import objects
    reserved = {}
    aggregates = {}
    for number, res in enumerate(size['reservations'], start=2):
        aggregate = objects.Aggregate(
            id=number, name=res['id'],
            hosts=[hostname(i) for i in res['hosts']],
            metadata={'availability_zone': AZ_PREFIX + res['id'],
                      OWNER_KEY: res['project']})
        for index in res['hosts']:
            reserved[index] = aggregate
    free = [i for i in size['enrolled'] if i not in reserved]
    freepool = objects.Aggregate(id=1, name=FREEPOOL, metadata={},
                                 hosts=[hostname(i) for i in free])
    for index in free:
        aggregates[index] = [freepool]
    for index, aggregate in reserved.items():
        aggregates[index] = [aggregate]
    return aggregates


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument('dataset')
    parser.add_argument('out')
    parser.add_argument('--runs', type=int, default=21)
    parser.add_argument('--large-runs', type=int, default=21)
    parser.add_argument('--warmup', type=int, default=3)
    args = parser.parse_args(argv)
    quiet_logging()

    from importlib import metadata
    from nova import objects
    from oslo_config import cfg
    objects.register_all()
    from blazarnova.scheduler.filters import blazar_filter

    with open(args.dataset) as data:
        dataset = json.load(data)
    report = {'versions': {name: metadata.version(name) for name in
                           ('nova', 'blazar-nova', 'oslo.config')},
              'python': sys.version.split()[0], 'sizes': {}}
    group = 'blazar:physical:host'
    for size in dataset['sizes']:
        states = host_states(size, blazar_aggregates(size))
        filt = blazar_filter.BlazarFilter()
        results = {}
        for scenario, (_hint, _specs, allow) in SCENARIOS.items():
            cfg.CONF.set_override('allow_preemptibles', allow, group=group)
            spec = request_spec(size, scenario)
            passing = [h.uuid for h in filt.filter_all(states, spec)]
            samples = timed(lambda: list(filt.filter_all(states, spec)),
                            runs_for(size, args), args.warmup)
            results[scenario] = dict(summary(samples), passing=passing)
            print('blazar-nova %6d hosts  %-17s %9.3f ms  (%d pass)' % (
                size['hosts'], scenario, results[scenario]['median_ms'],
                len(passing)), file=sys.stderr)
        cfg.CONF.clear_override('allow_preemptibles', group=group)
        report['sizes'][str(size['hosts'])] = results
    with open(args.out, 'w') as out:
        json.dump(report, out)
    return 0


if __name__ == '__main__':
    sys.exit(main())
