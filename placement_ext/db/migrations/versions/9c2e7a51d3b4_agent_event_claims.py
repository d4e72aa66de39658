"""Lease agent: event claims, retries and timings; host before-end action.

``events`` gains the claim an agent holds while running an event (owner,
claim_expires), its retry state (attempts, retry_at, last_error) and its
timings in epoch milliseconds (claimed_ms, done_ms). ``reservations`` gains
Blazar's ``before_end`` ('default' or 'snapshot').

Revision ID: 9c2e7a51d3b4
Revises: 4fc49c1b68dc
Create Date: 2026-11-21 12:00:00

"""

from alembic import op
import sqlalchemy as sa

# revision identifiers, used by Alembic.
revision = '9c2e7a51d3b4'
down_revision = '4fc49c1b68dc'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('events') as batch:
        batch.add_column(sa.Column('owner', sa.String(length=255),
                                   nullable=True))
        batch.add_column(sa.Column('claim_expires', sa.DateTime(),
                                   nullable=True))
        batch.add_column(sa.Column('attempts', sa.Integer(), nullable=False,
                                   server_default='0'))
        batch.add_column(sa.Column('retry_at', sa.DateTime(), nullable=True))
        batch.add_column(sa.Column('last_error', sa.Text(), nullable=True))
        batch.add_column(sa.Column('claimed_ms', sa.BigInteger(),
                                   nullable=True))
        batch.add_column(sa.Column('done_ms', sa.BigInteger(),
                                   nullable=True))
    with op.batch_alter_table('reservations') as batch:
        batch.add_column(sa.Column('before_end', sa.String(length=16),
                                   nullable=True))
