"""flavor:instance's pure parts: what a flavor asks of Placement, which
hosts qualify and with what capacity, and the true peak over a window."""

import pytest

from placement_ext.allocator import model
from placement_ext import exception
from placement_ext.reservations.flavor_instance import allocation
from placement_ext.reservations.flavor_instance import request
from placement_ext.reservations.flavor_instance import source


def snapshot(**values):
    flavor = {'id': 'f1', 'name': 'f1', 'vcpus': 2, 'ram': 1024,
              'disk': 10, 'ephemeral': 0, 'swap': 0, 'extra_specs': {}}
    flavor.update(values)
    return flavor


def test_resources_as_nova_asks_them():
    assert source.resources(snapshot(ephemeral=5, swap=1500)) == {
        'VCPU': 2, 'MEMORY_MB': 1024, 'DISK_GB': 17}
    assert source.resources(snapshot(extra_specs={
        'hw:cpu_policy': 'dedicated', 'resources:CUSTOM_GPU': '2',
        'resources:DISK_GB': '0'})) == {
        'PCPU': 2, 'MEMORY_MB': 1024, 'CUSTOM_GPU': 2}
    assert source.traits(snapshot(extra_specs={
        'trait:CUSTOM_A': 'required', 'trait:CUSTOM_B': 'forbidden',
        'hw:numa_nodes': '1'})) == {'CUSTOM_A': 'required',
                                    'CUSTOM_B': 'forbidden'}


@pytest.mark.parametrize('specs, words', [
    ({'resources1:VGPU': '1'}, 'numbered request group'),
    ({'trait2:CUSTOM_A': 'required'}, 'numbered request group'),
    ({'resources:VGPU': 'many'}, 'not a resource class and a count'),
    ({'trait:CUSTOM_A': 'preferred'}, '"required" or "forbidden"'),
])
def test_what_cannot_be_reserved_is_refused(specs, words):
    with pytest.raises(exception.InvalidInput) as exc:
        source.resources(snapshot(extra_specs=specs), 'reservations[1].x')
    assert exc.value.field == 'reservations[1].x'
    assert words in str(exc.value)


def view(traits=(), **inventories):
    return {'generation': 1, 'traits': list(traits), 'inventories': {
        rc: {'total': total, 'reserved': reserved, 'allocation_ratio': ratio,
             'max_unit': max_unit}
        for rc, (total, reserved, ratio, max_unit) in inventories.items()}}


def host(host_id, placement):
    return model.Host(id=host_id, hypervisor_hostname='h%d' % host_id,
                      reservable=True, capacity={'vcpus': 999},
                      properties={}, uuid='u%d' % host_id,
                      placement=placement)


def flavor_request(amount=1, **specs):
    return request.FlavorRequest(amount=amount, flavor_id='f1',
                                 flavor=snapshot(vcpus=4, ram=1000, disk=0,
                                                 extra_specs=specs))


def test_hosts_qualify_by_traits_max_unit_and_get_placement_capacity():
    specs = {'resources:CUSTOM_GPU': '2', 'trait:CUSTOM_A': 'required',
             'trait:CUSTOM_B': 'forbidden'}
    req = flavor_request(2, **specs)
    full = dict(VCPU=(10, 2, 1.5, 8), MEMORY_MB=(4096, 0, 1.0, 4096),
                CUSTOM_GPU=(4, 0, 1.0, 2))
    hosts = [host(1, view(['CUSTOM_A'], **full)),
             host(2, view([], **full)),                       # no trait
             host(3, view(['CUSTOM_A', 'CUSTOM_B'], **full)),  # forbidden
             host(4, view(['CUSTOM_A'], **dict(
                 full, CUSTOM_GPU=(4, 0, 1.0, 1)))),           # max_unit
             host(5, view(['CUSTOM_A'], VCPU=(10, 0, 1.0, 10),
                          MEMORY_MB=(4096, 0, 1.0, 4096))),    # no GPU
             host(6, None)]                                    # never read
    [chosen] = allocation.slot_hosts(req, hosts)
    assert chosen.id == 1
    # floor((10 - 2) x 1.5) = 12 VCPU; the enrolment's figure is not used.
    assert chosen.capacity == {'vcpus': 12, 'memory_mb': 4096,
                               'CUSTOM_GPU': 4}
    decision = allocation.choose_slots(req, 0, 100, hosts, {},
                                       policy='pack')
    assert decision.slots_by_host == {1: 2}  # 2 GPU pairs, 3 VCPU fours
    with pytest.raises(exception.NotEnoughResources):
        allocation.choose_slots(flavor_request(3, **specs), 0, 100, hosts,
                                {}, policy='pack')


def test_the_peak_is_the_true_peak_over_the_window():
    # Two bookings of 4 VCPU each in [0, 100), one after the other: at no
    # moment are 8 in use, so two more slots of 4 fit in 12.
    req = flavor_request(2)
    hosts = [host(1, view(VCPU=(12, 0, 1.0, 12),
                          MEMORY_MB=(10000, 0, 1.0, 10000)))]
    usage = {'vcpus': 4, 'memory_mb': 1000}
    bookings = {1: [model.Booking(1, 'r1', 0, 40, False, usage, 1),
                    model.Booking(1, 'r2', 50, 100, False, usage, 1)]}
    decision = allocation.choose_slots(req, 0, 100, hosts, bookings,
                                       policy='pack')
    assert decision.slots_by_host == {1: 2}
    bookings[1].append(model.Booking(1, 'r3', 30, 60, False, usage, 1))
    with pytest.raises(exception.NotEnoughResources):
        allocation.choose_slots(req, 0, 100, hosts, bookings,
                                policy='pack')
