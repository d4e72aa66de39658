"""The WSGI pipeline of the reservation API, assembled here and nowhere
else. From the outside in:

1. ``request_id`` (oslo.middleware): every answer, errors and 401s
   included, carries ``x-openstack-request-id``; a valid incoming
   ``X-OpenStack-Request-ID: req-<uuid>`` becomes the request context's
   global request id (passed on to Placement).
2. ``requestlog``: one INFO line per request (method, path, status,
   length, time, request id).
3. ``HTTPProxyToWSGI`` (oslo.middleware): the scheme, host and path
   prefix a TLS-terminating proxy forwards; in the pipeline only when
   ``[oslo_middleware] enable_proxy_headers_parsing`` is set.
4. ``CORS`` (oslo.middleware, options in ``[cors]``): only when
   ``[cors] allowed_origin`` is set, and only for requests that carry an
   ``Origin`` (oslo.middleware answers every other ``OPTIONS`` with an
   empty 200, which would hide the API's 405 and 401).
5. ``/healthcheck`` (oslo.middleware's healthcheck, options in
   ``[healthcheck]``): answered without a token.
6. ``Guard``: the version header, the body size limit and Blazar's error
   body for everything below.
7. Authentication: keystonemiddleware, or ``noauth`` (``auth``).
8. The ``Dispatcher``: routes, policy, handlers.
"""

from oslo_middleware import cors
from oslo_middleware import healthcheck
from oslo_middleware import http_proxy_to_wsgi
from oslo_middleware import request_id

from placement_ext.api import auth
from placement_ext.api.handlers import root
from placement_ext.api import requestlog
from placement_ext.api import wsgi_app

HEALTHCHECK_PATH = '/healthcheck'


class HealthcheckRoute:
    """``/healthcheck`` to oslo.middleware's healthcheck application,
    every other path to ``application``."""

    def __init__(self, application, conf):
        self.application = application
        # Requests it declines (outside [healthcheck]
        # allowed_source_ranges) go on to the API, which has no such
        # resource.
        self.healthcheck = healthcheck.Healthcheck(application, conf)

    def __call__(self, environ, start_response):
        if environ.get('PATH_INFO') == HEALTHCHECK_PATH:
            return self.healthcheck(environ, start_response)
        return self.application(environ, start_response)


class CrossOrigin:
    """oslo.middleware's CORS for requests from a browser (with an
    ``Origin``); the others go straight to ``application``."""

    def __init__(self, application, conf):
        self.application = application
        self.cors = cors.CORS(application, conf)

    def __call__(self, environ, start_response):
        if 'HTTP_ORIGIN' in environ:
            return self.cors(environ, start_response)
        return self.application(environ, start_response)


def deploy(conf, dispatcher):
    """The reservation API's WSGI application over ``dispatcher``."""
    application = auth.wrap(dispatcher, conf)
    application = wsgi_app.Guard(application, root.versions_app,
                                 conf.api.max_request_body_size)
    application = HealthcheckRoute(application, conf)
    if conf.cors.allowed_origin:
        application = CrossOrigin(application, conf)
    if conf.oslo_middleware.enable_proxy_headers_parsing:
        # Only then does it change anything; left out, it costs nothing.
        application = http_proxy_to_wsgi.HTTPProxyToWSGI(application, conf)
    application = requestlog.RequestLog(application)
    return request_id.RequestId(application, conf)
