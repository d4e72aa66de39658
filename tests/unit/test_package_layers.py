"""Which way the packages depend, and what the filter loads.

``blazar_nova`` is what runs inside nova-scheduler; ``placement_ext`` is
the reservation service, which may use ``blazar_nova``'s names but never
the other way round (doc/map.md).
"""

import ast
import configparser
import json
import pathlib
import re
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


def test_the_runtime_never_imports_the_testing_helpers():
    """``placement_ext.testing`` (throwaway databases, real Placements,
    the commands as processes) is for tests/ and benchmarks/ only: no
    module of the service or of the filter imports it."""
    testing = ROOT / 'placement_ext' / 'testing'
    offenders = {}
    for package in ('blazar_nova', 'placement_ext'):
        for path in sorted((ROOT / package).rglob('*.py')):
            if testing in path.parents:
                continue
            used = sorted(name for name in imported_modules(path)
                          if name == 'placement_ext.testing'
                          or name.startswith('placement_ext.testing.'))
            if used:
                offenders[str(path.relative_to(ROOT))] = used
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


# Import name -> distribution name, for the third-party imports.
DISTRIBUTIONS = {
    'oslo_config': 'oslo.config', 'oslo_log': 'oslo.log',
    'oslo_utils': 'oslo.utils', 'oslo_context': 'oslo.context',
    'oslo_db': 'oslo.db', 'oslo_messaging': 'oslo.messaging',
    'oslo_policy': 'oslo.policy', 'oslo_middleware': 'oslo.middleware',
    'oslo_serialization': 'oslo.serialization',
    'keystoneauth1': 'keystoneauth1',
    'keystonemiddleware': 'keystonemiddleware', 'webob': 'WebOb',
    'routes': 'Routes', 'jsonschema': 'jsonschema',
    'microversion_parse': 'microversion-parse', 'sqlalchemy': 'SQLAlchemy',
    'alembic': 'alembic', 'stevedore': 'stevedore',
    'cotyledon': 'cotyledon',
}
# Imported where they are already installed: nova-scheduler brings Nova;
# blazar-nova-aio runs Placement in-process (doc/install.md).
PROVIDED = {'blazar_nova': set(['nova']), 'placement_ext': set(['placement'])}


def _third_party(package):
    names = set()
    for path in (ROOT / package).rglob('*.py'):
        for name in imported_modules(path):
            top = name.split('.')[0]
            if top not in sys.stdlib_module_names and top not in (
                    'blazar_nova', 'placement_ext') and \
                    top not in PROVIDED[package]:
                names.add(top)
    return names


def _requirements(lines):
    found = {}
    for line in lines:
        line = line.split('#')[0].strip()
        if line:
            name = re.split(r'[<>=!~;\[ ]', line, maxsplit=1)[0]
            found[name.lower()] = line
    return found


def _service_extra():
    config = configparser.ConfigParser()
    config.read(ROOT / 'setup.cfg')
    return _requirements(config['extras']['service'].splitlines())


def test_the_filter_needs_only_what_nova_has_and_pins_nothing():
    required = _requirements((ROOT / 'requirements.txt').read_text()
                             .splitlines())
    used = {DISTRIBUTIONS[name].lower() for name in
            _third_party('blazar_nova')}
    assert used <= set(required), used - set(required)
    assert set(required) <= used | {'pbr'}, set(required) - used
    for line in required.values():
        assert '<' not in line and '==' not in line, line


def test_the_service_extra_covers_what_the_service_imports():
    available = set(_requirements((ROOT / 'requirements.txt').read_text()
                                  .splitlines())) | set(_service_extra())
    used = {DISTRIBUTIONS[name].lower() for name in
            _third_party('placement_ext')}
    assert used <= available, used - available
    assert '<' not in _service_extra()['sqlalchemy']
