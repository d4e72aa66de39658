"""``placement_ext.nova.instances`` against Nova's real API (see ``base``).

The functions run through ``self.compute_client`` (an admin
``ComputeClient`` at 2.61) and every answer is checked against what Nova
itself shows through its own test client or its fake Glance. Fake computes
name their hypervisor after their host. Hosts are ordinary (not enrolled);
where a server lands is made certain by starting hosts one after another
and disabling the ones a server must avoid.
"""

import time

from keystoneauth1 import adapter as ks_adapter
from keystoneauth1 import session as ks_session

from placement_ext.nova import compute
from placement_ext.nova import instances
from placement_ext import exception
from tests.functional.nova import base

PREEMPTIBLE = {'blazar:preemptible': 'true'}


def _ids(servers):
    return sorted(s.id for s in servers)


class InstancesTest(base.BlazarFilterTestCase):

    def _wait(self, predicate, what, timeout=30):
        """Poll ``predicate`` until it is true; return its value."""
        deadline = time.monotonic() + timeout
        while True:
            value = predicate()
            if value:
                return value
            if time.monotonic() > deadline:
                self.fail('still waiting after %ss for %s' % (timeout, what))
            time.sleep(0.2)

    def _service_id(self, host):
        (service,) = self.admin_api.get_services(host=host,
                                                 binary='nova-compute')
        return service['id']

    def _disable(self, host, reason=None):
        body = {'status': 'disabled'}
        if reason:
            body['disabled_reason'] = reason
        self.admin_api.put_service(self._service_id(host), body)

    def _status(self, server_id):
        return self.admin_api.get_server(server_id)['status']

    def _flavor(self, **kwargs):
        return self._create_flavor(memory_mb=512, vcpu=1, disk=1,
                                   ephemeral=0, **kwargs)

    def test_servers_on_hosts_exact_hosts_projects_preemptible(self):
        # h1 alone takes the first three servers; then h1 is disabled and
        # the fourth lands on h10. Nova's node filter is a regular
        # expression: "h1" also matches "h10".
        self._start_hosts(ordinary=('h1',))
        preemptible = self._flavor(name='spot', extra_spec=PREEMPTIBLE)
        spot = self._boot(flavor_id=preemptible)
        plain = self._boot()
        other = self._boot(api=self.other_api)
        self.assertEqual(['h1'] * 3, self._outcomes(spot + plain + other))
        self._start_hosts(ordinary=('h10',))
        self._disable('h1')
        on_h10 = self._boot(api=self.other_api)
        self.assertEqual(['h10'], self._outcomes(on_h10))

        def seen(hosts):
            return {s.id: (s.project_id, s.preemptible, s.host,
                           s.hypervisor_hostname, s.status, s.flavor_name)
                    for s in instances.servers_on_hosts(self.compute_client,
                                                        hosts)}

        small = self.admin_api.get_flavor(self.flavor_id)['name']
        expected_h1 = {
            spot[0]: (base.PROJECT, True, 'h1', 'h1', 'ACTIVE', 'spot'),
            plain[0]: (base.PROJECT, False, 'h1', 'h1', 'ACTIVE', small),
            other[0]: (base.OTHER_PROJECT, False, 'h1', 'h1', 'ACTIVE',
                       small)}
        expected_h10 = {on_h10[0]: (base.OTHER_PROJECT, False, 'h10', 'h10',
                                    'ACTIVE', small)}
        self.assertEqual(expected_h1, seen(['h1']))
        self.assertEqual(expected_h10, seen(['h10']))
        self.assertEqual(dict(expected_h1, **expected_h10),
                         seen(['h10', 'h1', 'h1']))
        self.assertEqual({}, seen(['h2']))
        self.assertEqual({}, seen([]))

    def test_servers_of_flavor_all_projects_and_pages(self):
        # Five servers of flavor F (two projects) and one other, listed two
        # per page: F's take three pages, the host's six take three full
        # pages and an empty fourth.
        self._start_hosts(ordinary=('h1',))
        flavor = self._flavor(name='f')
        mine = self._boot(3, flavor_id=flavor)
        theirs = self._boot(2, flavor_id=flavor, api=self.other_api)
        plain = self._boot()
        self.assertEqual(['h1'] * 6, self._outcomes(mine + theirs + plain))
        self.flags(max_limit=2, group='api')
        self.assertEqual(2, len(self.admin_api.get_servers(
            search_opts={'all_tenants': 1})))

        found = instances.servers_of_flavor(self.compute_client, flavor)
        self.assertEqual(sorted(mine + theirs), _ids(found))
        self.assertEqual(
            {base.PROJECT: 3, base.OTHER_PROJECT: 2},
            {p: sum(s.project_id == p for s in found)
             for p in (base.PROJECT, base.OTHER_PROJECT)})
        self.assertEqual({'f'}, {s.flavor_name for s in found})
        self.assertEqual(
            sorted(mine + theirs + plain),
            _ids(instances.servers_on_hosts(self.compute_client, ['h1'])))
        self.assertEqual(
            plain, _ids(instances.servers_of_flavor(self.compute_client,
                                                    self.flavor_id)))

        # Once the flavor is deleted Nova answers an empty list for it,
        # though its servers live on: the function refuses instead.
        self.admin_api.delete_flavor(flavor)
        self.assertRaises(exception.NotFound, instances.servers_of_flavor,
                          self.compute_client, flavor)
        self.assertRaises(exception.NotFound, instances.servers_of_flavor,
                          self.compute_client, 'no-such-flavor')

    def test_delete_then_nothing_remains(self):
        self._start_hosts(ordinary=('h1',))
        doomed = self._boot(2)
        kept = self._boot(api=self.other_api)
        self.assertEqual(['h1'] * 3, self._outcomes(doomed + kept))
        self.assertEqual(sorted(doomed), _ids(instances.remaining(
            self.compute_client, doomed, on_hosts=['h1'])))
        self.assertEqual([], instances.remaining(
            self.compute_client, doomed, on_hosts=['h2']))

        for server_id in doomed:
            self.assertTrue(instances.delete_server(self.compute_client,
                                                    server_id))
        self._wait(lambda: not instances.remaining(self.compute_client,
                                                   doomed),
                   'the deleted servers to be gone')
        self.assertEqual(kept, _ids(instances.servers_on_hosts(
            self.compute_client, ['h1'])))
        self.assertFalse(instances.delete_server(self.compute_client,
                                                 doomed[0]))
        self.assertEqual(kept, _ids(instances.remaining(
            self.compute_client, doomed + kept)))

    def test_member_credentials_are_refused_not_guessed(self):
        # A project member sees neither other projects nor the host and
        # flavor extra specs of its own servers: every call refuses.
        self._start_hosts(ordinary=('h1',))
        (server_id,) = self._boot()
        self._settle([server_id])
        member = compute.ComputeClient(ks_adapter.Adapter(
            ks_session.Session(auth=None, additional_headers={
                'X-Auth-User': 'demo', 'X-User-Id': 'demo',
                'X-Auth-Project-Id': base.PROJECT,
                'X-Roles': 'reader,member'}),
            service_type='compute',
            endpoint_override=self.api_fixture.base_url))
        for call, args, status in [
                (instances.servers_on_hosts, (['h1'],), 403),
                (instances.remaining, ([server_id],), 200),
                (instances.hypervisor_states, (), 403)]:
            exc = self.assertRaises(compute.ComputeRefused, call, member,
                                    *args)
            self.assertEqual(status, exc.status, call.__name__)
        self.assertEqual('ACTIVE', self._status(server_id))

    def test_delete_finishes_a_deferred_delete(self):
        # With reclaim_instance_interval Nova's delete only soft-deletes:
        # the server stays on its host until deleted again.
        self.flags(reclaim_instance_interval=3600)
        self._start_hosts(ordinary=('h1',))
        (server_id,) = self._boot()
        self._settle([server_id])
        self.assertTrue(instances.delete_server(self.compute_client,
                                                server_id))
        self._wait(lambda: self._status(server_id) == 'SOFT_DELETED',
                   'the server to be SOFT_DELETED')
        (left,) = instances.remaining(self.compute_client, [server_id],
                                      on_hosts=['h1'])
        self.assertEqual('SOFT_DELETED', left.status)
        self.assertTrue(instances.delete_server(self.compute_client,
                                                server_id))
        self._wait(lambda: not instances.remaining(self.compute_client,
                                                   [server_id]),
                   'the server to be gone')

    def test_shelve_offloads_and_frees_the_host(self):
        self._start_hosts(ordinary=('h1',))
        (server_id,) = self._boot()
        self._settle([server_id])
        self.assertTrue(instances.shelve_server(self.compute_client,
                                                server_id))
        self._wait(lambda: not instances.remaining(
            self.compute_client, [server_id], on_hosts=['h1']),
            'the shelved server to leave h1')
        # Nova saves SHELVED_OFFLOADED (which occupies no host) first and
        # clears the server's host and node in a second save, a moment
        # later (ComputeManager._shelve_offload_instance).
        (left,) = self._wait(lambda: [
            s for s in instances.remaining(self.compute_client, [server_id])
            if s.host is None], 'the offloaded server to lose its host')
        self.assertEqual(('SHELVED_OFFLOADED', None, None),
                         (left.status, left.host, left.hypervisor_hostname))
        self.assertEqual([], instances.servers_on_hosts(self.compute_client,
                                                        ['h1']))
        self.assertFalse(instances.shelve_server(self.compute_client,
                                                 server_id))
        self.assertTrue(instances.delete_server(self.compute_client,
                                                server_id))
        self._wait(lambda: not instances.remaining(self.compute_client,
                                                   [server_id]),
                   'the server to be gone')
        self.assertFalse(instances.shelve_server(self.compute_client,
                                                 server_id))

    def test_shelve_refused_while_busy_or_in_error(self):
        self._start_hosts(ordinary=('h1',))
        (busy,) = self._boot()
        self._settle([busy])
        # With its compute stopped, the first shelve leaves the server in
        # task state "shelving": Nova refuses another with 409.
        self.computes['h1'].stop()
        self.assertTrue(instances.shelve_server(self.compute_client, busy))
        server = self.admin_api.get_server(busy)
        self.assertEqual(('ACTIVE', 'shelving'),
                         (server['status'], server['OS-EXT-STS:task_state']))
        exc = self.assertRaises(compute.ComputeRefused,
                                instances.shelve_server,
                                self.compute_client, busy)
        self.assertEqual(409, exc.status)
        # A server that never got a host cannot be shelved either.
        huge = self._create_flavor(memory_mb=base.MEMORY_MB * 4, vcpu=1)
        failed = self._boot(flavor_id=huge)
        self.assertEqual([base.NO_VALID_HOST], self._outcomes(failed))
        exc = self.assertRaises(compute.ComputeRefused,
                                instances.shelve_server,
                                self.compute_client, failed[0])
        self.assertEqual(409, exc.status)

    def test_snapshot(self):
        self._start_hosts(ordinary=('h1',))
        (server_id,) = self._boot()
        self._settle([server_id])
        image_id = instances.snapshot_server(
            self.compute_client, server_id, 'before-lease-end',
            metadata={'blazar_lease': 'l-1'})
        image = self.glance.show(None, image_id)
        self.assertEqual('before-lease-end', image['name'])
        self.assertEqual(server_id, image['properties']['instance_uuid'])
        self.assertEqual('l-1', image['properties']['blazar_lease'])
        self._wait(lambda: self.admin_api.get_server(server_id)[
            'OS-EXT-STS:task_state'] is None, 'the snapshot to finish')
        self.assertIsNone(instances.snapshot_server(
            self.compute_client, '00000000-0000-0000-0000-000000000000',
            'gone'))

    def test_hypervisor_states(self):
        # Two per page: three hypervisors take two pages.
        self._start_hosts(ordinary=('h1', 'h2', 'h3'))
        self.flags(max_limit=2, group='api')
        self.assertEqual(
            {h: instances.HypervisorState(True, True, h, None)
             for h in ('h1', 'h2', 'h3')},
            instances.hypervisor_states(self.compute_client))

        self._disable('h2', reason='maintenance')
        # A stopped compute stays "up" until its last report is older than
        # service_down_time (60 s); forcing it down takes effect at once.
        self.computes['h3'].stop()
        self.assertTrue(
            instances.hypervisor_states(self.compute_client)['h3'].up)
        self.admin_api.put_service(self._service_id('h3'),
                                   {'forced_down': True})
        self.assertEqual(
            {'h1': instances.HypervisorState(True, True, 'h1', None),
             'h2': instances.HypervisorState(True, False, 'h2',
                                             'maintenance'),
             'h3': instances.HypervisorState(False, True, 'h3', None)},
            instances.hypervisor_states(self.compute_client))
