"""Alembic environment of the reservation store.

``placement_ext.db.migration`` runs migrations on the store's own engine: it
hands an open connection over in ``config.attributes['connection']`` and this
module uses it as is (it neither commits nor closes it). Run from the
``alembic`` command line instead, the database URL comes from ``-x url=...``
or from ``sqlalchemy.url`` in ``alembic.ini``.

SQLite cannot alter most of a table in place, so migrations on it run in
batch mode (``render_as_batch``): alembic rebuilds the table instead.
"""

import logging.config

from alembic import context
import sqlalchemy as sa
from sqlalchemy.engine import url as sa_url

from placement_ext.db import models

config = context.config
target_metadata = models.Base.metadata


def _database_url():
    url = (context.get_x_argument(as_dictionary=True).get('url')
           or config.get_main_option('sqlalchemy.url'))
    if not url:
        raise RuntimeError(
            'No database to migrate: set sqlalchemy.url in alembic.ini or '
            'pass -x url=<the [database] connection of blazar-nova.conf>')
    return url


def _is_sqlite(dialect_name):
    return dialect_name == 'sqlite'


def run_migrations_offline():
    """Write the migrations' SQL to standard output (``--sql``)."""
    url = _database_url()
    backend = sa_url.make_url(url).get_backend_name()
    context.configure(
        url=url,
        target_metadata=target_metadata,
        literal_binds=True,
        dialect_opts={'paramstyle': 'named'},
        render_as_batch=_is_sqlite(backend))
    with context.begin_transaction():
        context.run_migrations()


def _run_on(connection):
    context.configure(
        connection=connection,
        target_metadata=target_metadata,
        render_as_batch=_is_sqlite(connection.dialect.name))
    with context.begin_transaction():
        context.run_migrations()


def run_migrations_online():
    """Migrate the given connection, or a new one to ``sqlalchemy.url``."""
    connection = config.attributes.get('connection')
    if connection is not None:
        _run_on(connection)
        return
    engine = sa.create_engine(_database_url(), poolclass=sa.pool.NullPool)
    try:
        with engine.connect() as connection:
            _run_on(connection)
    finally:
        engine.dispose()


# The alembic command line reads logging settings from alembic.ini; when
# called from placement_ext.db.migration the service's logging stays as is.
if (config.config_file_name is not None
        and 'connection' not in config.attributes):
    logging.config.fileConfig(config.config_file_name,
                              disable_existing_loggers=False)

if context.is_offline_mode():
    run_migrations_offline()
else:
    run_migrations_online()
