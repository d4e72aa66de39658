"""What Placement knows of a compute node, for enrolling it.

A compute node is the root provider Nova's compute service created, named
after its hypervisor hostname; its capacity is its inventory's ``total``
of VCPU, MEMORY_MB and DISK_GB, and any other class it offers (a custom
GPU class, say) is extra capacity instances may reserve.
"""

from placement_ext import exception
from blazar_nova import names
from placement_ext.placement import providers

STANDARD = {'VCPU': 'vcpus', 'MEMORY_MB': 'memory_mb', 'DISK_GB': 'local_gb'}


def find(client, hypervisor_hostname):
    """``{'uuid', 'vcpus', 'memory_mb', 'local_gb', 'extra_capacity'}`` of
    the compute node named ``hypervisor_hostname``; ``NotFound`` when
    Placement has no such root provider."""
    found = [rp for rp in providers.list_providers(client,
                                                   name=hypervisor_hostname)
             if rp['uuid'] == rp.get('root_provider_uuid', rp['uuid'])
             and rp.get('name') == hypervisor_hostname]
    if not found:
        raise exception.NotFound(
            'Placement has no compute node named %s; enrol hosts by their '
            'hypervisor hostname (openstack hypervisor list).'
            % hypervisor_hostname)
    uuid = found[0]['uuid']
    inventories, _ = providers.get_inventories(client, uuid)
    node = {'uuid': uuid, 'vcpus': 0, 'memory_mb': 0, 'local_gb': 0,
            'extra_capacity': {}}
    for rc, inventory in (inventories or {}).items():
        if rc in STANDARD:
            node[STANDARD[rc]] = inventory['total']
        elif not names.reservation_of_class(rc):
            node['extra_capacity'][rc] = inventory['total']
    return node
