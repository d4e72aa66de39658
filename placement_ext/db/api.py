"""Engine wiring: one enginefacade transaction context per store database.

SQLite connections get WAL journaling (readers never wait for the writer) and
a long busy timeout (writers queue instead of failing). oslo.db already makes
SQLite transactions start with a real ``BEGIN``. A transaction that reads
before it writes can still fail at once with "database is locked" (its
snapshot went stale); the store retries those (``store.api.sqlite_busy``).
"""

import os

from oslo_db.sqlalchemy import enginefacade
import sqlalchemy as sa
from sqlalchemy.engine import url as sa_url

from oslo_log import log as logging

LOG = logging.getLogger(__name__)

SQLITE_BUSY_TIMEOUT_MS = 60000


def _engine_options(conf_group):
    options = dict(conf_group.items())
    options.pop('backend', None)
    return options


# Charsets a MySQL/MariaDB URL may name that cannot carry every character
# the tables store: asked for, the connection talks utf8mb4 instead.
_THREE_BYTE_CHARSETS = ('utf8', 'utf8mb3')


def _with_charset(connection):
    """A MySQL/MariaDB URL that talks utf8mb4, as the tables store it.

    oslo.db asks for ``utf8`` when the URL names no charset, and DevStack
    writes ``?charset=utf8``: three bytes a character, in which a
    character outside the Basic Multilingual Plane (an emoji in a project
    id or a lease name) cannot be sent, and MariaDB refuses to compare
    such a literal with the store's columns. Those become ``utf8mb4``; any
    other charset the URL names is kept."""
    url = sa_url.make_url(connection)
    if url.get_backend_name() != 'mysql' or url.query.get(
            'charset', 'utf8') not in _THREE_BYTE_CHARSETS:
        return connection
    return url.update_query_dict({'charset': 'utf8mb4'}).render_as_string(
        hide_password=False)


def _ensure_sqlite_directory(connection):
    url = sa_url.make_url(connection)
    if url.get_backend_name() != 'sqlite':
        return
    path = url.database
    if path and path != ':memory:' and not path.startswith('file:'):
        directory = os.path.dirname(os.path.abspath(path))
        os.makedirs(directory, exist_ok=True)


def _tune_sqlite(engine):
    if engine.dialect.name != 'sqlite':
        return

    @sa.event.listens_for(engine, 'connect')
    def _on_connect(dbapi_connection, connection_record):
        cursor = dbapi_connection.cursor()
        cursor.execute('PRAGMA busy_timeout = %d' % SQLITE_BUSY_TIMEOUT_MS)
        if engine.url.database not in (None, '', ':memory:'):
            cursor.execute('PRAGMA journal_mode = WAL')
        cursor.close()


class Database:
    """A store database: the enginefacade context and its engine."""

    def __init__(self, conf=None, connection=None):
        if connection is None:
            options = _engine_options(conf.database)
        else:
            options = {'connection': connection}
        options['sqlite_fk'] = True
        options['connection'] = _with_charset(options['connection'])
        _ensure_sqlite_directory(options['connection'])
        self.connection = options['connection']
        self._facade = enginefacade.transaction_context()
        self._facade.configure(**options)
        self.engine = self._facade.writer.get_engine()
        _tune_sqlite(self.engine)
        # Connections opened before the listener existed miss the pragmas.
        self.engine.dispose()

    @property
    def backend(self):
        """'sqlite', 'mysql' or 'postgresql'."""
        return self.engine.dialect.name

    def writer(self, context):
        """A read-write transaction bound to ``context``."""
        return self._facade.writer.using(context)

    def reader(self, context):
        """A read-only transaction bound to ``context``."""
        return self._facade.reader.using(context)

    def dispose(self):
        self.engine.dispose()
