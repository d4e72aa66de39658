"""Write a reservation into Placement and take it out again.

``activate`` makes Placement show exactly the given plan for one
reservation (adding what is missing, removing what is on hosts no longer in
the plan); ``deactivate`` removes everything of the reservation, but only
once no instance holds any of its slots. Both may be repeated at will and
return the changes they made, as short sentences for logs and reports.
"""

import dataclasses

from oslo_log import log as logging

from placement_ext import exception
from placement_ext.placement import names
from placement_ext.placement import providers

LOG = logging.getLogger(__name__)

HOST = 'physical:host'
INSTANCE = 'virtual:instance'


@dataclasses.dataclass(frozen=True)
class HostShare:
    """One host of a reservation and the slots it holds there."""

    uuid: str
    hostname: str
    slots: int = 1


@dataclasses.dataclass(frozen=True)
class Plan:
    """What Placement must show for one live reservation."""

    reservation_id: str
    project_id: str
    resource_type: str
    hosts: tuple
    # Set only to remove a reservation whose project is no longer known.
    access_trait: str = None

    @property
    def trait(self):
        if self.access_trait:
            return self.access_trait
        return names.access_trait(self.reservation_id, self.project_id)

    @property
    def resource_class(self):
        return names.resource_class(self.reservation_id)


def enrol_host(client, host_uuid):
    """Mark a compute node reservable."""
    added, _ = providers.change_traits(client, host_uuid,
                                       add={names.RESERVABLE_TRAIT})
    return ['marked host %s reservable' % host_uuid] if added else []


def withdraw_host(client, host_uuid):
    """Take the reservable mark off a compute node."""
    _, removed = providers.change_traits(client, host_uuid,
                                         remove={names.RESERVABLE_TRAIT})
    return ['unmarked host %s' % host_uuid] if removed else []


def activate(client, plan):
    """Make Placement show ``plan`` and nothing else for its reservation."""
    changes = []
    try:
        if plan.resource_type == HOST:
            changes += _activate_hosts(client, plan)
        else:
            _activate_slots(client, plan, changes)
    finally:
        # Even when slots left on a host still in use stop the move, the
        # plan's hosts hold the reservation now and must be marked.
        for host in plan.hosts:
            changes += refresh_reserved_mark(client, host.uuid)
    return changes


def _activate_hosts(client, plan):
    changes = []
    wanted = {h.uuid for h in plan.hosts}
    for host in plan.hosts:
        # The reservation is live on the host from now on: grant and mark
        # it in one write.
        added, _ = providers.change_traits(
            client, host.uuid, add={plan.trait, names.RESERVED_TRAIT})
        if plan.trait in added:
            changes.append('granted %s on host %s' % (plan.trait,
                                                      host.hostname))
        if names.RESERVED_TRAIT in added:
            changes.append('marked host %s reserved' % host.uuid)
    for rp in providers.list_providers(client, required={plan.trait}):
        if rp['uuid'] not in wanted:
            providers.change_traits(client, rp['uuid'], remove={plan.trait})
            changes.append('revoked %s on provider %s'
                           % (plan.trait, rp['name']))
            changes += refresh_reserved_mark(
                client, rp['root_provider_uuid'])
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
    changes += refresh_reserved_mark(client, host_uuid)
    return changes


def revoke_access(client, plan):
    """Take the reservation's access trait off every provider, so that no
    new instance can use it; slots and marks stay until ``deactivate``."""
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
    if plan.resource_type == INSTANCE:
        for host in plan.hosts:
            holders.setdefault(names.child_provider_uuid(host.uuid),
                               host.uuid)
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
            changes.append('deleted resource class %s'
                           % plan.resource_class)
    else:
        for rp_uuid in holders:
            _, removed = providers.change_traits(client, rp_uuid,
                                                 remove={trait})
            if removed:
                changes.append('revoked %s on provider %s' % (trait, rp_uuid))
        for host_uuid in set(holders) | {h.uuid for h in plan.hosts}:
            changes += refresh_reserved_mark(client, host_uuid)
    if providers.delete_trait(client, trait):
        changes.append('deleted trait %s' % trait)
    return changes


def _has_reservation(traits, inventories):
    if any(names.reservation_of_trait(t) for t in traits):
        return True
    return any(names.reservation_of_class(rc) for rc in inventories or {})


def refresh_reserved_mark(client, host_uuid):
    """Give a compute node ``CUSTOM_BLAZAR_RESERVED`` exactly while some
    reservation is live on it (its own access traits, or its child's)."""
    traits, generation = providers.get_traits(client, host_uuid)
    if traits is None:
        return []
    child = names.child_provider_uuid(host_uuid)
    child_traits, _ = providers.get_traits(client, child)
    child_inventories = None
    if child_traits is not None:
        # No child, no slots: a host never used for instance
        # reservations costs one request less.
        child_inventories, _ = providers.get_inventories(client, child)
    live = (_has_reservation(traits, None)
            or _has_reservation(child_traits or (), child_inventories))
    known = (traits, generation)
    if live:
        added, _ = providers.change_traits(client, host_uuid,
                                           add={names.RESERVED_TRAIT},
                                           known=known)
        return ['marked host %s reserved' % host_uuid] if added else []
    _, removed = providers.change_traits(client, host_uuid,
                                         remove={names.RESERVED_TRAIT},
                                         known=known)
    return ['unmarked host %s reserved' % host_uuid] if removed else []
