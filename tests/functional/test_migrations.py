"""The migrations build exactly the models' schema, on every backend."""

import contextlib
import os
import subprocess
import sys

from alembic import autogenerate
from alembic import migration as alembic_migration
from alembic import script as alembic_script
from oslo_db import exception as db_exc
import pytest
import sqlalchemy as sa

from placement_ext import context as bn_context
from placement_ext.db import api as db_api
from placement_ext.db import migration
from placement_ext.db import models
from placement_ext import exception
from placement_ext.store import api as store_api
from placement_ext import timeconv
from tests.conftest import scratch_database
from placement_ext.testing import db_backends

REPO_ROOT = os.path.dirname(os.path.dirname(os.path.dirname(
    os.path.abspath(__file__))))
ALEMBIC_INI = os.path.join(REPO_ROOT, 'placement_ext', 'db', 'alembic.ini')
TABLES = {'hosts', 'leases', 'reservations', 'allocations', 'events',
          'locks', 'resource_properties'}
# The revision before the binary collation, its own, and that collation on
# MariaDB.
BEFORE_BINARY = '7e1c4a9d2f35'
AT_BINARY = 'b3f18d6c2a47'
# The revision before SQLite's host ids were made never to be reused.
BEFORE_HOST_IDS = 'b3f18d6c2a47'
NOPAD_BIN = 'utf8mb4_nopad_bin'
JSON_COLUMNS = {('hosts', 'extra_capacity'), ('hosts', 'properties'),
                ('hosts', 'placement'), ('reservations', 'extra_resources'),
                ('reservations', 'flavor')}


@pytest.fixture
def database(db_url):
    database = db_api.Database(connection=db_url)
    yield database
    database.dispose()


@pytest.fixture
def mariadb(tmp_path):
    """A database on MariaDB only, for what only MariaDB does (skipped
    only when its server is not listening)."""
    scratch = scratch_database('mysql', tmp_path)
    database = db_api.Database(connection=scratch.url)
    yield database
    database.dispose()
    scratch.drop()


def _diffs(engine):
    with engine.connect() as connection:
        context = alembic_migration.MigrationContext.configure(
            connection, opts={'compare_server_default': True})
        return autogenerate.compare_metadata(context, models.Base.metadata)


def _collations(engine, table):
    """MariaDB/MySQL: the table's default collation and (name, character
    set, collation) of each of its text columns."""
    with engine.connect() as connection:
        default = connection.execute(sa.text(
            'SELECT TABLE_COLLATION FROM information_schema.TABLES '
            'WHERE TABLE_SCHEMA = DATABASE() AND TABLE_NAME = :table'),
            {'table': table}).scalar_one()
        columns = connection.execute(sa.text(
            'SELECT COLUMN_NAME, CHARACTER_SET_NAME, COLLATION_NAME '
            'FROM information_schema.COLUMNS WHERE TABLE_SCHEMA = '
            'DATABASE() AND TABLE_NAME = :table AND COLLATION_NAME IS NOT '
            'NULL'), {'table': table}).all()
    return default, sorted(tuple(column) for column in columns)


def _database_collation(engine):
    with engine.connect() as connection:
        return connection.execute(sa.text(
            'SELECT DEFAULT_COLLATION_NAME FROM information_schema.SCHEMATA '
            'WHERE SCHEMA_NAME = DATABASE()')).scalar_one()


