"""Decisions for ``virtual:instance`` reservations: slots of one size.

Rule: a host can give ``min over resources of floor((capacity - peak) /
size)`` slots for a window, where ``peak`` is the true peak of what overlaps
``[start, end + margin)``; a host under a whole-host reservation gives none.
``affinity`` True needs one host able to hold every slot, False needs
``amount`` distinct hosts with one slot each, None takes slots wherever the
policy prefers. Too few slots is a refusal that says how many there are.

On update (``keep`` maps host id to slots held) the slots already held stay
where they still fit; with ``keep_all`` (a started lease) any slot that
would have to move is a refusal.
"""

from placement_ext.allocator import matching
from placement_ext.allocator import model
from placement_ext.allocator import policies
from placement_ext.allocator import timefmt
from placement_ext.allocator import timeline
from placement_ext import exception


def slot_candidates(hosts, bookings_by_host, size, start, end, margin,
                    gaps=None):
    """``(host, free, in_use, before, after)`` for hosts with a free slot."""
    candidates = []
    for host in hosts:
        bookings = bookings_by_host.get(host.id, ())
        peak, whole = timeline.peak_usage(bookings, start, end + margin,
                                          margin, stop_at_whole=True)
        free = 0 if whole else timeline.slots_from(host.capacity, peak,
                                                   size)
        if free <= 0:
            continue
        intervals = (None if gaps is not None
                     else timeline.busy_intervals(bookings, margin))
        before, after = matching.gap_of(host, intervals, start, end,
                                        margin, gaps)
        candidates.append((host, free, bool(peak), before, after))
    return candidates


def _describe(request):
    parts = ['%d vCPU' % request.vcpus, '%d MB RAM' % request.memory_mb,
             '%d GB disk' % request.disk_gb]
    parts += ['%d %s' % (v, k) for k, v in
              sorted(request.extra_resources.items())]
    return ', '.join(parts)


def _keep_slots(keep, free, keep_all, hosts):
    kept = {}
    moved = []
    for host_id, held in keep.items():
        stay = min(held, free.get(host_id, 0))
        if stay < held:
            moved.append(host_id)
        if stay:
            kept[host_id] = stay
    if keep_all and moved:
        raise exception.NotEnoughResources(
            'The reservation has started and its slots cannot move, but '
            '%s would no longer have room for them.'
            % ', '.join(sorted(matching.names_of(hosts, set(moved)))))
    return kept


def _deal(order, free, slots, remaining, one_at_a_time, per_host_cap):
    """Add ``remaining`` slots over ``order`` (host ids) to ``slots`` in
    place, never past a host's ``free`` or ``per_host_cap``; return what
    could not be placed."""
    if not one_at_a_time:
        for host_id in order:
            held = slots.get(host_id, 0)
            take = min(free[host_id] - held, remaining, per_host_cap - held)
            if take > 0:
                slots[host_id] = slots.get(host_id, 0) + take
                remaining -= take
            if remaining == 0:
                break
        return remaining
    while remaining:
        progress = False
        for host_id in order:
            if remaining == 0:
                break
            if (free[host_id] > slots.get(host_id, 0)
                    and slots.get(host_id, 0) < per_host_cap):
                slots[host_id] = slots.get(host_id, 0) + 1
                remaining -= 1
                progress = True
        if not progress:
            break
    return remaining


def choose_slots(request, start, end, hosts, bookings_by_host, *, policy,
                 margin=0, host_filter=None, keep=None, keep_all=False,
                 rng=None, gaps=None):
    """Return a ``Decision`` giving ``request`` its slots, or refuse.

    ``bookings_by_host`` must not contain the bookings of the reservation
    being updated.
    """
    keep = keep or {}
    size = request.slot_size()
    usable = matching.matching_hosts(hosts, host_filter)
    candidates = slot_candidates(usable, bookings_by_host, size, start,
                                 end, margin, gaps)
    free = {c[0].id: c[1] for c in candidates}
    order = [h.id for h, _f in
             policies.order_slot_hosts(candidates, policy, rng)]
    kept = _keep_slots(keep, free, keep_all, hosts)
    when = timefmt.window(start, end, margin)
    amount = request.amount

    if request.affinity:
        return _choose_affine(request, kept, free, order, keep_all, when,
                              len(usable))

    per_host_cap = 1 if request.affinity is False else amount
    slots = {}
    for host_id in [h for h in order if h in kept]:
        slots[host_id] = min(kept[host_id], per_host_cap)
    total = sum(slots.values())
    if total > amount:
        for host_id in reversed([h for h in order if h in slots]):
            give_back = min(slots[host_id], total - amount)
            slots[host_id] -= give_back
            total -= give_back
            if not slots[host_id]:
                del slots[host_id]
            if total == amount:
                break
        return model.Decision(slots)

    if policy == 'pack':
        # Top up the hosts the reservation already holds first.
        order = [h for h in order if h in slots] + [
            h for h in order if h not in slots]
    remaining = _deal(order, free, slots, amount - total,
                      policies.deals_one_at_a_time(policy), per_host_cap)
    if remaining:
        available = sum(min(f, per_host_cap) for f in free.values())
        spread_rule = (' on distinct hosts (affinity false)'
                       if request.affinity is False else '')
        raise exception.NotEnoughResources(
            '%d reservable hosts match the properties '
            'and can give %d slots of %s%s %s; %d requested.'
            % (len(usable), available, _describe(request), spread_rule,
               when, amount))
    return model.Decision(slots)


def _choose_affine(request, kept, free, order, keep_all, when, usable):
    amount = request.amount
    for host_id in kept:
        if free.get(host_id, 0) >= amount:
            return model.Decision({host_id: amount})
    if keep_all and kept:
        raise exception.NotEnoughResources(
            'The reservation has started and its slots cannot move, but '
            'its host has room for only %d of %d slots %s.'
            % (max(free.get(h, 0) for h in kept), amount, when))
    for host_id in order:
        if free[host_id] >= amount:
            return model.Decision({host_id: amount})
    best = max(free.values(), default=0)
    raise exception.NotEnoughResources(
        'one host must hold every slot (affinity true): %d reservable '
        'hosts match the properties and the most any of them can give is '
        '%d slots of %s %s; %d requested.'
        % (usable, best, _describe(request), when, amount))
