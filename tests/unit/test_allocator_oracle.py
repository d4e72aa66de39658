"""The allocator against a brute-force, second-by-second oracle.

Random small calendars (a few hosts, a few dozen seconds) are generated; for
each, the oracle computes usage at every second and the answers of the
timeline, availability and decision functions must agree with it.
"""

import random

import pytest

from placement_ext.allocator import model
from tests.unit.availability import earliest_start
from tests.unit.availability import free_timeline
from placement_ext.reservations import physical_host
from placement_ext.reservations.physical_host import allocation \
    as host_decisions
from placement_ext.reservations.physical_host import request as host_request
from placement_ext.reservations import virtual_instance
from placement_ext.reservations.virtual_instance import allocation \
    as instances
from placement_ext.reservations.virtual_instance import request \
    as instance_request
from placement_ext.allocator import timeline
from placement_ext import exception

HORIZON = 40
SIZE = {'vcpus': 2, 'memory_mb': 1024, 'local_gb': 10}


def _random_calendar(rng, n_hosts=4, n_bookings=8):
    hosts = []
    for i in range(n_hosts):
        hosts.append(model.Host(
            id=i + 1, hypervisor_hostname='h%d' % i, reservable=True,
            capacity={'vcpus': rng.choice([4, 8, 16]),
                      'memory_mb': rng.choice([2048, 8192]),
                      'local_gb': 100},
            properties={}))
    bookings = {}
    for n in range(n_bookings):
        host = rng.choice(hosts)
        start = rng.randrange(0, HORIZON - 2)
        end = rng.randrange(start + 1, HORIZON)
        whole = rng.random() < 0.25
        usage = {} if whole else {'vcpus': rng.choice([1, 2, 4]),
                                  'memory_mb': rng.choice([512, 1024]),
                                  'local_gb': 10}
        bookings.setdefault(host.id, []).append(model.Booking(
            host_id=host.id, reservation_id='r%d' % n, start=start,
            end=end, whole_host=whole, usage=usage, slots=1))
    return hosts, bookings


def _oracle_free(host, bookings, size, t, margin):
    """Free slots (size) or free-host flag (size None) at second t."""
    live = [b for b in bookings if b.start <= t < b.end + margin]
    if size is None:
        return 0 if live else 1
    if any(b.whole_host for b in live):
        return 0
    used = {}
    for b in live:
        for k, v in b.usage.items():
            used[k] = used.get(k, 0) + v
    return max(0, min((host.capacity.get(k, 0) - used.get(k, 0)) // v
                      for k, v in size.items()))


@pytest.mark.parametrize('seed', range(60))
def test_free_slots_and_steps_match_oracle(seed):
    rng = random.Random(seed)
    hosts, bookings = _random_calendar(rng)
    margin = rng.choice([0, 0, 3])
    for host in hosts:
        mine = bookings.get(host.id, [])
        for size in (None, SIZE):
            steps = timeline.free_steps(host.capacity, mine, size, margin)
            for t in range(-2, HORIZON + 5):
                assert timeline.value_at(steps, t) == _oracle_free(
                    host, mine, size, t, margin)
        for _ in range(10):
            start = rng.randrange(0, HORIZON)
            end = rng.randrange(start + 1, HORIZON + 5)
            expected = min(_oracle_free(host, mine, SIZE, t, margin)
                           for t in range(start, end + margin))
            assert timeline.free_slots(host.capacity, mine, SIZE, start,
                                       end, margin) == max(expected, 0)


@pytest.mark.parametrize('seed', range(40))
def test_sliding_min_matches_oracle(seed):
    rng = random.Random(seed)
    hosts, bookings = _random_calendar(rng)
    host = hosts[0]
    steps = timeline.free_steps(host.capacity, bookings.get(host.id, []),
                                SIZE, 0)
    duration = rng.randrange(1, 15)
    lo, hi = 0, HORIZON
    slid = timeline.sliding_min(steps, duration, lo, hi)
    for t in range(lo, hi + 1):
        expected = min(timeline.value_at(steps, x)
                       for x in range(t, t + duration))
        assert timeline.value_at(slid, t) == expected


def _request(rng):
    kind = rng.choice(['host', 'none', 'true', 'false'])
    if kind == 'host':
        count = rng.randrange(1, 4)
        return host_request.HostRequest(min_count=count, max_count=count)
    return instance_request.InstanceRequest(
        amount=rng.randrange(1, 6), vcpus=2, memory_mb=1024, disk_gb=10,
        affinity={'none': None, 'true': True, 'false': False}[kind])


