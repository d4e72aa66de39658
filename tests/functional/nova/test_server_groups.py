"""Instance reservations' server groups on Nova's functional harness (issue
18): made at the start in the lease's project with the affinity's policy,
recorded as ``server_group_id``, used by a project member booting with
``--hint group=<id>`` and the reservation's flavor, gone at the end; a crash
between Nova's answer and the store's record makes no second group.

The agent talks to Nova as an administrator of its own project
(``SERVICE``) and makes the group as a member of the lease's project
(``ComputeClient.in_project``; in a deployment a Keystone token of the
``[nova]`` user scoped to that project, here the harness's header auth).
"""

from keystoneauth1 import adapter as ks_adapter
from keystoneauth1 import session as ks_session
import testtools

from placement_ext.nova import compute as bn_compute
from placement_ext.nova import reconcile as nova_reconcile
from placement_ext.nova import server_groups
from placement_ext.testing import crash_points
from tests.functional.nova import base
from tests.functional.nova import test_agent_end_to_end as e2e

SERVICE = 'service'
HOUR = e2e.HOUR


class ServerGroupTest(e2e.AgentCase):

    def setUp(self):
        super().setUp()
        self.agent_compute = bn_compute.ComputeClient(
            self._adapter('admin', SERVICE, 'reader,member,admin'))
        self.agent_compute.project_adapter = (
            lambda project: self._adapter('blazar', project,
                                          'reader,member'))

    def _adapter(self, user, project, roles):
        return ks_adapter.Adapter(ks_session.Session(
            auth=None, additional_headers={
                'X-Auth-User': user, 'X-User-Id': user,
                'X-Auth-Project-Id': project, 'X-Roles': roles}),
            service_type='compute',
            endpoint_override=self.api_fixture.base_url)

    def _agent(self, **kwargs):
        return super()._agent(compute=self.agent_compute, **kwargs)

    def _slots(self, affinity, amount=2):
        return self._new_lease({
            'resource_type': 'virtual:instance', 'amount': amount,
            'vcpus': 1, 'memory_mb': 512, 'disk_gb': 1,
            'affinity': affinity})

    def _group_id(self, lease):
        (res,) = self.store.get_lease(self.admin_ctx,
                                      lease['id'])['reservations']
        return res['server_group_id']

    def _group(self, group_id):
        """The group as Nova's administrator sees it, or None."""
        resp = self.admin_api.api_get('/os-server-groups/%s' % group_id,
                                      check_response_status=[200, 404])
        return resp.body['server_group'] if resp.status == 200 else None

    def _named(self, rid):
        return [g['id'] for g in server_groups.find(self.compute_client,
                                                    rid)]

    def test_groups_made_at_start_used_and_gone_at_end(self):
        self._start_hosts(reservable=('h1', 'h3'), ordinary=('h2',))
        agent = self._agent()
        together, rid_t = self._slots(True)
        apart, rid_a = self._slots(False)
        agent.run_once()
        # Before the start: Blazar's key, no group yet.
        self.assertEqual((None, None), (self._group_id(together),
                                        self._group_id(apart)))

        self.clock.now += 60
        agent.run_once()
        self.assertEqual('ACTIVE', self._status(together))
        self.assertEqual('ACTIVE', self._status(apart))
        gid_t, gid_a = self._group_id(together), self._group_id(apart)
        for gid, rid, policy in ((gid_t, rid_t, 'affinity'),
                                 (gid_a, rid_a, 'anti-affinity')):
            group = self._group(gid)
            self.assertEqual(('reservation:%s' % rid, policy, base.PROJECT),
                             (group['name'], group['policy'],
                              group['project_id']))
            # A member of the lease's project sees it (Nova finds the
            # group of a boot's hint in the caller's project only).
            self.api.api_get('/os-server-groups/%s' % gid)

        # As Blazar's users do: the reservation's flavor and the group
        # hint, no reservation hint.
        on_t = self._outcomes(self._boot(flavor_id=rid_t, group=gid_t,
                                         min_count=2))
        on_a = self._outcomes(self._boot(flavor_id=rid_a, group=gid_a,
                                         min_count=2))
        self.assertEqual(1, len(set(on_t)), on_t)
        self.assertEqual({'h1', 'h3'}, set(on_a))
        self.assertIn(on_t[0], {'h1', 'h3'})
        # Nova counts them as the group's members.
        self.assertEqual(2, len(self._group(gid_t)['members']))

        self.clock.now += HOUR
        agent.run_once()
        self.assertEqual('TERMINATED', self._status(together))
        self.assertEqual('TERMINATED', self._status(apart))
        self.assertEqual((None, None), (self._group(gid_t),
                                        self._group(gid_a)))
        self.assertEqual([], self._named(rid_t) + self._named(rid_a))

    def test_no_affinity_no_group(self):
        self._start_hosts(reservable=('h1',))
        lease, rid = self._slots(None, amount=1)
        self.clock.now += 60
        self._agent().run_once()
        self.assertEqual('ACTIVE', self._status(lease))
        self.assertIsNone(self._group_id(lease))
        self.assertEqual([], self._named(rid))

    def _crashing_start(self):
        """Run the agent; it dies after Nova made a group, before the
        store recorded it."""
        def crash(point):
            raise e2e.Crash(point)

        with testtools.ExpectedException(e2e.Crash):
            self._agent(injector=crash_points.Injector(
                'start:server-group', crash)).run_once()

    def test_crash_before_the_record_makes_no_second_group(self):
        self._start_hosts(reservable=('h1', 'h3'))
        lease, rid = self._slots(True)
        self.clock.now += 60
        # Twice: the repeated start finds the group by its name.
        self._crashing_start()
        self._crashing_start()
        made = self._named(rid)
        self.assertEqual(1, len(made))
        self.assertIsNone(self._group_id(lease))
        self._agent().run_once()
        self.assertEqual('ACTIVE', self._status(lease))
        self.assertEqual(made, [self._group_id(lease)])
        self.assertEqual(made, self._named(rid))
        # Ensured again (a reconcile, a restart): the same group, no
        # change.
        self.assertEqual((made[0], []), server_groups.ensure_server_group(
            self.compute_client, rid, True))
        self.assertEqual(made, self._named(rid))

        # A lease deleted before its start completed leaves no group.
        dropped, rid_d = self._slots(False)
        self.clock.now += 60
        self._crashing_start()
        self.assertEqual(1, len(self._named(rid_d)))
        self.store.delete_lease(self.admin_ctx, dropped['id'])
        self._agent().run_once()
        self.assertEqual([], self._named(rid_d))
        self.assertEqual(made, self._named(rid))

    def test_group_in_the_agents_project_when_the_lease_project_refuses(
            self):
        # The lease's project has spent its server group quota: Nova
        # refuses to make the group there; the start still completes,
        # with the group in the agent's project (a warning says so).
        self.admin_api.api_put('/os-quota-sets/%s' % base.PROJECT,
                               {'quota_set': {'server_groups': 0}})
        self._start_hosts(reservable=('h1',))
        lease, rid = self._slots(True, amount=1)
        self.clock.now += 60
        self._agent().run_once()
        self.assertEqual('ACTIVE', self._status(lease))
        group = self._group(self._group_id(lease))
        self.assertEqual(('affinity', SERVICE),
                         (group['policy'], group['project_id']))
        self.assertEqual([group['id']], self._named(rid))

    def test_reconcile_deletes_groups_of_reservations_not_live(self):
        self._start_hosts(reservable=('h1',))
        lease, rid = self._slots(False, amount=1)
        self.clock.now += 60
        self._agent().run_once()
        live = self._group_id(lease)
        stale = 'c0ffee00-0000-4000-8000-000000000000'
        made, _ = server_groups.ensure_server_group(
            self.compute_client, stale, True)

        report = nova_reconcile.reconcile_flavors(
            self.compute_client, self.store, self.admin_ctx)

        self.assertIn('deleted server group reservation:%s (%s)'
                      % (stale, made), report.changes)
        self.assertIsNone(self._group(made))
        self.assertEqual([live], self._named(rid))
