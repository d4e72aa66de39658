"""What BlazarFilter adds to nova-scheduler's decisions, in a real cloud.

nova-scheduler is restarted alone (tools/cloud/restart.py) under
``benchmarks/harness/timed_scheduler.py``, which times each
``select_destinations`` inside the scheduler's worker: the whole
decision (Placement's allocation candidates, filters, weighers, the
claim), nothing of RabbitMQ, the conductor or the API. It runs in
modes, one after another, each with a fresh scheduler process:

* ``with``: the cloud's nova.conf, BlazarFilter as devstack/plugin.sh
  configures it;
* ``without``: a copy of that nova.conf without BlazarFilter (its
  ``available_filters`` line and its name in ``enabled_filters``).

In each mode, after ``warmup`` pairs that are not counted, ``requests``
pairs of boots, one at a time: alice's server with the hint
``reservation=<id>`` of her active host lease (one lease for the whole
run), then bob's server without a hint; each server waits for ACTIVE and
is deleted (and gone) before the next boot, so the scheduler decides
one request at a time on the same three hosts. The scheduler's own
figures are matched to the boots by instance uuid. Afterwards the
scheduler is restarted once more with its usual command and nova.conf,
whatever happened.
"""

import logging
import random
import statistics

from benchmarks.harness import cloud_client
from benchmarks.harness import cloud_lease
from tools.cloud import environment
from tools.cloud import layout
from tools.cloud import restart

LOG = logging.getLogger(__name__)

SERVICE = 'nova-scheduler'
BESIDE = 'nova-scheduler-without-blazarfilter'
WRAPPER = layout.REPO / 'benchmarks' / 'harness' / 'timed_scheduler.py'


def without_filter(text):
    """nova.conf text without BlazarFilter: the ``available_filters`` line
    that names it dropped, its name removed from ``enabled_filters``."""
    lines = []
    for line in text.splitlines():
        key = line.split('=', 1)[0].strip()
        if key == 'available_filters' and 'BlazarFilter' in line:
            continue
        if key == 'enabled_filters':
            names = [name.strip() for name in line.split('=', 1)[1].split(',')
                     if name.strip() and name.strip() != 'BlazarFilter']
            line = 'enabled_filters = %s' % ','.join(names)
        lines.append(line)
    return '\n'.join(lines) + '\n'


def mode_confs(lay):
    """{mode: nova.conf path}; writes the copy without the filter."""
    nova_conf = lay.conf_dir('nova') / 'nova.conf'
    plain = lay.conf_dir('nova') / 'nova-without-blazarfilter.conf'
    plain.write_text(without_filter(nova_conf.read_text()))
    return {'with': nova_conf, 'without': plain}


def read_timings(path, kind='decision'):
    """{instance uuid: (milliseconds, outcome)} from the wrapper's file:
    of ``select_destinations`` (``kind`` ``decision``) or of BlazarFilter
    (``filter``)."""
    found = {}
    if path.exists():
        for line in path.read_text().splitlines():
            uuids, millis, outcome = line.split()
            if (outcome == 'filter') != (kind == 'filter'):
                continue
            for uuid in uuids.split(','):
                found[uuid] = (float(millis), outcome)
    return found


def _boot(clients, ids, kind, lease_reservation, tag):
    """One boot of ``kind``: ``hint`` (alice, with the hint) or ``plain``
    (bob, no hint), waited ACTIVE, then deleted and gone; (server id,
    host)."""
    user, hint = ('alice', lease_reservation) if kind == 'hint' else \
        ('bob', None)
    client = clients[user]
    server_id = cloud_client.boot(client, ids, '%s-%s' % (tag, kind),
                                  reservation=hint)
    try:
        cloud_client.wait_active(client, server_id)
        host = cloud_client.host_of(clients['admin'], server_id)
    finally:
        cloud_client.delete_server(client, server_id)
    return server_id, host


def _pair(clients, ids, lease_reservation, tag):
    """One hinted and one plain boot; {kind: (server id, host)}."""
    return {kind: _boot(clients, ids, kind, lease_reservation, tag)
            for kind in ('hint', 'plain')}


