"""What a ``virtual:instance`` reservation's lease events do in Nova.

Start: its private flavor (``reservation:<id>``, its slot size, access for
the lease's project) exists, and, when ``affinity`` is true or false, its
server group (``reservation:<id>``, policy affinity or anti-affinity),
whose id the store records as the reservation's ``server_group_id``. End:
the end action applies to the instances of that flavor; once Placement
forgot the reservation, the flavor and the server group go.
"""

import functools

from oslo_log import log as logging

from placement_ext import exception
from placement_ext.nova import compute as compute_api
from placement_ext.nova import flavors
from placement_ext.nova import instances
from placement_ext.nova import server_groups
from placement_ext import reservations

LOG = logging.getLogger(__name__)


def flavor(reservation):
    """The private flavor's size."""
    return (reservation.vcpus, reservation.memory_mb,
            reservation.disk_gb, reservation.extra_resources)


def on_start(steps, lease, reservation):
    """Make the reservation's private flavor (its type says its size:
    ``flavor:instance`` shares this step) and server group; record the
    group's id (a repeated start finds the same group by its name)."""
    size = reservations.kind(reservation.resource_type).flavor(reservation)
    for line in flavors.ensure_flavor(steps.compute, reservation.id,
                                      lease.project_id, *size):
        LOG.info('Lease %s: %s', lease.id, line)
    group_id, changes = _ensure_group(steps, lease, reservation)
    for line in changes:
        LOG.info('Lease %s: %s', lease.id, line)
    if group_id is not None and group_id != reservation.server_group_id:
        steps.record_server_group(reservation.id, group_id)


def _ensure_group(steps, lease, reservation):
    """The reservation's server group, made in the lease's project so that
    its users may boot into it (Nova finds a group in the caller's project
    only); where the agent cannot act there (Keystone gives its user no
    token in that project, Nova refuses: a quota, say), in the agent's own
    project, with a warning: then only administrators can use the hint."""
    if server_groups.policy_of(reservation.affinity) is None:
        return None, []
    ensure = functools.partial(
        server_groups.ensure_server_group, steps.compute, reservation.id,
        reservation.affinity, known_id=reservation.server_group_id)
    owner = steps.compute.in_project(lease.project_id)
    if owner is None:
        return ensure()
    try:
        return ensure(creator=owner)
    except compute_api.ComputeRefused as exc:
        LOG.warning('Lease %s: cannot make the server group of reservation '
                    '%s in project %s (%s); making it in the agent\'s '
                    'project, where the project\'s users cannot use it',
                    lease.id, reservation.id, lease.project_id, exc)
        return ensure()


def servers_at_end(steps, lease, reservation):
    """The instances of the reservation's flavor."""
    try:
        return instances.servers_of_flavor(steps.compute, reservation.id)
    except exception.NotFound:
        # The flavor goes only after its instances: a repeated end.
        return []


def on_end(steps, lease, reservation):
    """Delete the private flavor and the server group (the recorded one,
    and any under its name: one made by a start that crashed before
    recording it). A reservation that never had an affinity never had a
    group: Nova's groups are not listed for it."""
    for line in flavors.delete_flavor(steps.compute, reservation.id):
        LOG.info('Lease %s: %s', lease.id, line)
    if reservation.affinity is None and not reservation.server_group_id:
        return
    for line in server_groups.delete_server_group(
            steps.compute, reservation.id, reservation.server_group_id):
        LOG.info('Lease %s: %s', lease.id, line)


def holds(server, reservation_id, project_id):
    """Instances of the reservation's flavor are its own."""
    return server.flavor_name == flavors.flavor_name(reservation_id)
