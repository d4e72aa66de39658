"""What Blazar reserves and this service does not: floating IPs.

Blazar 18 also reserves Neutron floating IPs (``virtual:floatingip``
reservations, ``/v1/floatingips``); this service reserves compute only.
A client that asks for them gets a 4xx that says so, not a bare "not
found" or a schema message about unknown fields.
"""

from placement_ext.api import errors
from placement_ext import reservations


def check_types(body):
    """Refuse (400) a lease body (``reservations``) or an availability
    query (``reservation``) naming a resource type no registered type has,
    in Blazar's words plus which types this service has."""
    if not isinstance(body, dict):
        return
    listed = body.get('reservations')
    listed = listed if isinstance(listed, list) else []
    for each in listed + [body.get('reservation')]:
        name = each.get('resource_type') if isinstance(each, dict) else None
        if isinstance(name, str) and name not in reservations.names():
            raise errors.HTTPError(400, reservations.unsupported(name))


def floatingips(req, **_ids):
    """Any request under ``/v1/floatingips``: 404, saying why."""
    raise errors.HTTPError(
        404, 'Floating IP reservations are not available here: this '
             'service reserves compute only (%s).'
             % ', '.join(reservations.names()))
