"""Usage over time on one host, as step functions over integer seconds.

A step function here is a pair of parallel lists ``(times, values)``: the
value ``values[i]`` holds from ``times[i]`` (inclusive) to ``times[i + 1]``
(exclusive); ``times[0]`` is ``-INF``. Every booking occupies the half-open
interval ``[start, end + margin)``.

Rules this module implements:

* The usage of a resource during a window is its *true peak*: the largest
  sum of bookings that overlap at one instant, not the sum of everything that
  overlaps the window somewhere.
* The slots a host can still give during a window is
  ``min over resources of floor((capacity - peak) / slot size)``, and zero
  while a whole-host booking overlaps. (The minimum over time of the free
  slots equals this, because the minimum over time and over resources
  commute.)
"""

import bisect

INF = 2 ** 62
NEG_INF = -INF


def busy_intervals(bookings, margin):
    """Sorted ``(start, end)`` pairs of bookings, extended by ``margin``."""
    return sorted((b.start, b.end + margin) for b in bookings)


def overlaps(intervals, start, end):
    """Whether any ``(s, e)`` interval meets ``[start, end)``."""
    for s, e in intervals:
        if s < end and e > start:
            return True
    return False


def gap_around(intervals, start, end):
    """The free time just before ``start`` and just after ``end``.

    Returns ``(before, after)``: seconds from the end of the latest interval
    ending at or before ``start`` to ``start``, and from ``end`` to the
    earliest interval starting at or after ``end``; ``INF`` where there is
    none. Intervals meeting the window are ignored.
    """
    before = after = INF
    for s, e in intervals:
        if e <= start:
            before = min(before, start - e)
        elif s >= end:
            after = min(after, s - end)
    return before, after


def peak_usage(bookings, start, end, margin, stop_at_whole=False):
    """Per-resource true peak of non-whole-host bookings in ``[start, end)``.

    Returns ``(peak, whole_host)``: a dict of resource -> peak sum, and
    whether a whole-host booking overlaps the window. With
    ``stop_at_whole`` the answer is ``({}, True)`` as soon as one does, for
    callers to whom such a host has nothing to give.
    """
    deltas = []
    whole = False
    for b in bookings:
        b_end = b.end + margin
        if b.start >= end or b_end <= start:
            continue
        if b.whole_host:
            if stop_at_whole:
                return {}, True
            whole = True
            continue
        deltas.append((max(b.start, start), 1, b.usage))
        deltas.append((b_end, -1, b.usage))
    if not deltas:
        return {}, whole
    if len(deltas) == 2:
        # One booking overlaps: its usage is the peak.
        return {k: v for k, v in deltas[0][2].items() if v > 0}, whole
    # Ends sort before starts at the same instant: half-open intervals.
    deltas.sort(key=lambda d: (d[0], d[1]))
    current = {}
    peak = {}
    for _time, sign, usage in deltas:
        for key, value in usage.items():
            level = current.get(key, 0) + sign * value
            current[key] = level
            if sign > 0 and level > peak.get(key, 0):
                peak[key] = level
    return peak, whole


def slots_from(capacity, used, size):
    """Slots of ``size`` that fit in ``capacity`` minus ``used``."""
    slots = INF
    for key, amount in size.items():
        free = capacity.get(key, 0) - used.get(key, 0)
        if free < amount:
            return 0
        slots = min(slots, free // amount)
    return 0 if slots == INF else slots


def free_slots(capacity, bookings, size, start, end, margin):
    """Slots of ``size`` a host can give to a new booking of ``[start, end)``
    (which, like every booking, also holds its margin)."""
    peak, whole = peak_usage(bookings, start, end + margin, margin,
                             stop_at_whole=True)
    if whole:
        return 0
    return slots_from(capacity, peak, size)


def free_steps(capacity, bookings, size, margin):
    """The step function of free slots of ``size`` on one host.

    With ``size`` None the function counts the host itself: 1 while nothing
    at all is booked on it, 0 otherwise.
    """
    changes = {}
    for b in bookings:
        changes.setdefault(b.start, []).append((1, b))
        changes.setdefault(b.end + margin, []).append((-1, b))
    full = 1 if size is None else slots_from(capacity, {}, size)
    times = [NEG_INF]
    values = [full]
    used = {}
    active = 0
    whole = 0
    for time in sorted(changes):
        for sign, b in changes[time]:
            active += sign
            if b.whole_host:
                whole += sign
            else:
                for key, value in b.usage.items():
                    used[key] = used.get(key, 0) + sign * value
        if size is None:
            value = 1 if active == 0 else 0
        elif whole:
            value = 0
        else:
            value = slots_from(capacity, used, size)
        if value != values[-1]:
            times.append(time)
            values.append(value)
    return times, values


def value_at(steps, time):
    """The value of a step function at ``time``."""
    times, values = steps
    return values[bisect.bisect_right(times, time) - 1]


def window_min(steps, start, end):
    """The minimum of a step function over ``[start, end)``."""
    times, values = steps
    first = bisect.bisect_right(times, start) - 1
    last = bisect.bisect_left(times, end)
    return min(values[first:last])


def sliding_min(steps, duration, lo, hi):
    """``g(t) = min of f over [t, t + duration)`` for ``t`` in ``[lo, hi]``.

    Returned as a step function whose first breakpoint is ``lo``. With integer
    times ``g`` can only change at a breakpoint ``b`` of ``f`` (the segment
    before ``b`` leaves the window) or at ``b - duration + 1`` (the segment
    from ``b`` enters it).
    """
    times, _values = steps
    candidates = {lo}
    for b in times[1:]:
        if lo < b <= hi:
            candidates.add(b)
        entering = b - duration + 1
        if lo < entering <= hi:
            candidates.add(entering)
    out_times, out_values = [], []
    for t in sorted(candidates):
        value = window_min(steps, t, t + max(duration, 1))
        if not out_values or value != out_values[-1]:
            out_times.append(t)
            out_values.append(value)
    return out_times, out_values


def sum_steps(functions, lo, hi, transform=None):
    """Sum step functions over ``[lo, hi]``, each mapped by ``transform``.

    Returns the summed step function starting at ``lo`` as lists of
    ``(time, value)`` change points.
    """
    transform = transform or (lambda v: v)
    deltas = []
    base = 0
    for times, values in functions:
        first = bisect.bisect_right(times, lo) - 1
        previous = transform(values[first])
        base += previous
        for i in range(first + 1, len(times)):
            if times[i] > hi:
                break
            current = transform(values[i])
            if current != previous:
                deltas.append((times[i], current - previous))
                previous = current
    return sweep(base, deltas, lo)


def sweep(base, deltas, lo):
    """The step function starting at ``lo`` with value ``base``, changed by
    each ``(time, delta)``; equal neighbouring values are merged."""
    times, values = [lo], [base]
    level = base
    for time, delta in sorted(deltas):
        level += delta
        if time == times[-1]:
            values[-1] = level
        else:
            times.append(time)
            values.append(level)
    return compress(times, values)


def compress(times, values):
    """Drop breakpoints where the value does not change."""
    out_times, out_values = [], []
    for time, value in zip(times, values):
        if not out_values or value != out_values[-1]:
            out_times.append(time)
            out_values.append(value)
    return out_times, out_values


def first_time_at_least(steps, threshold, lo, hi):
    """Earliest ``t`` in ``[lo, hi]`` where the step function reaches
    ``threshold``, or None."""
    times, values = steps
    for i, value in enumerate(values):
        time = max(times[i], lo)
        if time > hi:
            return None
        if value >= threshold:
            return time
    return None
