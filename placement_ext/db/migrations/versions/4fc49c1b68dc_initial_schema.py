"""Initial schema: hosts, leases, reservations, allocations, events, locks.

Written to match ``placement_ext.db.models`` exactly, names included (the
models' naming convention names every index, unique constraint and foreign
key). It also inserts the ``allocator`` lock row that every allocating
transaction updates first, and the ``hosts`` generation row.

Revision ID: 4fc49c1b68dc
Revises:
Create Date: 2026-11-21 09:08:38

"""

import datetime

from alembic import op
import sqlalchemy as sa

# revision identifiers, used by Alembic.
revision = '4fc49c1b68dc'
down_revision = None
branch_labels = None
depends_on = None


def _timestamps():
    return [
        sa.Column('created_at', sa.DateTime(), nullable=False),
        sa.Column('updated_at', sa.DateTime(), nullable=True),
    ]


def upgrade():
    op.create_table(
        'hosts',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('uuid', sa.String(length=36), nullable=False),
        sa.Column('hypervisor_hostname', sa.String(length=255),
                  nullable=False),
        sa.Column('reservable', sa.Boolean(), nullable=False),
        sa.Column('vcpus', sa.Integer(), nullable=False),
        sa.Column('memory_mb', sa.Integer(), nullable=False),
        sa.Column('local_gb', sa.Integer(), nullable=False),
        sa.Column('extra_capacity', sa.JSON(), nullable=False),
        sa.Column('properties', sa.JSON(), nullable=False),
        *_timestamps(),
        sa.PrimaryKeyConstraint('id'),
        sa.UniqueConstraint('uuid', name='uniq_hosts0uuid'),
        sa.UniqueConstraint('hypervisor_hostname',
                            name='uniq_hosts0hypervisor_hostname'),
    )

    op.create_table(
        'leases',
        sa.Column('id', sa.String(length=36), nullable=False),
        sa.Column('name', sa.String(length=80), nullable=False),
        sa.Column('project_id', sa.String(length=64), nullable=False),
        sa.Column('user_id', sa.String(length=64), nullable=False),
        sa.Column('start_date', sa.DateTime(), nullable=False),
        sa.Column('end_date', sa.DateTime(), nullable=False),
        sa.Column('before_end_date', sa.DateTime(), nullable=True),
        sa.Column('status', sa.String(length=16), nullable=False),
        sa.Column('end_action', sa.String(length=16), nullable=False),
        sa.Column('degraded_reason', sa.String(length=255), nullable=True),
        *_timestamps(),
        sa.PrimaryKeyConstraint('id'),
    )
    op.create_index('ix_leases_project_id', 'leases', ['project_id'])
    op.create_index('ix_leases_status', 'leases', ['status'])

    op.create_table(
        'reservations',
        sa.Column('id', sa.String(length=36), nullable=False),
        sa.Column('lease_id', sa.String(length=36), nullable=False),
        sa.Column('resource_type', sa.String(length=32), nullable=False),
        sa.Column('status', sa.String(length=16), nullable=False),
        sa.Column('min_count', sa.Integer(), nullable=True),
        sa.Column('max_count', sa.Integer(), nullable=True),
        sa.Column('hypervisor_properties', sa.Text(), nullable=True),
        sa.Column('resource_properties', sa.Text(), nullable=True),
        sa.Column('amount', sa.Integer(), nullable=True),
        sa.Column('vcpus', sa.Integer(), nullable=True),
        sa.Column('memory_mb', sa.Integer(), nullable=True),
        sa.Column('disk_gb', sa.Integer(), nullable=True),
        sa.Column('extra_resources', sa.JSON(), nullable=True),
        sa.Column('affinity', sa.Boolean(), nullable=True),
        *_timestamps(),
        sa.PrimaryKeyConstraint('id'),
        sa.ForeignKeyConstraint(['lease_id'], ['leases.id'],
                                name='fk_reservations_lease_id',
                                ondelete='CASCADE'),
    )
    op.create_index('ix_reservations_lease_id', 'reservations',
                    ['lease_id'])

    op.create_table(
        'allocations',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('reservation_id', sa.String(length=36), nullable=False),
        sa.Column('host_id', sa.Integer(), nullable=False),
        sa.Column('slots', sa.Integer(), nullable=False),
        sa.Column('start_epoch', sa.BigInteger(), nullable=False),
        sa.Column('end_epoch', sa.BigInteger(), nullable=False),
        *_timestamps(),
        sa.PrimaryKeyConstraint('id'),
        sa.UniqueConstraint('reservation_id', 'host_id',
                            name='uniq_allocations0reservation_id0host_id'),
        sa.ForeignKeyConstraint(['reservation_id'], ['reservations.id'],
                                name='fk_allocations_reservation_id',
                                ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['host_id'], ['hosts.id'],
                                name='fk_allocations_host_id'),
    )
    op.create_index('ix_allocations_window', 'allocations',
                    ['start_epoch', 'end_epoch'])
    op.create_index('ix_allocations_host_id', 'allocations', ['host_id'])

    op.create_table(
        'events',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('lease_id', sa.String(length=36), nullable=False),
        sa.Column('event_type', sa.String(length=32), nullable=False),
        sa.Column('time', sa.DateTime(), nullable=False),
        sa.Column('status', sa.String(length=16), nullable=False),
        *_timestamps(),
        sa.PrimaryKeyConstraint('id'),
        sa.ForeignKeyConstraint(['lease_id'], ['leases.id'],
                                name='fk_events_lease_id',
                                ondelete='CASCADE'),
    )
    op.create_index('ix_events_lease_id', 'events', ['lease_id'])
    op.create_index('ix_events_status_time', 'events', ['status', 'time'])

    locks = op.create_table(
        'locks',
        sa.Column('name', sa.String(length=32), nullable=False),
        sa.Column('counter', sa.BigInteger(), nullable=False),
        *_timestamps(),
        sa.PrimaryKeyConstraint('name'),
    )
    now = datetime.datetime.now(datetime.timezone.utc).replace(
        tzinfo=None, microsecond=0)
    op.bulk_insert(locks, [
        {'name': 'allocator', 'counter': 0, 'created_at': now},
        {'name': 'hosts', 'counter': 0, 'created_at': now},
    ])


def downgrade():
    for table in ('locks', 'events', 'allocations', 'reservations', 'leases',
                  'hosts'):
        op.drop_table(table)
