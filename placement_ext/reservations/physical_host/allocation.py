"""Decisions for ``physical:host`` reservations: whole hosts for a window.

Rule: a host can be given when it is reservable, matches the property
filter and nothing is booked on it anywhere in ``[start, end + margin)``
(existing bookings counted with their own margin). As many hosts as are free
are taken, up to ``max``; fewer than ``min`` is a refusal that says how many
matched and how many were free.

On update (``keep`` given) every kept host that is still free stays; with
``keep_all`` (a lease that has started) losing any of them is a refusal.
"""

from placement_ext.allocator import matching
from placement_ext.allocator import model
from placement_ext.allocator import policies
from placement_ext.allocator import timefmt
from placement_ext.allocator import timeline
from placement_ext import exception


def _free_candidates(hosts, bookings_by_host, start, end, margin, gaps):
    """``(host, before, after)`` for each host free for the whole window."""
    candidates = []
    window_end = end + margin
    for host in hosts:
        bookings = bookings_by_host.get(host.id, ())
        if any(b.start < window_end and b.end + margin > start
               for b in bookings):
            continue
        intervals = (None if gaps is not None
                     else timeline.busy_intervals(bookings, margin))
        before, after = matching.gap_of(host, intervals, start, end,
                                        margin, gaps)
        candidates.append((host, before, after))
    return candidates


def choose_hosts(request, start, end, hosts, bookings_by_host, *, policy,
                 margin=0, host_filter=None, keep=(), keep_all=False,
                 rng=None, gaps=None):
    """Return a ``Decision`` giving ``request`` whole hosts, or refuse.

    ``bookings_by_host`` must not contain the bookings of the reservation
    being updated. ``gaps`` (``{host_id: (before, after)}``) spares loading
    bookings outside the window just to rank hosts.
    """
    usable = matching.matching_hosts(hosts, host_filter)
    candidates = _free_candidates(usable, bookings_by_host, start, end,
                                  margin, gaps)
    free_ids = {c[0].id for c in candidates}
    when = timefmt.window(start, end, margin)

    kept = [host_id for host_id in keep if host_id in free_ids]
    if keep_all and len(kept) < len(keep):
        lost = sorted(matching.names_of(hosts, set(keep) - set(kept)))
        raise exception.NotEnoughResources(
            'The reservation has started and cannot change hosts, but '
            '%s would no longer be free or matching %s.'
            % (', '.join(lost), when))
    if len(kept) > request.max_count:
        if keep_all:
            raise exception.NotEnoughResources(
                'The reservation has started and holds %d hosts; it cannot '
                'give hosts back (max %d).' % (len(kept), request.max_count))
        ordered = policies.order_hosts(
            [c for c in candidates if c[0].id in kept], policy, rng)
        kept = [h.id for h in ordered[:request.max_count]]

    chosen = list(kept)
    if len(chosen) < request.max_count:
        others = [c for c in candidates if c[0].id not in set(kept)]
        for host in policies.order_hosts(others, policy, rng):
            if len(chosen) == request.max_count:
                break
            chosen.append(host.id)

    if len(chosen) < request.min_count:
        raise exception.NotEnoughResources(
            '%d reservable hosts match the properties and '
            '%d of them are free %s; the reservation needs at least %d.'
            % (len(usable), len(candidates), when, request.min_count))
    return model.Decision({host_id: 1 for host_id in chosen})
