"""Identifiers and names compare byte for byte on MariaDB too (issue 15).

MariaDB compares strings with the column's collation, and the tables had
taken the database's default, typically ``utf8mb4_general_ci``: case,
accents and trailing spaces were ignored, so project ``pa`` listed project
``pA``'s leases, lease names ``Dup`` and ``düp`` clashed within a project
and ``MARIA-CN2`` found host ``maria-cn2``. SQLite and PostgreSQL compare
exactly, and on them this migration does nothing.

On MariaDB every table of the store is converted to ``utf8mb4`` with the
``utf8mb4_nopad_bin`` collation, its columns and its table default both,
so that columns added later get it too. ``utf8mb4_bin`` would not do: it
is a PAD SPACE collation, under which ``'a' = 'a '`` holds in WHERE
clauses and in unique indexes. MySQL has no ``utf8mb4_nopad_bin``; there
its NO PAD binary collation, ``utf8mb4_0900_bin``, is used (untested:
the tests run on MariaDB, and the models' table options name MariaDB's).

``CONVERT TO`` also changes the JSON columns, which MariaDB creates as
``utf8mb4_bin``; they are given back their JSON definition afterwards, so
that the schema is what ``models.Base.metadata.create_all`` makes. MariaDB
refuses to change the collation of a column in a foreign key, even with
``foreign_key_checks`` off, so the three foreign keys between string
columns are dropped first and made again (and so checked) once both sides
are converted. Each step looks at the schema first, so an upgrade stopped
half way (MariaDB's DDL is not transactional) can be run again. Offline
(``alembic upgrade --sql``) every step is written out, for MariaDB.

The downgrade converts the tables back to the database's default
character set and collation, which is what they had before. It refuses,
before changing anything, when rows that differ only by case, accent or
trailing spaces would then clash in a unique index or primary key (two
hosts ``cn-a`` and ``cn-A``, for instance); the error names them.
Offline it converts to the database's default character set with that
character set's default collation, unchecked.

Revision ID: b3f18d6c2a47
Revises: 7e1c4a9d2f35
Create Date: 2026-12-07 10:00:00

"""

from alembic import context
from alembic import op
import sqlalchemy as sa

# revision identifiers, used by Alembic.
revision = 'b3f18d6c2a47'
down_revision = '7e1c4a9d2f35'
branch_labels = None
depends_on = None

CHARSET = 'utf8mb4'
MARIADB_COLLATION = 'utf8mb4_nopad_bin'
MYSQL_COLLATION = 'utf8mb4_0900_bin'

# Parents before children: a foreign key is made again once both of its
# sides are converted.
TABLES = ('hosts', 'leases', 'reservations', 'allocations', 'events',
          'locks', 'resource_properties')

# (name, table, column, referred table, referred column) of the foreign
# keys between string columns.
STRING_FOREIGN_KEYS = (
    ('fk_reservations_lease_id', 'reservations', 'lease_id', 'leases', 'id'),
    ('fk_allocations_reservation_id', 'allocations', 'reservation_id',
     'reservations', 'id'),
    ('fk_events_lease_id', 'events', 'lease_id', 'leases', 'id'),
)

# (table, column) of the unique and primary key string columns.
UNIQUE_STRING_COLUMNS = (
    ('hosts', 'uuid'), ('hosts', 'hypervisor_hostname'), ('leases', 'id'),
    ('reservations', 'id'), ('locks', 'name'),
    ('resource_properties', 'name'),
)

# (table, column, nullable) of the JSON columns.
JSON_COLUMNS = (
    ('hosts', 'extra_capacity', False),
    ('hosts', 'properties', False),
    ('reservations', 'extra_resources', True),
)


def _foreign_key_names(bind, table):
    if bind is None:
        # Offline (--sql): the keys are there, as the migrations made them.
        return {name for name, fk_table, *_rest in STRING_FOREIGN_KEYS
                if fk_table == table}
    return {fk['name'] for fk in sa.inspect(bind).get_foreign_keys(table)}


def _table_collation(bind, table):
    if bind is None:
        return None
    return bind.execute(sa.text(
        'SELECT TABLE_COLLATION FROM information_schema.TABLES '
        'WHERE TABLE_SCHEMA = DATABASE() AND TABLE_NAME = :table'),
        {'table': table}).scalar_one()


def _convert(bind, charset, collation):
    """Convert every table, looking at the schema first unless ``bind`` is
    None (offline)."""
    for name, table, _column, _referred, _referred_column in \
            STRING_FOREIGN_KEYS:
        if name in _foreign_key_names(bind, table):
            op.drop_constraint(name, table, type_='foreignkey')
    for table in TABLES:
        if collation is None or _table_collation(bind, table) != collation:
            op.execute('ALTER TABLE %s CONVERT TO CHARACTER SET %s%s'
                       % (table, charset,
                          ' COLLATE %s' % collation if collation else ''))
    for table, column, nullable in JSON_COLUMNS:
        op.alter_column(table, column, existing_type=sa.JSON(),
                        type_=sa.JSON(), existing_nullable=nullable,
                        nullable=nullable)
    for name, table, column, referred, referred_column in \
            STRING_FOREIGN_KEYS:
        if bind is None or name not in _foreign_key_names(bind, table):
            op.create_foreign_key(name, table, referred, [column],
                                  [referred_column], ondelete='CASCADE')


def _online_bind():
    """The connection, or None when writing SQL offline (--sql)."""
    return None if context.is_offline_mode() else op.get_bind()


def upgrade():
    if op.get_context().dialect.name != 'mysql':
        return
    bind = _online_bind()
    # Offline, the server is unknown: the SQL is MariaDB's.
    is_mysql = bind is not None and not bind.dialect.is_mariadb
    _convert(bind, CHARSET,
             MYSQL_COLLATION if is_mysql else MARIADB_COLLATION)


def _check_no_clash(bind, charset, collation):
    """Refuse when distinct values would be equal under ``collation``."""
    clashes = []
    for table, column in UNIQUE_STRING_COLUMNS:
        values = bind.execute(sa.text(
            'SELECT GROUP_CONCAT(%(column)s SEPARATOR \'|\') FROM %(table)s '
            'GROUP BY CONVERT(%(column)s USING %(charset)s) '
            'COLLATE %(collation)s HAVING COUNT(*) > 1 LIMIT 5'
            % {'table': table, 'column': column, 'charset': charset,
               'collation': collation})).scalars().all()
        clashes.extend('%s.%s: %s' % (table, column, value)
                       for value in values)
    if clashes:
        raise RuntimeError(
            'Cannot convert the tables to %s: these values would be equal '
            'there (separated by |): %s. Rename or remove all but one of '
            'each, then downgrade again.' % (collation, '; '.join(clashes)))


def downgrade():
    if op.get_context().dialect.name != 'mysql':
        return
    bind = _online_bind()
    if bind is None:
        # Offline: the database's default character set with that
        # character set's default collation, and no check for clashes.
        _convert(None, 'DEFAULT', None)
        return
    charset, collation = bind.execute(sa.text(
        'SELECT DEFAULT_CHARACTER_SET_NAME, DEFAULT_COLLATION_NAME '
        'FROM information_schema.SCHEMATA '
        'WHERE SCHEMA_NAME = DATABASE()')).one()
    _check_no_clash(bind, charset, collation)
    _convert(bind, charset, collation)
