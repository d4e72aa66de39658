"""Which hosts a request may use at all, shared by every reservation type's
allocation: reservable ones its property filter accepts."""

from placement_ext.allocator import timeline


def matching_hosts(hosts, host_filter):
    """Reservable hosts the filter accepts."""
    return [h for h in hosts
            if h.reservable and (host_filter is None
                                 or host_filter.matches(h.properties))]


def gap_of(host, intervals, start, end, margin, gaps):
    """``(before, after)`` free time around the window on ``host``: from
    ``gaps`` when the caller computed it, else from the host's bookings."""
    if gaps is not None:
        return gaps.get(host.id, (timeline.INF, timeline.INF))
    return timeline.gap_around(intervals, start, end + margin)


def names_of(hosts, ids):
    """Hostnames of the hosts among ``hosts`` whose id is in ``ids``."""
    return [h.hypervisor_hostname for h in hosts if h.id in ids]
