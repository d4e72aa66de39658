"""Benchmarks in a real cloud on one machine (tools/cloud.sh).

Run with the cloud venv, against a cloud that ``tools/cloud.sh up``
brought up, with the same BLAZAR_NOVA_CLOUD_DIR and
BLAZAR_NOVA_CLOUD_PORT_OFFSET as that ``up`` (clouds.yaml from
``$OS_CLIENT_CONFIG_FILE`` or that state directory)::

    BLAZAR_NOVA_CLOUD_DIR=~/.local/state/blazar-nova/cloud-bench \\
    BLAZAR_NOVA_CLOUD_PORT_OFFSET=10000 \\
    .venv-cloud/bin/python -m benchmarks.bench_cloud --fresh-up

What it measures, in this order:

1. with ``--fresh-up``: ``tools/cloud.sh down`` then ``up`` of that cloud
   (refused for the default state directory, which may be somebody
   else's), its wall time and the ``up_seconds`` it records in
   cloud.json; then the memory of every service, idle;
2. ``--rounds`` (20) host leases, each from its start to its holder's
   server ACTIVE on the reserved host (benchmarks/harness/cloud_lease.py);
3. nova-scheduler's own time per decision with and without BlazarFilter,
   ``--requests`` (25) boots with a reservation hint and as many without
   in each mode (benchmarks/harness/cloud_scheduler.py);
4. the memory of every service (RSS and PSS, as ``tools/cloud.sh
   status``) after all that.

Medians and maxima; everything, with each value, goes to ``--json``
(default ``benchmarks/results/cloud-<date>.json``). Other clouds of
tools/cloud running on the machine at the time (the default one on the
usual ports) are noted with their memory: they share the two cores.
This is a benchmark run by hand, not a test.
"""

import argparse
import datetime
import json
import logging
import os
import platform
import statistics
import subprocess
import sys
import time

from benchmarks.harness import cloud_client
from benchmarks.harness import cloud_lease
from benchmarks.harness import cloud_scheduler
from tools.cloud import cloud
from tools.cloud import environment
from tools.cloud import layout

LOG = logging.getLogger(__name__)

CLOUD_SH = layout.REPO / 'tools' / 'cloud.sh'


def fresh_up(lay):
    """``down`` then ``up`` of the cloud of ``lay`` through tools/cloud.sh;
    {'down_s', 'up_wall_s', 'up_seconds' (cloud.json), 'timings'}."""
    if lay.root == layout.default_root() or not layout.PORT_OFFSET:
        raise SystemExit('--fresh-up needs a state directory and a port '
                         'offset of its own (BLAZAR_NOVA_CLOUD_DIR, '
                         'BLAZAR_NOVA_CLOUD_PORT_OFFSET): the default cloud '
                         'may be somebody else\'s')
    found = {}
    for command in ('down', 'up'):
        began = time.monotonic()
        subprocess.run([str(CLOUD_SH), command], check=True,
                       stdout=subprocess.DEVNULL, cwd=layout.REPO)
        found['%s_wall_s' % command] = round(time.monotonic() - began, 1)
    manifest = json.loads(lay.manifest.read_text())
    found['up_seconds'] = manifest['up_seconds']
    found['timings'] = manifest['timings']
    return found


def memory(lay, venv):
    """Per service and in all: processes, RSS and PSS in MiB."""
    rows = cloud.Cloud(lay, venv).status()
    services = {row['name']: {'processes': row['processes'],
                              'running': row['running'],
                              'rss_mib': round(row['rss_kib'] / 1024, 1),
                              'pss_mib': round(row['pss_kib'] / 1024, 1)}
                for row in rows}
    return {'services': services,
            'total': {'processes': sum(r['processes'] for r in rows),
                      'rss_mib': round(sum(r['rss_kib'] for r in rows)
                                       / 1024, 1),
                      'pss_mib': round(sum(r['pss_kib'] for r in rows)
                                       / 1024, 1)}}


def other_clouds(lay, venv):
    """The default cloud when it is not this one and any of its recorded
    processes runs: its memory and state (``starting`` while an ``up``
    builds it)."""
    if lay.root == layout.default_root():
        return {}
    other = layout.Layout(layout.default_root())
    the_cloud = cloud.Cloud(other, venv)
    if not any(record.members() for record in the_cloud.records().values()):
        return {}
    return {str(other.root): dict(memory(other, venv)['total'],
                                  state=the_cloud.manifest().get('state'))}


def stats(values):
    values = sorted(values)
    return {'n': len(values), 'median_s': round(statistics.median(values), 3),
            'max_s': values[-1], 'min_s': values[0],
            'p90_s': values[int(0.9 * (len(values) - 1))]}


def lease_summary(rounds):
    keys = ('lease_start_to_active_s', 'lease_active_to_server_active_s',
            'total_s', 'create_request_s', 'end_s')
    return {key: stats([r[key] for r in rounds]) for key in keys}


def source():
    """The commit the cloud's code came from and the files that differed
    from it (the cloud runs the working tree: ``pip install -e``)."""
    def git(*args):
        return subprocess.run(['git'] + list(args), cwd=layout.REPO,
                              capture_output=True, text=True).stdout
    return {'head': git('rev-parse', '--short', 'HEAD').strip(),
            'uncommitted': [line[3:] for line in
                            git('status', '--porcelain').splitlines()]}


