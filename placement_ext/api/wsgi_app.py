"""The WSGI application: routing, Blazar's version header, limits, errors.

``deploy.deploy`` puts the ``Dispatcher`` and the ``Guard`` in the
pipeline any WSGI server can run; ``blazar-nova-api`` serves it,
``placement_ext.api.wsgi`` exposes it to uwsgi or mod_wsgi, and
``wrap_placement`` mounts it in front of a
Placement application (requests under ``/v1`` and ``/`` of the reservation
API go to it, the rest to Placement).

Every answer carries ``OpenStack-API-Version: reservation 1.0``; a request
for another version gets a 406, a malformed version header a 400. Every
refusal has Blazar's error body (``errors``).
"""

import microversion_parse
from oslo_log import log as logging
import routes
import webob
import webob.dec

from placement_ext.api import auth
from placement_ext.api import errors
from placement_ext.api.handlers import availability
from placement_ext.api.handlers import compute_only
from placement_ext.api.handlers import hosts
from placement_ext.api.handlers import leases
from placement_ext.api.handlers import root
from placement_ext import limits
from placement_ext.placement import client as placement_client
from placement_ext import rest_client

LOG = logging.getLogger(__name__)

SERVICE_TYPE = 'reservation'
VERSION = '1.0'
VERSION_HEADER = 'OpenStack-API-Version'

_FLOATINGIPS = {method: compute_only.floatingips
                for method in ('GET', 'POST', 'PUT', 'PATCH', 'DELETE')}

# Path -> {method: handler}. Literal paths come before the patterns that
# would also match them (``/v1/os-hosts/allocations``).
ROUTES = (
    ('/v1/leases', {'GET': leases.list_leases, 'POST': leases.create}),
    ('/v1/leases/{lease_id}', {'GET': leases.show, 'PUT': leases.update,
                               'DELETE': leases.delete}),
    ('/v1/os-hosts', {'GET': hosts.list_hosts, 'POST': hosts.create}),
    ('/v1/os-hosts/allocations', {'GET': hosts.list_allocations}),
    ('/v1/os-hosts/properties', {'GET': hosts.list_properties}),
    ('/v1/os-hosts/properties/{name}', {'PATCH': hosts.update_property}),
    ('/v1/os-hosts/{host_id}/allocation', {'GET': hosts.show_allocation}),
    ('/v1/os-hosts/{host_id}', {'GET': hosts.show, 'PUT': hosts.update,
                                'DELETE': hosts.delete}),
    ('/v1/availability', {'POST': availability.query}),
    # Blazar's floating IP reservations: refused, saying why.
    ('/v1/floatingips', _FLOATINGIPS),
    ('/v1/floatingips/{fip_id}', _FLOATINGIPS),
    ('/v1', {'GET': root.version}),
)


class Dispatcher:
    """Find the handler of an authenticated request and run it."""

    def __init__(self, services):
        self.services = services
        self.mapper = routes.Mapper()
        # Routes keeps defaults as strings: each path names its route.
        # Blazar also answers ``/v1/leases.json``: those come first, or an
        # id would swallow the suffix.
        for index, (path, _methods) in enumerate(ROUTES):
            self.mapper.connect(path + '.json', route=str(index))
        for index, (path, _methods) in enumerate(ROUTES):
            self.mapper.connect(path, route=str(index))

    @webob.dec.wsgify
    def __call__(self, req):
        match = self.mapper.match(environ=req.environ)
        if match is None:
            raise errors.HTTPError(404, 'The resource %s was not found.'
                                   % req.path_info)
        methods = ROUTES[int(match.pop('route'))][1]
        if 'GET' in methods:
            methods = dict(methods, HEAD=methods['GET'])
        handler = methods.get(req.method)
        if handler is None:
            raise errors.HTTPError(
                405, 'Method %s is not allowed on %s; allowed: %s.'
                % (req.method, req.path_info, ', '.join(sorted(methods))),
                {'Allow': ', '.join(sorted(methods))})
        req.environ['blazar_nova.context'] = auth.context_of(
            req, self.services.conf)
        req.environ['blazar_nova.services'] = self.services
        return handler(req, **{name: _decoded(value)
                               for name, value in match.items()})


