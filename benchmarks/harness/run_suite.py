"""The side-by-side suite against Blazar, in one command.

Runs, one after another so that both sides see the same machine:

* **allocation**: our allocator (``bench_scale_ours.py``) and Blazar
  18.0.0's host and instance plugins (``peer/bench_scale_peer.py``, in
  the peer's own virtualenv) on the same data set
  (``harness/scale_data.py``) at every point of hosts x reservations, on
  each backend; the peer first, then ours, each in a fresh process on a
  fresh database;
* **filter**: ``bench_filter.py`` (ours through a real Placement against
  blazar-nova 10.0.0's filter);
* **api**, **lateness**, **memory**: ``bench_api_vs_blazar.py``,
  ``bench_lateness_vs_blazar.py`` and ``bench_memory.py``.

It writes ``results.json``, ``summary.md`` (medians and ratios) and PNG
plots into the output directory. Usage::

    python -m benchmarks suite [--quick] [--parts allocation,filter]
        [--backends sqlite,postgresql] [--out DIR] [--resume]

(``python -m benchmarks.harness.run_suite`` is the same.)

``--quick`` runs a small subset (two allocation points on SQLite, the
filter at 100 and 1,000 hosts, the quick modes of the others) in a few
minutes. ``--resume`` keeps the allocation points already measured in
``DIR``. The peer virtualenvs (``.venv-blazar``, ``.venv-peer``) are
created when missing.
"""

import argparse
import datetime
import json
import os
import subprocess
import sys
import tempfile
import time

from benchmarks.harness import scale_data
from benchmarks.harness import suite_report
from placement_ext.testing import db_backends

# benchmarks/ and the repository root (this file is
# benchmarks/harness/run_suite.py).
HERE = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
ROOT = os.path.dirname(HERE)

PEER_VENVS = {
    # virtualenv: (what must import, what to install)
    '.venv-blazar': ('blazar.plugins.oshosts.host_plugin',
                     ['blazar==18.0.0', 'PyMySQL', 'psycopg2-binary']),
    '.venv-peer': ('blazarnova.scheduler.filters.blazar_filter',
                   ['SQLAlchemy<2.1', 'nova==34.0.0',
                    'blazar-nova==10.0.0']),
}
HOSTS = (100, 1000, 10000)
RESERVATIONS = (1000, 10000, 100000)
QUICK_POINTS = ((100, 1000), (1000, 10000))
# Measured on the --headline-backends too (MariaDB by default: Blazar's
# usual database, where InnoDB indexes every foreign key).
HEADLINE_POINTS = ((1000, 10000),)
PARTS = ('allocation', 'filter', 'api', 'lateness', 'memory')


def peer_python(venv):
    """The peer virtualenv's interpreter, creating the venv if needed."""
    path = os.path.join(ROOT, venv)
    python = os.path.join(path, 'bin', 'python')
    module, packages = PEER_VENVS[venv]
    check = [python, '-c', 'import %s' % module]
    if os.path.exists(python) and subprocess.run(
            check, capture_output=True).returncode == 0:
        return python
    print('creating %s (%s)' % (venv, ' '.join(packages)), file=sys.stderr)
    subprocess.run([sys.executable, '-m', 'venv', path], check=True)
    subprocess.run([python, '-m', 'pip', 'install', '-q'] + packages,
                   check=True)
    return python


def ours(module):
    """The command that runs one of our benchmarks: as a module of the
    ``benchmarks`` package, from the repository root (``run``'s cwd)."""
    return [sys.executable, '-m', 'benchmarks.' + module]


def run(command, log):
    """Run a benchmark process; its stderr goes to the log and ours."""
    began = time.perf_counter()
    with open(log, 'a') as out:
        out.write('$ %s\n' % ' '.join(command))
        out.flush()
        result = subprocess.run(command, stdout=out, stderr=out, cwd=ROOT)
    if result.returncode:
        raise RuntimeError('%s failed (exit %d); see %s' % (
            command[2] if command[1] == '-m' else os.path.basename(
                command[1]), result.returncode, log))
    return time.perf_counter() - began


