"""The options of the oslo.middleware layers of the API's pipeline:
``[cors]``, ``[healthcheck]`` and ``[oslo_middleware]``, with this
service's CORS defaults."""

from oslo_middleware import opts as middleware_opts

from placement_ext.conf import utils

# What a browser may send and read across origins, beyond CORS's simple
# headers (Placement and Nova set theirs the same way).
CORS_DEFAULTS = dict(
    allow_headers=['X-Auth-Token', 'X-OpenStack-Request-ID',
                   'OpenStack-API-Version', 'Content-Type'],
    expose_headers=['X-Auth-Token', 'X-OpenStack-Request-ID',
                    'OpenStack-API-Version'],
    allow_methods=['GET', 'PUT', 'POST', 'DELETE', 'PATCH', 'HEAD'])


def _library_opts():
    return (middleware_opts.list_opts_cors()
            + middleware_opts.list_opts_healthcheck()
            + middleware_opts.list_opts_http_proxy_to_wsgi())


def register_opts(conf):
    for group, opts in _library_opts():
        conf.register_opts(opts, group=group)
    utils.set_defaults(conf, 'cors', **CORS_DEFAULTS)


def list_opts():
    return {group: (utils.with_defaults(opts, **CORS_DEFAULTS)
                    if group == 'cors' else opts)
            for group, opts in _library_opts()}