def _decoded(value):
    """A path segment as text: WSGI gives it as latin-1 of its bytes."""
    try:
        text = value.encode('latin-1').decode('utf-8')
    except UnicodeError:
        raise errors.HTTPError(400, 'The request path is not valid UTF-8.')
    problem = limits.text_problem(text)
    if problem:
        raise errors.HTTPError(400, 'The request path %s.' % problem)
    return text


class Guard:
    """The outermost layer: version negotiation, the body size limit, and
    Blazar's error body for everything that goes wrong below."""

    def __init__(self, application, public, max_body):
        self.application = application
        self.public = public
        self.max_body = max_body

    def __call__(self, environ, start_response):
        req = webob.Request(environ)
        try:
            resp = self._serve(req)
        except Exception as exc:  # every error gets Blazar's body
            resp = errors.render(exc)
        resp.headers[VERSION_HEADER] = '%s %s' % (SERVICE_TYPE, VERSION)
        resp.headers['Vary'] = VERSION_HEADER
        return resp(environ, start_response)

    def _serve(self, req):
        self._check_version(req)
        if req.content_length is not None and \
                req.content_length > self.max_body:
            raise errors.HTTPError(
                413, 'The request body is %d bytes; at most %d are '
                     'accepted.' % (req.content_length, self.max_body))
        if req.path_info in ('', '/'):
            return req.get_response(self.public)
        return req.get_response(self.application)

    @staticmethod
    def _check_version(req):
        wanted = microversion_parse.get_version(req.headers,
                                                service_type=SERVICE_TYPE)
        if wanted is None or wanted == 'latest':
            return
        try:
            major, minor = (int(part) for part in wanted.split('.'))
        except ValueError:
            raise errors.HTTPError(
                400, 'API version %r is not of the form MAJOR.MINOR.'
                % wanted) from None
        if (major, minor) != (1, 0):
            raise errors.HTTPError(
                406, 'API version %s is not supported: minimum and '
                     'maximum are %s.' % (wanted, VERSION))


class Services:
    """What handlers use: the configuration, the store, and the Placement
    and Nova clients, each made on first use (host enrolment needs
    Placement; ``flavor:instance`` reservations read Nova and Placement).
    """

    def __init__(self, conf, store, placement=None, placement_factory=None,
                 compute=None, compute_factory=None):
        self.conf = conf
        self.store = store
        self._placement = placement
        self._placement_factory = placement_factory
        self._compute = compute
        self._compute_factory = compute_factory

    @property
    def compute(self):
        """Nova's client, or None when no Nova is configured."""
        if self._compute is None and self._compute_factory is not None:
            self._compute = self._compute_factory()
        return self._compute

    @property
    def clients(self):
        """What the store hands the reservation types before a decision
        (``Store.create_lease``): ``compute`` and ``placement``, made
        only when a type asks for them, each None when not configured."""
        return _Clients(self)

    @property
    def placement(self):
        if self._placement is None:
            if self._placement_factory is None:
                raise errors.HTTPError(
                    503, 'No Placement is configured ([placement]); hosts '
                         'cannot be enrolled.')
            self._placement = self._placement_factory()
        return self._placement


class _Clients:
    """``compute`` and ``placement`` of ``Services``, None when missing."""

    def __init__(self, services):
        self._services = services

    @property
    def compute(self):
        return self._services.compute

    @property
    def placement(self):
        services = self._services
        if services._placement is None and (
                services._placement_factory is None
                or not rest_client.configured(services.conf,
                                              placement_client.GROUP)):
            return None
        return services.placement


def wrap_placement(reservation_app, placement_app):
    """One application answering the reservation API under ``/v1/leases``,
    ``/v1/os-hosts`` and ``/v1/availability``, and Placement elsewhere."""
    prefixes = ('/v1/leases', '/v1/os-hosts', '/v1/availability',
                '/v1/floatingips')

    def application(environ, start_response):
        path = environ.get('PATH_INFO', '')
        if path.startswith(prefixes):
            return reservation_app(environ, start_response)
        return placement_app(environ, start_response)

    return application
