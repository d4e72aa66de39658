"""What the store hands the agent and the reconcilers: typed, read-only
results rather than dicts read by string keys in several layers.

The API's answers stay plain dicts in Blazar's field names
(``store.views``): they are JSON bodies.
"""

import dataclasses
import typing


@dataclasses.dataclass(frozen=True)
class HeldHost:
    """One host a reservation holds, and how many of its slots."""

    uuid: str
    hypervisor_hostname: str
    slots: int = 1
    host_id: typing.Optional[int] = None


@dataclasses.dataclass(frozen=True)
class ReservationWork:
    """What the agent needs of one reservation: its type, its size (slot
    reservations) or before-end action (host reservations), its hosts."""

    id: str
    resource_type: str
    status: str
    hosts: tuple
    vcpus: typing.Optional[int] = None
    memory_mb: typing.Optional[int] = None
    disk_gb: typing.Optional[int] = None
    extra_resources: dict = dataclasses.field(default_factory=dict)
    before_end: str = 'default'
    affinity: typing.Optional[bool] = None
    server_group_id: typing.Optional[str] = None
    # flavor:instance: the source flavor as Nova gave it at creation.
    flavor: typing.Optional[dict] = None

    @property
    def hostnames(self):
        """The hypervisor hostnames it holds, sorted."""
        return [h.hypervisor_hostname for h in self.hosts]


@dataclasses.dataclass(frozen=True)
class LeaseWork:
    """What the agent needs of a lease to run its events."""

    id: str
    name: str
    project_id: str
    user_id: str
    status: str
    end_action: str
    keep_grace: typing.Optional[int]
    start: int
    end: int
    before_end: int
    start_date: str
    end_date: str
    before_end_date: str
    degraded_reason: typing.Optional[str]
    reservations: tuple

    def payload(self):
        """The lease as a notification payload (plain JSON types)."""
        return dataclasses.asdict(self)


@dataclasses.dataclass(frozen=True)
class LiveReservation:
    """A reservation Placement must show now, with its hosts."""

    reservation_id: str
    project_id: str
    resource_type: str
    hosts: tuple
    vcpus: typing.Optional[int] = None
    memory_mb: typing.Optional[int] = None
    disk_gb: typing.Optional[int] = None
    extra_resources: dict = dataclasses.field(default_factory=dict)
    # flavor:instance: the source flavor as Nova gave it at creation.
    flavor: typing.Optional[dict] = None


@dataclasses.dataclass(frozen=True)
class Owner:
    """Who holds a stored reservation, of which type, on which hosts."""

    project_id: str
    resource_type: str
    hosts: tuple


@dataclasses.dataclass(frozen=True)
class HostReservation:
    """A reservation of an upcoming or active lease on one host."""

    reservation_id: str
    resource_type: str
    project_id: str


@dataclasses.dataclass(frozen=True)
class HealOutcome:
    """What healing did for one reservation that held a failed host."""

    lease_id: str
    reservation_id: str
    lease_status: str
    replaced: bool
    message: str
