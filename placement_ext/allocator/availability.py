"""What is free when: the calendar behind the availability questions.

``host_query`` (whole hosts) and ``slot_query`` (slots of one size), chosen
by the reservation's type, each answer two questions. "How many are free at
each moment of a window": whole hosts free at that instant, or slots of the
request's size (with affinity true: the most one host can give; with
affinity false: the number of hosts with at least one slot). "The earliest
start of a window of duration D that fits": the first ``t`` such that the
request could be granted for the whole of ``[t, t + D)`` (plus the cleaning
margin), with the *same* hosts throughout, as the allocator would
require.
"""

import bisect
import collections

from placement_ext.allocator import matching
from placement_ext.allocator import timeline


def _merged(bookings, margin):
    """Busy intervals of one host, merged where they overlap or touch."""
    merged = []
    for start, end in timeline.busy_intervals(bookings, margin):
        if merged and start <= merged[-1][1]:
            merged[-1][1] = max(merged[-1][1], end)
        else:
            merged.append([start, end])
    return merged


def _merged_by_host(matching, bookings_by_host, margin):
    return {host.id: _merged(bookings_by_host.get(host.id, ()), margin)
            for host in matching}


def _host_timeline(matching, merged, lo, hi):
    """Whole hosts free at each instant of ``[lo, hi]``."""
    deltas = []
    for host in matching:
        for start, end in merged[host.id]:
            if end <= lo or start > hi:
                continue
            deltas.append((max(start, lo), -1))
            if end <= hi:
                deltas.append((end, 1))
    return timeline.sweep(len(matching), deltas, lo)


def _host_starts(matching, merged, span, lo, last):
    """For each ``t`` in ``[lo, last]``, hosts free for ``[t, t + span)``.

    A host's valid starts are, for each free gap ``[a, b)`` between its
    busy intervals, the times ``a <= t <= b - span``.
    """
    deltas = []
    base = 0
    for host in matching:
        gap_start = timeline.NEG_INF
        for start, end in merged[host.id] + [[timeline.INF, timeline.INF]]:
            first, final = max(gap_start, lo), min(start - span, last)
            if first <= final:
                if first == lo:
                    base += 1
                else:
                    deltas.append((first, 1))
                if final < last:
                    deltas.append((final + 1, -1))
            gap_start = end
    return timeline.sweep(base, deltas, lo)


def _slot_functions(request, matching, bookings_by_host, margin):
    """Free-slot step functions of hosts with bookings, and the constant
    free slots of each host without any."""
    size = request.slot_size()
    functions, constants = [], []
    for host in matching:
        bookings = bookings_by_host.get(host.id)
        if bookings:
            functions.append(timeline.free_steps(host.capacity, bookings,
                                                 size, margin))
        else:
            constants.append(timeline.slots_from(host.capacity, {}, size))
    return functions, constants


def _transform(request):
    if request.affinity is False:
        return lambda v: min(v, 1)
    return lambda v: v


def _combine_slots(request, functions, constants, lo, hi):
    if request.affinity:
        times, values = _max_steps(functions, lo, hi)
        best = max(constants, default=0)
        return times, [max(v, best) for v in values]
    transform = _transform(request)
    times, values = timeline.sum_steps(functions, lo, hi, transform)
    base = sum(transform(c) for c in constants)
    return times, [v + base for v in values]


def _max_steps(functions, lo, hi):
    """The pointwise maximum of step functions over ``[lo, hi]``, in one
    sweep over their breakpoints (a count of hosts per current value keeps
    the maximum cheap to update)."""
    holding = collections.Counter()
    changes = []
    for times, values in functions:
        first = bisect.bisect_right(times, lo) - 1
        holding[values[first]] += 1
        for i in range(first + 1, len(times)):
            if times[i] > hi:
                break
            changes.append((times[i], values[i - 1], values[i]))
    changes.sort()
    out_times, out_values = [lo], [max(holding, default=0)]
    for time, old, new in changes:
        holding[old] -= 1
        if not holding[old]:
            del holding[old]
        holding[new] += 1
        value = max(holding)
        if time == out_times[-1]:
            out_values[-1] = value
        else:
            out_times.append(time)
            out_values.append(value)
    return timeline.compress(out_times, out_values)


def _earliest(combined, needed, lo, last_start):
    if combined is None:
        return None
    return timeline.first_time_at_least(combined, needed, lo, last_start)


def host_query(request, lo, hi, hosts, bookings_by_host, *, margin=0,
               host_filter=None, duration=None):
    """Whole hosts free over ``[lo, hi)`` and the earliest start of a
    ``duration`` window with ``request.min_count`` of them free throughout:
    ``(timeline, earliest)``.

    ``timeline`` is ``[(time, free)]`` change points over ``[lo, hi)`` (the
    first is ``lo``); ``earliest`` is the earliest ``t`` in
    ``[lo, hi - duration]`` at which the request fits for ``duration``
    seconds, or None (always None without a duration). Bookings count with
    their cleaning margin.
    """
    usable = matching.matching_hosts(hosts, host_filter)
    merged = _merged_by_host(usable, bookings_by_host, margin)
    times, values = _host_timeline(usable, merged, lo, hi - 1)
    combined = None
    if duration is not None and hi - duration >= lo:
        combined = _host_starts(usable, merged, duration + margin, lo,
                                hi - duration)
    return (list(zip(times, values)),
            _earliest(combined, request.min_count, lo, hi - duration
                      if duration is not None else None))


def slot_query(request, lo, hi, hosts, bookings_by_host, *, margin=0,
               host_filter=None, duration=None):
    """Slots of ``request``'s size free over ``[lo, hi)`` and the earliest
    start of a ``duration`` window with ``request.amount`` of them free
    throughout: ``(timeline, earliest)``, as ``host_query`` says."""
    usable = matching.matching_hosts(hosts, host_filter)
    functions, constants = _slot_functions(request, usable,
                                           bookings_by_host, margin)
    times, values = _combine_slots(request, functions, constants, lo,
                                   hi - 1)
    combined = None
    if duration is not None and hi - duration >= lo:
        last_start = hi - duration
        combined = _combine_slots(
            request, [timeline.sliding_min(f, duration + margin, lo,
                                           last_start)
                      for f in functions], constants, lo, last_start)
    return (list(zip(times, values)),
            _earliest(combined, request.amount, lo, hi - duration
                      if duration is not None else None))