def _fits(request, start, end, hosts, bookings, margin):
    choose = (host_decisions.choose_hosts
              if request.resource_type == physical_host.NAME
              else instances.choose_slots)
    try:
        choose(request, start, end, hosts, bookings, policy='pack',
               margin=margin)
        return True
    except exception.NotEnoughResources:
        return False


@pytest.mark.parametrize('seed', range(80))
def test_earliest_start_agrees_with_decisions(seed):
    rng = random.Random(seed)
    hosts, bookings = _random_calendar(rng, n_bookings=10)
    request = _request(rng)
    margin = rng.choice([0, 2])
    duration = rng.randrange(1, 12)
    lo, hi = 0, HORIZON + 5
    expected = next((t for t in range(lo, hi - duration + 1)
                     if _fits(request, t, t + duration, hosts, bookings,
                              margin)), None)
    assert earliest_start(
        request, duration, lo, hi, hosts, bookings,
        margin=margin) == expected


@pytest.mark.parametrize('seed', range(40))
def test_free_timeline_matches_oracle(seed):
    rng = random.Random(seed)
    hosts, bookings = _random_calendar(rng)
    request = _request(rng)
    size = None if request.resource_type == physical_host.NAME else \
        request.slot_size()
    points = free_timeline(request, 0, HORIZON, hosts, bookings)
    steps = ([p[0] for p in points], [p[1] for p in points])
    for t in range(0, HORIZON):
        per_host = [_oracle_free(h, bookings.get(h.id, []), size, t, 0)
                    for h in hosts]
        if request.resource_type == virtual_instance.NAME and request.affinity:
            expected = max(per_host)
        elif request.resource_type == virtual_instance.NAME and \
                request.affinity is False:
            expected = sum(1 for v in per_host if v > 0)
        else:
            expected = sum(per_host)
        assert timeline.value_at(steps, t) == expected


@pytest.mark.parametrize('policy', ['pack', 'spread', 'random'])
@pytest.mark.parametrize('seed', range(40))
def test_decisions_respect_capacity_and_affinity(seed, policy):
    rng = random.Random(seed)
    hosts, bookings = _random_calendar(rng)
    request = _request(rng)
    start = rng.randrange(0, HORIZON - 5)
    end = rng.randrange(start + 1, HORIZON)
    choose = (host_decisions.choose_hosts
              if request.resource_type == physical_host.NAME
              else instances.choose_slots)
    try:
        decision = choose(request, start, end, hosts, bookings,
                          policy=policy, rng=random.Random(seed))
    except exception.NotEnoughResources as exc:
        assert 'requested' in str(exc) or 'needs at least' in str(exc)
        return
    by_id = {h.id: h for h in hosts}
    for host_id, slots in decision.slots_by_host.items():
        mine = bookings.get(host_id, [])
        size = None if request.resource_type == physical_host.NAME else \
            request.slot_size()
        room = min(_oracle_free(by_id[host_id], mine, size, t, 0)
                   for t in range(start, end))
        assert 0 < slots <= room
    if request.resource_type == physical_host.NAME:
        assert request.min_count <= len(decision.slots_by_host) <= \
            request.max_count
    else:
        assert decision.total_slots == request.amount
        if request.affinity:
            assert len(decision.slots_by_host) == 1
        if request.affinity is False:
            assert set(decision.slots_by_host.values()) == {1}


@pytest.mark.parametrize('seed', range(10))
def test_affine_timeline_is_the_pointwise_maximum(seed):
    # Many hosts with many breakpoints: the single-sweep maximum must
    # equal the per-second maximum over hosts.
    rng = random.Random(seed)
    hosts, bookings = _random_calendar(rng, n_hosts=30, n_bookings=120)
    request = instance_request.InstanceRequest(
        amount=1, vcpus=2, memory_mb=1024, disk_gb=10, affinity=True)
    points = free_timeline(request, 0, HORIZON, hosts, bookings)
    steps = ([p[0] for p in points], [p[1] for p in points])
    for t in range(0, HORIZON):
        assert timeline.value_at(steps, t) == max(
            _oracle_free(h, bookings.get(h.id, []), request.slot_size(), t,
                         0) for h in hosts)
