"""flavor:instance reservations: the source flavor on the reservation, and
each compute node's Placement inventory and traits on its host.

``reservations.flavor_id`` and ``reservations.flavor`` (JSON) hold the
flavor a ``flavor:instance`` reservation was made from, as Nova gave it at
creation. ``hosts.placement`` (JSON) holds the compute node's inventories,
traits and provider generation as Placement last showed them; NULL until
the first flavor:instance decision reads them.

Revision ID: f3b9d1c7a2e8
Revises: a6d2f4c8e1b3
Create Date: 2026-12-07 17:10:00

"""

from alembic import op
import sqlalchemy as sa

# revision identifiers, used by Alembic.
revision = 'f3b9d1c7a2e8'
down_revision = 'a6d2f4c8e1b3'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('reservations') as batch:
        batch.add_column(sa.Column('flavor_id', sa.String(length=255),
                                   nullable=True))
        batch.add_column(sa.Column('flavor', sa.JSON(), nullable=True))
    with op.batch_alter_table('hosts') as batch:
        batch.add_column(sa.Column('placement', sa.JSON(), nullable=True))


def downgrade():
    with op.batch_alter_table('hosts') as batch:
        batch.drop_column('placement')
    with op.batch_alter_table('reservations') as batch:
        batch.drop_column('flavor')
        batch.drop_column('flavor_id')
