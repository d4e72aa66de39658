"""The options of each side: registered in one place, listed for one
generator namespace, and the same in both."""

import configparser
import importlib
import pathlib

from keystoneauth1 import loading as ks_loading
from oslo_config import cfg
from oslo_middleware import cors
import pytest

from blazar_nova import conf as filter_conf
from blazar_nova.conf import opts as filter_opts
from placement_ext import conf as bn_conf
from placement_ext.conf import middleware
from placement_ext.conf import opts as bn_opts

ROOT = pathlib.Path(__file__).resolve().parents[2]

SIDES = [(bn_conf.register_opts, bn_opts.list_opts),
         (filter_conf.register_opts, filter_opts.list_opts)]

# Loaded with the auth plugin ([group] auth_type = password), not
# registered up front; the sample lists them.
PASSWORD_OPTS = {opt.dest for opt in
                 ks_loading.get_auth_plugin_conf_options('password')}
KSA_GROUPS = {'placement', 'nova', 'glance', 'enforcement'}


def _registered(register):
    conf = cfg.ConfigOpts()
    register(conf)
    conf([], default_config_files=[])
    return conf


def _name(group):
    return getattr(group, 'name', group)


@pytest.mark.parametrize('register, list_opts', SIDES)
def test_what_is_listed_is_registered_with_the_same_default(register,
                                                            list_opts):
    conf = _registered(register)
    for group, opts in list_opts():
        name = _name(group)
        section = conf if name == 'DEFAULT' else conf[name]
        for opt in opts:
            if name in KSA_GROUPS and opt.dest in PASSWORD_OPTS:
                continue
            value = section[opt.dest]
            if isinstance(opt.default, str) and '$' in opt.default:
                continue  # interpolated
            assert value == opt.default, (name, opt.dest)


@pytest.mark.parametrize('register, list_opts', SIDES)
def test_every_registered_group_is_listed(register, list_opts):
    conf = _registered(register)
    groups = {name for name in conf
              if isinstance(conf[name], cfg.ConfigOpts.GroupAttr)}
    assert groups == {_name(group) for group, _ in list_opts()} - {'DEFAULT'}


def test_the_service_sets_its_defaults_of_library_options():
    conf = _registered(bn_conf.register_opts)
    assert conf.placement.service_type == 'placement'
    assert conf.placement.valid_interfaces == ['internal', 'public']
    assert conf.nova.service_type == 'compute'
    assert conf.glance.service_type == 'image'
    assert conf.database.connection.endswith('/blazar_nova.sqlite')
    assert conf.cors.allow_headers == middleware.CORS_DEFAULTS[
        'allow_headers']


def test_registering_leaves_the_libraries_own_defaults_alone():
    before = [(opt.dest, opt.default) for opt in cors.CORS_OPTS]
    _registered(bn_conf.register_opts)
    assert [(opt.dest, opt.default) for opt in cors.CORS_OPTS] == before


def test_overrides_stay_in_their_configopts():
    first = _registered(bn_conf.register_opts)
    second = _registered(bn_conf.register_opts)
    first.set_override('workers', 3, group='agent')
    first.set_override('max_lease_duration', 60, group='leases')
    first.set_default('valid_interfaces', ['admin'], group='placement')
    assert second.agent.workers == 8
    assert second.leases.max_lease_duration == 0
    assert second.placement.valid_interfaces == ['internal', 'public']


def _entry_points():
    config = configparser.ConfigParser()
    config.read(ROOT / 'setup.cfg')
    lines = config['entry_points']['oslo.config.opts'].strip().splitlines()
    return dict(line.replace(' ', '').split('=') for line in lines)


def _namespaces(generator_conf):
    return [line.split('=')[1].strip() for line in
            (ROOT / generator_conf).read_text().splitlines()
            if line.startswith('namespace')]


def test_one_generator_namespace_per_side():
    entry_points = _entry_points()
    assert entry_points == {
        'placement_ext.conf': 'placement_ext.conf.opts:list_opts',
        'blazar_nova.conf': 'blazar_nova.conf.opts:list_opts'}
    for target in entry_points.values():
        module, function = target.split(':')
        assert getattr(importlib.import_module(module), function)()
    assert set(entry_points) & set(_namespaces(
        'etc/blazar-nova-config-generator.conf')) == {'placement_ext.conf'}
    assert _namespaces('etc/nova-blazar-filter-config-generator.conf') == [
        'blazar_nova.conf']
