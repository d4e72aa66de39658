"""Data the allocator works on. Times are integer seconds since the epoch."""

import dataclasses
import typing

HOST = 'physical:host'
INSTANCE = 'virtual:instance'
RESOURCE_TYPES = (HOST, INSTANCE)


@dataclasses.dataclass
class Host:
    """An enrolled host as the allocator sees it.

    ``capacity`` maps a resource name (``vcpus``, ``memory_mb``,
    ``local_gb`` and any extra resource class) to what the host can give.
    ``properties`` are what property filters match against.
    """

    id: int
    hypervisor_hostname: str
    reservable: bool
    capacity: dict
    properties: dict
    uuid: str = ''


@dataclasses.dataclass(slots=True)
class Booking:
    """Something occupying a host from ``start`` to ``end`` (exclusive).

    A whole-host booking (a host reservation) leaves nothing free; otherwise
    ``usage`` says how much of each capacity key it takes.
    """

    host_id: int
    reservation_id: str
    start: int
    end: int
    whole_host: bool
    usage: dict = dataclasses.field(default_factory=dict)
    slots: int = 0


@dataclasses.dataclass
class HostRequest:
    """A ``physical:host`` reservation: between min and max whole hosts."""

    min_count: int
    max_count: int
    hypervisor_properties: typing.Any = None
    resource_properties: typing.Any = None
    resource_type: str = HOST
    # Blazar's before-end action: 'default' (notify only) or 'snapshot'.
    before_end: str = 'default'


@dataclasses.dataclass
class InstanceRequest:
    """A ``virtual:instance`` reservation: ``amount`` slots of one size.

    ``affinity`` True puts every slot on one host, False puts each slot on a
    different host, None lets the policy decide.
    """

    amount: int
    vcpus: int
    memory_mb: int
    disk_gb: int
    affinity: typing.Optional[bool] = None
    extra_resources: dict = dataclasses.field(default_factory=dict)
    resource_properties: typing.Any = None
    resource_type: str = INSTANCE

    def slot_size(self):
        """Capacity keys and the amount one slot takes of each."""
        size = {'vcpus': self.vcpus, 'memory_mb': self.memory_mb,
                'local_gb': self.disk_gb}
        size.update(self.extra_resources)
        return {key: value for key, value in size.items() if value > 0}


@dataclasses.dataclass
class LeaseRequest:
    """A validated lease: window, ownership details and its reservations."""

    name: str
    start: int
    end: int
    before_end: int
    reservations: list
    end_action: str
    start_is_now: bool = False


@dataclasses.dataclass
class Decision:
    """The allocator's answer: slots per host id (1 for whole hosts)."""

    slots_by_host: dict

    @property
    def host_ids(self):
        return sorted(self.slots_by_host)

    @property
    def total_slots(self):
        return sum(self.slots_by_host.values())
