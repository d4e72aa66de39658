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
from blazar_nova import names
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
    if plan.resource_type == HOST:
        return _activate_hosts(client, plan)
    changes = []
    try:
        _activate_slots(client, plan, changes)
    finally:
        # Even when slots left on a host still in use stop the move, the
        # plan's hosts hold the reservation now and must be marked.
        for host in plan.hosts:
            changes += refresh_reserved_mark(client, host.uuid)
    return changes


def _activate_hosts(client, plan):
    """Grant and mark each host in one write; sweep other providers only
    when the trait already existed (a fresh trait is on none)."""
    changes = []
    fresh = providers.ensure_trait(client, plan.trait)
    wanted = {h.uuid for h in plan.hosts}
    for host in plan.hosts:
        added, _ = providers.change_traits(
            client, host.uuid, add={plan.trait, names.RESERVED_TRAIT})
        if plan.trait in added:
            changes.append('granted %s on host %s' % (plan.trait,
                                                      host.hostname))
        if names.RESERVED_TRAIT in added:
            changes.append('marked host %s reserved' % host.uuid)
    if fresh:
        return changes
    for rp in providers.list_providers(client, required={plan.trait}):
        if rp['uuid'] not in wanted:
            changes += _revoke_from(client, plan.trait, rp)
    return changes


def _revoke_from(client, trait, rp):
    """Take ``trait`` off a provider listed by Placement, settling the
    reserved mark of its compute node."""
    if rp['uuid'] == rp['root_provider_uuid']:
        return settle_host(client, rp['uuid'], revoke=trait,
                           name=rp['name'])
    changes = []
    _, removed = providers.change_traits(client, rp['uuid'], remove={trait})
    if removed:
        changes.append('revoked %s on provider %s' % (trait, rp['name']))
    return changes + refresh_reserved_mark(client, rp['root_provider_uuid'])


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
    """Take the reservation's access trait off its providers, so that no
    new instance can use it.

    A host reservation's hosts lose their reserved mark in the same write
    (unless another reservation is live there); a provider outside the
    plan still carrying the trait loses it in ``deactivate``. An instance
    reservation's trait goes from every provider; its slots and marks stay
    until ``deactivate``.
    """
    if plan.resource_type == HOST:
        changes = []
        for host in plan.hosts:
            changes += settle_host(client, host.uuid, revoke=plan.trait,
                                   name=host.hostname)
        return changes
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
    the instances are deleted. A host reservation's trait is deleted
    outright when no provider carries it any more (after
    ``revoke_access``), else taken off its holders first.
    """
    if plan.resource_type == HOST:
        return _deactivate_hosts(client, plan)
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


def _deactivate_hosts(client, plan):
    changes = []
    trait = plan.trait
    status = providers.delete_trait_status(client, trait)
    if status == 204:
        return ['deleted trait %s' % trait]
    if status == 404:
        return []
    for rp in providers.list_providers(client, required={trait}):
        changes += _revoke_from(client, trait, rp)
    for host in plan.hosts:
        changes += refresh_reserved_mark(client, host.uuid)
    if providers.delete_trait(client, trait):
        changes.append('deleted trait %s' % trait)
    return changes


def _has_reservation(traits, inventories):
    if any(names.reservation_of_trait(t) for t in traits):
        return True
    return any(names.reservation_of_class(rc) for rc in inventories or {})


def _child_live(client, host_uuid):
    """Whether the host's reservation child carries a live reservation."""
    child = names.child_provider_uuid(host_uuid)
    child_traits, _ = providers.get_traits(client, child)
    if child_traits is None:
        # No child, no slots: a host never used for instance
        # reservations costs one request less.
        return False
    child_inventories, _ = providers.get_inventories(client, child)
    return _has_reservation(child_traits, child_inventories)


def settle_host(client, host_uuid, revoke=None, name=None):
    """Take the trait ``revoke`` (if given) off a compute node and give it
    ``CUSTOM_BLAZAR_RESERVED`` exactly while some reservation is live on
    it (its own access traits, or its child's), in one write. ``name``
    names the host in the changes reported."""
    known = providers.get_traits(client, host_uuid)
    if known[0] is None:
        return []
    child_live = _child_live(client, host_uuid)

    def rule(current):
        kept = current - {revoke}
        if child_live or _has_reservation(kept, None):
            return kept | {names.RESERVED_TRAIT}
        return kept - {names.RESERVED_TRAIT}

    added, removed = providers.change_traits(client, host_uuid, rule=rule,
                                             known=known)
    changes = []
    if revoke in removed:
        changes.append('revoked %s on provider %s'
                       % (revoke, name or host_uuid))
    if names.RESERVED_TRAIT in added:
        changes.append('marked host %s reserved' % host_uuid)
    if names.RESERVED_TRAIT in removed:
        changes.append('unmarked host %s reserved' % host_uuid)
    return changes


def refresh_reserved_mark(client, host_uuid):
    """Give a compute node ``CUSTOM_BLAZAR_RESERVED`` exactly while some
    reservation is live on it (its own access traits, or its child's)."""
    return settle_host(client, host_uuid)
