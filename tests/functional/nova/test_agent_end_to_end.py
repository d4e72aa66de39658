"""The lease agent end to end on Nova's functional harness: real API,
conductor, scheduler with BlazarFilter, fake computes, in-process
Placement, a real store; the agent is driven with ``run_once`` on the
store's clock (moved by hand) while Nova works in real time."""

import time

import testtools

from placement_ext.cmd import agent as agent_cmd
from placement_ext.nova import compute as bn_compute
from placement_ext.nova import flavors
from placement_ext.nova import instances
from placement_ext.nova import reconcile as nova_reconcile
from placement_ext import context as bn_context
from placement_ext.testing import crash_points
from blazar_nova import names
from tests.functional.nova import base
from placement_ext.testing import placement_service as ps

HOUR = 3600


class AgentCase(base.BlazarFilterTestCase):
    """Helpers: an in-process agent on the test's store, Placement and
    Nova."""

    def setUp(self):
        super().setUp()
        conf = self.store.conf
        conf.set_override('workers', 2, group='agent')
        conf.set_override('end_poll_interval', 0.2, group='agent')
        conf.set_override('end_wait_timeout', 30, group='agent')
        self.addCleanup(conf.clear_override, 'workers', group='agent')

    def _agent(self, compute=None, injector=None):
        """An agent; with ``injector`` (``crash_points.Injector``) its store
        and Placement client fail at the injector's point."""
        store, placement = self.store, self.placement_client
        if injector is not None:
            store = injector.store(store)
            placement = injector.placement(placement)

        def sleep(seconds):
            time.sleep(seconds)
            self.clock.now += seconds

        agent = agent_cmd.build(self.store.conf, store=store,
                                placement=placement,
                                compute=compute or self.compute_client,
                                clock=self.clock)
        agent._sleep = sleep
        agent.steps.sleep = sleep
        return agent

    def _new_lease(self, reservation, project=base.PROJECT, clients=None,
                   **extra):
        ctx = bn_context.RequestContext(project_id=project,
                                        user_id='u-' + project)
        body = {'name': 'lease-%d' % next(self._names),
                'start_date': self._date(60), 'end_date': self._date(HOUR),
                'reservations': [reservation]}
        body.update(extra)
        lease = self.store.create_lease(ctx, body, clients)
        (res,) = lease['reservations']
        return lease, res['id']

    def _host_reservation(self, host):
        return {'resource_type': 'physical:host', 'min': 1, 'max': 1,
                'hypervisor_properties':
                    '["==", "$hypervisor_hostname", "%s"]' % host}

    def _status(self, lease):
        return self.store.get_lease(self.admin_ctx, lease['id'])['status']

    def _wait_host_cleared(self, server_id, timeout=30):
        deadline = time.monotonic() + timeout
        while True:
            server = self.admin_api.get_server(server_id)
            if server['OS-EXT-SRV-ATTR:host'] is None or \
                    time.monotonic() > deadline:
                return server
            time.sleep(0.2)

    def _wait_gone(self, server_id, timeout=30):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if not instances.remaining(self.compute_client, [server_id]):
                return
            time.sleep(0.2)
        self.fail('server %s still exists' % server_id)

    def _assert_instance_reservation_gone(self, rid, servers, host='h1'):
        """After an instance reservation's end: its servers, its private
        flavor, its resource class and its child provider on ``host`` are
        gone."""
        for server_id in servers:
            self._wait_gone(server_id)
        self.assertEqual(404, self.compute_client.get(
            '/flavors/%s' % rid, expect=(200, 404)).status)
        self.assertFalse(ps.resource_class_exists(
            self.placement_client, names.resource_class(rid)))
        self.assertIsNone(ps.provider(
            self.placement_client,
            names.child_provider_uuid(self.rp_uuids[host])))


