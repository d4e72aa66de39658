"""Resource properties: which host property names are private.

``resource_properties`` holds one row per property name made private or
public again through ``PATCH /v1/os-hosts/properties/{name}``; a name that
hosts carry without a row is public.

Revision ID: dc9e8d1974f6
Revises: 9c2e7a51d3b4
Create Date: 2026-11-21 13:25:54

"""

from alembic import op
import sqlalchemy as sa

# revision identifiers, used by Alembic.
revision = 'dc9e8d1974f6'
down_revision = '9c2e7a51d3b4'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'resource_properties',
        sa.Column('name', sa.String(length=64), nullable=False),
        sa.Column('private', sa.Boolean(), nullable=False,
                  server_default='0'),
        sa.Column('created_at', sa.DateTime(), nullable=False),
        sa.Column('updated_at', sa.DateTime(), nullable=True),
        sa.PrimaryKeyConstraint('name'),
    )


def downgrade():
    op.drop_table('resource_properties')
