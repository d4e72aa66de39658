"""SQLAlchemy 2.0 models of the reservation store.

Lease and event times are naive UTC ``DateTime`` values with second
precision. An allocation repeats its lease's window as integer epoch seconds
(``start_epoch``/``end_epoch``) so that the allocator finds what overlaps a
window with one indexed range scan and no date parsing; the store rewrites
allocations whenever a lease's window changes, in the same transaction.

Constraints are named by ``NAMING_CONVENTION`` so that every backend uses
the same names and later migrations can refer to them.
"""

import datetime

import sqlalchemy as sa
from sqlalchemy import orm

from placement_ext import timeconv


# MariaDB compares strings with the columns' collation: the store's tables
# use a binary NO PAD one there, so that identifiers and names compare byte
# for byte (case, accents and trailing spaces count) as on SQLite and
# PostgreSQL. ``utf8mb4_bin`` would not do: it pads, 'a' = 'a ' (migration
# b3f18d6c2a47, which also says what MySQL gets).
TABLE_OPTIONS = {'mysql_charset': 'utf8mb4',
                 'mysql_collate': 'utf8mb4_nopad_bin'}

NAMING_CONVENTION = {
    'ix': 'ix_%(table_name)s_%(column_0_N_name)s',
    'uq': 'uniq_%(table_name)s0%(column_0_N_name)s',
    'fk': 'fk_%(table_name)s_%(column_0_name)s',
}


class Base(orm.DeclarativeBase):
    """Declarative base with created/updated timestamps."""

    metadata = sa.MetaData(naming_convention=NAMING_CONVENTION)

    created_at: orm.Mapped[datetime.datetime] = orm.mapped_column(
        sa.DateTime, default=timeconv.utcnow, nullable=False)
    updated_at: orm.Mapped[datetime.datetime | None] = orm.mapped_column(
        sa.DateTime, onupdate=timeconv.utcnow, nullable=True)


class Host(Base):
    """A compute host enrolled for reservations."""

    __tablename__ = 'hosts'
    # A host's id names it in the API: SQLite must not give a removed
    # host's id to the next one (migration e4a7c2d9b1f6).
    __table_args__ = dict(TABLE_OPTIONS, sqlite_autoincrement=True)

    id: orm.Mapped[int] = orm.mapped_column(sa.Integer, primary_key=True)
    # The compute node's resource provider uuid in Placement.
    uuid: orm.Mapped[str] = orm.mapped_column(sa.String(36), unique=True)
    hypervisor_hostname: orm.Mapped[str] = orm.mapped_column(
        sa.String(255), unique=True)
    reservable: orm.Mapped[bool] = orm.mapped_column(
        sa.Boolean, default=True, nullable=False)
    vcpus: orm.Mapped[int] = orm.mapped_column(sa.Integer, nullable=False)
    memory_mb: orm.Mapped[int] = orm.mapped_column(sa.Integer,
                                                   nullable=False)
    local_gb: orm.Mapped[int] = orm.mapped_column(sa.Integer, nullable=False)
    # Other resource classes the host can give to slots, e.g. {"VGPU": 4}.
    extra_capacity: orm.Mapped[dict] = orm.mapped_column(
        sa.JSON, default=dict, nullable=False)
    # Free-form properties that property filters match against.
    properties: orm.Mapped[dict] = orm.mapped_column(
        sa.JSON, default=dict, nullable=False)
    # The compute node as Placement last showed it, for flavor:instance
    # decisions (``placement_ext/placement/inventories.py``):
    # ``{"generation": N, "inventories": {class: {total, reserved,
    # allocation_ratio, max_unit}}, "traits": [...]}``; NULL until read.
    placement: orm.Mapped[dict | None] = orm.mapped_column(
        sa.JSON(none_as_null=True))


