"""The allocator's stated rules, one crafted calendar per rule."""

import pytest

from placement_ext.allocator import model
from tests.unit.availability import earliest_start
from tests.unit.availability import free_timeline
from placement_ext.reservations.physical_host import allocation \
    as host_decisions
from placement_ext.reservations.physical_host import request as host_request
from placement_ext.reservations.virtual_instance import allocation \
    as instances
from placement_ext.reservations.virtual_instance import request \
    as instance_request
from placement_ext import exception
from placement_ext import property_filter

DAY = 86400


def host(i, vcpus=8, memory_mb=16384, local_gb=100, **props):
    return model.Host(id=i, hypervisor_hostname='host%02d' % i,
                      reservable=True,
                      capacity={'vcpus': vcpus, 'memory_mb': memory_mb,
                                'local_gb': local_gb},
                      properties=dict(props, vcpus=vcpus))


def slots_booking(host_id, start, end, vcpus, rid='x'):
    return model.Booking(host_id=host_id, reservation_id=rid, start=start,
                         end=end, whole_host=False,
                         usage={'vcpus': vcpus, 'memory_mb': 0,
                                'local_gb': 0}, slots=1)


def host_booking(host_id, start, end, rid='x'):
    return model.Booking(host_id=host_id, reservation_id=rid, start=start,
                         end=end, whole_host=True)


def slot_request(amount, vcpus=2, affinity=None):
    return instance_request.InstanceRequest(
        amount=amount, vcpus=vcpus, memory_mb=1, disk_gb=0, affinity=affinity)


def test_true_peak_not_sum_of_overlapping():
    # Two 6-vCPU bookings inside the window, one after the other: the
    # peak is 6 of 8, so one 2-vCPU slot still fits. Summing everything
    # that overlaps the window (12 > 8) would wrongly refuse.
    hosts = [host(1)]
    bookings = {1: [slots_booking(1, 0, 50, 6), slots_booking(1, 50, 100,
                                                              6)]}
    decision = instances.choose_slots(slot_request(1), 0, 100, hosts,
                                      bookings, policy='pack')
    assert decision.slots_by_host == {1: 1}
    with pytest.raises(exception.NotEnoughResources) as exc:
        instances.choose_slots(slot_request(2), 0, 100, hosts, bookings,
                               policy='pack')
    assert 'can give 1 slots' in str(exc.value)


def test_cleaning_margin_keeps_host_busy_after_end():
    hosts = [host(1)]
    bookings = {1: [host_booking(1, 0, 100)]}
    request = host_request.HostRequest(min_count=1, max_count=1)
    with pytest.raises(exception.NotEnoughResources) as exc:
        host_decisions.choose_hosts(request, 110, 200, hosts, bookings,
                                    policy='pack', margin=30)
    assert 'cleaning margin' in str(exc.value)
    decision = host_decisions.choose_hosts(request, 130, 200, hosts,
                                           bookings, policy='pack',
                                           margin=30)
    assert decision.host_ids == [1]
    # The new lease's own margin must not run into a later booking.
    later = {1: [host_booking(1, 300, 400)]}
    with pytest.raises(exception.NotEnoughResources):
        host_decisions.choose_hosts(request, 100, 290, hosts, later,
                                    policy='pack', margin=30)


def test_host_reservation_takes_up_to_max_and_refuses_below_min():
    hosts = [host(i) for i in range(1, 6)]
    bookings = {1: [host_booking(1, 0, 100)], 2: [host_booking(2, 50, 60)]}
    decision = host_decisions.choose_hosts(
        host_request.HostRequest(min_count=1, max_count=10), 0, 100, hosts,
        bookings, policy='pack')
    assert decision.host_ids == [3, 4, 5]
    with pytest.raises(exception.NotEnoughResources) as exc:
        host_decisions.choose_hosts(
            host_request.HostRequest(min_count=4, max_count=4), 0, 100, hosts,
            bookings, policy='pack')
    message = str(exc.value)
    assert '5 reservable hosts match' in message
    assert '3 of them are free' in message
    assert 'at least 4' in message


def test_pack_fills_time_gaps_and_spread_avoids_them():
    # host01 is busy right before and after the window (a tight gap);
    # host02 is busy a week away; host03 was never used.
    hosts = [host(1), host(2), host(3)]
    bookings = {1: [host_booking(1, 0, DAY), host_booking(1, 2 * DAY,
                                                          3 * DAY)],
                2: [host_booking(2, 0, DAY - 3 * DAY)]}
    request = host_request.HostRequest(min_count=1, max_count=1)
    packed = host_decisions.choose_hosts(request, DAY, 2 * DAY, hosts,
                                         bookings, policy='pack')
    spread = host_decisions.choose_hosts(request, DAY, 2 * DAY, hosts,
                                         bookings, policy='spread')
    assert packed.host_ids == [1]
    assert spread.host_ids == [3]