def _figures(path, boots):
    """Per kind: summary of the scheduler's milliseconds (from the
    wrapper's file ``path``) of ``boots`` [(kind, server id, host)] it
    decided, hosts, outcomes, and BlazarFilter's own time when it ran."""
    measured = read_timings(path)
    in_filter = read_timings(path, 'filter')
    figures = {}
    for kind in ('hint', 'plain'):
        millis, filter_millis, hosts, outcomes = [], [], {}, {}
        for boot_kind, server_id, host in boots:
            if boot_kind != kind or server_id not in measured:
                continue
            value, outcome = measured[server_id]
            millis.append(value)
            if server_id in in_filter:
                filter_millis.append(in_filter[server_id][0])
            hosts[host] = hosts.get(host, 0) + 1
            outcomes[outcome] = outcomes.get(outcome, 0) + 1
        figures[kind] = dict(summary(millis), hosts=hosts, outcomes=outcomes,
                             values_ms=millis)
        if filter_millis:
            figures[kind]['blazar_filter'] = dict(
                summary(filter_millis), values_ms=filter_millis)
    return figures


def summary(values):
    values = sorted(values)
    return {'n': len(values),
            'median_ms': round(statistics.median(values), 2),
            'p90_ms': round(values[int(0.9 * (len(values) - 1))], 2),
            'max_ms': round(values[-1], 2),
            'min_ms': round(values[0], 2),
            'mean_ms': round(statistics.fmean(values), 2)}


def run_mode(lay, venv, clients, ids, reservation, label, conf, requests,
             warmup):
    """Restart the scheduler timed with ``conf``; the figures of
    ``requests`` pairs of boots (``label``: the mode, ``with#2`` when
    measured a second time)."""
    timings = lay.data / 'bench' / ('scheduler-%s.txt' % label)
    timings.parent.mkdir(parents=True, exist_ok=True)
    if timings.exists():
        timings.unlink()
    argv = [venv / 'bin' / 'python', '-I', WRAPPER, '--config-file', conf]
    restart.restart(lay, venv, SERVICE, argv,
                    {'BENCH_SCHEDULER_TIMINGS': str(timings)},
                    ready=restart.consuming('scheduler'))
    for index in range(warmup):
        _pair(clients, ids, reservation, 'warm-%s-%d' % (label, index))
    boots = []
    for index in range(requests):
        pair = _pair(clients, ids, reservation, 'sched-%s-%d' % (label, index))
        boots += [(kind, server_id, host)
                  for kind, (server_id, host) in pair.items()]
    figures = _figures(timings, boots)
    LOG.info('%s: hint %.1f ms, plain %.1f ms (medians)', label,
             figures['hint']['median_ms'], figures['plain']['median_ms'])
    return figures


def run(clients, modes=('with', 'without', 'with'), requests=25, warmup=3):
    """The scheduler's time per decision in each of ``modes`` (a mode
    repeated is measured again with a fresh process, and reported as
    ``with#2``); the scheduler is restored at the end."""
    lay, venv = layout.Layout(), environment.venv_path()
    ids = cloud_client.lookup(clients['admin'])
    confs = mode_confs(lay)
    lease, reservation, _ = cloud_lease.create_lease(clients['alice'],
                                                     'bench-scheduler')
    results = {}
    try:
        cloud_lease.wait_lease_active(clients['alice'], lease['id'])
        for mode in modes:
            runs = [k for k in results if k.split('#')[0] == mode]
            label = '%s#%d' % (mode, len(runs) + 1) if runs else mode
            results[label] = run_mode(lay, venv, clients, ids, reservation,
                                      label, confs[mode], requests, warmup)
    finally:
        restart.restart(lay, venv, SERVICE,
                        ready=restart.consuming('scheduler'))
        cloud_lease.end_lease(clients['alice'], lease['id'], None)
    return results


