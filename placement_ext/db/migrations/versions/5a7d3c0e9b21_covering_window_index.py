"""The allocations window index covers what the allocator reads.

Every allocator query walks ``allocations`` by ``start_epoch`` (bounded
by the allocation length bound) and reads ``end_epoch``, ``host_id``,
``reservation_id`` and ``slots``. With those columns in the index the
walk never visits the table rows: on 10,000 hosts and 100,000
reservations this made the booking and gap queries 25 to 45 % cheaper
on SQLite (doc/performance.md). The new index starts with the old one's
columns, so the old one is dropped.

Revision ID: 5a7d3c0e9b21
Revises: dc9e8d1974f6
Create Date: 2026-12-06 11:40:00

"""

from alembic import op

# revision identifiers, used by Alembic.
revision = '5a7d3c0e9b21'
down_revision = 'dc9e8d1974f6'
branch_labels = None
depends_on = None

COVERING = ('start_epoch', 'end_epoch', 'host_id', 'reservation_id',
            'slots')


def upgrade():
    op.create_index('ix_allocations_window_covering', 'allocations',
                    list(COVERING))
    op.drop_index('ix_allocations_window', table_name='allocations')


def downgrade():
    op.create_index('ix_allocations_window', 'allocations',
                    ['start_epoch', 'end_epoch'])
    op.drop_index('ix_allocations_window_covering',
                  table_name='allocations')
