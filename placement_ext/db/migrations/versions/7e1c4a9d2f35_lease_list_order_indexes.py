"""Lease lists read a batch at a time start where the last batch ended.

Lists are read 500 leases per transaction in (start_date, id) order, each
batch from the last one's (start_date, id). Without an index on that order
every batch sorted every matching lease again: an administrator's list of
100,000 leases made 200 sorts of 100,000 rows. The per-project index
leads with ``project_id`` and so also serves what ``ix_leases_project_id``
did, which is dropped.

Revision ID: 7e1c4a9d2f35
Revises: 5a7d3c0e9b21
Create Date: 2026-12-06 15:45:00

"""

from alembic import op

# revision identifiers, used by Alembic.
revision = '7e1c4a9d2f35'
down_revision = '5a7d3c0e9b21'
branch_labels = None
depends_on = None


def upgrade():
    op.create_index('ix_leases_start_date_id', 'leases', ['start_date', 'id'])
    op.create_index('ix_leases_project_start_date_id', 'leases',
                    ['project_id', 'start_date', 'id'])
    op.drop_index('ix_leases_project_id', table_name='leases')


def downgrade():
    op.create_index('ix_leases_project_id', 'leases', ['project_id'])
    op.drop_index('ix_leases_project_start_date_id', table_name='leases')
    op.drop_index('ix_leases_start_date_id', table_name='leases')
