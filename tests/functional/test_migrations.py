"""The migrations build exactly the models' schema, on every backend."""

import os
import subprocess
import sys

from alembic import autogenerate
from alembic import migration as alembic_migration
from alembic import script as alembic_script
import pytest
import sqlalchemy as sa

from placement_ext.db import api as db_api
from placement_ext.db import migration
from placement_ext.db import models
from tests import db_backends

REPO_ROOT = os.path.dirname(os.path.dirname(os.path.dirname(
    os.path.abspath(__file__))))
ALEMBIC_INI = os.path.join(REPO_ROOT, 'placement_ext', 'db', 'alembic.ini')
TABLES = {'hosts', 'leases', 'reservations', 'allocations', 'events',
          'locks', 'resource_properties'}


@pytest.fixture
def database(db_url):
    database = db_api.Database(connection=db_url)
    yield database
    database.dispose()


def _diffs(engine):
    with engine.connect() as connection:
        context = alembic_migration.MigrationContext.configure(
            connection, opts={'compare_server_default': True})
        return autogenerate.compare_metadata(context, models.Base.metadata)


def _schema(engine):
    """What the backend reports about every table, names included."""
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
    return schema


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
    scratch = db_backends.ScratchDatabase(database.backend, tmp_path)
    try:
        engine = sa.create_engine(scratch.url)
        try:
            models.Base.metadata.create_all(engine)
            expected = _schema(engine)
        finally:
            engine.dispose()
    finally:
        scratch.drop()

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
