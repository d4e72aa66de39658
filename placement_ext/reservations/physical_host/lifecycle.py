"""What a ``physical:host`` reservation's lease events do in Nova.

Start: other projects' instances on its hosts are handled by ``[agent]
preemptible_action`` and ``leftover_action``. Before end: with
``before_end: snapshot``, the holder's instances on its hosts are
snapshotted. End: the end action applies to the holder's instances on its
hosts.
"""

from placement_ext.nova import instances


def on_start(steps, lease, reservation):
    """Clear the hosts of other projects' instances."""
    names = reservation.hostnames
    if not names:
        return
    for server in instances.servers_on_hosts(steps.compute, names):
        if server.project_id == lease.project_id:
            continue
        if server.preemptible:
            steps.act(lease, server, steps.conf.agent.preemptible_action,
                      'preemptible')
        else:
            steps.act(lease, server, steps.conf.agent.leftover_action,
                      'leftover')


def before_end(steps, lease, reservation):
    """Snapshot the holder's instances when the reservation asked for it."""
    if reservation.before_end != 'snapshot':
        return
    for server in instances.servers_on_hosts(steps.compute,
                                             reservation.hostnames):
        if server.project_id == lease.project_id:
            steps.snapshot(lease, server)


def servers_at_end(steps, lease, reservation):
    """The holder's instances on the reservation's hosts."""
    return [s for s in instances.servers_on_hosts(steps.compute,
                                                  reservation.hostnames)
            if s.project_id == lease.project_id]


def holds(server, reservation_id, project_id):
    """Any instance of the holder's project on the hosts is its own."""
    return server.project_id == project_id
