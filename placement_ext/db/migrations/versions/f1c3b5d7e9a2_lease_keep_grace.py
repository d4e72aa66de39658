"""Leases: their own keep grace.

``leases.keep_grace`` holds the seconds the ``keep`` end action leaves a
lease's instances after its end, set on create (default ``[agent]
keep_grace``) and changeable by an update; NULL, for leases made before
this column, follows the option.

Revision ID: f1c3b5d7e9a2
Revises: f3b9d1c7a2e8
Create Date: 2026-12-07 17:10:00

"""

from alembic import op
import sqlalchemy as sa

# revision identifiers, used by Alembic.
revision = 'f1c3b5d7e9a2'
down_revision = 'f3b9d1c7a2e8'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('leases') as batch:
        batch.add_column(sa.Column('keep_grace', sa.Integer(),
                                   nullable=True))


def downgrade():
    with op.batch_alter_table('leases') as batch:
        batch.drop_column('keep_grace')
