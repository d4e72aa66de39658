"""Instance reservations: the Nova server group (``server_group_id``).

``reservations`` gains ``server_group_id``, the id of the Nova server group
the agent makes at the lease's start for an instance reservation whose
``affinity`` is true or false (NULL before then, and for every other
reservation).

Revision ID: a6d2f4c8e1b3
Revises: e4a7c2d9b1f6
Create Date: 2026-12-07 17:20:00

"""

from alembic import op
import sqlalchemy as sa

# revision identifiers, used by Alembic.
revision = 'a6d2f4c8e1b3'
down_revision = 'e4a7c2d9b1f6'
branch_labels = None
depends_on = None


def upgrade():
    op.add_column('reservations',
                  sa.Column('server_group_id', sa.String(length=36),
                            nullable=True))


def downgrade():
    # Not batch mode: on SQLite (3.35 and later drop a column in place) a
    # copy of the table would cascade to the allocations.
    op.drop_column('reservations', 'server_group_id')