class Lease(Base):
    """A project's claim on capacity for a time window."""

    __tablename__ = 'leases'
    __table_args__ = (
        # Lease lists are read in (start_date, id) order, a batch at a
        # time from where the last one ended: these let every batch start
        # where it should, for every project or one (migration
        # 7e1c4a9d2f35).
        sa.Index('ix_leases_start_date_id', 'start_date', 'id'),
        sa.Index('ix_leases_project_start_date_id', 'project_id',
                 'start_date', 'id'),
        sa.Index('ix_leases_status', 'status'),
        TABLE_OPTIONS,
    )

    id: orm.Mapped[str] = orm.mapped_column(sa.String(36), primary_key=True)
    name: orm.Mapped[str] = orm.mapped_column(sa.String(80), nullable=False)
    project_id: orm.Mapped[str] = orm.mapped_column(sa.String(64),
                                                    nullable=False)
    user_id: orm.Mapped[str] = orm.mapped_column(sa.String(64),
                                                 nullable=False)
    start_date: orm.Mapped[datetime.datetime] = orm.mapped_column(
        sa.DateTime, nullable=False)
    end_date: orm.Mapped[datetime.datetime] = orm.mapped_column(
        sa.DateTime, nullable=False)
    before_end_date: orm.Mapped[datetime.datetime | None] = orm.mapped_column(
        sa.DateTime, nullable=True)
    status: orm.Mapped[str] = orm.mapped_column(sa.String(16),
                                                nullable=False)
    end_action: orm.Mapped[str] = orm.mapped_column(sa.String(16),
                                                    nullable=False)
    # Seconds the ``keep`` end action leaves the instances after the end;
    # NULL (leases made before the column) follows ``[agent] keep_grace``.
    keep_grace: orm.Mapped[int | None] = orm.mapped_column(sa.Integer,
                                                           nullable=True)
    # Why the lease lacks some of its capacity (healing found no
    # replacement), or NULL when it has everything it asked for.
    degraded_reason: orm.Mapped[str | None] = orm.mapped_column(
        sa.String(255), nullable=True)

    reservations: orm.Mapped[list['Reservation']] = orm.relationship(
        back_populates='lease', cascade='all, delete-orphan',
        order_by='(Reservation.created_at, Reservation.id)')
    events: orm.Mapped[list['Event']] = orm.relationship(
        back_populates='lease', cascade='all, delete-orphan',
        order_by='(Event.time, Event.id)')


class Reservation(Base):
    """One resource request of a lease: whole hosts or instance slots."""

    __tablename__ = 'reservations'
    __table_args__ = TABLE_OPTIONS

    id: orm.Mapped[str] = orm.mapped_column(sa.String(36), primary_key=True)
    lease_id: orm.Mapped[str] = orm.mapped_column(
        sa.String(36), sa.ForeignKey('leases.id', ondelete='CASCADE'),
        nullable=False, index=True)
    resource_type: orm.Mapped[str] = orm.mapped_column(sa.String(32),
                                                       nullable=False)
    status: orm.Mapped[str] = orm.mapped_column(sa.String(16),
                                                nullable=False)
    # physical:host
    min_count: orm.Mapped[int | None] = orm.mapped_column(sa.Integer)
    max_count: orm.Mapped[int | None] = orm.mapped_column(sa.Integer)
    hypervisor_properties: orm.Mapped[str | None] = orm.mapped_column(
        sa.Text)
    # 'snapshot' to snapshot the instances at the before-end time.
    before_end: orm.Mapped[str | None] = orm.mapped_column(sa.String(16))
    # both types
    resource_properties: orm.Mapped[str | None] = orm.mapped_column(sa.Text)
    # virtual:instance
    amount: orm.Mapped[int | None] = orm.mapped_column(sa.Integer)
    vcpus: orm.Mapped[int | None] = orm.mapped_column(sa.Integer)
    memory_mb: orm.Mapped[int | None] = orm.mapped_column(sa.Integer)
    disk_gb: orm.Mapped[int | None] = orm.mapped_column(sa.Integer)
    # SQL NULL (not JSON null) when empty, so loading needs no decoding.
    extra_resources: orm.Mapped[dict | None] = orm.mapped_column(
        sa.JSON(none_as_null=True))
    # True: all slots on one host; False: one slot per host; NULL: any.
    affinity: orm.Mapped[bool | None] = orm.mapped_column(sa.Boolean)
    # The Nova server group the agent made at the start (affinity true or
    # false); NULL before then and without affinity.
    server_group_id: orm.Mapped[str | None] = orm.mapped_column(
        sa.String(36))
    # flavor:instance: the source flavor's id, and the flavor as Nova gave
    # it at creation (vcpus, ram, disk, ephemeral, swap, extra_specs): the
    # slot size above is resolved from it once, so decisions stay stable.
    flavor_id: orm.Mapped[str | None] = orm.mapped_column(sa.String(255))
    flavor: orm.Mapped[dict | None] = orm.mapped_column(
        sa.JSON(none_as_null=True))

    lease: orm.Mapped[Lease] = orm.relationship(
        back_populates='reservations')
    allocations: orm.Mapped[list['Allocation']] = orm.relationship(
        back_populates='reservation', cascade='all, delete-orphan')