class AgentEndToEndTest(AgentCase):

    def test_host_lease_start_land_end_delete_and_reuse(self):
        self._start_hosts(reservable=('h1',), ordinary=('h2',))
        agent = self._agent()
        lease, rid = self._new_lease(self._host_reservation('h1'))
        self.assertEqual(0, agent.run_once())
        # Not started yet: the hint is refused.
        self.assertEqual([base.NO_VALID_HOST],
                         self._outcomes(self._boot(hint=rid)))

        self.clock.now += 60
        agent.run_once()
        self.assertEqual('ACTIVE', self._status(lease))
        (server_id,) = self._boot(hint=rid)
        self.assertEqual(['h1'], self._outcomes([server_id]))
        # Another project's ordinary request does not reach h1.
        self.assertEqual(['h2'], self._outcomes(
            self._boot(api=self.other_api)))

        self.clock.now += HOUR
        agent.run_once()
        self.assertEqual('TERMINATED', self._status(lease))
        self._wait_gone(server_id)
        rp = self.rp_uuids['h1']
        self.assertNotIn(names.RESERVED_TRAIT,
                         ps.traits_of(self.placement_client, rp))
        self.assertEqual(set(), {t for t in ps.custom_traits(
            self.placement_client) if names.reservation_of_trait(t)})

        # The host is back in the pool: another project leases and uses it.
        lease2, rid2 = self._new_lease(self._host_reservation('h1'),
                                       project=base.OTHER_PROJECT)
        self.clock.now += 60
        agent.run_once()
        self.assertEqual('ACTIVE', self._status(lease2))
        self.assertEqual(['h1'], self._outcomes(
            self._boot(hint=rid2, api=self.other_api)))

    def test_shelve_at_end(self):
        self._start_hosts(reservable=('h1',), ordinary=('h2',))
        agent = self._agent()
        lease, rid = self._new_lease(self._host_reservation('h1'),
                                     end_action='shelve')
        self.clock.now += 60
        agent.run_once()
        (server_id,) = self._boot(hint=rid)
        self.assertEqual(['h1'], self._outcomes([server_id]))
        self.clock.now += HOUR
        agent.run_once()
        self.assertEqual('TERMINATED', self._status(lease))
        # The agent stops waiting once the server is SHELVED_OFFLOADED
        # (it occupies no host then); Nova clears the server's host in a
        # second save, a moment later.
        server = self._wait_host_cleared(server_id)
        self.assertEqual('SHELVED_OFFLOADED', server['status'])
        self.assertIsNone(server['OS-EXT-SRV-ATTR:host'])

    def test_keep_for_the_lease_own_grace(self):
        """``keep`` leaves the instances for the lease's own keep grace,
        as changed by an update (300 s), not ``[agent] keep_grace``
        (3600 s by default)."""
        self._start_hosts(reservable=('h1',), ordinary=('h2',))
        agent = self._agent()
        lease, rid = self._new_lease(self._host_reservation('h1'),
                                     end_action='keep', keep_grace='2h')
        self.assertEqual(7200, lease['keep_grace'])
        lease = self.store.update_lease(
            bn_context.RequestContext(project_id=base.PROJECT,
                                      user_id='u-' + base.PROJECT),
            lease['id'], {'keep_grace': 300})
        self.assertEqual(300, lease['keep_grace'])
        self.clock.now += 60
        agent.run_once()
        (server_id,) = self._boot(hint=rid)
        self.assertEqual(['h1'], self._outcomes([server_id]))

        self.clock.now += HOUR
        agent.run_once()
        self.assertEqual('TERMINATING', self._status(lease))
        self.assertEqual([server_id], [s.id for s in instances.remaining(
            self.compute_client, [server_id])])
        self.clock.now += 300
        agent.run_once()
        self.assertEqual('TERMINATED', self._status(lease))
        self._wait_gone(server_id)

    def test_instance_reservation_flavor_and_class_go_at_end(self):
        self._start_hosts(reservable=('h1',), ordinary=('h2',))
        agent = self._agent()
        lease, rid = self._new_lease({
            'resource_type': 'virtual:instance', 'amount': 2, 'vcpus': 1,
            'memory_mb': 512, 'disk_gb': 1, 'affinity': None})
        self.clock.now += 60
        agent.run_once()
        self.assertEqual('ACTIVE', self._status(lease))
        flavor = self.admin_api.get_flavor(rid)
        self.assertEqual('reservation:%s' % rid, flavor['name'])
        servers = self._boot(2, hint=rid, flavor_id=rid)
        self.assertEqual(['h1', 'h1'], self._outcomes(servers))

        self.clock.now += HOUR
        agent.run_once()
        self.assertEqual('TERMINATED', self._status(lease))
        self._assert_instance_reservation_gone(rid, servers)

    def test_nova_unreachable_at_start_then_back(self):
        self._start_hosts(reservable=('h1',), ordinary=('h2',))
        dead = bn_compute.ComputeClient(ps.adapter_for(
            'http://127.0.0.1:%d' % ps.free_port()))
        lease, rid = self._new_lease({
            'resource_type': 'virtual:instance', 'amount': 1, 'vcpus': 1,
            'memory_mb': 512, 'disk_gb': 1, 'affinity': None})
        self.clock.now += 60
        self._agent(compute=dead).run_once()
        self.assertEqual('STARTING', self._status(lease))
        start = self.store.lease_events(self.admin_ctx, lease['id'])[0]
        self.assertEqual('UNDONE', start['status'])
        self.assertIn('Nova is unreachable', start['last_error'])

        self.clock.now += 600
        self._agent().run_once()
        self.assertEqual('ACTIVE', self._status(lease))
        self.assertEqual(['h1'], self._outcomes(
            self._boot(hint=rid, flavor_id=rid)))

    def test_disabled_compute_is_healed_with_another_host(self):
        self._start_hosts(reservable=('h1', 'h3'), ordinary=('h2',))
        agent = self._agent()
        lease, rid = self._new_lease(self._host_reservation('h1'))
        # Let the lease take any reservable host after healing.
        self.clock.now += 60
        agent.run_once()
        service = self.admin_api.get_services(binary='nova-compute',
                                              host='h1')[0]
        self.admin_api.put_service(service['id'],
                                   {'status': 'disabled',
                                    'disabled_reason': 'maintenance'})
        outcomes = agent.healer.heal(self.admin_ctx)
        self.assertEqual(1, len(outcomes))
        self.assertFalse(outcomes[0].replaced)
        self.assertIn('compute service disabled: maintenance',
                      outcomes[0].message)
        view = self.store.get_lease(self.admin_ctx, lease['id'])
        self.assertTrue(view['degraded'])

    def _disable(self, host):
        service = self.admin_api.get_services(binary='nova-compute',
                                              host=host)[0]
        self.admin_api.put_service(service['id'], {
            'status': 'disabled', 'disabled_reason': 'maintenance'})

    def _held(self, lease):
        view = self.store.get_lease(self.admin_ctx, lease['id'])
        return [a['hypervisor_hostname']
                for a in view['reservations'][0]['allocations']]

    def test_disabled_compute_is_replaced_and_the_holder_lands_there(self):
        self._start_hosts(reservable=('h1', 'h3'), ordinary=('h2',))
        agent = self._agent()
        lease, rid = self._new_lease({'resource_type': 'physical:host',
                                      'min': 1, 'max': 1})
        self.clock.now += 60
        agent.run_once()
        (held,) = self._held(lease)
        self._disable(held)
        (outcome,) = agent.healer.heal(self.admin_ctx)
        self.assertTrue(outcome.replaced, outcome.message)
        (new,) = self._held(lease)
        self.assertNotEqual(held, new)
        trait = names.access_trait(rid, base.PROJECT)
        self.assertEqual({self.rp_uuids[new]},
                         ps.carriers(self.placement_client, trait))
        self.assertEqual([new], self._outcomes(self._boot(hint=rid)))

    def test_host_running_the_holders_instances_is_kept(self):
        self._start_hosts(reservable=('h1', 'h3'), ordinary=('h2',))
        agent = self._agent()
        lease, rid = self._new_lease({'resource_type': 'physical:host',
                                      'min': 1, 'max': 1})
        self.clock.now += 60
        agent.run_once()
        (held,) = self._held(lease)
        self.assertEqual([held], self._outcomes(self._boot(hint=rid)))
        self._disable(held)
        (outcome,) = agent.healer.heal(self.admin_ctx)
        self.assertFalse(outcome.replaced)
        self.assertIn("still runs the lease's instances", outcome.message)
        self.assertEqual([held], self._held(lease))
        self.assertTrue(self.store.get_lease(self.admin_ctx,
                                             lease['id'])['degraded'])


