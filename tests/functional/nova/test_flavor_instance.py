"""flavor:instance end to end on Nova's functional harness: a Nova flavor
asking a custom resource class and a required trait, a lease of it decided
on the hosts' real Placement inventories and traits, servers booted with
the reservation's flavor landing on the reserved host, and the lease's end
as virtual:instance's (servers deleted, flavor, class and child provider
gone). The flavor is read from the real Nova API by the store, with the
same ``ComputeClient`` the API process uses.
"""

from placement_ext.placement import providers
from blazar_nova import names
from tests.functional.flavor_support import Clients
from tests.functional.nova import base
from tests.functional.nova import test_agent_end_to_end as agent_tests

HOUR = agent_tests.HOUR
GPU = 'CUSTOM_FPGA'
TRAIT = 'CUSTOM_FAST_NIC'


class FlavorInstanceTest(agent_tests.AgentCase):

    def _gpu_flavor(self):
        flavor = self.admin_api.post_flavor({'flavor': {
            'name': 'gpu.small', 'vcpus': 1, 'ram': 512, 'disk': 1}})
        self.admin_api.post_extra_spec(flavor['id'], {'extra_specs': {
            'resources:%s' % GPU: '1', 'trait:%s' % TRAIT: 'required'}})
        return flavor['id']

    def test_lease_of_a_flavor_lands_on_its_host_and_ends(self):
        self._start_hosts(reservable=('h1', 'h2', 'h3'))
        pc = self.placement_client
        providers.ensure_resource_class(pc, GPU)
        for host, gpus, traits in (('h1', 2, {TRAIT}), ('h2', 0, {TRAIT}),
                                   ('h3', 4, set())):
            uuid = self.rp_uuids[host]
            if gpus:
                inventories, generation = providers.get_inventories(pc,
                                                                    uuid)
                inventories[GPU] = {'total': gpus, 'max_unit': 1}
                pc.put('/resource_providers/%s/inventories' % uuid, {
                    'inventories': inventories,
                    'resource_provider_generation': generation})
            if traits:
                providers.change_traits(pc, uuid, add=traits)
        flavor_id = self._gpu_flavor()
        clients = Clients(self.compute_client, pc)
        agent = self._agent()

        # h1 alone has both the trait and the GPUs: two slots, no third.
        lease, rid = self._new_lease({
            'resource_type': 'flavor:instance', 'flavor_id': flavor_id,
            'amount': 2, 'affinity': None}, clients=clients)
        [res] = lease['reservations']
        self.assertEqual({'h1': 2}, {a['hypervisor_hostname']: a['slots']
                                     for a in res['allocations']})
        self.assertEqual({'VCPU': 1, 'MEMORY_MB': 512, 'DISK_GB': 1,
                          GPU: 1}, res['resources'])

        self.clock.now += 60
        agent.run_once()
        self.assertEqual('ACTIVE', self._status(lease))
        private = self.admin_api.get_flavor(rid)
        self.assertEqual('reservation:%s' % rid, private['name'])
        self.assertEqual({'resources:%s' % GPU: '1',
                          'trait:%s' % TRAIT: 'required',
                          'resources:%s' % names.resource_class(rid): '1'},
                         private['extra_specs'])
        servers = self._boot(2, hint=rid, flavor_id=rid)
        self.assertEqual(['h1', 'h1'], self._outcomes(servers))
        # The slots are used up: a third server has no valid host.
        self.assertEqual([base.NO_VALID_HOST],
                         self._outcomes(self._boot(hint=rid,
                                                   flavor_id=rid)))
        usages = self.placement_client.get(
            '/resource_providers/%s/usages' % self.rp_uuids['h1']).body
        self.assertEqual(2, usages['usages'][GPU])

        self.clock.now += HOUR
        agent.run_once()
        self.assertEqual('TERMINATED', self._status(lease))
        self._assert_instance_reservation_gone(rid, servers)
        # The source flavor is Nova's own, untouched.
        self.assertEqual(flavor_id, self.admin_api.get_flavor(
            flavor_id)['id'])