class Allocation(Base):
    """Hosts given to a reservation, with the number of slots on each."""

    __tablename__ = 'allocations'
    __table_args__ = (
        sa.UniqueConstraint('reservation_id', 'host_id',
                            name='uniq_allocations0reservation_id0host_id'),
        # Covers every column the allocator's window queries read, so
        # they never visit the table (migration 5a7d3c0e9b21).
        sa.Index('ix_allocations_window_covering', 'start_epoch',
                 'end_epoch', 'host_id', 'reservation_id', 'slots'),
        sa.Index('ix_allocations_host_id', 'host_id'),
        TABLE_OPTIONS,
    )

    id: orm.Mapped[int] = orm.mapped_column(sa.Integer, primary_key=True)
    reservation_id: orm.Mapped[str] = orm.mapped_column(
        sa.String(36), sa.ForeignKey('reservations.id', ondelete='CASCADE'),
        nullable=False)
    host_id: orm.Mapped[int] = orm.mapped_column(
        sa.Integer, sa.ForeignKey('hosts.id'), nullable=False)
    # Slots on this host: 1 for a whole host, N for instance slots.
    slots: orm.Mapped[int] = orm.mapped_column(sa.Integer, nullable=False)
    # Copies of the lease window in epoch seconds, kept in step by the
    # store.
    start_epoch: orm.Mapped[int] = orm.mapped_column(sa.BigInteger,
                                                     nullable=False)
    end_epoch: orm.Mapped[int] = orm.mapped_column(sa.BigInteger,
                                                   nullable=False)

    reservation: orm.Mapped[Reservation] = orm.relationship(
        back_populates='allocations')
    host: orm.Mapped[Host] = orm.relationship()


class Event(Base):
    """A timed step of a lease: start_lease, before_end_lease, end_lease."""

    __tablename__ = 'events'
    __table_args__ = (
        sa.Index('ix_events_status_time', 'status', 'time'),
        TABLE_OPTIONS,
    )

    id: orm.Mapped[int] = orm.mapped_column(sa.Integer, primary_key=True)
    lease_id: orm.Mapped[str] = orm.mapped_column(
        sa.String(36), sa.ForeignKey('leases.id', ondelete='CASCADE'),
        nullable=False, index=True)
    event_type: orm.Mapped[str] = orm.mapped_column(sa.String(32),
                                                    nullable=False)
    time: orm.Mapped[datetime.datetime] = orm.mapped_column(
        sa.DateTime, nullable=False)
    status: orm.Mapped[str] = orm.mapped_column(sa.String(16),
                                                nullable=False)
    # The lease agent holding the event (its ``[agent] host``) while
    # IN_PROGRESS, and the one that finished it once DONE.
    owner: orm.Mapped[str | None] = orm.mapped_column(sa.String(255))
    # A claim not renewed by then is taken to be of a dead agent.
    claim_expires: orm.Mapped[datetime.datetime | None] = orm.mapped_column(
        sa.DateTime)
    # How many times an agent claimed the event.
    attempts: orm.Mapped[int] = orm.mapped_column(
        sa.Integer, default=0, server_default='0', nullable=False)
    # An UNDONE event waits until then after a failed try (backoff).
    retry_at: orm.Mapped[datetime.datetime | None] = orm.mapped_column(
        sa.DateTime)
    last_error: orm.Mapped[str | None] = orm.mapped_column(sa.Text)
    # When the last claim was taken and when the event was done, in epoch
    # milliseconds (the lateness of the agent, measured).
    claimed_ms: orm.Mapped[int | None] = orm.mapped_column(sa.BigInteger)
    done_ms: orm.Mapped[int | None] = orm.mapped_column(sa.BigInteger)

    lease: orm.Mapped[Lease] = orm.relationship(back_populates='events')


class Lock(Base):
    """Named rows that writers update first to serialise with each other.

    The row ``allocator`` is updated as the first statement of every
    transaction that decides or changes allocations (see doc/ on
    concurrency). The row ``hosts`` counts changes to the hosts table, so
    that processes may cache hosts until it moves.
    """

    __tablename__ = 'locks'
    __table_args__ = TABLE_OPTIONS

    name: orm.Mapped[str] = orm.mapped_column(sa.String(32),
                                              primary_key=True)
    counter: orm.Mapped[int] = orm.mapped_column(sa.BigInteger, default=0,
                                                 nullable=False)


class ResourceProperty(Base):
    """Whether a host property name is private (Blazar's resource
    properties).

    Names come from hosts' ``properties``; a name without a row is public.
    """

    __tablename__ = 'resource_properties'
    __table_args__ = TABLE_OPTIONS

    name: orm.Mapped[str] = orm.mapped_column(sa.String(64),
                                              primary_key=True)
    # '0' rather than sa.false(): false on every backend, and what MariaDB
    # reports back, so that the migration tests see no difference.
    private: orm.Mapped[bool] = orm.mapped_column(
        sa.Boolean, default=False, server_default='0', nullable=False)
