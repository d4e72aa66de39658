"""How Placement shows a ``virtual:instance`` reservation: a child
provider under each of its hosts holding its slots as inventory of its own
resource class, with its access trait; the host marked
``CUSTOM_BLAZAR_RESERVED`` while it holds slots.

Every function may be repeated and returns the changes it made, as short
sentences for logs and reports.
"""

from oslo_log import log as logging

from blazar_nova import names
from placement_ext import exception
from placement_ext.placement import encoding
from placement_ext.placement import providers

LOG = logging.getLogger(__name__)


def activate(client, plan):
    """Make Placement show ``plan`` and nothing else for its reservation."""
    changes = []
    try:
        _activate_slots(client, plan, changes)
    finally:
        # Even when slots left on a host still in use stop the move, the
        # plan's hosts hold the reservation now and must be marked.
        for host in plan.hosts:
            changes += encoding.refresh_reserved_mark(client, host.uuid)
    return changes


def _activate_slots(client, plan, changes):
    """Write the slots, appending to ``changes`` as it goes (so that they
    are reported even when a host the plan left is still busy)."""
    rc = plan.resource_class
    providers.ensure_resource_class(client, rc)
    wanted = set()
    for host in plan.hosts:
        child = names.child_provider_uuid(host.uuid)
        wanted.add(child)
        if providers.ensure_child(client, child,
                                  names.child_provider_name(host.hostname),
                                  host.uuid):
            changes.append('created provider %s'
                           % names.child_provider_name(host.hostname))
        if providers.set_inventory(client, child, rc, host.slots):
            changes.append('set %d %s on %s' % (
                host.slots, rc, names.child_provider_name(host.hostname)))
        added, _ = providers.change_traits(client, child, add={plan.trait})
        if added:
            changes.append('granted %s on %s' % (
                plan.trait, names.child_provider_name(host.hostname)))
    for rp in providers.list_providers(client, required={plan.trait}):
        if rp['uuid'] not in wanted:
            changes += _remove_slots_from(client, plan, rp['uuid'],
                                          rp['root_provider_uuid'])


def _remove_slots_from(client, plan, child, host_uuid):
    """Take a reservation's slots and trait off one child provider."""
    changes = []
    rc = plan.resource_class
    in_use = providers.usage(client, child, rc)
    _, removed = providers.change_traits(client, child, remove={plan.trait})
    if removed:
        changes.append('revoked %s on provider %s' % (plan.trait, child))
    if in_use:
        raise exception.InventoryInUse(
            '%d slot(s) of %s on provider %s are still used by instances'
            % (in_use, rc, child))
    if providers.delete_inventory(client, child, rc):
        changes.append('removed %s inventory from provider %s' % (rc, child))
    inventories, _ = providers.get_inventories(client, child)
    if inventories == {}:
        if providers.delete_provider(client, child):
            changes.append('deleted provider %s' % child)
    changes += encoding.refresh_reserved_mark(client, host_uuid)
    return changes


def revoke_access(client, plan):
    """Take the access trait off every provider, so that no new instance
    can use it; the slots and marks stay until ``deactivate``."""
    changes = []
    for rp in providers.list_providers(client, required={plan.trait}):
        _, removed = providers.change_traits(client, rp['uuid'],
                                             remove={plan.trait})
        if removed:
            changes.append('revoked %s on provider %s'
                           % (plan.trait, rp['name']))
    return changes


def deactivate(client, plan):
    """Remove every trace of the reservation from Placement.

    The access trait goes first, so nothing new is scheduled; slots are
    removed only when no instance holds them, otherwise ``InventoryInUse``
    is raised after the trait is gone and the call should be repeated once
    the instances are deleted.
    """
    changes = []
    trait = plan.trait
    holders = {rp['uuid']: rp['root_provider_uuid']
               for rp in providers.list_providers(client, required={trait})}
    for host in plan.hosts:
        holders.setdefault(names.child_provider_uuid(host.uuid), host.uuid)
    busy = []
    for child, host_uuid in sorted(holders.items()):
        try:
            changes += _remove_slots_from(client, plan, child, host_uuid)
        except exception.InventoryInUse as exc:
            busy.append(str(exc))
    if busy:
        for line in changes:
            LOG.info('Reservation %s: %s', plan.reservation_id, line)
        raise exception.InventoryInUse('; '.join(busy))
    if providers.delete_resource_class(client, plan.resource_class):
        changes.append('deleted resource class %s' % plan.resource_class)
    if providers.delete_trait(client, trait):
        changes.append('deleted trait %s' % trait)
    return changes
