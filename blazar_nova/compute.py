"""The Nova compute API client, at one pinned microversion.

Requests carry ``OpenStack-API-Version: compute 2.61`` (``MICROVERSION``):
private flavors with access lists and extra specs are all the reservation
service asks of Nova here. Connection failures and 5xx answers raise
``ComputeUnavailable``; refusals raise ``ComputeRefused``.
"""

from placement_ext import exception
from placement_ext import rest_client

MICROVERSION = '2.61'
GROUP = 'nova'


class ComputeUnavailable(exception.ServiceUnavailable):
    """Nova is unreachable or failing; retry later."""


class ComputeRefused(exception.ServiceRefused):
    """Nova refused a request."""


class ComputeClient(rest_client.RestClient):
    """JSON requests against Nova."""

    service_name = 'Nova'
    microversion = MICROVERSION
    group = GROUP
    unavailable_error = ComputeUnavailable
    refused_error = ComputeRefused


def register_opts(conf):
    """Register the keystoneauth1 options of ``[nova]``."""
    rest_client.register_opts(conf, GROUP, 'compute')


def list_opts():
    """The ``[nova]`` options for oslo-config-generator."""
    return rest_client.list_opts(GROUP)
