"""What the flavor:instance store and API tests share: compute nodes in a
real Placement, and Nova's flavor API.

Nova's flavor API is a stand-in here (``NovaFlavors``): it answers the
three reads ``reservations/flavor_instance/source.py`` makes, as Nova's API
answers them at microversion 2.61. Nova itself cannot run beside the
store's three backends in these tests; the real Nova reads the flavor in
tests/functional/nova/test_flavor_instance.py.
"""

import uuid as uuidlib

from placement_ext import context as bn_context
from placement_ext import enrolment
from placement_ext.placement import providers
from placement_ext import rest_client
from placement_ext.testing import placement_service

ADMIN = bn_context.admin_context()


def inventory(total, reserved=0, ratio=1.0, max_unit=None):
    return {'total': total, 'reserved': reserved, 'allocation_ratio': ratio,
            'max_unit': max_unit or total}


def add_node(placement, store, hostname, inventories, traits=()):
    """A compute node with ``inventories`` and ``traits`` in Placement,
    enrolled in the store; its uuid."""
    for rc in inventories:
        if rc.startswith('CUSTOM_'):
            providers.ensure_resource_class(placement, rc)
    uuid = placement_service.add_compute_node(
        placement, hostname, uuid=str(uuidlib.uuid4()),
        inventory=inventories)
    if traits:
        providers.change_traits(placement, uuid, add=set(traits))
    enrolment.enrol(store, placement, ADMIN, hostname)
    return uuid


def set_inventory(placement, uuid, resource_class, **fields):
    """Change one inventory record of a provider, as an operator (or
    Nova's compute service) would."""
    url = '/resource_providers/%s/inventories/%s' % (uuid, resource_class)
    current = placement.get(url).body
    record = {key: current[key] for key in (
        'total', 'reserved', 'min_unit', 'max_unit', 'step_size',
        'allocation_ratio')}
    record.update(fields)
    record['resource_provider_generation'] = \
        current['resource_provider_generation']
    placement.put(url, record)


class NovaFlavors:
    """Nova's flavor reads, for flavors given as ``{id: flavor}`` in
    Nova's shape; ``access`` maps a private flavor's id to the projects
    on its access list."""

    def __init__(self, flavors, access=None):
        self.flavors = flavors
        self.access = access or {}
        self.reads = 0

    def get(self, url, expect=(200,)):
        self.reads += 1
        parts = url.split('/')
        flavor = self.flavors.get(parts[2])
        if flavor is None:
            return rest_client.Response(404, {'itemNotFound': {
                'code': 404, 'message': 'Flavor could not be found.'}})
        if len(parts) == 4 and parts[3] == 'os-flavor-access':
            return rest_client.Response(200, {'flavor_access': [
                {'flavor_id': parts[2], 'tenant_id': project}
                for project in self.access.get(parts[2], ())]})
        return rest_client.Response(200, {'flavor': flavor})


def nova_flavor(flavor_id, vcpus=2, ram=1024, disk=10, extra_specs=None,
                public=True, ephemeral=0, swap=''):
    """A flavor as Nova 2.61 shows it."""
    return {'id': flavor_id, 'name': 'f-%s' % flavor_id, 'vcpus': vcpus,
            'ram': ram, 'disk': disk, 'OS-FLV-EXT-DATA:ephemeral': ephemeral,
            'swap': swap, 'os-flavor-access:is_public': public,
            'extra_specs': dict(extra_specs or {})}


class Clients:
    """What the API's ``Services.clients`` gives the store."""

    def __init__(self, compute=None, placement=None):
        self.compute = compute
        self.placement = placement