def test_pack_fills_used_host_before_touching_idle_ones():
    hosts = [host(1), host(2), host(3)]
    bookings = {2: [slots_booking(2, 0, 100, 2)]}
    packed = instances.choose_slots(slot_request(3), 0, 100, hosts,
                                    bookings, policy='pack')
    assert packed.slots_by_host == {2: 3}
    spread = instances.choose_slots(slot_request(3), 0, 100, hosts,
                                    bookings, policy='spread')
    assert sorted(spread.slots_by_host.values()) == [1, 1, 1]


def test_affinity_true_needs_one_host_and_false_distinct_hosts():
    hosts = [host(1, vcpus=4), host(2, vcpus=4)]
    with pytest.raises(exception.NotEnoughResources) as exc:
        instances.choose_slots(slot_request(3, affinity=True), 0, 10, hosts,
                               {}, policy='pack')
    assert 'most any of them can give is 2' in str(exc.value)
    assert instances.choose_slots(
        slot_request(2, affinity=False), 0, 10, hosts, {},
        policy='pack').slots_by_host == {1: 1, 2: 1}
    with pytest.raises(exception.NotEnoughResources) as exc:
        instances.choose_slots(slot_request(3, affinity=False), 0, 10,
                               hosts, {}, policy='pack')
    assert 'distinct hosts' in str(exc.value)


def test_host_under_host_reservation_gives_no_slots():
    hosts = [host(1)]
    bookings = {1: [host_booking(1, 40, 60)]}
    with pytest.raises(exception.NotEnoughResources):
        instances.choose_slots(slot_request(1), 0, 100, hosts, bookings,
                               policy='pack')


def test_property_filter_and_reservable_flag():
    hosts = [host(1, gpu='true'), host(2, gpu='false'), host(3, gpu='true')]
    hosts[2].reservable = False
    flt = property_filter.parse('["==", "$gpu", "true"]', 'f')
    decision = host_decisions.choose_hosts(
        host_request.HostRequest(min_count=1, max_count=3), 0, 10, hosts, {},
        policy='pack', host_filter=flt)
    assert decision.host_ids == [1]


def test_update_keeps_hosts_that_still_fit():
    hosts = [host(i) for i in range(1, 5)]
    request = host_request.HostRequest(min_count=2, max_count=2)
    decision = host_decisions.choose_hosts(
        request, 0, 100, hosts, {}, policy='spread', keep={3: 1, 4: 1})
    assert decision.host_ids == [3, 4]
    # Host 4 is taken in the new window: a pending lease swaps it...
    bookings = {4: [host_booking(4, 150, 160)]}
    moved = host_decisions.choose_hosts(
        request, 100, 200, hosts, bookings, policy='spread',
        keep={3: 1, 4: 1})
    assert 3 in moved.host_ids and 4 not in moved.host_ids
    # ...but a started lease may not lose it.
    with pytest.raises(exception.NotEnoughResources) as exc:
        host_decisions.choose_hosts(request, 100, 200, hosts, bookings,
                                    policy='spread', keep={3: 1, 4: 1},
                                    keep_all=True)
    assert 'host04' in str(exc.value)


def test_started_lease_cannot_shrink_below_its_hosts():
    hosts = [host(i) for i in range(1, 4)]
    with pytest.raises(exception.NotEnoughResources) as exc:
        host_decisions.choose_hosts(
            host_request.HostRequest(min_count=1, max_count=1), 0, 10, hosts,
            {},
            policy='pack', keep={1: 1, 2: 1}, keep_all=True)
    assert 'cannot give hosts back' in str(exc.value)


def test_update_keeps_slots_and_adds_or_removes():
    hosts = [host(1), host(2)]
    grown = instances.choose_slots(slot_request(6), 0, 10, hosts, {},
                                   policy='pack', keep={2: 3})
    assert grown.slots_by_host[2] == 4 and grown.total_slots == 6
    shrunk = instances.choose_slots(slot_request(2), 0, 10, hosts, {},
                                    policy='pack', keep={1: 1, 2: 3})
    assert shrunk.total_slots == 2
    bookings = {2: [slots_booking(2, 0, 10, 6)]}
    with pytest.raises(exception.NotEnoughResources) as exc:
        instances.choose_slots(slot_request(3), 0, 10, hosts, bookings,
                               policy='pack', keep={2: 3}, keep_all=True)
    assert 'host02' in str(exc.value)


def test_earliest_start_needs_same_hosts_throughout():
    # Two hosts, each free half of the time, never both: at every moment
    # one host is free, but no single host is free for 60 s before t=100.
    hosts = [host(1), host(2)]
    bookings = {1: [host_booking(1, 0, 50)], 2: [host_booking(2, 50, 100)]}
    request = host_request.HostRequest(min_count=1, max_count=1)
    timeline = free_timeline(request, 0, 200, hosts, bookings)
    assert timeline == [(0, 1), (100, 2)]
    assert earliest_start(request, 60, 0, 300, hosts, bookings) == 50
    assert earliest_start(request, 60, 0, 105, hosts, bookings) is None
