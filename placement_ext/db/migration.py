"""Schema migrations of the reservation store, run with alembic.

``upgrade`` brings a store database to a revision (the newest by default),
``current_revision`` tells which revision a database is at and
``head_revision`` which one this code expects. The migrations live in the
``migrations`` directory next to this module; they run on the
:class:`placement_ext.db.api.Database` engine, whose connection is handed to
``migrations/env.py`` through ``config.attributes['connection']``.
"""

import contextlib
import os

from alembic import command
from alembic import config as alembic_config
from alembic import migration as alembic_migration
from alembic import script as alembic_script

MIGRATIONS_DIR = os.path.join(os.path.dirname(os.path.abspath(__file__)),
                              'migrations')


def alembic_config_for(connection=None):
    """An alembic ``Config`` for this package's migrations.

    When ``connection`` is given, ``env.py`` migrates through it instead of
    opening its own.
    """
    config = alembic_config.Config()
    # Config options go through configparser interpolation: escape '%'.
    config.set_main_option('script_location',
                           MIGRATIONS_DIR.replace('%', '%%'))
    if connection is not None:
        config.attributes['connection'] = connection
    return config


def head_revision():
    """The newest revision of the migrations shipped with this code."""
    script = alembic_script.ScriptDirectory.from_config(alembic_config_for())
    return script.get_current_head()


def current_revision(database):
    """The revision ``database`` is at, or None if it was never synced."""
    with database.engine.connect() as connection:
        context = alembic_migration.MigrationContext.configure(connection)
        return context.get_current_revision()


def upgrade(database, revision='head'):
    """Migrate ``database`` up to ``revision``; return the revision reached.

    Upgrading a database that is already at ``revision`` changes nothing.
    The whole upgrade runs in one transaction where the backend has
    transactional DDL (PostgreSQL, SQLite).
    """
    _migrate(database, command.upgrade, revision)
    return current_revision(database)


def downgrade(database, revision):
    """Migrate ``database`` down to ``revision``."""
    _migrate(database, command.downgrade, revision)


def _migrate(database, step, revision):
    with database.engine.connect() as connection:
        with _sqlite_foreign_keys_off(connection):
            with connection.begin():
                step(alembic_config_for(connection), revision)


@contextlib.contextmanager
def _sqlite_foreign_keys_off(connection):
    """SQLite rebuilds a table to alter it (copy, drop, rename), which its
    foreign key enforcement forbids for a table others refer to; SQLite's
    own procedure turns enforcement off around the change (it cannot be
    changed inside a transaction) and checks every key afterwards. Other
    backends are left as they are."""
    if connection.dialect.name != 'sqlite':
        yield
        return
    raw = connection.connection.driver_connection
    (enforced,) = raw.execute('PRAGMA foreign_keys').fetchone()
    raw.execute('PRAGMA foreign_keys = OFF')
    try:
        yield
        broken = raw.execute('PRAGMA foreign_key_check').fetchall()
        if broken:
            raise RuntimeError('The migration left rows whose foreign keys '
                               'point nowhere: %s' % broken[:10])
    finally:
        raw.execute('PRAGMA foreign_keys = %s'
                    % ('ON' if enforced else 'OFF'))
