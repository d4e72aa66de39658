"""The seam per reservation type: registered types, one authority for their
fields, and no branch on the type outside their packages."""

import ast
import configparser
import pathlib

import pytest

from placement_ext.exception import InvalidInput
from placement_ext import json_shapes
from placement_ext import reservations
from placement_ext.reservations import base
from placement_ext.reservations import fields
from placement_ext.reservations import physical_host
from placement_ext.reservations import virtual_instance

ROOT = pathlib.Path(__file__).resolve().parents[2]
PACKAGE = ROOT / 'placement_ext'
TYPES_DIR = PACKAGE / 'reservations'


def test_the_registered_types_are_setup_cfg_entry_points():
    config = configparser.ConfigParser()
    config.read(ROOT / 'setup.cfg')
    declared = [line.split('=', 1)[1].strip() for line in
                config['entry_points'][reservations.NAMESPACE].splitlines()
                if line.strip()]
    loaded = ['%s:%s' % (type(k).__module__, type(k).__name__)
              for k in reservations.registry().values()]
    assert sorted(declared) == sorted(loaded)
    assert reservations.names() == ('flavor:instance', 'physical:host',
                                    'virtual:instance')
    for kind in reservations.registry().values():
        assert isinstance(kind, base.ReservationType)


def test_an_unknown_type_is_refused_naming_the_field_and_the_known_ones():
    with pytest.raises(InvalidInput) as exc:
        reservations.kind('virtual:floatingip',
                          'reservations[2].resource_type')
    assert exc.value.field == 'reservations[2].resource_type'
    assert 'flavor:instance, physical:host, virtual:instance' in str(
        exc.value)
    with pytest.raises(InvalidInput):
        reservations.kind(['physical:host'])


def test_two_types_may_not_declare_one_field_differently():
    class Other(physical_host.PhysicalHost):
        name = 'test:other'
        fields = dict(physical_host.PhysicalHost.fields,
                      min=fields.Field(json_shapes.INT, fields.parse_int))
    with pytest.raises(RuntimeError, match='declare the field min'):
        reservations.check_fields([physical_host.PhysicalHost(), Other()])
    # The same Field object shared is one declaration.
    reservations.check_fields([physical_host.PhysicalHost(),
                               virtual_instance.VirtualInstance()])


def test_changeable_fields_are_the_types_changeable_ones():
    changeable = reservations.change_fields()
    assert set(changeable) == {
        'min', 'max', 'hypervisor_properties', 'resource_properties',
        'amount', 'vcpus', 'memory_mb', 'disk_gb', 'affinity', 'flavor_id'}


def _type_names():
    return {k.name for k in reservations.registry().values()}


def _branches_on_type(path):
    """Comparisons in ``path`` that ask which type a reservation is: a
    ``resource_type`` compared with ``==``/``!=``/``in``, or a type's name
    compared with anything."""
    tree = ast.parse(path.read_text(), str(path))
    names = _type_names()
    found = []
    for node in ast.walk(tree):
        if not isinstance(node, ast.Compare) or not any(
                isinstance(op, (ast.Eq, ast.NotEq, ast.In, ast.NotIn))
                for op in node.ops):
            continue
        operands = [node.left] + list(node.comparators)
        for operand in operands:
            text = ast.unparse(operand)
            if (text.endswith('resource_type')
                    or text.endswith("'resource_type']")
                    or text.endswith('.NAME')
                    or any(isinstance(c, ast.Constant) and c.value in names
                           for c in ast.walk(operand))):
                found.append('%s:%d: %s' % (path.name, node.lineno,
                                            ast.unparse(node)))
                break
    return found


def test_no_branch_on_the_type_outside_the_types():
    found = []
    for path in sorted(PACKAGE.rglob('*.py')):
        if TYPES_DIR in path.parents:
            continue
        found += _branches_on_type(path)
    assert found == []


def test_the_branch_finder_finds_a_branch(tmp_path):
    sample = tmp_path / 'sample.py'
    sample.write_text("def f(row, rtype):\n"
                      "    if row.resource_type == 'physical:host':\n"
                      "        return 1\n"
                      "    if rtype in ('virtual:instance',):\n"
                      "        return 2\n"
                      "    if row.resource_type is None:\n"
                      "        return 3\n"
                      "    return row['resource_type'] != 'x'\n")
    assert len(_branches_on_type(sample)) == 3
