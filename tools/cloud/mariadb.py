"""The cloud's databases on the local MariaDB (``layout.MYSQL``), through
the ``mysql`` client: created empty at each build, dropped by ``down``."""

import shutil

from tools.cloud import commands
from tools.cloud import errors
from tools.cloud import layout

# The reservation store talks utf8mb4 (doc/install.md); the OpenStack
# services get DevStack's utf8.
CHARSETS = {'blazar_nova': 'utf8mb4'}


def sql(statements, timeout=60):
    """Run SQL statements as MariaDB's admin; their tab-separated rows."""
    if shutil.which('mysql') is None:
        raise errors.CloudError(
            'the MariaDB client "mysql" is not installed '
            '(apt-get install mariadb-client)')
    argv = ['mysql', '-h', layout.MYSQL['host'],
            '-P', layout.MYSQL['port'], '-u', layout.MYSQL['user'],
            '--batch', '--skip-column-names', '-e', statements]
    if layout.MYSQL['password']:
        argv.insert(1, '-p' + layout.MYSQL['password'])
    return commands.run(argv, timeout=timeout)


def version():
    """The server's version: proves MariaDB answers and admits us."""
    return sql('SELECT VERSION()').strip()


def recreate(names):
    """Each database in ``names`` (without prefix) dropped if present and
    created empty."""
    statements = []
    for name in names:
        full = layout.database_name(name)
        statements.append('DROP DATABASE IF EXISTS `%s`' % full)
        statements.append('CREATE DATABASE `%s` CHARACTER SET %s' % (
            full, CHARSETS.get(name, 'utf8')))
    sql(';\n'.join(statements))


def existing():
    """The cloud's databases that exist on the server (without prefix)."""
    pattern = layout.DB_PREFIX.replace('_', '\\_') + '%'
    found = set(sql("SHOW DATABASES LIKE '%s'" % pattern).split())
    return [name for name in layout.DATABASES
            if layout.database_name(name) in found]


def drop_all():
    """Drop the cloud's databases (layout.DATABASES, nothing else with the
    prefix); the names dropped."""
    names = existing()
    if names:
        sql(';\n'.join('DROP DATABASE IF EXISTS `%s`' %
                       layout.database_name(name) for name in names))
    return names
