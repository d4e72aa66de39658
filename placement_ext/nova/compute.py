"""The Nova compute API client, at one pinned microversion.

Requests carry ``OpenStack-API-Version: compute 2.61`` (``MICROVERSION``):
private flavors with access lists and extra specs are all the reservation
service asks of Nova here. Connection failures and 5xx answers raise
``ComputeUnavailable``; refusals raise ``ComputeRefused``.
"""

from urllib import parse

from placement_ext.conf import nova as nova_conf
from placement_ext import exception
from placement_ext import rest_client

MICROVERSION = '2.61'
GROUP = nova_conf.GROUP


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


def next_marker(links):
    """The marker of a listing's ``next`` link, or None on the last page."""
    for link in links or ():
        if link.get('rel') == 'next':
            query = parse.parse_qs(parse.urlsplit(link['href']).query)
            return (query.get('marker') or [None])[0]
    return None


def paginated(compute, path, params, key):
    """``(url, item)`` for every item of a listing, page after page: the
    marker is taken from the ``<key>_links`` next link and sent with our
    own path, never by following the link's address."""
    marker = None
    while True:
        query = dict(params, **({'marker': marker} if marker else {}))
        url = '%s?%s' % (path, parse.urlencode(sorted(query.items())))
        body = compute.get(url).body
        for item in body.get(key) or ():
            yield url, item
        marker = next_marker(body.get(key + '_links'))
        if marker is None:
            return
