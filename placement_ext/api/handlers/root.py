"""``/`` and ``/v1``: the API versions, as Blazar lists them (``/`` needs
no token)."""

import webob.dec

from placement_ext.api import errors
from placement_ext.api import util

VERSION = {
    'id': 'v1.0',
    'status': 'CURRENT',
    'min_version': '1.0',
    'max_version': '1.0',
    'links': [{'rel': 'self', 'href': 'v1'}],
}


def _versions(req):
    # The application's URL holds the path prefix it is mounted at
    # (SCRIPT_NAME: uwsgi's mount point, or a proxy's X-Forwarded-Prefix
    # through HTTPProxyToWSGI).
    version = dict(VERSION, links=[{'rel': 'self',
                                    'href': req.application_url + '/v1'}])
    return {'versions': [version]}


@webob.dec.wsgify
def versions_app(req):
    if req.method not in ('GET', 'HEAD'):
        raise errors.HTTPError(405, 'Method %s is not allowed on /.'
                               % req.method, {'Allow': 'GET, HEAD'})
    resp = util.respond(_versions(req))
    resp.status = 300
    return resp


def version(req):
    return util.respond({'version': _versions(req)['versions'][0]})
