"""The ``[api]`` options of ``blazar-nova-api``, and those of the
oslo.middleware layers of its pipeline (``[cors]``, ``[healthcheck]``,
``[oslo_middleware]``)."""

from oslo_config import cfg
from oslo_middleware import cors
from oslo_middleware import opts as middleware_opts

GROUP = 'api'

API_OPTS = [
    cfg.HostAddressOpt(
        'bind_host', default='127.0.0.1',
        help='Address ``blazar-nova-api`` listens on. Under another WSGI '
             'server (uwsgi, mod_wsgi) this is not used.'),
    cfg.PortOpt(
        'bind_port', default=1234,
        help='Port ``blazar-nova-api`` listens on; 1234 is Blazar\'s, so '
             'existing catalog entries and clients keep working.'),
    cfg.StrOpt(
        'auth_strategy', default='keystone',
        choices=[('keystone', 'Validate tokens with keystonemiddleware '
                              '(configure ``[keystone_authtoken]``).'),
                 ('noauth', 'No authentication, for a local service and '
                            'tests: the token ``admin`` is an admin, a '
                            'token ``USER:PROJECT`` acts as that user of '
                            'that project.')],
        help='How requests are authenticated.'),
    cfg.IntOpt(
        'max_request_body_size', default=256 * 1024, min=1024,
        help='Largest request body accepted, in bytes; larger ones get a '
             '413 before they are read.'),
    cfg.IntOpt(
        'workers', default=8, min=1,
        help='Requests ``blazar-nova-api`` serves at once (threads).'),
]


# What a browser may send and read across origins, beyond CORS's simple
# headers (Placement and Nova set theirs the same way).
CORS_DEFAULTS = dict(
    allow_headers=['X-Auth-Token', 'X-OpenStack-Request-ID',
                   'OpenStack-API-Version', 'Content-Type'],
    expose_headers=['X-Auth-Token', 'X-OpenStack-Request-ID',
                    'OpenStack-API-Version'],
    allow_methods=['GET', 'PUT', 'POST', 'DELETE', 'PATCH', 'HEAD'])


def _middleware_opts():
    cors.set_defaults(**CORS_DEFAULTS)
    return (middleware_opts.list_opts_cors()
            + middleware_opts.list_opts_healthcheck()
            + middleware_opts.list_opts_http_proxy_to_wsgi())


def register_opts(conf):
    conf.register_opts(API_OPTS, group=GROUP)
    for group, opts in _middleware_opts():
        conf.register_opts(opts, group=group)


def list_opts():
    return [(GROUP, API_OPTS)] + _middleware_opts()
