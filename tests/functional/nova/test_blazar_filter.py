"""BlazarFilter in Nova's real scheduler: where servers land.

Every test runs Nova's API, conductor, scheduler and fake compute hosts in
process (see ``base``); leases live in the store and reach Placement only
through ``reconcile``. Each test asserts where Nova put every server
(``OS-EXT-SRV-ATTR:host``) or that it ended in ERROR with "No valid host"
(``NO`` below). Requests of one test are posted together and each is
scheduled on its own; Nova's RAM weigher would spread them over all hosts
that pass the filters.

Hosts: ``host1`` and ``host2`` are enrolled (reservable) and ``host1`` is
reserved by the test's lease; ``host3`` is an ordinary host, unless a test
says otherwise.
"""

import fixtures
from keystoneauth1 import exceptions as ks_exc
from oslo_utils import uuidutils

from placement_ext.nova import flavors
from placement_ext.placement import encoding
from blazar_nova import names
from placement_ext.placement import reconcile
from tests.functional.nova import base

NO = base.NO_VALID_HOST
PREEMPTIBLE = {'blazar:preemptible': 'true'}


class HostReservationTest(base.BlazarFilterTestCase):
    """Host reservations (``--hint reservation=<id>``) and requests
    without one."""

    def _standard_hosts(self):
        self._start_hosts(reservable=('host1', 'host2'), ordinary=('host3',))
        rid, hosts = self._host_lease('host1')
        self.assertEqual(['host1'], hosts)
        return rid

    def test_holder_lands_on_its_host_others_on_ordinary_hosts(self):
        rid = self._standard_hosts()
        holder = self._boot(3, hint=rid)
        plain = self._boot(3)
        other = self._boot(api=self.other_api)
        self.assertEqual(['host1'] * 3, self._outcomes(holder))
        self.assertEqual(['host3'] * 3, self._outcomes(plain))
        self.assertEqual(['host3'], self._outcomes(other))

    def test_only_reservable_hosts_refuse_requests_without_reservation(self):
        # No ordinary host at all: a request without a reservation gets
        # none, a preemptible flavor is ordinary while allow_preemptibles
        # is off, and the reservation still works.
        self._start_hosts(reservable=('host1', 'host2'))
        rid, _ = self._host_lease('host1')
        preemptible = self._create_flavor(extra_spec=PREEMPTIBLE)
        plain = self._boot()
        preempt = self._boot(flavor_id=preemptible)
        holder = self._boot(hint=rid)
        self.assertEqual([NO], self._outcomes(plain))
        self.assertEqual([NO], self._outcomes(preempt))
        self.assertEqual(['host1'], self._outcomes(holder))

    def test_reservations_not_usable_by_the_request(self):
        rid = self._standard_hosts()
        pending, hosts = self._host_lease('host2', start=3600, live=False)
        self.assertEqual(['host2'], hosts)
        cases = {
            "another project's reservation": self._boot(
                hint=rid, api=self.other_api),
            'unknown reservation': self._boot(
                hint=uuidutils.generate_uuid()),
            'lease not started (PENDING)': self._boot(hint=pending),
            # The owner, as a check that the reservation is live.
            'owner': self._boot(hint=rid),
        }
        self.assertEqual(
            {"another project's reservation": [NO],
             'unknown reservation': [NO],
             'lease not started (PENDING)': [NO],
             'owner': ['host1']},
            {case: self._outcomes(ids) for case, ids in cases.items()})

    def test_lease_ended(self):
        rid = self._standard_hosts()
        self.assertEqual(['host1'], self._outcomes(self._boot(hint=rid)))
        self._move(rid, 'ACTIVE', 'TERMINATING', 'TERMINATED')
        self.assertNotIn(names.RESERVED_TRAIT, self._get_provider_traits(
            self.rp_uuids['host1']))
        holder = self._boot(hint=rid)
        plain = self._boot(2)
        self.assertEqual([NO], self._outcomes(holder))
        # host1 is reservable again, not open to everyone.
        self.assertEqual(['host3'] * 2, self._outcomes(plain))

    def test_multi_create(self):
        # One reserved host with room for both servers and one ordinary
        # host. The filter runs once per request (run_filter_once_per_
        # request); Nova schedules the second server of a request among
        # the hosts that passed for the first.
        self._start_hosts(reservable=('host1',), ordinary=('host2',))
        rid, _ = self._host_lease('host1')
        hinted = self._post(hint=rid, min_count=2)
        plain = self._post(min_count=2)
        self.assertEqual(['host1'] * 2, self._outcomes(hinted))
        self.assertEqual(['host2'] * 2, self._outcomes(plain))

    def test_hint_forms(self):
        # Nova hands hints over as lists of strings. One reservation id in
        # any case, with surrounding spaces, alone or in a list (even
        # twice) passes; anything else fails every host, never falling
        # back to "no reservation".
        rid = self._standard_hosts()
        other = uuidutils.generate_uuid()
        hints = {'list': [rid], 'upper case': rid.upper(),
                 'spaces': ' %s ' % rid, 'twice': [rid, rid.upper()],
                 'empty': '', 'not a uuid': 'not-a-uuid',
                 'two reservations': [rid, other],
                 'id and garbage': [rid, 'not-a-uuid']}
        posted = {case: self._boot(hint=hint) for case, hint in hints.items()}
        self.assertEqual(
            {'list': ['host1'], 'upper case': ['host1'],
             'spaces': ['host1'], 'twice': ['host1'],
             'empty': [NO], 'not a uuid': [NO], 'two reservations': [NO],
             'id and garbage': [NO]},
            {case: self._outcomes(ids) for case, ids in posted.items()})

    def test_placement_unreachable_fails_closed(self):
        rid = self._standard_hosts()
        # The filter reads the reservable hosts once...
        self.assertEqual(['host3'], self._outcomes(self._boot()))
        # ... then its reads fail as if Placement were down. Only the
        # filter's own reads (GET /resource_providers?required=...) are
        # made to fail: Nova cannot schedule at all without Placement, so
        # failing every GET would show Nova's NoValidHost, not the filter's.
        fixture = self.placement.fixture

        def get(client, url, version=None, global_request_id=None):
            if url.startswith('/resource_providers?required='):
                raise ks_exc.ConnectFailure('Placement is down (test)')
            return fixture._fake_get(client, url, version=version,
                                     global_request_id=global_request_id)

        self.useFixture(fixtures.MonkeyPatch(
            'nova.scheduler.client.report.SchedulerReportClient.get', get))
        plain = self._boot(3)
        holder = self._boot(hint=rid)
        self.assertEqual(['host3'] * 3, self._outcomes(plain))
        self.assertEqual([NO], self._outcomes(holder))
        self.assertIn('BlazarFilter: Placement unreachable',
                      self.stdlog.logger.output)


