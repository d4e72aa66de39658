"""``blazar-nova-manage`` run as a real process."""

import pytest

from placement_ext.db import migration
from placement_ext.testing import manage_process


def _write_config(tmp_path, connection):
    path = tmp_path / 'blazar-nova.conf'
    path.write_text('[DEFAULT]\nstate_path = %s\n\n'
                    '[database]\nconnection = %s\n'
                    % (tmp_path / 'state', connection))
    return path


_manage = manage_process.run


def _ok(result):
    assert result.returncode == 0, result.stderr
    return result.stdout.strip()


def test_sync_and_version_on_sqlite_file(tmp_path):
    config = _write_config(
        tmp_path, 'sqlite:///%s' % (tmp_path / 'store.sqlite'))

    assert _ok(_manage(config, 'db', 'version')) == 'None'
    assert _ok(_manage(config, 'db', 'sync')) == migration.head_revision()
    assert _ok(_manage(config, 'db', 'version')) == migration.head_revision()
    # A second sync changes nothing and says where the schema is.
    assert _ok(_manage(config, 'db', 'sync')) == migration.head_revision()


def test_sync_and_version_on_each_backend(tmp_path, db_url):
    config = _write_config(tmp_path, db_url)

    assert _ok(_manage(config, 'db', 'version')) == 'None'
    assert _ok(_manage(config, 'db', 'sync')) == migration.head_revision()
    assert _ok(_manage(config, 'db', 'version')) == migration.head_revision()


def _assert_one_line_error(result):
    assert result.returncode == 1
    assert result.stdout == ''
    assert 'Traceback' not in result.stderr
    errors = [line for line in result.stderr.splitlines()
              if 'ERROR' in line]
    assert len(errors) == 1, result.stderr
    assert errors[0].startswith('ERROR: ')
    return errors[0]


@pytest.mark.parametrize('connection', [
    'nosuchdriver://nowhere/store',
    'this is not a database URL',
])
def test_bad_connection_url(tmp_path, connection):
    config = _write_config(tmp_path, connection)

    for command in (['db', 'version'], ['db', 'sync']):
        _assert_one_line_error(_manage(config, *command))


def test_unopenable_database(tmp_path):
    # A directory where the SQLite file should be: connecting fails.
    config = _write_config(tmp_path, 'sqlite:///%s' % tmp_path)

    error = _assert_one_line_error(_manage(config, 'db', 'sync'))
    assert 'unable to open database file' in error


def test_unknown_revision(tmp_path):
    config = _write_config(
        tmp_path, 'sqlite:///%s' % (tmp_path / 'store.sqlite'))

    error = _assert_one_line_error(_manage(config, 'db', 'sync', 'nosuch'))
    assert 'nosuch' in error


def test_missing_config_file(tmp_path):
    _assert_one_line_error(_manage(tmp_path / 'absent.conf', 'db', 'sync'))


def test_usage_errors_exit_2(tmp_path):
    config = _write_config(
        tmp_path, 'sqlite:///%s' % (tmp_path / 'store.sqlite'))

    assert _manage(config).returncode == 2
    assert _manage(config, 'db').returncode == 2
    assert _manage(config, 'db', 'nosuch').returncode == 2


def test_host_add_list_and_calendar(tmp_path):
    config = _write_config(
        tmp_path, 'sqlite:///%s' % (tmp_path / 'store.sqlite'))
    _ok(_manage(config, 'db', 'sync'))
    host_id, uuid = _ok(_manage(
        config, 'host', 'add', 'cn1', '--vcpus', '32', '--memory-mb',
        '131072', '--local-gb', '1000', '--property', 'gpu=true')).split()
    assert host_id == '1' and len(uuid) == 36
    _ok(_manage(config, 'host', 'add', 'cn2', '--vcpus', '8',
                '--memory-mb', '4096', '--local-gb', '100',
                '--not-reservable'))
    listing = _ok(_manage(config, 'host', 'list')).splitlines()
    assert listing[1].split()[:3] == ['1', 'cn1', 'True']
    assert 'gpu=true' in listing[1]
    assert listing[2].split()[:3] == ['2', 'cn2', 'False']

    # A lease taken through the store shows up in the calendar.
    from oslo_config import cfg

    from placement_ext import conf as bn_conf
    from placement_ext import context
    from placement_ext.store import api as store_api

    conf = cfg.ConfigOpts()
    bn_conf.register_opts(conf)
    conf(['--config-file', str(config)], project='blazar-nova')
    store = store_api.Store(conf)
    lease = store.create_lease(
        context.RequestContext(project_id='p1', user_id='u1'),
        {'name': 'demo', 'start_date': 'now',
         'end_date': _in_an_hour(store.now()),
         'reservations': [{'resource_type': 'physical:host', 'min': 1,
                           'max': 1}]})
    store.db.dispose()
    calendar = _ok(_manage(config, 'calendar', '--days', '1'))
    assert '(2 enrolled, 1 reservable)' in calendar
    assert '0 free' in calendar and '1 free' in calendar
    assert 'lease demo (%s), whole host' % lease['id'] in calendar
    assert 'free (not reservable)' in calendar


def _in_an_hour(now):
    from placement_ext import timeconv
    return timeconv.to_text(timeconv.to_datetime(now + 3600))


@pytest.mark.parametrize('args, message', [
    (['host', 'add', 'cn1', '--vcpus', '-1', '--memory-mb', '1',
      '--local-gb', '1'], 'Invalid vcpus'),
    (['host', 'add', 'cn1', '--vcpus', '1', '--memory-mb', '1',
      '--local-gb', '1', '--property', 'nonsense'], 'NAME=VALUE'),
    (['calendar', '--days', '0'], 'Invalid --days'),
])
def test_host_and_calendar_refusals(tmp_path, args, message):
    config = _write_config(
        tmp_path, 'sqlite:///%s' % (tmp_path / 'store.sqlite'))
    _ok(_manage(config, 'db', 'sync'))
    result = _manage(config, *args)
    _assert_one_line_error(result)
    assert message in result.stderr


def test_duplicate_host_is_one_clear_error(tmp_path):
    config = _write_config(
        tmp_path, 'sqlite:///%s' % (tmp_path / 'store.sqlite'))
    _ok(_manage(config, 'db', 'sync'))
    add = ['host', 'add', 'cn1', '--vcpus', '1', '--memory-mb', '1',
           '--local-gb', '1']
    _ok(_manage(config, *add))
    result = _manage(config, *add)
    _assert_one_line_error(result)
    assert 'already enrolled' in result.stderr


def test_unsynced_database_says_to_run_db_sync(tmp_path):
    config = _write_config(
        tmp_path, 'sqlite:///%s' % (tmp_path / 'store.sqlite'))
    result = _manage(config, 'calendar')
    _assert_one_line_error(result)
    assert 'run "blazar-nova-manage db sync"' in result.stderr
