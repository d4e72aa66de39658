"""How many Placement requests a host reservation's start and end cost.

The agent's time to start or end a thousand leases due together is mostly
these round trips, so they are counted here: a start is 7 requests, an end
(``revoke_access`` then ``deactivate``) 8, and repeating either writes
nothing.
"""

import re
import uuid

from placement_ext.placement import client as pclient
from placement_ext.placement import encoding
from placement_ext.placement import names
from tests import placement_service as ps

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


def test_host_reservation_start_and_end_round_trips(placement_under_test):
    placement = placement_under_test.client
    node = ps.add_compute_node(placement, 'cn-%s' % uuid.uuid4().hex[:6])
    encoding.enrol_host(placement, node)
    plan = encoding.Plan(str(uuid.uuid4()), 'p1', encoding.HOST,
                         (encoding.HostShare(node, 'cn'),))
    client = CountingClient(placement_under_test.adapter)

    encoding.activate(client, plan)
    assert client.take() == [
        'GET /resource_providers/{uuid}/traits',
        'PUT /traits/{reserved}',
        'PUT /traits/{access}',
        'PUT /resource_providers/{uuid}/traits',
        'GET /resource_providers?required={access}',
        # The reserved mark, already there: the host and its (missing)
        # child are read, nothing is written.
        'GET /resource_providers/{uuid}/traits',
        'GET /resource_providers/{uuid}/traits',
    ]
    assert ps.traits_of(placement, node) == {
        ps.NODE_TRAIT, names.RESERVABLE_TRAIT, names.RESERVED_TRAIT,
        plan.trait}
    encoding.activate(client, plan)
    assert not [c for c in client.take() if not c.startswith('GET')]

    encoding.revoke_access(client, plan)
    encoding.deactivate(client, plan)
    assert client.take() == [
        'GET /resource_providers?required={access}',
        'GET /resource_providers/{uuid}/traits',
        'PUT /resource_providers/{uuid}/traits',
        'GET /resource_providers?required={access}',
        'GET /resource_providers/{uuid}/traits',
        'GET /resource_providers/{uuid}/traits',
        'PUT /resource_providers/{uuid}/traits',
        'DELETE /traits/{access}',
    ]
    assert ps.traits_of(placement, node) == {ps.NODE_TRAIT,
                                             names.RESERVABLE_TRAIT}
    assert not ps.trait_exists(placement, plan.trait)
    encoding.deactivate(client, plan)
    assert [c for c in client.take() if not c.startswith('GET')] == [
        'DELETE /traits/{access}']
