"""Who is asking: keystonemiddleware in deployments, ``noauth`` locally.

Both leave the caller in the headers keystonemiddleware defines
(``X-User-Id``, ``X-Project-Id``, ``X-Roles``), from which
``context_of`` builds the request context.
"""

from keystonemiddleware import auth_token
import webob.dec

from placement_ext.api import errors
from placement_ext import context

ADMIN_TOKEN = 'admin'


class NoAuth:
    """Trust the token: ``admin`` is an administrator of project
    ``admin``; ``USER:PROJECT`` (or ``USER``, project ``USER``) is that
    user, a member of that project. A request without a token is refused
    (401), as keystonemiddleware would."""

    def __init__(self, application):
        self.application = application

    @webob.dec.wsgify
    def __call__(self, req):
        token = req.headers.get('X-Auth-Token', '').strip()
        if not token:
            return errors.response(401, 'Authentication required: send '
                                        'X-Auth-Token (noauth: "admin" or '
                                        '"USER:PROJECT").')
        user, _, project = token.partition(':')
        roles = 'admin,member,reader' if user == ADMIN_TOKEN else \
            'member,reader'
        req.headers['X-User-Id'] = user
        req.headers['X-Project-Id'] = project or user
        req.headers['X-Roles'] = roles
        req.headers['X-Identity-Status'] = 'Confirmed'
        return req.get_response(self.application)


def wrap(application, conf):
    """``application`` behind the configured ``[api] auth_strategy``."""
    if conf.api.auth_strategy == 'noauth':
        return NoAuth(application)
    return auth_token.AuthProtocol(application,
                                   {'oslo_config_config': conf})


def context_of(req):
    """The ``RequestContext`` of an authenticated request."""
    ctx = context.RequestContext.from_environ(req.environ)
    ctx.is_admin = 'admin' in (ctx.roles or ())
    return ctx