class PreemptibleAgentTest(AgentCase):
    """``[blazar_filter] allow_preemptibles = True``: a preemptible
    instance on a free reservable host is removed when a reservation
    starts there."""

    allow_preemptibles = True

    def test_preemptible_deleted_at_start(self):
        self._start_hosts(reservable=('h1',))
        preemptible = self._create_flavor(
            extra_spec={'blazar:preemptible': 'true'})
        (victim,) = self._boot(flavor_id=preemptible, api=self.other_api)
        self.assertEqual(['h1'], self._outcomes([victim]))
        agent = self._agent()
        lease, rid = self._new_lease(self._host_reservation('h1'))
        self.clock.now += 60
        agent.run_once()
        self.assertEqual('ACTIVE', self._status(lease))
        self._wait_gone(victim)
        self.assertEqual(['h1'], self._outcomes(self._boot(hint=rid)))


class Crash(BaseException):
    """Stands for the agent process dying at a fault point."""


class NovaStepCrashTest(AgentCase):
    """A crash right after each Nova-side step (the subprocess tests in
    tests/functional/agent cover the Placement-side ones, without Nova):
    the next agent, under the same name, completes the transition and
    leaves no flavor, class or provider behind."""

    @staticmethod
    def _crash(point):
        raise Crash(point)

    def test_crash_after_each_nova_step_is_completed_on_restart(self):
        self._start_hosts(reservable=('h1',), ordinary=('h2',))
        for point in ('start:nova', 'end:instances', 'end:nova'):
            lease, rid = self._new_lease({
                'resource_type': 'virtual:instance', 'amount': 1,
                'vcpus': 1, 'memory_mb': 512, 'disk_gb': 1,
                'affinity': None})
            phase = point.partition(':')[0]
            self.clock.now += 60
            if phase == 'end':
                self._agent().run_once()
                (server,) = self._boot(hint=rid, flavor_id=rid)
                self.assertEqual(['h1'], self._outcomes([server]))
                self.clock.now += HOUR
            # The crash ends the agent's run, as the process's death would.
            with testtools.ExpectedException(Crash):
                self._agent(injector=crash_points.Injector(
                    point, self._crash)).run_once()
            self.assertEqual('STARTING' if phase == 'start'
                             else 'TERMINATING', self._status(lease), point)
            self._agent().run_once()
            events = {e['event_type']: e for e in self.store.lease_events(
                self.admin_ctx, lease['id'])}
            done = events['%s_lease' % phase]
            self.assertEqual(('DONE', 2), (done['status'],
                                           done['attempts']), point)
            if phase == 'start':
                self.assertEqual('ACTIVE', self._status(lease))
                self.assertEqual(200, self.compute_client.get(
                    '/flavors/%s' % rid, expect=(200, 404)).status)
                self.clock.now += HOUR
                self._agent().run_once()
            else:
                self._wait_gone(server)
            self.assertEqual('TERMINATED', self._status(lease), point)
            self.assertEqual(404, self.compute_client.get(
                '/flavors/%s' % rid, expect=(200, 404)).status, point)
            self.assertFalse(ps.resource_class_exists(
                self.placement_client, names.resource_class(rid)), point)
            self.assertIsNone(ps.provider(
                self.placement_client,
                names.child_provider_uuid(self.rp_uuids['h1'])), point)


