"""Text rendering of the free calendar for ``blazar-nova-manage``."""

from placement_ext import reservations
from placement_ext import timeconv

_when = timeconv.epoch_text


def render(hosts, timeline, allocations, lo, hi, max_hosts):
    """Lines showing free whole hosts over time and each host's bookings.

    ``timeline`` is the store's availability timeline for one whole host;
    ``allocations`` maps host id to the allocations meeting the window.
    """
    reservable = sum(1 for h in hosts if h['reservable'])
    lines = ['Free whole hosts from %s to %s UTC (%d enrolled, %d '
             'reservable):' % (_when(lo), _when(hi), len(hosts), reservable)]
    for point in timeline:
        lines.append('  %s  %d free' % (_when(point['time']),
                                        point['free']))
    lines.append('')
    lines.append('%-24s %s' % ('Host', 'Booked (UTC)'))
    for host in hosts[:max_hosts]:
        booked = allocations.get(int(host['id']), [])
        flag = '' if host['reservable'] else ' (not reservable)'
        if not booked:
            lines.append('%-24s free%s' % (host['hypervisor_hostname'],
                                           flag))
            continue
        for n, item in enumerate(booked):
            name = host['hypervisor_hostname'] + flag if n == 0 else ''
            what = reservations.kind(item['resource_type']).describe_slots(
                item['slots'])
            lines.append('%-24s %s -> %s  lease %s (%s), %s' % (
                name, _when(item['start']), _when(item['end']),
                item['lease_name'], item['lease_id'], what))
    if len(hosts) > max_hosts:
        lines.append('... and %d more hosts' % (len(hosts) - max_hosts))
    return lines
