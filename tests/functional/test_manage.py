"""``blazar-nova-manage`` run as a real process."""

import os
import subprocess
import sys

import pytest

from placement_ext.db import migration

REPO_ROOT = os.path.dirname(os.path.dirname(os.path.dirname(
    os.path.abspath(__file__))))


def _write_config(tmp_path, connection):
    path = tmp_path / 'blazar-nova.conf'
    path.write_text('[DEFAULT]\nstate_path = %s\n\n'
                    '[database]\nconnection = %s\n'
                    % (tmp_path / 'state', connection))
    return path


def _manage(config_file, *args):
    env = dict(os.environ)
    env['PYTHONPATH'] = os.pathsep.join(
        filter(None, [REPO_ROOT, env.get('PYTHONPATH')]))
    return subprocess.run(
        [sys.executable, '-m', 'placement_ext.cmd.manage',
         '--config-file', str(config_file)] + list(args),
        capture_output=True, text=True, cwd=REPO_ROOT, env=env, timeout=300)


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
