"""Host ids are never reused on SQLite either (issue 15).

A host's id names it in the API (``/v1/os-hosts/{id}``). MariaDB and
PostgreSQL take ids from a counter that never goes back, but a SQLite
``INTEGER PRIMARY KEY`` is the largest id in the table plus one: after the
newest host was removed, the next one enrolled got its id, and a client
holding the old id changed another host. ``AUTOINCREMENT`` makes SQLite
keep the largest id ever given (``sqlite_sequence``) and count on from it.

On SQLite the ``hosts`` table is rebuilt with ``AUTOINCREMENT`` (batch
mode: copy, drop, rename; its rows keep their ids, and the sequence starts
from the largest of them). ``placement_ext.db.migration`` runs migrations
with SQLite's foreign key enforcement off, as a rebuild needs, and checks
every foreign key afterwards. On MariaDB and PostgreSQL this does nothing.

Revision ID: e4a7c2d9b1f6
Revises: b3f18d6c2a47
Create Date: 2026-12-07 12:00:00

"""

from alembic import op

# revision identifiers, used by Alembic.
revision = 'e4a7c2d9b1f6'
down_revision = 'b3f18d6c2a47'
branch_labels = None
depends_on = None


def _rebuild_hosts(autoincrement):
    if op.get_context().dialect.name != 'sqlite':
        return
    with op.batch_alter_table(
            'hosts', recreate='always',
            table_kwargs={'sqlite_autoincrement': autoincrement}):
        pass


def upgrade():
    _rebuild_hosts(True)


def downgrade():
    _rebuild_hosts(False)
