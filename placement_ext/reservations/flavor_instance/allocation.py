"""Decisions for ``flavor:instance`` reservations: ``virtual:instance``'s,
over the hosts as Placement shows them.

Rule: a host qualifies when its compute node (``Host.placement``, kept
current by ``placement.inventories``) carries every trait the flavor
requires and none it forbids, and offers every resource class one slot
asks with ``max_unit`` at least the slot's amount; its capacity of each
class is ``floor((total - reserved) x allocation_ratio)``. A host never read
from Placement qualifies for nothing. Over those hosts the decision is
``virtual:instance``'s (``choose_slots``): slots = min over classes of
``floor((capacity - peak) / size)`` with the true peak of the bookings
that overlap the window, affinity true/false/none, slots kept on update.
"""

import collections
import math
import threading

from placement_ext.allocator import availability
from placement_ext.allocator import model
from placement_ext.reservations.flavor_instance import source
from placement_ext.reservations.virtual_instance import allocation as slots


def _qualifies(view, resources, traits):
    if view is None:
        return False
    held = set(view['traits'])
    for name, rule in traits.items():
        if (name in held) != (rule == 'required'):
            return False
    inventories = view['inventories']
    for rc, amount in resources.items():
        record = inventories.get(rc)
        if record is None or amount > record['max_unit']:
            return False
    return True


def capacity(view, resources):
    """``{capacity key: units}`` the node can give to the slot's classes."""
    return {source.capacity_key(rc): math.floor(
        (record['total'] - record['reserved'])
        * record['allocation_ratio'])
        for rc, record in view['inventories'].items() if rc in resources}


# Recent answers of ``slot_hosts`` by (hosts list, resources, traits): the
# store's host cache hands out one list until a host changes (a Placement
# copy read again among them), so a repeated decision reuses its hosts.
_RECENT = collections.OrderedDict()
_RECENT_SIZE = 32
_recent_lock = threading.Lock()


def slot_hosts(request, hosts):
    """The hosts that qualify for ``request``, each with the capacity
    Placement gives it for the slot's classes."""
    resources = request.resources
    traits = request.traits
    key = (id(hosts), tuple(sorted(resources.items())),
           tuple(sorted(traits.items())))
    with _recent_lock:
        found = _RECENT.get(key)
        if found is not None and found[0] is hosts:
            _RECENT.move_to_end(key)
            return found[1]
    qualified = [_with_capacity(host, capacity(host.placement, resources))
                 for host in hosts
                 if _qualifies(host.placement, resources, traits)]
    with _recent_lock:
        # The list itself is kept with its answer: its id is not reused
        # while the entry lives.
        _RECENT[key] = (hosts, qualified)
        while len(_RECENT) > _RECENT_SIZE:
            _RECENT.popitem(last=False)
    return qualified


def _with_capacity(host, given):
    return model.Host(id=host.id, hypervisor_hostname=host.hypervisor_hostname,
                      reservable=host.reservable, capacity=given,
                      properties=host.properties, uuid=host.uuid,
                      placement=host.placement)


def choose_slots(request, start, end, hosts, bookings_by_host, **options):
    """A ``Decision`` giving ``request`` its slots, or refuse (see
    ``virtual_instance.allocation.choose_slots``)."""
    return slots.choose_slots(request, start, end,
                              slot_hosts(request, hosts), bookings_by_host,
                              **options)


def slot_query(request, lo, hi, hosts, bookings_by_host, **options):
    """What is free for ``request`` (``allocator.availability``)."""
    return availability.slot_query(request, lo, hi,
                                   slot_hosts(request, hosts),
                                   bookings_by_host, **options)
