"""What a ``virtual:instance`` reservation's lease events do in Nova.

Start: its private flavor (``reservation:<id>``, its slot size, access for
the lease's project) exists. End: the end action applies to the instances
of that flavor; once Placement forgot the reservation, the flavor goes.
"""

from oslo_log import log as logging

from placement_ext import exception
from placement_ext.nova import flavors
from placement_ext.nova import instances
from placement_ext import reservations

LOG = logging.getLogger(__name__)


def flavor(reservation):
    """The private flavor's size."""
    return (reservation.vcpus, reservation.memory_mb,
            reservation.disk_gb, reservation.extra_resources)


def on_start(steps, lease, reservation):
    """Make the reservation's private flavor (its type says its size:
    ``flavor:instance`` shares this step)."""
    size = reservations.kind(reservation.resource_type).flavor(reservation)
    for line in flavors.ensure_flavor(steps.compute, reservation.id,
                                      lease.project_id, *size):
        LOG.info('Lease %s: %s', lease.id, line)


def servers_at_end(steps, lease, reservation):
    """The instances of the reservation's flavor."""
    try:
        return instances.servers_of_flavor(steps.compute, reservation.id)
    except exception.NotFound:
        # The flavor goes only after its instances: a repeated end.
        return []


def on_end(steps, lease, reservation):
    """Delete the private flavor."""
    for line in flavors.delete_flavor(steps.compute, reservation.id):
        LOG.info('Lease %s: %s', lease.id, line)


def holds(server, reservation_id, project_id):
    """Instances of the reservation's flavor are its own."""
    return server.flavor_name == flavors.flavor_name(reservation_id)
