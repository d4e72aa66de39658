"""Which way the packages depend, and what the filter loads.

``blazar_nova`` is what runs inside nova-scheduler; ``placement_ext`` is
the reservation service, which may use ``blazar_nova``'s names but never
the other way round (doc/map.md).
"""

import ast
import json
import pathlib
import subprocess
import sys

ROOT = pathlib.Path(__file__).resolve().parents[2]


def imported_modules(path):
    """Every module a source file imports, at any depth (late imports
    inside functions included)."""
    tree = ast.parse(path.read_text(), str(path))
    found = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module \
                and node.level == 0:
            found.add(node.module)
            found.update('%s.%s' % (node.module, alias.name)
                         for alias in node.names)
    return found


def test_blazar_nova_imports_nothing_of_the_service():
    offenders = {}
    for path in sorted((ROOT / 'blazar_nova').rglob('*.py')):
        upward = sorted(name for name in imported_modules(path)
                        if name.split('.')[0] == 'placement_ext')
        if upward:
            offenders[str(path.relative_to(ROOT))] = upward
    assert offenders == {}


def test_the_scan_sees_late_imports(tmp_path):
    source = tmp_path / 'late.py'
    source.write_text('def f():\n    from placement_ext import states\n')
    assert 'placement_ext' in imported_modules(source)


PROBE = '''
import json, sys
import nova.scheduler.manager  # what nova-scheduler has loaded anyway
before = set(sys.modules)
from blazar_nova.scheduler.filters import blazar_filter  # noqa
print(json.dumps(sorted(set(sys.modules) - before)))
'''


def test_the_filter_loads_only_its_own_modules():
    """Importing the filter in nova-scheduler loads nothing beyond what
    nova-scheduler already has but this package's filter-side modules."""
    result = subprocess.run([sys.executable, '-c', PROBE], cwd=ROOT,
                            capture_output=True, text=True, timeout=120,
                            check=True)
    loaded = json.loads(result.stdout.strip().splitlines()[-1])
    assert loaded, 'the probe loaded nothing: it measures nothing'
    assert [name for name in loaded
            if name.split('.')[0] != 'blazar_nova'] == []
