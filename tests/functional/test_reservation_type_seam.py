"""Adding a reservation type is adding a module and registering it: a third
type, made here and registered beside the two real ones, is validated,
allocated, updated, viewed and refused by the store's shared code, on
SQLite, MariaDB and PostgreSQL, without a line of that code changing.

The type is registered by replacing ``reservations.registry`` for the test
(as its entry point in setup.cfg would register it; the API's JSON schema,
built when its module loads, is out of this test's reach).
"""

import pytest

from placement_ext import context as bn_context
from placement_ext import exception
from placement_ext import reservations
from placement_ext.reservations import fields
from placement_ext.reservations import physical_host
from placement_ext.reservations.physical_host import request as host_request
from tests.functional import test_store as helpers

HOUR = 3600


class ExactHosts(physical_host.PhysicalHost):
    """A type made for this test: exactly ``hosts`` whole hosts, written
    in the rows' ``min_count`` and ``max_count``."""

    name = 'test:exact-hosts'
    fields = {'hosts': fields.integer(1),
              'resource_properties': fields.RESOURCE_PROPERTIES}

    def build(self, values, prefix):
        return host_request.HostRequest(
            min_count=values['hosts'], max_count=values['hosts'],
            resource_properties=values['resource_properties'],
            resource_type=self.name)

    def row_as_body(self, row):
        return {'resource_type': self.name, 'hosts': row.min_count,
                'resource_properties': row.resource_properties or ''}

    def view(self, row):
        return {'hosts': row.min_count}

    def property_filters(self, request):
        return [('resource_properties', request.resource_properties)]


@pytest.fixture
def third_type(monkeypatch):
    kinds = dict(reservations.registry())
    kinds[ExactHosts.name] = ExactHosts()
    reservations.check_fields(kinds.values())
    monkeypatch.setattr(reservations, 'registry', lambda: kinds)
    return kinds[ExactHosts.name]


def exact_lease(clock, hosts, name='x1', start=HOUR, end=2 * HOUR):
    return {'name': name, 'start_date': helpers.date(clock, start),
            'end_date': helpers.date(clock, end),
            'reservations': [{'resource_type': ExactHosts.name,
                              'hosts': hosts}]}


def test_a_third_type_goes_through_the_shared_code(store, clock,
                                                   third_type):
    helpers.add_hosts(store, 4)
    ctx = helpers.ctx()
    lease = store.create_lease(ctx, exact_lease(clock, 2))
    [res] = lease['reservations']
    assert res['resource_type'] == ExactHosts.name
    assert res['hosts'] == 2 and 'min' not in res
    assert len(res['allocations']) == 2

    # Whole hosts: an instance lease in the same window fits only on the
    # two hosts left, and a second lease of the type finds too few.
    slots = store.create_lease(ctx, helpers.slot_lease(clock, amount=2,
                                                       affinity=False))
    taken = {a['host_id'] for a in res['allocations']}
    assert not taken & {a['host_id'] for a in
                        slots['reservations'][0]['allocations']}
    before = helpers.counts(store)
    with pytest.raises(exception.NotEnoughResources):
        store.create_lease(ctx, exact_lease(clock, 1, name='x2'))
    assert helpers.counts(store) == before

    # A change of the type's own field is parsed by its Field and decided
    # again by its allocation.
    with pytest.raises(exception.InvalidInput) as exc:
        store.update_lease(ctx, lease['id'], {'reservations': [
            {'id': res['id'], 'hosts': 0}]})
    assert exc.value.field == 'reservations[0].hosts'
    moved = store.update_lease(ctx, lease['id'], {
        'end_date': helpers.date(clock, 3 * HOUR),
        'reservations': [{'id': res['id'], 'hosts': 1}]})
    assert moved['reservations'][0]['hosts'] == 1
    assert len(moved['reservations'][0]['allocations']) == 1

    # Its fields are its own: another type's field is unknown to it.
    with pytest.raises(exception.InvalidInput) as exc:
        store.create_lease(ctx, dict(exact_lease(clock, 1, name='x3'),
                                     reservations=[{
                                         'resource_type': ExactHosts.name,
                                         'hosts': 1, 'min': 1}]))
    assert exc.value.field == 'reservations[0].min'
    admin = bn_context.admin_context()
    assert {item['resource_type'] for item in store.allocations_between(
        admin, clock.now, clock.now + 3 * HOUR).get(
            int(moved['reservations'][0]['allocations'][0]['host_id']))} \
        == {ExactHosts.name}