class InstanceReservationTest(base.BlazarFilterTestCase):
    """Instance reservations: the reservation's flavor; Placement counts
    the slots."""

    def test_slots_are_used_then_placement_refuses(self):
        self._start_hosts(reservable=('host1', 'host2'), ordinary=('host3',))
        rid, _ = self._instance_lease(2, vcpus=1, memory_mb=512,
                                      disk_gb=1)
        # The store may put both slots on one host or one on each.
        slots = sorted(host for host, count in self.slots[rid].items()
                       for _ in range(count))
        self.assertEqual(2, len(slots))
        changes = flavors.ensure_flavor(self.compute_client, rid,
                                        base.PROJECT, 1, 512, 1)
        self.assertIn('created flavor reservation:%s' % rid, changes)
        # Another project given the flavor too is still refused by the
        # filter (the access trait names the lease's project), while the
        # slots are all free.
        flavors.ensure_flavor(self.compute_client, rid, base.OTHER_PROJECT,
                              1, 512, 1)
        self.assertEqual([NO], self._outcomes(
            self._boot(flavor_id=rid, api=self.other_api)))
        self.assertEqual(slots, sorted(
            self._outcomes(self._boot(2, flavor_id=rid))))
        # Slot 3: Placement has no candidate left.
        self.assertEqual([NO], self._outcomes(self._boot(flavor_id=rid)))
        # Requests without a reservation still get the ordinary host only.
        self.assertEqual(['host3'] * 2, self._outcomes(self._boot(2)))

    def test_end_removes_slots_only_after_the_instances(self):
        self._start_hosts(reservable=('host1',), ordinary=('host3',))
        rid, _ = self._instance_lease(2, vcpus=1, memory_mb=512, disk_gb=1)
        flavors.ensure_flavor(self.compute_client, rid, base.PROJECT, 1, 512,
                              1)
        servers = self._boot(2, flavor_id=rid)
        self.assertEqual(['host1'] * 2, self._outcomes(servers))
        host1 = self._get_provider_uuid_by_host('host1')
        child = names.child_provider_uuid(host1)
        rc = names.resource_class(rid)

        # The lease ends while its servers run: the access trait goes at
        # once (nothing new lands), the slots stay while they are used.
        self.store.set_lease_status(self.admin_ctx, self.lease_ids[rid],
                                    'ACTIVE', 'TERMINATING')
        report = self._reconcile()
        self.assertEqual(1, len(report.kept), report.kept)
        self.assertIn('still used by instances', report.kept[0])
        self.assertIn(rc, self.placement.get(
            '/resource_providers/%s/inventories' % child,
            version='1.29').body['inventories'])
        self.assertEqual([NO], self._outcomes(self._boot(flavor_id=rid)))

        # Once the servers are gone, nothing of the reservation is left.
        for server in self._settle(servers):
            self._delete_server(server)
        report = self._reconcile()
        self.assertEqual([], report.kept)
        self.assertEqual(['deleted flavor reservation:%s' % rid],
                         flavors.delete_flavor(self.compute_client, rid))
        self.store.set_lease_status(self.admin_ctx, self.lease_ids[rid],
                                    'TERMINATING', 'TERMINATED')
        self.assertEqual([], self._reconcile().changes)
        self.assertEqual(404, self.placement.get(
            '/resource_providers/%s' % child, version='1.29').status)
        self.assertEqual(404, self.placement.get(
            '/resource_classes/%s' % rc, version='1.29').status)
        self.assertEqual([], self.placement.get(
            '/traits?name=startswith:CUSTOM_RESERVATION_',
            version='1.29').body['traits'])
        self.assertNotIn(names.RESERVED_TRAIT,
                         self._get_provider_traits(host1))
        self.assertEqual(404, self.compute_client.get(
            '/flavors/%s' % rid, expect=(200, 404)).status)


