"""A small JSON client of the Placement API at one pinned microversion.

Every request is sent with ``OpenStack-API-Version: placement 1.29``
(``MICROVERSION``); doc/placement.md lists what the encoding needs from it.
Connection failures and 5xx answers raise ``PlacementUnavailable``;
other unexpected answers raise ``PlacementRefused``.
"""

from keystoneauth1 import exceptions as ks_exc
from keystoneauth1 import loading as ks_loading
from oslo_log import log as logging

from placement_ext import exception

LOG = logging.getLogger(__name__)

MICROVERSION = '1.29'
GROUP = 'placement'


class Response:
    """Status and decoded body of one answer."""

    __slots__ = ('status', 'body')

    def __init__(self, status, body):
        self.status = status
        self.body = body


class PlacementClient:
    """JSON requests against Placement through a keystoneauth1 Adapter."""

    def __init__(self, adapter):
        self._adapter = adapter

    @classmethod
    def from_conf(cls, conf):
        """Build the client from the ``[placement]`` keystoneauth options."""
        auth = ks_loading.load_auth_from_conf_options(conf, GROUP)
        session = ks_loading.load_session_from_conf_options(conf, GROUP,
                                                            auth=auth)
        adapter = ks_loading.load_adapter_from_conf_options(
            conf, GROUP, session=session, auth=auth)
        return cls(adapter)

    def request(self, method, url, body=None, expect=(200,)):
        """Send one request; return a ``Response`` whose status is in
        ``expect`` or raise."""
        kwargs = {'microversion': MICROVERSION, 'raise_exc': False,
                  'headers': {'Accept': 'application/json'}}
        if body is not None:
            kwargs['json'] = body
        try:
            resp = self._adapter.request(url, method, **kwargs)
        except ks_exc.ConnectionError as exc:
            raise exception.PlacementUnavailable(
                'Placement is unreachable (%s %s): %s' % (method, url, exc))
        try:
            decoded = resp.json() if resp.content else None
        except ValueError:
            decoded = None
        if resp.status_code in expect:
            return Response(resp.status_code, decoded)
        if resp.status_code >= 500:
            raise exception.PlacementUnavailable(
                'Placement failed %s %s: HTTP %s' % (method, url,
                                                     resp.status_code))
        raise exception.PlacementRefused(
            method, url, resp.status_code,
            error_detail(Response(resp.status_code, decoded)))

    def get(self, url, expect=(200,)):
        return self.request('GET', url, expect=expect)

    def put(self, url, body=None, expect=(200,)):
        return self.request('PUT', url, body, expect=expect)

    def post(self, url, body, expect=(200,)):
        return self.request('POST', url, body, expect=expect)

    def delete(self, url, expect=(204,)):
        return self.request('DELETE', url, expect=expect)


def error_detail(response):
    """The first error's code and detail from a Placement error body."""
    errors = (response.body or {}).get('errors') or [{}]
    first = errors[0]
    return '%s %s' % (first.get('code', ''), first.get('detail', ''))


def is_unknown_trait(response):
    """True for the 400 Placement sends when a query names a trait that
    was never created (no provider can carry it)."""
    return response.status == 400 and 'No such trait' in error_detail(
        response)


def is_generation_conflict(response):
    """True for the 409 Placement sends when a provider's generation moved
    under the writer (its code is ``placement.concurrent_update``)."""
    if response.status != 409:
        return False
    errors = (response.body or {}).get('errors') or [{}]
    return errors[0].get('code') == 'placement.concurrent_update'


def register_opts(conf):
    """Register the keystoneauth1 options of ``[placement]``."""
    ks_loading.register_session_conf_options(conf, GROUP)
    ks_loading.register_auth_conf_options(conf, GROUP)
    ks_loading.register_adapter_conf_options(conf, GROUP)
    conf.set_default('service_type', 'placement', group=GROUP)
    conf.set_default('valid_interfaces', ['internal', 'public'], group=GROUP)


def list_opts():
    """The ``[placement]`` options for oslo-config-generator."""
    opts = (ks_loading.get_session_conf_options()
            + ks_loading.get_auth_common_conf_options()
            + ks_loading.get_auth_plugin_conf_options('password')
            + ks_loading.get_adapter_conf_options())
    return {GROUP: opts}