def allocation_point(command, dataset_path, backend, out, args,
                     tmpdir, extra=()):
    """One side at one point, on a fresh scratch database."""
    scratch = db_backends.ScratchDatabase(backend, tmpdir)
    try:
        run(command + [dataset_path, scratch.url, out,
                       '--runs', str(args.runs), '--budget', str(args.budget)]
            + list(extra), os.path.join(args.out, 'suite.log'))
    finally:
        scratch.drop()
    with open(out) as result:
        return json.load(result)


def allocation_points(args, backend):
    """``(hosts, reservations)`` pairs measured on ``backend``."""
    if args.quick:
        return QUICK_POINTS
    if backend in args.backends:
        return tuple((h, r) for h in HOSTS for r in RESERVATIONS)
    return HEADLINE_POINTS


def slow_below(points, hosts, reservations, budget):
    """Whether the peer already took longer than ``budget`` seconds per
    decision at a point no larger on both axes: cost only grows with
    size, so warming caches up cannot matter here and would double the
    cost of a point that takes minutes per decision."""
    for entry in points.values():
        if (entry['hosts'] <= hosts and entry['reservations'] <= reservations
                and (entry['hosts'], entry['reservations'])
                != (hosts, reservations)):
            for operation in suite_report.OPERATIONS:
                ms, _bounded = suite_report.cost(entry, 'blazar', operation)
                if ms and ms > budget * 1000:
                    return True
    return False


def run_allocation(args, report):
    blazar_python = peer_python('.venv-blazar')
    points_dir = os.path.join(args.out, 'allocation')
    os.makedirs(points_dir, exist_ok=True)
    results = report.setdefault('allocation', {})
    with tempfile.TemporaryDirectory() as tmpdir:
        for backend in args.backends + args.headline_backends:
            for hosts, reservations in allocation_points(args, backend):
                peer_extra = ['--deadline', str(args.peer_deadline)]
                if slow_below(results.get(backend, {}), hosts, reservations,
                              args.budget):
                    peer_extra += ['--warmup', '0']
                point = '%dx%d' % (hosts, reservations)
                dataset = os.path.join(tmpdir, point + '.json')
                if not os.path.exists(dataset):
                    scale_data.write(scale_data.generate(
                        hosts, reservations), dataset)
                entry = results.setdefault(backend, {}).setdefault(
                    point, {'hosts': hosts, 'reservations': reservations})
                for side, command, extra in (
                        # The peer's script runs in Blazar's venv, as a
                        # module from the repository root (``run``'s cwd),
                        # where this project is not installed.
                        ('blazar', [blazar_python, '-m',
                                    'benchmarks.peer.bench_scale_peer'],
                         peer_extra),
                        ('ours', ours('bench_scale_ours'), [])):
                    out = os.path.join(points_dir, '%s-%s-%s.json' % (
                        backend, point, side))
                    try:
                        if not (args.resume and os.path.exists(out)):
                            allocation_point(command, dataset,
                                             backend, out, args, tmpdir,
                                             extra)
                        with open(out) as result:
                            entry[side] = json.load(result)
                    except RuntimeError as exc:  # the others still run
                        entry[side] = {'error': str(exc)}
                print('allocation %-10s %-12s %s' % (
                    backend, point, suite_report.point_line(entry)),
                    file=sys.stderr)
                save(args, report)


def run_script(args, report, part, module, extra):
    """A part whose script writes its own JSON with ``--json``."""
    out = os.path.join(args.out, part + '.json')
    command = ours(module) + ['--json', out]
    if args.quick:
        command.append('--quick')
    run(command + extra, os.path.join(args.out, 'suite.log'))
    with open(out) as result:
        report[part] = json.load(result)
    save(args, report)


def run_filter(args, report):
    sizes = '100,1000' if args.quick else '100,1000,10000'
    out = os.path.join(args.out, 'filter.json')
    run(ours('bench_filter') + [
        '--peer-python', peer_python('.venv-peer'), '--sizes', sizes,
        '--json', out], os.path.join(args.out, 'suite.log'))
    with open(out) as result:
        report['filter'] = json.load(result)
    save(args, report)


def save(args, report):
    with open(os.path.join(args.out, 'results.json'), 'w') as out:
        json.dump(report, out, indent=1)


