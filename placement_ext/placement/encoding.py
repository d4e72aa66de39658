"""What every reservation type's Placement encoding shares.

A ``Plan`` is what Placement must show for one live reservation; each
reservation type writes it its own way (``reservations.<type>.placement``:
``activate``, ``revoke_access``, ``deactivate``). Shared here: the reservable
mark of enrolled hosts, and ``CUSTOM_BLAZAR_RESERVED`` on a compute node
exactly while some reservation is live on it. Every function may be
repeated and returns the changes it made, as short sentences.
"""

import dataclasses

from blazar_nova import names
from placement_ext.placement import providers


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


def shares(held):
    """``HostShare`` of each held host (anything with ``uuid``,
    ``hypervisor_hostname`` and ``slots``)."""
    return tuple(HostShare(h.uuid, h.hypervisor_hostname, h.slots)
                 for h in held)


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


def revoke_from(client, trait, rp):
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
