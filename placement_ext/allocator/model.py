"""Data the allocator works on. Times are integer seconds since the epoch."""

import dataclasses
import typing


@dataclasses.dataclass
class Host:
    """An enrolled host as the allocator sees it.

    ``capacity`` maps a resource name (``vcpus``, ``memory_mb``,
    ``local_gb`` and any extra resource class) to what the host can give.
    ``properties`` are what property filters match against.
    ``placement`` is the compute node as Placement last showed it
    (``placement_ext/placement/inventories.py``), or None.
    """

    id: int
    hypervisor_hostname: str
    reservable: bool
    capacity: dict
    properties: dict
    uuid: str = ''
    placement: typing.Optional[dict] = None


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
class LeaseRequest:
    """A validated lease: window, ownership details and its reservations
    (each its type's request, e.g. ``physical_host.request.HostRequest``)."""

    name: str
    start: int
    end: int
    before_end: int
    reservations: list
    end_action: str
    start_is_now: bool = False
    keep_grace: int = None


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
