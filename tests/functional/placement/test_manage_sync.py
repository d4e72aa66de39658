"""``blazar-nova-manage placement sync`` as a real process against the
standalone Placement."""

import uuid

import pytest

from placement_ext import context as bn_context
from placement_ext.db import api as db_api
from placement_ext.db import migration
from blazar_nova import names
from placement_ext.store import api as store_api
from placement_ext import timeconv
from placement_ext.testing import manage_process
from placement_ext.testing import placement_service as ps
from placement_ext.testing.placement_service import carriers

ADMIN = bn_context.admin_context()


def _write_config(tmp_path, endpoint):
    path = tmp_path / 'blazar-nova.conf'
    path.write_text(
        '[DEFAULT]\nstate_path = %s\n\n'
        '[database]\nconnection = sqlite:///%s\n\n'
        '[placement]\nauth_type = admin_token\nendpoint = %s\n'
        'token = admin\n' % (tmp_path / 'state', tmp_path / 'store.sqlite',
                             endpoint))
    return path


_manage = manage_process.run


def _ok(result):
    assert result.returncode == 0, result.stderr
    assert 'Traceback' not in result.stderr
    return result.stdout.strip().splitlines()


@pytest.fixture
def store(tmp_path):
    """The store the command will read, migrated."""
    from oslo_config import cfg
    from placement_ext import conf as bn_conf
    conf = cfg.ConfigOpts()
    bn_conf.register_opts(conf)
    conf([], project='blazar-nova', default_config_files=[])
    database = db_api.Database(
        connection='sqlite:///%s' % (tmp_path / 'store.sqlite'))
    migration.upgrade(database)
    yield store_api.Store(conf, database)
    database.dispose()


@pytest.fixture
def config(tmp_path, standalone, store):
    """A config file for the store, pointing at the emptied standalone
    Placement."""
    return _write_config(tmp_path, standalone.endpoint)


def _enrol(store, hostname, node_uuid):
    store.create_host(ADMIN, {
        'hypervisor_hostname': hostname, 'uuid': node_uuid, 'vcpus': 8,
        'memory_mb': 4096, 'local_gb': 100, 'properties': {}})


def test_first_sync_on_a_fresh_placement(config, store, standalone):
    host = ps.add_compute_node(standalone.client, 'cn1')
    _enrol(store, 'cn1', host)

    assert _ok(_manage(config, 'placement', 'sync')) == [
        'changed: marked host %s reservable' % host,
        '1 change(s), 0 kept, 0 problem(s)']


def test_sync_prints_its_changes_then_nothing_to_do(config, store,
                                                    standalone):
    client = standalone.client
    cn1 = ps.add_compute_node(client, 'cn1')
    cn2 = ps.add_compute_node(client, 'cn2')
    _enrol(store, 'cn1', cn1)
    _enrol(store, 'cn2', cn2)
    lease = store.create_lease(
        bn_context.RequestContext(project_id='p1', user_id='u1'),
        {'name': 'l1',
         'start_date': timeconv.to_text(timeconv.to_datetime(
             store.now() + 3600)),
         'end_date': timeconv.to_text(timeconv.to_datetime(
             store.now() + 7200)),
         'reservations': [{'resource_type': 'physical:host', 'min': 1,
                           'max': 1, 'hypervisor_properties': ''}]})
    store.set_lease_status(ADMIN, lease['id'], 'PENDING', 'STARTING')
    store.set_lease_status(ADMIN, lease['id'], 'STARTING', 'ACTIVE')
    (reservation,) = lease['reservations']
    (allocation,) = reservation['allocations']
    hostname = allocation['hypervisor_hostname']
    host = {'cn1': cn1, 'cn2': cn2}[hostname]
    trait = names.access_trait(reservation['id'], 'p1')

    lines = _ok(_manage(config, 'placement', 'sync'))

    assert sorted(lines[:-1]) == sorted([
        'changed: marked host %s reservable' % cn1,
        'changed: marked host %s reservable' % cn2,
        'changed: granted %s on host %s' % (trait, hostname),
        'changed: marked host %s reserved' % host])
    assert lines[-1] == '4 change(s), 0 kept, 0 problem(s)'
    assert carriers(client, trait) == {host}
    assert carriers(client, names.RESERVABLE_TRAIT) == {cn1, cn2}
    assert carriers(client, names.RESERVED_TRAIT) == {host}

    assert _ok(_manage(config, 'placement', 'sync')) == [
        'Placement already matches the store.']


def test_sync_reports_problems_with_exit_3(config, store, standalone):
    missing = str(uuid.uuid4())
    _enrol(store, 'cn-gone', missing)

    result = _manage(config, 'placement', 'sync')

    assert result.returncode == 3, result.stderr
    lines = result.stdout.strip().splitlines()
    assert len(lines) == 2
    assert lines[0].startswith('problem: host cn-gone (%s)' % missing)
    assert lines[1] == '0 change(s), 0 kept, 1 problem(s)'


def test_sync_without_placement_is_a_one_line_error(tmp_path, store):
    config = _write_config(tmp_path,
                           'http://127.0.0.1:%d' % ps.free_port())

    result = _manage(config, 'placement', 'sync')

    assert result.returncode == 1
    assert result.stdout == ''
    assert 'Traceback' not in result.stderr
    errors = [line for line in result.stderr.splitlines() if line.strip()]
    assert len(errors) == 1, result.stderr
    assert errors[0].startswith('ERROR: Placement is unreachable')


def test_host_add_enrols_through_placement_as_the_api_does(config, store,
                                                           standalone):
    """``host add NAME`` reads the node's capacity from Placement and marks
    it reservable (the same code as ``POST /v1/os-hosts``)."""
    node = ps.add_compute_node(standalone.client, 'cn1')
    (line,) = _ok(_manage(config, 'host', 'add', 'cn1', '--property',
                          'rack=r1'))
    assert line.split()[1] == node
    (host,) = store.list_hosts(ADMIN)
    assert (host['uuid'], host['vcpus'], host['memory_mb'],
            host['local_gb'], host['properties']) == (
        node, 8, 16384, 200, {'rack': 'r1'})
    assert names.RESERVABLE_TRAIT in ps.traits_of(standalone.client, node)


def test_host_add_of_a_node_placement_lacks_writes_nothing(config, store,
                                                           standalone):
    result = _manage(config, 'host', 'add', 'cn-missing')
    assert result.returncode != 0
    assert 'Placement has no compute node named cn-missing' in \
        result.stderr
    assert 'Traceback' not in result.stderr
    assert store.list_hosts(ADMIN) == []


def test_host_add_with_part_of_a_capacity_is_refused(config, store,
                                                     standalone):
    ps.add_compute_node(standalone.client, 'cn1')
    result = _manage(config, 'host', 'add', 'cn1', '--vcpus', '4')
    assert result.returncode != 0
    assert '--memory-mb and --local-gb together (got --vcpus)' in \
        result.stderr
    assert store.list_hosts(ADMIN) == []
