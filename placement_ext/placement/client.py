"""The Placement API client, at one pinned microversion.

Every request is sent with ``OpenStack-API-Version: placement 1.29``
(``MICROVERSION``); doc/placement.md lists what the encoding needs from it.
Connection failures and 5xx answers raise ``PlacementUnavailable``;
other unexpected answers raise ``PlacementRefused``.
"""

from blazar_nova import names
from placement_ext.conf import placement as placement_conf
from placement_ext import exception
from placement_ext import rest_client

MICROVERSION = names.PLACEMENT_MICROVERSION
GROUP = placement_conf.GROUP

error_detail = rest_client.error_detail


class PlacementClient(rest_client.RestClient):
    """JSON requests against Placement."""

    service_name = 'Placement'
    microversion = MICROVERSION
    group = GROUP
    unavailable_error = exception.PlacementUnavailable
    refused_error = exception.PlacementRefused


def _first_error(response):
    errors = (response.body or {}).get('errors') or [{}]
    return errors[0]


def is_unknown_trait(response):
    """True for the 400 Placement sends when a query names a trait that
    was never created (no provider can carry it)."""
    return response.status == 400 and 'No such trait' in error_detail(
        response)


def is_generation_conflict(response):
    """True for the 409 Placement sends when a provider's generation moved
    under the writer (its code is ``placement.concurrent_update``)."""
    return (response.status == 409
            and _first_error(response).get('code')
            == 'placement.concurrent_update')
