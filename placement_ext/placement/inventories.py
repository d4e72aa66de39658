"""The enrolled compute nodes as Placement shows them now: inventories and
traits, kept current in the store by a cheap check.

Rule: a host's copy (``hosts.placement``: ``{"generation", "inventories":
{class: {total, reserved, allocation_ratio, max_unit}}, "traits"}``) is
read again when its provider's generation differs from the one stored with
it. Placement bumps a provider's generation on every change of its
inventories, traits or allocations, so one listing of the reservable
compute nodes (``GET /resource_providers?required=CUSTOM_BLAZAR_RESERVABLE``)
finds every copy that may be stale, and only those nodes are read again
(inventories and traits: two requests each). The check runs before the
allocator lock (``ReservationType.refresh``), never under it.
"""

from oslo_log import log as logging

from blazar_nova import names
from placement_ext.placement import providers

LOG = logging.getLogger(__name__)

# What a slot decision needs of each inventory record.
FIELDS = ('total', 'reserved', 'allocation_ratio', 'max_unit')


def node_view(client, uuid, generation):
    """``{"generation", "inventories", "traits"}`` of one compute node, or
    None when it is gone. Classes of reservations (slots on our child
    providers never sit on the node itself) are left out."""
    inventories, _ = providers.get_inventories(client, uuid)
    traits, _ = providers.get_traits(client, uuid)
    if inventories is None or traits is None:
        return None
    return {'generation': generation,
            'inventories': {
                rc: {field: record[field] for field in FIELDS}
                for rc, record in sorted(inventories.items())
                if not names.reservation_of_class(rc)},
            'traits': sorted(traits)}


def stale(client, generations):
    """``{uuid: generation}`` of the reservable compute nodes whose
    generation differs from ``generations`` (``{uuid: generation or
    None}`` of the enrolled hosts)."""
    listed = providers.list_providers(client,
                                      required={names.RESERVABLE_TRAIT})
    return {rp['uuid']: rp['generation'] for rp in listed
            if rp['uuid'] in generations
            and generations[rp['uuid']] != rp['generation']}


def refresh(client, store, context):
    """Read again every enrolled host whose copy may be stale and store
    it; the number of hosts read."""
    changed = stale(client, store.host_placement_generations(context))
    views = {}
    for uuid, generation in sorted(changed.items()):
        view = node_view(client, uuid, generation)
        if view is not None:
            views[uuid] = view
    if views:
        store.set_host_placement(context, views)
        LOG.debug('Read the inventories and traits of %d compute node(s) '
                  'from Placement', len(views))
    return len(views)
