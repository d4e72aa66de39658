"""Find and run the benchmarks (benchmarks/README.md), from the
repository root::

    python -m benchmarks list                 names and one-line descriptions
    python -m benchmarks run NAME [ARGS...]   that benchmark, with ARGS
    python -m benchmarks suite [ARGS...]      run_suite (the same as
                                              ``run run_suite``)
    python -m benchmarks check                README.md's table against the
                                              registry

``run`` executes the module of NAME (``benchmarks.NAME`` for the
benchmarks, ``benchmarks.peer.NAME`` for the peer scripts,
``benchmarks.harness.NAME`` for run_suite and the stacks' smoke tests) in
this process as ``__main__`` (as ``python -m MODULE ARGS...`` would), so
``run NAME --help`` shows its options. Each benchmark needs what
README.md says (servers, peer venvs, a cloud); the peer scripts
(bench_filter_peer, bench_scale_peer) need the peer's venv as the
interpreter.
"""

import runpy
import sys

from benchmarks.harness import registry

USAGE = ('usage: python -m benchmarks list | run NAME [ARGS...] | '
         'suite [ARGS...] | check')


def list_benchmarks():
    width = max(len(name) for name in registry.NAMES)
    for name, description in registry.BENCHMARKS:
        print('%-*s  %s' % (width, name, description))
    return 0


def run(name, args):
    if name not in registry.NAMES:
        print('unknown benchmark %r; `python -m benchmarks list` names '
              'them' % name, file=sys.stderr)
        return 2
    sys.argv = [name] + list(args)
    runpy.run_module(registry.module(name), run_name='__main__',
                     alter_sys=True)
    return 0


def check():
    problems = registry.check_readme()
    for problem in problems:
        print(problem, file=sys.stderr)
    if not problems:
        print('README.md and the registry agree (%d benchmarks)'
              % len(registry.NAMES))
    return 1 if problems else 0


def main(argv=None):
    argv = sys.argv[1:] if argv is None else list(argv)
    if not argv or argv[0] in ('-h', '--help', 'help'):
        print(USAGE)
        print(__doc__.split('\n\n', 1)[1].rstrip())
        return 0 if argv else 2
    command, rest = argv[0], argv[1:]
    if command == 'list' and not rest:
        return list_benchmarks()
    if command == 'check' and not rest:
        return check()
    if command == 'run' and rest:
        return run(rest[0], rest[1:])
    if command == 'suite':
        return run('run_suite', rest)
    print(USAGE, file=sys.stderr)
    return 2


if __name__ == '__main__':
    sys.exit(main())