def _schema(engine):
    """What the backend reports about every table, names and (on MariaDB)
    collations included."""
    inspector = sa.inspect(engine)
    schema = {}
    for table in inspector.get_table_names():
        if table == 'alembic_version':
            continue
        schema[table] = {
            # Sorted: later migrations append columns at the end, while
            # the models keep related columns together.
            'columns': sorted(
                (c['name'], c['type'].compile(dialect=engine.dialect),
                 c['nullable'], c.get('default'))
                for c in inspector.get_columns(table)),
            'primary_key': inspector.get_pk_constraint(table),
            'foreign_keys': sorted(
                (fk['name'] or '', fk['constrained_columns'],
                 fk['referred_table'], fk['referred_columns'],
                 sorted(fk['options'].items()))
                for fk in inspector.get_foreign_keys(table)),
            'indexes': sorted(
                (ix['name'], ix['column_names'], bool(ix['unique']))
                for ix in inspector.get_indexes(table)),
            'unique_constraints': sorted(
                (uc['name'] or '', uc['column_names'])
                for uc in inspector.get_unique_constraints(table)),
        }
        if engine.dialect.name == 'mysql':
            schema[table]['collations'] = _collations(engine, table)
        if engine.dialect.name == 'sqlite':
            with engine.connect() as connection:
                sql = connection.execute(sa.text(
                    'SELECT sql FROM sqlite_master WHERE type = :t AND '
                    'name = :n'), {'t': 'table', 'n': table}).scalar_one()
            schema[table]['autoincrement'] = 'AUTOINCREMENT' in sql.upper()
    return schema


def _models_copy():
    """The models' tables in a metadata of their own.

    Nova's first migration, which Nova's functional harness runs in this
    process (tests/functional/nova), registers a global compiler hook that
    sets ``name = None`` on every foreign key it compiles for PostgreSQL
    (nova/db/main/migrations/versions/8f2f1571d55b_initial_version.py):
    compiling the models' own constraints would unname them for every
    later test on every backend. A copy takes the hook's damage instead.
    """
    metadata = sa.MetaData(naming_convention=models.NAMING_CONVENTION)
    for table in models.Base.metadata.sorted_tables:
        table.to_metadata(metadata)
    return metadata


def _create_all_schema(backend, tmp_path):
    """``_schema`` of a scratch database made by ``create_all``."""
    scratch = db_backends.ScratchDatabase(backend, tmp_path)
    try:
        engine = sa.create_engine(scratch.url)
        try:
            _models_copy().create_all(engine)
            return _schema(engine)
        finally:
            engine.dispose()
    finally:
        scratch.drop()


def _migrated_schema(backend, tmp_path, revision):
    """``_schema`` of a scratch database migrated up to ``revision``."""
    scratch = db_backends.ScratchDatabase(backend, tmp_path)
    try:
        database = db_api.Database(connection=scratch.url)
        try:
            migration.upgrade(database, revision)
            return _schema(database.engine)
        finally:
            database.dispose()
    finally:
        scratch.drop()


def _downgrade(database, revision):
    migration.downgrade(database, revision)


def _locks(engine):
    with engine.connect() as connection:
        return connection.execute(
            sa.text('SELECT name, counter, created_at FROM locks')).all()


def test_single_head():
    script = alembic_script.ScriptDirectory.from_config(
        migration.alembic_config_for())
    assert script.get_heads() == [migration.head_revision()]


def test_upgrade_matches_models(database):
    assert migration.upgrade(database) == migration.head_revision()

    assert _diffs(database.engine) == []


def test_comparison_sees_the_tables(database):
    # Guards the test above: an empty diff must come from a real comparison.
    migration.upgrade(database)
    with database.engine.connect() as connection:
        context = alembic_migration.MigrationContext.configure(connection)
        diffs = autogenerate.compare_metadata(context, sa.MetaData())
    assert {diff[1].name for diff in diffs
            if diff[0] == 'remove_table'} == TABLES


def test_upgrade_matches_create_all(database, tmp_path):
    # Same names too: the models leave some constraints unnamed, so the
    # backend names them, and it must do so the same way after migrating.
    # On MariaDB the collations of tables and columns must match as well.
    expected = _create_all_schema(database.backend, tmp_path)

    migration.upgrade(database)

    assert set(expected) == TABLES
    assert _schema(database.engine) == expected


def test_upgrade_twice_is_a_no_op(database):
    migration.upgrade(database)
    schema = _schema(database.engine)
    locks = _locks(database.engine)

    assert migration.upgrade(database) == migration.head_revision()

    assert _schema(database.engine) == schema
    assert _locks(database.engine) == locks


