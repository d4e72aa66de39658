"""What is free when: the calendar behind the availability questions.

``free_timeline`` answers "how many are free at each moment of a window":
for a host request the number of whole hosts free at that instant, for an
instance request the number of slots of its size (with affinity true: the
most one host can give; with affinity false: the number of hosts with at
least one slot).

``earliest_start`` answers "the earliest start of a window of duration D
that fits": the first ``t`` such that the request could be granted for the
whole of ``[t, t + D)`` (plus the cleaning margin), with the *same* hosts
throughout, as the allocator would require.
"""

from placement_ext.allocator import hosts as host_decisions
from placement_ext.allocator import model
from placement_ext.allocator import timeline


def _size_of(request):
    return None if request.resource_type == model.HOST else \
        request.slot_size()


def _per_host_steps(request, hosts, bookings_by_host, margin, host_filter):
    size = _size_of(request)
    for host in host_decisions.matching_hosts(hosts, host_filter):
        yield timeline.free_steps(host.capacity,
                                  bookings_by_host.get(host.id, ()),
                                  size, margin)


def _transform(request):
    if request.resource_type == model.INSTANCE and request.affinity is False:
        return lambda v: min(v, 1)
    return None


def _needed(request):
    if request.resource_type == model.HOST:
        return request.min_count
    return request.amount


def _combine(request, functions, lo, hi):
    if request.resource_type == model.INSTANCE and request.affinity:
        return _max_steps(functions, lo, hi)
    return timeline.sum_steps(functions, lo, hi, _transform(request))


def _max_steps(functions, lo, hi):
    functions = list(functions)
    points = {lo}
    for times, _values in functions:
        points.update(t for t in times if lo < t <= hi)
    out_times, out_values = [], []
    for t in sorted(points):
        value = max((timeline.value_at(f, t) for f in functions), default=0)
        if not out_values or value != out_values[-1]:
            out_times.append(t)
            out_values.append(value)
    return out_times, out_values


def free_timeline(request, lo, hi, hosts, bookings_by_host, *, margin=0,
                  host_filter=None):
    """``[(time, free)]`` change points over ``[lo, hi)``; the first is
    ``lo``. Bookings count with their cleaning margin."""
    functions = _per_host_steps(request, hosts, bookings_by_host, margin,
                                host_filter)
    times, values = _combine(request, functions, lo, hi - 1)
    return list(zip(times, values))


def earliest_start(request, duration, lo, hi, hosts, bookings_by_host, *,
                   margin=0, host_filter=None):
    """The earliest ``t`` in ``[lo, hi - duration]`` at which the request
    fits for ``duration`` seconds, or None when it never does."""
    last_start = hi - duration
    if last_start < lo:
        return None
    span = duration + margin
    functions = [
        timeline.sliding_min(f, span, lo, last_start)
        for f in _per_host_steps(request, hosts, bookings_by_host, margin,
                                 host_filter)]
    combined = _combine(request, functions, lo, last_start)
    return timeline.first_time_at_least(combined, _needed(request), lo,
                                        last_start)