def ratios(results):
    """Median with the filter / median without it, per kind of request
    (every ``with`` mode pooled)."""
    found = {}
    for kind in ('hint', 'plain'):
        pooled = [value for label, figures in results.items()
                  if label.split('#')[0] == 'with'
                  for value in figures[kind]['values_ms']]
        base = results['without'][kind]['median_ms']
        found[kind] = {
            'with_median_ms': round(statistics.median(pooled), 2),
            'without_median_ms': base,
            'ratio': round(statistics.median(pooled) / base, 3),
            'added_ms': round(statistics.median(pooled) - base, 2)}
    return found


def run_side_by_side(clients, requests=25, warmup=2, seed=16):
    """Both modes at once: nova-scheduler restarted timed with the
    filter, and beside it (tools/cloud/restart.start_beside) a second
    timed scheduler process without it, both consuming the ``scheduler``
    queue, which RabbitMQ deals out between them. Boots of random kind
    (``seed``), one at a time, until each process has decided
    ``requests`` of each kind (after ``warmup`` each, not counted); so
    both modes see the same machine at the same time. The second process
    is stopped and the scheduler restored at the end."""
    lay, venv = layout.Layout(), environment.venv_path()
    ids = cloud_client.lookup(clients['admin'])
    confs = mode_confs(lay)
    files = {mode: lay.data / 'bench' / ('side-%s.txt' % mode)
             for mode in confs}
    for path in files.values():
        path.parent.mkdir(parents=True, exist_ok=True)
        if path.exists():
            path.unlink()
    argv = {mode: [venv / 'bin' / 'python', '-I', WRAPPER, '--config-file',
                   conf] for mode, conf in confs.items()}
    env = {mode: {'BENCH_SCHEDULER_TIMINGS': str(path)}
           for mode, path in files.items()}
    rng = random.Random(seed)
    lease, reservation, _ = cloud_lease.create_lease(clients['alice'],
                                                     'bench-side-by-side')
    boots, count = [], 0
    try:
        cloud_lease.wait_lease_active(clients['alice'], lease['id'])
        restart.restart(lay, venv, SERVICE, argv['with'], env['with'],
                        ready=restart.consuming('scheduler'))
        restart.start_beside(lay, venv, SERVICE, BESIDE, argv['without'],
                             env['without'])
        limit = 10 * (requests + warmup)
        warm, warming = set(), True
        while count < limit:
            measured = {mode: read_timings(path)
                        for mode, path in files.items()}
            if warming:
                for found in measured.values():
                    warm.update(found)
                warming = min(len(found) for found in
                              measured.values()) < warmup
            if not warming:
                done = [sum(1 for k, server_id, _ in boots
                            if k == kind and server_id in found and
                            server_id not in warm)
                        for found in measured.values()
                        for kind in ('hint', 'plain')]
                if min(done) >= requests:
                    break
            kind = rng.choice(('hint', 'plain'))
            server_id, host = _boot(clients, ids, kind, reservation,
                                    'side-%d' % count)
            boots.append((kind, server_id, host))
            count += 1
    finally:
        restart.stop(lay, BESIDE, forget=True)
        restart.restart(lay, venv, SERVICE,
                        ready=restart.consuming('scheduler'))
        cloud_lease.end_lease(clients['alice'], lease['id'], None)
    boots = [boot for boot in boots if boot[1] not in warm]
    results = {mode: _figures(path, boots)
               for mode, path in files.items()}
    results['boots'] = count
    results['warmup_boots'] = len(warm)
    LOG.info('side by side: with %s, without %s (hint medians, ms)',
             results['with']['hint']['median_ms'],
             results['without']['hint']['median_ms'])
    return results


def side_ratios(results):
    """Median with the filter / median without it, per kind of request,
    from ``run_side_by_side``."""
    found = {}
    for kind in ('hint', 'plain'):
        with_ms = results['with'][kind]['median_ms']
        base = results['without'][kind]['median_ms']
        found[kind] = {'with_median_ms': with_ms,
                       'without_median_ms': base,
                       'ratio': round(with_ms / base, 3),
                       'added_ms': round(with_ms - base, 2)}
    return found
