"""How Placement shows a ``physical:host`` reservation: its access trait
and ``CUSTOM_BLAZAR_RESERVED`` on each of its compute nodes, nothing else.

Every function may be repeated and returns the changes it made, as short
sentences for logs and reports.
"""

from blazar_nova import names
from placement_ext.placement import encoding
from placement_ext.placement import providers


def activate(client, plan):
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
            changes += encoding.revoke_from(client, plan.trait, rp)
    return changes


def revoke_access(client, plan):
    """The hosts lose the access trait and, in the same write, their
    reserved mark unless another reservation is live there; a provider
    outside the plan still carrying the trait loses it in ``deactivate``."""
    changes = []
    for host in plan.hosts:
        changes += encoding.settle_host(client, host.uuid, revoke=plan.trait,
                                        name=host.hostname)
    return changes


def deactivate(client, plan):
    """Delete the trait outright when no provider carries it any more
    (after ``revoke_access``), else take it off its holders first."""
    changes = []
    trait = plan.trait
    status = providers.delete_trait_status(client, trait)
    if status == 204:
        return ['deleted trait %s' % trait]
    if status == 404:
        return []
    for rp in providers.list_providers(client, required={trait}):
        changes += encoding.revoke_from(client, trait, rp)
    for host in plan.hosts:
        changes += encoding.refresh_reserved_mark(client, host.uuid)
    if providers.delete_trait(client, trait):
        changes.append('deleted trait %s' % trait)
    return changes
