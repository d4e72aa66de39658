"""A small JSON client of Nova's compute API at one pinned microversion.

Requests carry ``OpenStack-API-Version: compute 2.61`` (``MICROVERSION``):
private flavors with access lists and extra specs are all the reservation
service asks of Nova here. Connection failures and 5xx answers raise
``ComputeUnavailable``; refusals raise ``ComputeRefused``.
"""

from keystoneauth1 import exceptions as ks_exc
from keystoneauth1 import loading as ks_loading
from oslo_log import log as logging

from placement_ext import exception

LOG = logging.getLogger(__name__)

MICROVERSION = '2.61'
GROUP = 'nova'


class ComputeUnavailable(exception.ReservationError):
    """Nova could not be reached or failed (HTTP 503); retry later."""

    code = 503


class ComputeRefused(exception.ReservationError):
    """Nova refused a request (HTTP 502)."""

    code = 502


class ComputeClient:
    """JSON requests against Nova through a keystoneauth1 Adapter."""

    def __init__(self, adapter):
        self._adapter = adapter

    @classmethod
    def from_conf(cls, conf):
        """Build the client from the ``[nova]`` keystoneauth options."""
        auth = ks_loading.load_auth_from_conf_options(conf, GROUP)
        session = ks_loading.load_session_from_conf_options(conf, GROUP,
                                                            auth=auth)
        return cls(ks_loading.load_adapter_from_conf_options(
            conf, GROUP, session=session, auth=auth))

    def request(self, method, url, body=None, expect=(200,)):
        """Send one request; return ``(status, body)`` when the status is
        in ``expect``, raise otherwise."""
        kwargs = {'microversion': MICROVERSION, 'raise_exc': False}
        if body is not None:
            kwargs['json'] = body
        try:
            resp = self._adapter.request(url, method, **kwargs)
        except ks_exc.ConnectionError as exc:
            raise ComputeUnavailable('Nova is unreachable (%s %s): %s'
                                     % (method, url, exc))
        try:
            decoded = resp.json() if resp.content else None
        except ValueError:
            decoded = None
        if resp.status_code in expect:
            return resp.status_code, decoded
        if resp.status_code >= 500:
            raise ComputeUnavailable('Nova failed %s %s: HTTP %s'
                                     % (method, url, resp.status_code))
        raise ComputeRefused('Nova refused %s %s: HTTP %s %s'
                             % (method, url, resp.status_code,
                                resp.text[:300]))


def register_opts(conf):
    """Register the keystoneauth1 options of ``[nova]``."""
    ks_loading.register_session_conf_options(conf, GROUP)
    ks_loading.register_auth_conf_options(conf, GROUP)
    ks_loading.register_adapter_conf_options(conf, GROUP)
    conf.set_default('service_type', 'compute', group=GROUP)


def list_opts():
    """The ``[nova]`` options for oslo-config-generator."""
    return {GROUP: (ks_loading.get_session_conf_options()
                    + ks_loading.get_auth_common_conf_options()
                    + ks_loading.get_auth_plugin_conf_options('password')
                    + ks_loading.get_adapter_conf_options())}
