"""How many Placement requests a host reservation's start and end cost.

The agent's time to start or end a thousand leases due together is mostly
these round trips, so they are counted here: a start is 3 requests, an end
(``revoke_access`` then ``deactivate``) 4, and repeating either writes
nothing. The first start on a Placement that never saw the reserved mark
also creates that trait.
"""

import re
import uuid

from placement_ext.placement import client as pclient
from placement_ext.placement import encoding
from placement_ext import reservations
from placement_ext.reservations import physical_host
from blazar_nova import names
from placement_ext.testing import placement_service as ps

SHAPES = ((re.compile(r'[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-'
                      r'[0-9a-f]{12}'), '{uuid}'),
          (re.compile(r'CUSTOM_BLAZAR_RESERVED'), '{reserved}'),
          (re.compile(r'CUSTOM_RESERVATION_\w+'), '{access}'))


class CountingClient(pclient.PlacementClient):
    """A PlacementClient that records each request's method and path,
    uuids and our trait names replaced by placeholders."""

    def __init__(self, adapter):
        super().__init__(adapter)
        self.calls = []

    def request(self, method, url, body=None, expect=(200,)):
        shape = url
        for pattern, placeholder in SHAPES:
            shape = pattern.sub(placeholder, shape)
        self.calls.append('%s %s' % (method, shape))
        return super().request(method, url, body, expect)

    def take(self):
        calls, self.calls = self.calls, []
        return calls


def _host_plan(placement):
    node = ps.add_compute_node(placement, 'cn-%s' % uuid.uuid4().hex[:6])
    encoding.enrol_host(placement, node)
    return encoding.Plan(str(uuid.uuid4()), 'p1', physical_host.NAME,
                         (encoding.HostShare(node, 'cn'),))


def test_host_reservation_start_and_end_round_trips(placement_under_test):
    placement = placement_under_test.client
    client = CountingClient(placement_under_test.adapter)
    if not ps.trait_exists(placement, names.RESERVED_TRAIT):
        # Placement has never seen the mark: the write is refused once,
        # the missing traits are created and the write repeated.
        reservations.activate(client, _host_plan(placement))
        assert client.take() == [
            'PUT /traits/{access}',
            'GET /resource_providers/{uuid}/traits',
            'PUT /resource_providers/{uuid}/traits',
            'PUT /traits/{reserved}',
            'PUT /traits/{access}',
            'PUT /resource_providers/{uuid}/traits',
        ]
    plan = _host_plan(placement)
    node = plan.hosts[0].uuid

    reservations.activate(client, plan)
    # A trait this start created is on no other provider: no sweep.
    assert client.take() == [
        'PUT /traits/{access}',
        'GET /resource_providers/{uuid}/traits',
        'PUT /resource_providers/{uuid}/traits',
    ]
    assert ps.traits_of(placement, node) == {
        ps.NODE_TRAIT, names.RESERVABLE_TRAIT, names.RESERVED_TRAIT,
        plan.trait}
    reservations.activate(client, plan)
    assert [c for c in client.take() if not c.startswith('GET')] == [
        'PUT /traits/{access}']

    reservations.revoke_access(client, plan)
    reservations.deactivate(client, plan)
    assert client.take() == [
        # The host, and its (missing) child, read; the access trait and
        # the reserved mark removed in one write.
        'GET /resource_providers/{uuid}/traits',
        'GET /resource_providers/{uuid}/traits',
        'PUT /resource_providers/{uuid}/traits',
        'DELETE /traits/{access}',
    ]
    assert ps.traits_of(placement, node) == {ps.NODE_TRAIT,
                                             names.RESERVABLE_TRAIT}
    assert not ps.trait_exists(placement, plan.trait)
    reservations.revoke_access(client, plan)
    reservations.deactivate(client, plan)
    assert [c for c in client.take() if not c.startswith('GET')] == [
        'DELETE /traits/{access}']


def test_host_reservation_end_without_revoke_sweeps(placement_under_test):
    """``deactivate`` alone (as reconcile uses it) still finds the holders
    when the trait cannot be deleted, and takes the mark off."""
    placement = placement_under_test.client
    plan = _host_plan(placement)
    node = plan.hosts[0].uuid
    reservations.activate(placement, plan)
    client = CountingClient(placement_under_test.adapter)
    reservations.deactivate(client, plan)
    calls = client.take()
    assert calls[:2] == ['DELETE /traits/{access}',
                         'GET /resource_providers?required={access}']
    assert calls[-1] == 'DELETE /traits/{access}'
    assert ps.traits_of(placement, node) == {ps.NODE_TRAIT,
                                             names.RESERVABLE_TRAIT}
    assert not ps.trait_exists(placement, plan.trait)


def test_moved_host_reservation_leaves_the_old_host(placement_under_test):
    """Starting again on other hosts (healing) sweeps the trait, and the
    mark, off the host that left the plan."""
    placement = placement_under_test.client
    plan = _host_plan(placement)
    old = plan.hosts[0].uuid
    reservations.activate(placement, plan)
    new = ps.add_compute_node(placement, 'cn-%s' % uuid.uuid4().hex[:6])
    encoding.enrol_host(placement, new)
    moved = encoding.Plan(plan.reservation_id, plan.project_id,
                          physical_host.NAME,
                          (encoding.HostShare(new, 'cn2'),))
    changes = reservations.activate(placement, moved)
    assert ps.traits_of(placement, old) == {ps.NODE_TRAIT,
                                            names.RESERVABLE_TRAIT}
    assert ps.traits_of(placement, new) == {
        ps.NODE_TRAIT, names.RESERVABLE_TRAIT, names.RESERVED_TRAIT,
        plan.trait}
    # Named as Placement lists it.
    (revoked,) = [c for c in changes if c.startswith('revoked')]
    assert revoked.startswith('revoked %s on provider cn-' % plan.trait)