class PreemptibleTest(base.BlazarFilterTestCase):
    """``[blazar_filter] allow_preemptibles = True``."""

    allow_preemptibles = True

    def test_preemptible_uses_free_reservable_hosts_only(self):
        self._start_hosts(reservable=('host1', 'host2'))
        self._host_lease('host1')
        flavor = self._create_flavor(extra_spec=PREEMPTIBLE)
        preempt = self._boot(3, flavor_id=flavor)
        plain = self._boot()
        self.assertEqual(['host2'] * 3, self._outcomes(preempt))
        # Without the extra spec a request is ordinary: no host for it.
        self.assertEqual([NO], self._outcomes(plain))


class FreshPlacementTest(base.BlazarFilterTestCase):
    """A Placement where the marker traits were never created: the filter
    deployed before the first host is enrolled, the first reconcile."""

    def test_ordinary_request_before_any_host_is_enrolled(self):
        self._start_compute('host1')
        self.assertEqual(['host1'], self._outcomes(self._boot()))

    def test_first_reconcile_enrols_the_host(self):
        self._start_compute('host1')
        uuid = self._get_provider_uuid_by_host('host1')
        self.store.create_host(self.admin_ctx, {
            'uuid': uuid, 'hypervisor_hostname': 'host1',
            'vcpus': base.VCPUS, 'memory_mb': base.MEMORY_MB,
            'local_gb': base.LOCAL_GB})
        reconcile.reconcile(self.placement_client, self.store,
                            self.admin_ctx)
        self.assertIn(names.RESERVABLE_TRAIT,
                      self._get_provider_traits(uuid))


class FreshPlacementPreemptibleTest(base.BlazarFilterTestCase):
    """Preemptibles allowed; hosts enrolled, no reservation ever live."""

    allow_preemptibles = True

    def test_preemptible_before_any_reservation(self):
        self._start_compute('host1')
        encoding.enrol_host(self.placement_client,
                            self._get_provider_uuid_by_host('host1'))
        flavor = self._create_flavor(extra_spec=PREEMPTIBLE)
        self.assertEqual(['host1'],
                         self._outcomes(self._boot(flavor_id=flavor)))