def machine():
    """What the figures were measured on."""
    with open('/proc/meminfo') as meminfo:
        total_kb = int(meminfo.readline().split()[1])
    model = ''
    with open('/proc/cpuinfo') as cpuinfo:
        for line in cpuinfo:
            if line.startswith('model name'):
                model = line.split(':', 1)[1].strip()
                break
    commit = subprocess.run(['git', 'rev-parse', '--short', 'HEAD'],
                            capture_output=True, text=True, cwd=ROOT)
    return {'cpus': os.cpu_count(), 'cpu': model,
            'memory_gib': round(total_kb / 2 ** 20, 1),
            'python': sys.version.split()[0],
            'commit': commit.stdout.strip(),
            'load_before': round(os.getloadavg()[0], 2)}


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument('--quick', action='store_true')
    parser.add_argument('--parts', default=','.join(PARTS))
    parser.add_argument('--backends', default=None,
                        help='default sqlite,postgresql (sqlite if quick)')
    parser.add_argument('--runs', type=int, default=21)
    parser.add_argument('--budget', type=float, default=30.0,
                        help='seconds per operation and side before a '
                        'point stops early (at least 3 runs)')
    parser.add_argument('--peer-deadline', type=float, default=1200.0,
                        help='seconds one Blazar decision may take before '
                        'its operation is abandoned and reported as a '
                        'lower bound')
    parser.add_argument('--keystone-hash-rounds', type=int, default=4,
                        help="bcrypt rounds of the Keystone that Blazar "
                        "(and our API) authenticate against, for the api "
                        "and lateness parts: 4, bcrypt's least, is 256 "
                        "times cheaper than Keystone's default 12, which "
                        "favours Blazar (it logs in with a password for "
                        "every Nova call and every event); 0 keeps "
                        "Keystone's default")
    parser.add_argument('--lateness-leases', type=int, default=None,
                        help='leases due at the same second on each side '
                        'of the lateness part (1,000; quick 20): Blazar '
                        'runs its events one after another, a few seconds '
                        'each, so 1,000 take it hours')
    parser.add_argument('--headline-backends', default=None,
                        help='backends measured at the headline point '
                        'only (default mysql; quick: none)')
    parser.add_argument('--out', default=os.path.join(
        HERE, 'results', 'suite-%s' % datetime.date.today().isoformat()))
    parser.add_argument('--resume', action='store_true')
    args = parser.parse_args(argv)
    if args.quick:
        args.runs, args.budget = min(args.runs, 7), min(args.budget, 10.0)
    args.backends = (args.backends or (
        'sqlite' if args.quick else 'sqlite,postgresql')).split(',')
    if args.headline_backends is None:
        args.headline_backends = '' if args.quick else 'mysql'
    args.headline_backends = [
        b for b in args.headline_backends.split(',')
        if b and b not in args.backends]
    os.makedirs(args.out, exist_ok=True)
    report = {'started': datetime.datetime.now().isoformat(
        timespec='seconds'), 'machine': machine(), 'quick': args.quick}
    previous = os.path.join(args.out, 'results.json')
    if args.resume and os.path.exists(previous):
        with open(previous) as old:
            report = dict(json.load(old), **{'quick': args.quick})
    parts = args.parts.split(',')
    keystone = (['--keystone-hash-rounds', str(args.keystone_hash_rounds)]
                if args.keystone_hash_rounds else [])
    steps = {
        'allocation': lambda: run_allocation(args, report),
        'filter': lambda: run_filter(args, report),
        'api': lambda: run_script(args, report, 'api',
                                  'bench_api_vs_blazar', keystone),
        'lateness': lambda: run_script(
            args, report, 'lateness', 'bench_lateness_vs_blazar',
            keystone + (['--leases', str(args.lateness_leases)]
                        if args.lateness_leases else [])),
        'memory': lambda: run_script(args, report, 'memory',
                                     'bench_memory', []),
    }
    failed = []
    for part in parts:
        began = time.perf_counter()
        try:
            steps[part]()
        except Exception as exc:  # report it and go on with the others
            failed.append(part)
            report.setdefault('errors', {})[part] = str(exc)
            print('%s failed: %s' % (part, exc), file=sys.stderr)
        report.setdefault('seconds', {})[part] = round(
            time.perf_counter() - began, 1)
        save(args, report)
    report['machine']['load_after'] = round(os.getloadavg()[0], 2)
    save(args, report)
    suite_report.write(report, args.out)
    print('results in %s' % args.out)
    return 1 if failed else 0


if __name__ == '__main__':
    sys.exit(main())
