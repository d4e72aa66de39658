"""Throwaway databases on SQLite, MariaDB/MySQL and PostgreSQL for tests.

A server-backed test skips only when nothing listens on the server's port;
when the port answers, any failure to provision is an error, so a CI run on a
machine whose servers are up can never pass by skipping.

Admin URLs come from ``BLAZAR_NOVA_TEST_MYSQL_URL`` and
``BLAZAR_NOVA_TEST_POSTGRESQL_URL`` (defaults: root on 127.0.0.1).
"""

import os
import socket
import uuid

import sqlalchemy as sa
from sqlalchemy.engine import url as sa_url

ADMIN_URLS = {
    'mysql': os.environ.get(
        'BLAZAR_NOVA_TEST_MYSQL_URL',
        'mysql+pymysql://root@127.0.0.1:3306/test'),
    'postgresql': os.environ.get(
        'BLAZAR_NOVA_TEST_POSTGRESQL_URL',
        'postgresql+psycopg2://root@127.0.0.1:5432/test'),
}
BACKENDS = ('sqlite', 'mysql', 'postgresql')


class BackendUnavailable(Exception):
    """Nothing listens on the backend's port: the test should skip."""


def port_is_open(url, timeout=1.0):
    parsed = sa_url.make_url(url)
    default_port = {'mysql': 3306, 'postgresql': 5432}[
        parsed.get_backend_name()]
    try:
        with socket.create_connection(
                (parsed.host or '127.0.0.1', parsed.port or default_port),
                timeout=timeout):
            return True
    except OSError:
        return False


class ScratchDatabase:
    """A freshly created, uniquely named database, dropped by ``drop()``."""

    def __init__(self, backend, tmp_path):
        self.backend = backend
        self.name = 'bntest_%s' % uuid.uuid4().hex[:12]
        if backend == 'sqlite':
            self.url = 'sqlite:///%s' % os.path.join(str(tmp_path),
                                                     self.name + '.sqlite')
            return
        admin_url = ADMIN_URLS[backend]
        if not port_is_open(admin_url):
            raise BackendUnavailable(
                '%s is not reachable at %s' % (backend, admin_url))
        self._admin = sa.create_engine(admin_url,
                                       isolation_level='AUTOCOMMIT')
        with self._admin.connect() as conn:
            conn.exec_driver_sql('CREATE DATABASE %s' % self.name)
        self.url = sa_url.make_url(admin_url).set(
            database=self.name).render_as_string(hide_password=False)

    def drop(self):
        if self.backend == 'sqlite':
            return
        with self._admin.connect() as conn:
            if self.backend == 'postgresql':
                conn.exec_driver_sql(
                    'DROP DATABASE IF EXISTS %s WITH (FORCE)' % self.name)
            else:
                conn.exec_driver_sql('DROP DATABASE IF EXISTS %s'
                                     % self.name)
        self._admin.dispose()
