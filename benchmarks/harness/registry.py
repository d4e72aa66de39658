"""The benchmarks that ``python -m benchmarks`` lists and runs.

One entry per runnable script of ``benchmarks/``: its name and a
one-line description. The benchmarks are ``benchmarks/<name>.py``; the
peer scripts and the harness's runnable modules sit in ``peer/`` and
``harness/`` (``PLACES``; ``module`` gives the full module name).
``benchmarks/README.md`` has one table row per entry, its first cell the
name in backticks; keep the two in step: ``python -m benchmarks check``
(``check_readme`` below) says which names are in one and not the other.

Standard library only, so that ``list`` works in any venv.
"""

import os
import re

BENCHMARKS = (
    ('bench_allocator',
     'allocator decisions and 30-day availability on a loaded calendar'),
    ('bench_api',
     'blazar-nova-api lease create/list/show throughput with 8 clients'),
    ('bench_api_vs_blazar',
     'lease create/show/list/delete through blazar-nova-api and Blazar '
     '18.0.0'),
    ('bench_agent',
     'lease agent: 1,000 leases starting and ending at the same second'),
    ('bench_filter',
     'BlazarFilter filter_all time, ours against blazar-nova 10.0.0'),
    ('bench_filter_peer',
     "blazar-nova 10.0.0's filter on bench_filter's data (peer venv)"),
    ('bench_lateness_vs_blazar',
     'start/end lateness of 1,000 leases, our agent against '
     'blazar-manager'),
    ('bench_memory',
     'peak RSS of blazar-nova-api and blazar-nova-agent at scale'),
    ('bench_scale_ours',
     'our allocator on the scale data set (one suite point)'),
    ('bench_scale_peer',
     "Blazar 18.0.0's host and instance plugins on the scale data set "
     "(peer venv)"),
    ('bench_packing',
     'pack, spread and random on one stream of lease requests: host-hours '
     'to power down, refusals, fragmentation'),
    ('bench_cloud',
     'lease-to-server time, scheduler overhead and memory in '
     'tools/cloud.sh'),
    ('run_suite',
     'the side-by-side suite against Blazar (allocation, filter, api, '
     'lateness, memory)'),
    ('blazar_stack',
     'harness smoke test: Keystone, blazar-api and blazar-manager up '
     'and down'),
    ('nova_stack',
     'harness smoke test: Placement and nova-api with N hosts up and down'),
)

NAMES = tuple(name for name, _ in BENCHMARKS)

# The subpackage of ``benchmarks`` of the names not at benchmarks/NAME.py.
PLACES = {
    'bench_filter_peer': 'peer',
    'bench_scale_peer': 'peer',
    'run_suite': 'harness',
    'blazar_stack': 'harness',
    'nova_stack': 'harness',
}

# benchmarks/README.md (this file is benchmarks/harness/registry.py).
README = os.path.join(os.path.dirname(os.path.dirname(
    os.path.abspath(__file__))), 'README.md')


def description(name):
    return dict(BENCHMARKS)[name]


def module(name):
    """The module that runs ``name``: ``benchmarks.NAME``, or
    ``benchmarks.peer.NAME`` / ``benchmarks.harness.NAME``."""
    return '.'.join(filter(None, ('benchmarks', PLACES.get(name), name)))


def readme_names(path=README):
    """The names in the first cells of README.md's table rows."""
    with open(path) as readme:
        return tuple(re.findall(r'^\| `([a-z_]+)` \|', readme.read(),
                                flags=re.M))


def check_readme(path=README):
    """Problems between the registry and README.md's table, as lines;
    none when they agree (same names, same order)."""
    listed = readme_names(path)
    problems = ['%s: in the registry, not in README.md' % name
                for name in NAMES if name not in listed]
    problems += ['%s: in README.md, not in the registry' % name
                 for name in listed if name not in NAMES]
    if not problems and listed != NAMES:
        problems.append('README.md lists them in another order')
    return problems