def test_current_revision(database):
    assert migration.current_revision(database) is None

    migration.upgrade(database)

    assert migration.current_revision(database) == migration.head_revision()


def test_lock_rows(database):
    migration.upgrade(database)

    rows = sorted(_locks(database.engine))
    assert [(name, counter) for name, counter, _at in rows] == [
        ('allocator', 0), ('hosts', 0)]
    assert all(created_at is not None for _n, _c, created_at in rows)


def test_alembic_command_line(database, db_url):
    result = subprocess.run(
        [sys.executable, '-m', 'alembic', '-c', ALEMBIC_INI,
         '-x', 'url=%s' % db_url, 'upgrade', 'head'],
        capture_output=True, text=True, timeout=300)

    assert result.returncode == 0, result.stderr
    assert migration.current_revision(database) == migration.head_revision()
    assert _diffs(database.engine) == []


def test_mariadb_tables_use_the_binary_no_pad_collation(mariadb):
    database = mariadb
    migration.upgrade(database)

    for table in TABLES:
        default, columns = _collations(database.engine, table)
        assert default == NOPAD_BIN, table
        for column, charset, collation in columns:
            assert charset == 'utf8mb4', (table, column)
            # MariaDB makes JSON columns utf8mb4_bin, whatever the table.
            assert collation == ('utf8mb4_bin' if (table, column)
                                 in JSON_COLUMNS else NOPAD_BIN), (
                table, column)


def test_strings_compare_exactly_after_migrating(database):
    migration.upgrade(database)
    names = ['rack', 'Rack', 'räck', 'rack ']
    with database.engine.begin() as connection:
        # A primary key: values differing by case, accent or trailing space
        # are different keys.
        for name in names:
            connection.execute(sa.text(
                "INSERT INTO resource_properties (name, private, created_at) "
                "VALUES (:name, :private, '2030-01-01 00:00:00')"),
                {'name': name, 'private': False})
    with database.engine.connect() as connection:
        for name in names + ['RACK', 'rack  ']:
            found = connection.execute(sa.text(
                'SELECT name FROM resource_properties WHERE name = :name'),
                {'name': name}).scalars().all()
            assert found == ([name] if name in names else []), name
        assert connection.execute(sa.text(
            "SELECT name FROM locks WHERE name IN ('ALLOCATOR', "
            "'allocator ', 'allocatör')")).all() == []


def _admin():
    return bn_context.admin_context()


@contextlib.contextmanager
def _later_columns(database):
    """Today's store at an older revision: the columns the models have and
    the schema lacks (added by later migrations) are added, nullable,
    for the duration and dropped again on exit, so that the schema is the
    revision's when it is migrated. Yields their names, which the views
    show and a comparison across the migration leaves out (``_without``).
    """
    inspector = sa.inspect(database.engine)
    missing = [(table.name, column)
               for table in models.Base.metadata.sorted_tables
               if inspector.has_table(table.name)
               for column in table.columns
               if column.name not in {c['name'] for c in
                                      inspector.get_columns(table.name)}]
    dialect = database.engine.dialect
    with database.engine.begin() as connection:
        for table, column in missing:
            connection.exec_driver_sql('ALTER TABLE %s ADD COLUMN %s %s' % (
                table, column.name, column.type.compile(dialect=dialect)))
    try:
        yield {column.name for _table, column in missing}
    finally:
        database.engine.dispose()
        with database.engine.begin() as connection:
            for table, column in missing:
                connection.exec_driver_sql('ALTER TABLE %s DROP COLUMN %s'
                                           % (table, column.name))


def _without(views, names):
    return [{k: v for k, v in view.items() if k not in names}
            for view in views]


def _slot_lease(clock, name):
    return {'name': name,
            'start_date': timeconv.to_text(timeconv.to_datetime(
                clock.now + 3600)),
            'end_date': timeconv.to_text(timeconv.to_datetime(
                clock.now + 7200)),
            'reservations': [{'resource_type': 'virtual:instance',
                              'amount': 1, 'vcpus': 1, 'memory_mb': 512,
                              'disk_gb': 1}]}