class NovaReconcileTest(AgentCase):
    """``nova_reconcile.reconcile_flavors``: live instance reservations
    have their flavor; flavors of reservations that are not live go."""

    def test_missing_flavor_made_and_stale_flavor_deleted(self):
        self._start_hosts(reservable=('h1',))
        lease, rid = self._new_lease({
            'resource_type': 'virtual:instance', 'amount': 1, 'vcpus': 1,
            'memory_mb': 512, 'disk_gb': 1, 'affinity': None})
        self.clock.now += 60
        self._agent().run_once()
        flavors.delete_flavor(self.compute_client, rid)
        stale = 'c0ffee00-0000-4000-8000-000000000000'
        flavors.ensure_flavor(self.compute_client, stale, base.PROJECT,
                              1, 512, 1)

        report = nova_reconcile.reconcile_flavors(
            self.compute_client, self.store, self.admin_ctx)

        self.assertIn('created flavor reservation:%s' % rid, report.changes)
        self.assertIn('deleted flavor reservation:%s' % stale,
                      report.changes)
        self.assertEqual({rid: rid},
                         flavors.reservation_flavors(self.compute_client))
        access = self.compute_client.get(
            '/flavors/%s/os-flavor-access' % rid).body['flavor_access']
        self.assertEqual([base.PROJECT], [a['tenant_id'] for a in access])
        again = nova_reconcile.reconcile_flavors(
            self.compute_client, self.store, self.admin_ctx)
        self.assertEqual([], again.changes)