def machine():
    return {'cpus': os.cpu_count(), 'python': platform.python_version(),
            'load_average': [round(x, 2) for x in os.getloadavg()]}


def parse_args(argv):
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument('--fresh-up', action='store_true',
                        help='down and up the cloud first, timing the up')
    parser.add_argument('--rounds', type=int, default=20)
    parser.add_argument('--requests', type=int, default=25)
    parser.add_argument('--warmup', type=int, default=3)
    parser.add_argument('--seed', type=int, default=16)
    parser.add_argument('--modes', default='with,without,with',
                        help='scheduler modes in order (with, without)')
    parser.add_argument('--skip', default='',
                        help='comma-separated: lease, side, sequential')
    parser.add_argument('--json', help='where to write the figures')
    parser.add_argument('-v', '--verbose', action='store_true')
    return parser.parse_args(argv)


def report(result):
    """The figures as lines of text."""
    lines = []
    if 'up' in result:
        up = result['up']
        lines.append('cloud.sh up: %.1f s (cloud.json up_seconds), %.1f s '
                     'wall; down %.1f s' % (
                         up['up_seconds'], up['up_wall_s'], up['down_wall_s']))
    if 'lease' in result:
        lines.append('lease start -> server ACTIVE, %d rounds (s):'
                     % len(result['lease']['rounds']))
        for key, figures in result['lease']['summary'].items():
            lines.append('  %-34s median %6.3f  max %6.3f' % (
                key, figures['median_s'], figures['max_s']))
    for method in ('side_by_side', 'sequential'):
        key = 'scheduler_' + method
        if key not in result:
            continue
        lines.append('nova-scheduler select_destinations, %s (ms):'
                     % method.replace('_', ' '))
        for label, figures in result[key]['modes'].items():
            if not isinstance(figures, dict):
                continue
            for kind in ('hint', 'plain'):
                f = figures[kind]
                lines.append('  %-8s %-5s n=%d median %7.2f  max %7.2f  '
                             'hosts %s' % (label, kind, f['n'], f['median_ms'],
                                           f['max_ms'], f['hosts']))
                if 'blazar_filter' in f:
                    b = f['blazar_filter']
                    lines.append('  %-8s %-5s BlazarFilter alone: median '
                                 '%.2f  max %.2f' % ('', '', b['median_ms'],
                                                     b['max_ms']))
        for kind, ratio in result[key]['ratios'].items():
            lines.append('  %-5s with/without: %.3f (%+.2f ms)' % (
                kind, ratio['ratio'], ratio['added_ms']))
    for phase in ('memory_idle', 'memory_after'):
        if phase in result:
            lines.append('%s (MiB RSS / PSS):' % phase)
            for name, row in result[phase]['services'].items():
                lines.append('  %-24s %7.1f %7.1f' % (name, row['rss_mib'],
                                                      row['pss_mib']))
            total = result[phase]['total']
            lines.append('  %-24s %7.1f %7.1f' % ('total', total['rss_mib'],
                                                  total['pss_mib']))
    if result.get('other_clouds'):
        lines.append('other clouds running: %s' % result['other_clouds'])
    return lines


def main(argv=None):
    args = parse_args(argv)
    logging.basicConfig(level=logging.INFO if args.verbose
                        else logging.WARNING,
                        format='%(asctime)s %(name)s: %(message)s')
    lay, venv = layout.Layout(), environment.venv_path()
    skip = set(filter(None, args.skip.split(',')))
    result = {'benchmark': 'benchmarks/bench_cloud.py',
              'date': datetime.date.today().isoformat(),
              'started': datetime.datetime.now(
                  datetime.timezone.utc).isoformat(timespec='seconds'),
              'state_dir': str(lay.root), 'port_offset': layout.PORT_OFFSET,
              'machine': machine(), 'source': source(),
              'other_clouds': other_clouds(lay, venv)}
    if args.fresh_up:
        result['up'] = fresh_up(lay)
        result['memory_idle'] = memory(lay, venv)
    clients = cloud_client.clients()
    if 'lease' not in skip:
        rounds = cloud_lease.run(clients, args.rounds)
        result['lease'] = {'rounds': rounds, 'summary': lease_summary(rounds)}
    if 'side' not in skip:
        side = cloud_scheduler.run_side_by_side(clients, args.requests,
                                                args.warmup, args.seed)
        result['scheduler_side_by_side'] = {
            'modes': side, 'ratios': cloud_scheduler.side_ratios(side)}
    if 'sequential' not in skip:
        modes = cloud_scheduler.run(clients, args.modes.split(','),
                                    args.requests, args.warmup)
        result['scheduler_sequential'] = {
            'modes': modes, 'ratios': cloud_scheduler.ratios(modes)}
    result['memory_after'] = memory(lay, venv)
    result['other_clouds_end'] = other_clouds(lay, venv)
    result['machine']['load_average_end'] = [round(x, 2)
                                             for x in os.getloadavg()]
    path = args.json or str(layout.REPO / 'benchmarks' / 'results' / (
        'cloud-%s.json' % result['date']))
    with open(path, 'w') as out:
        json.dump(result, out, indent=2, sort_keys=True)
        out.write('\n')
    for line in report(result):
        print(line)
    print('figures in %s' % path)
    return 0


if __name__ == '__main__':
    sys.exit(main())