def _row_counts(engine):
    with engine.connect() as connection:
        return {table: connection.execute(sa.text(
            'SELECT COUNT(*) FROM %s' % table)).scalar_one()
            for table in ('leases', 'reservations', 'allocations',
                          'events')}


def test_upgrade_to_binary_collation_keeps_the_data(database, conf, clock,
                                                    tmp_path):
    migration.upgrade(database, BEFORE_BINARY)
    if database.backend == 'mysql':
        # What the tables had before: the database's default.
        assert _collations(database.engine, 'leases')[0] == \
            _database_collation(database.engine) != NOPAD_BIN
    store = store_api.Store(conf, database, clock=clock)
    with _later_columns(database) as later:
        store.create_host(_admin(), {
            'hypervisor_hostname': 'maria-cn2', 'vcpus': 8,
            'memory_mb': 8192, 'local_gb': 100,
            'extra_capacity': {'VGPU': 2}, 'properties': {'rack': 'r1'}})
        project = bn_context.RequestContext(project_id='pa', user_id='u')
        lease = store.create_lease(project, _slot_lease(clock, 'Dup'))
        hosts = store.list_hosts(_admin())
        leases = store.list_leases(_admin(), all_projects=True)

    assert migration.upgrade(database) == migration.head_revision()

    assert _schema(database.engine) == _create_all_schema(database.backend,
                                                          tmp_path)
    assert _without(store.list_hosts(_admin()), later) == _without(hosts,
                                                                   later)
    assert _without(store.list_leases(_admin(), all_projects=True),
                    later) == _without(leases, later)
    with pytest.raises(exception.NotFound):
        store.get_host(_admin(), 'MARIA-CN2')
    other = bn_context.RequestContext(project_id='pA', user_id='u')
    store.create_lease(other, _slot_lease(clock, 'Dup'))
    store.create_lease(project, _slot_lease(clock, 'dup'))
    assert sorted(x['name'] for x in store.list_leases(project)) == [
        'Dup', 'dup']
    assert [x['name'] for x in store.list_leases(other)] == ['Dup']
    # The foreign keys were made again: checked, and cascading.
    with pytest.raises(db_exc.DBReferenceError):
        with database.engine.begin() as connection:
            connection.execute(sa.text(
                "INSERT INTO events (lease_id, event_type, time, status, "
                "attempts, created_at) VALUES (:lease_id, 'start_lease', "
                "'2030-01-01 00:00:00', 'UNDONE', 0, "
                "'2030-01-01 00:00:00')"),
                {'lease_id': lease['id'].upper()})
    before = _row_counts(database.engine)
    store.delete_lease(project, lease['id'])
    assert _row_counts(database.engine) == {
        'leases': before['leases'] - 1,
        'reservations': before['reservations'] - 1,
        'allocations': before['allocations'] - 1,
        'events': before['events'] - 3}


def test_downgrade_from_binary_collation(database, conf, clock, tmp_path):
    migration.upgrade(database)
    store = store_api.Store(conf, database, clock=clock)
    store.create_host(_admin(), {
        'hypervisor_hostname': 'cn-a', 'vcpus': 8, 'memory_mb': 8192,
        'local_gb': 100})
    project = bn_context.RequestContext(project_id='pa', user_id='u')
    store.create_lease(project, _slot_lease(clock, 'l1'))
    leases = store.list_leases(_admin(), all_projects=True)

    _downgrade(database, BEFORE_BINARY)

    assert migration.current_revision(database) == BEFORE_BINARY
    assert _schema(database.engine) == _migrated_schema(
        database.backend, tmp_path, BEFORE_BINARY)
    with _later_columns(database) as later:
        assert _without(store.list_leases(_admin(), all_projects=True),
                        later) == _without(leases, later)

    migration.upgrade(database)

    assert _schema(database.engine) == _create_all_schema(database.backend,
                                                          tmp_path)
    assert _without(store.list_leases(_admin(), all_projects=True),
                    later) == _without(leases, later)


