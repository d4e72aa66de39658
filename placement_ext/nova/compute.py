"""The Nova compute API client, at one pinned microversion.

Requests carry ``OpenStack-API-Version: compute 2.61`` (``MICROVERSION``):
private flavors with access lists and extra specs are all the reservation
service asks of Nova here. Connection failures and 5xx answers raise
``ComputeUnavailable``; refusals raise ``ComputeRefused``.
"""

from urllib import parse

from keystoneauth1 import exceptions as ks_exc
from keystoneauth1 import loading as ks_loading

from placement_ext.conf import nova as nova_conf
from placement_ext import exception
from placement_ext import rest_client

MICROVERSION = '2.61'
GROUP = nova_conf.GROUP


class ComputeUnavailable(exception.ServiceUnavailable):
    """Nova is unreachable or failing; retry later."""


class ComputeRefused(exception.ServiceRefused):
    """Nova refused a request."""


class ScopeRefused(ComputeRefused):
    """Keystone gave the ``[nova]`` user no token in a project (it has no
    role there)."""

    def __init__(self, project_id, detail):
        exception.ReservationError.__init__(
            self, 'Keystone gave the [nova] user no token in project %s: %s'
            % (project_id, detail))
        self.status = 401


# What a keystoneauth1 plugin's options may say of its scope: all replaced
# when the service user acts in another project.
_SCOPE_OPTIONS = ('project_name', 'project_domain_id', 'project_domain_name',
                  'domain_id', 'domain_name', 'system_scope', 'trust_id')


class ComputeClient(rest_client.RestClient):
    """JSON requests against Nova."""

    service_name = 'Nova'
    microversion = MICROVERSION
    group = GROUP
    unavailable_error = ComputeUnavailable
    refused_error = ComputeRefused
    # ``project_id -> Adapter or None``: the same user acting in another
    # project (``in_project``); None when the client cannot.
    project_adapter = None

    @classmethod
    def from_conf(cls, conf):
        client = super().from_conf(conf)
        client.project_adapter = _ProjectAdapters(conf, cls.group)
        return client

    def in_project(self, project_id):
        """This client's user acting in ``project_id`` (what it makes there
        belongs to that project: Nova shows a server group to its own
        project only), or None when its credentials cannot be scoped (no
        project option, no auth). Keystone refusing the scope raises
        ``ScopeRefused`` on the first request."""
        if self.project_adapter is None:
            return None
        adapter = self.project_adapter(project_id)
        if adapter is None:
            return None
        client = _ScopedClient(adapter, self.global_request_id)
        client.project_id = project_id
        return client


class _ScopedClient(ComputeClient):
    """A project-scoped client: Keystone's refusal of the scope is a
    ``ScopeRefused``."""

    project_id = None

    def request(self, *args, **kwargs):
        try:
            return super().request(*args, **kwargs)
        except (ks_exc.Unauthorized, ks_exc.Forbidden,
                ks_exc.AuthorizationFailure) as exc:
            raise ScopeRefused(self.project_id, exc)


class _ProjectAdapters:
    """Adapters of the ``[nova]`` user scoped to one project each, from
    the same keystoneauth1 options with the scope replaced; kept per
    project (each keeps its token), the oldest dropped past ``keep``."""

    def __init__(self, conf, group, keep=64):
        self._conf = conf
        self._group = group
        self._keep = keep
        self._adapters = {}

    def __call__(self, project_id):
        if project_id in self._adapters:
            return self._adapters[project_id]
        auth = self._auth(project_id)
        if auth is None:
            return None
        session = ks_loading.load_session_from_conf_options(
            self._conf, self._group, auth=auth)
        adapter = ks_loading.load_adapter_from_conf_options(
            self._conf, self._group, session=session, auth=auth)
        if len(self._adapters) >= self._keep:
            self._adapters.pop(next(iter(self._adapters)))
        self._adapters[project_id] = adapter
        return adapter

    def _auth(self, project_id):
        section = self._conf[self._group]
        group = section.auth_section or self._group
        name = self._conf[group].auth_type
        if not name:
            return None
        dests = {o.dest for o in
                 ks_loading.get_plugin_loader(name).get_options()}
        if 'project_id' not in dests:
            return None
        overrides = {'project_id': project_id}
        overrides.update((key, None) for key in _SCOPE_OPTIONS
                         if key in dests)
        return ks_loading.load_auth_from_conf_options(
            self._conf, self._group, **overrides)


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
