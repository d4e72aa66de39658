"""Who is asking: keystonemiddleware in deployments, ``noauth`` locally.

Both leave the caller in the headers keystonemiddleware defines
(``X-User-Id``, ``X-Project-Id``, ``X-Roles``), from which
``context_of`` builds the request context.
"""

from keystonemiddleware import auth_token
import webob.dec

from placement_ext.api import errors
from placement_ext.api import policy
from placement_ext import context
from placement_ext import limits

ADMIN_TOKEN = 'admin'


class NoAuth:
    """Trust the token, for a local service and tests only: ``admin`` is
    an administrator of project ``admin``; ``USER:PROJECT`` is user USER,
    a member of project PROJECT, both 1 to 64 characters
    (``limits.id_problem``) and USER without ``:``. Anything else,
    including no token, is refused with a 401, as keystonemiddleware
    refuses a token it cannot verify."""

    def __init__(self, application):
        self.application = application

    @webob.dec.wsgify
    def __call__(self, req):
        caller = caller_of_token(req.headers.get('X-Auth-Token', ''))
        if caller is None:
            return errors.response(401, 'Authentication required: send '
                                        'X-Auth-Token (noauth: "admin" or '
                                        '"USER:PROJECT").')
        user, project, roles = caller
        req.headers['X-User-Id'] = user
        req.headers['X-Project-Id'] = project
        req.headers['X-Roles'] = roles
        req.headers['X-Identity-Status'] = 'Confirmed'
        return req.get_response(self.application)


def caller_of_token(header):
    """``(user, project, roles)`` of a noauth token (the header's value as
    WSGI gives it, latin-1 of its bytes), or None when it is not one."""
    try:
        token = header.encode('latin-1').decode('utf-8').strip()
    except UnicodeError:
        return None
    if token == ADMIN_TOKEN:
        return ADMIN_TOKEN, ADMIN_TOKEN, 'admin,member,reader'
    user, colon, project = token.partition(':')
    if not colon or limits.id_problem(user) or limits.id_problem(project):
        return None
    return user, project, 'member,reader'


def wrap(application, conf):
    """``application`` behind the configured ``[api] auth_strategy``."""
    if conf.api.auth_strategy == 'noauth':
        return NoAuth(application)
    return auth_token.AuthProtocol(application,
                                   {'oslo_config_config': conf})


def context_of(req, conf):
    """The ``RequestContext`` of an authenticated request: the caller,
    the request id and the global request id (``request_id``
    middleware); an administrator if policy's ``context_is_admin`` says
    so."""
    ctx = context.RequestContext.from_environ(req.environ)
    ctx.is_admin = policy.is_admin(conf, ctx)
    return ctx