def test_downgrade_refuses_names_that_would_clash(mariadb, conf, clock):
    database = mariadb
    migration.upgrade(database)
    store = store_api.Store(conf, database, clock=clock)
    for name in ('cn-a', 'cn-A', 'cn-b'):
        store.create_host(_admin(), {
            'hypervisor_hostname': name, 'vcpus': 8, 'memory_mb': 8192,
            'local_gb': 100})
    # Later migrations go down first (MariaDB's DDL is not transactional).
    _downgrade(database, AT_BINARY)
    schema = _schema(database.engine)

    with pytest.raises(RuntimeError) as exc:
        _downgrade(database, BEFORE_BINARY)

    assert 'hosts.hypervisor_hostname: ' in str(exc.value)
    assert 'cn-a' in str(exc.value) and 'cn-A' in str(exc.value)
    assert 'cn-b' not in str(exc.value)
    assert migration.current_revision(database) == AT_BINARY
    assert _schema(database.engine) == schema
    with _later_columns(database):
        assert len(store.list_hosts(_admin())) == 3


def test_interrupted_upgrade_to_binary_collation_runs_again(mariadb,
                                                            tmp_path):
    # MariaDB's DDL is not transactional: an upgrade stopped half way
    # leaves what it did, and running it again finishes the job.
    database = mariadb
    migration.upgrade(database, BEFORE_BINARY)
    with database.engine.begin() as connection:
        for statement in (
                'ALTER TABLE reservations DROP FOREIGN KEY '
                'fk_reservations_lease_id',
                'ALTER TABLE allocations DROP FOREIGN KEY '
                'fk_allocations_reservation_id',
                'ALTER TABLE events DROP FOREIGN KEY fk_events_lease_id',
                'ALTER TABLE hosts CONVERT TO CHARACTER SET utf8mb4 '
                'COLLATE utf8mb4_nopad_bin',
                'ALTER TABLE leases CONVERT TO CHARACTER SET utf8mb4 '
                'COLLATE utf8mb4_nopad_bin'):
            connection.exec_driver_sql(statement)
    assert migration.current_revision(database) == BEFORE_BINARY

    assert migration.upgrade(database) == migration.head_revision()

    assert _schema(database.engine) == _create_all_schema(database.backend,
                                                          tmp_path)


def _host(store, name):
    return store.create_host(_admin(), {
        'hypervisor_hostname': name, 'vcpus': 8, 'memory_mb': 8192,
        'local_gb': 100})['id']


def test_host_ids_are_never_reused(database, conf, clock, tmp_path):
    # SQLite gave the newest host's id to the next host once it was
    # removed, where MariaDB and PostgreSQL count on: /v1/os-hosts/3 then
    # named another host on SQLite only.
    migration.upgrade(database, BEFORE_HOST_IDS)
    store = store_api.Store(conf, database, clock=clock)
    with _later_columns(database):
        assert [_host(store, name) for name in ('h1', 'h2', 'h3')] == [
            '1', '2', '3']
        project = bn_context.RequestContext(project_id='p', user_id='u')
        lease = store.create_lease(project, _slot_lease(clock, 'kept'))
        held = lease['reservations'][0]['allocations']

    migration.upgrade(database)

    assert _schema(database.engine) == _create_all_schema(database.backend,
                                                          tmp_path)
    assert [h['id'] for h in store.list_hosts(_admin())] == ['1', '2', '3']
    assert store.get_lease(project, lease['id'])['reservations'][0][
        'allocations'] == held
    # Foreign keys are enforced again after the rebuild.
    with pytest.raises(db_exc.DBReferenceError):
        with database.engine.begin() as connection:
            connection.execute(sa.text(
                'UPDATE allocations SET host_id = 99'))
    idle = ({'1', '2', '3'} - {a['host_id'] for a in held}).pop()
    store.delete_host(_admin(), idle)
    assert _host(store, 'h4') == '4'
    store.delete_host(_admin(), '4')
    assert _host(store, 'h5') == '5'
