"""Blazar's error bodies, and which status each refusal gets.

Every error answer is ``{"error_code": N, "error_message": "...",
"error_name": "..."}`` (what python-blazarclient prints); nothing else
escapes: an unexpected exception is logged with its traceback and answered
with a 500 that says no more than that.
"""

import json

from oslo_log import log as logging
import webob

from placement_ext import exception

LOG = logging.getLogger(__name__)

NAMES = {400: 'BAD_REQUEST', 401: 'UNAUTHORIZED', 403: 'FORBIDDEN',
         404: 'NOT_FOUND', 405: 'METHOD_NOT_ALLOWED',
         406: 'NOT_ACCEPTABLE', 409: 'CONFLICT',
         413: 'REQUEST_ENTITY_TOO_LARGE', 415: 'UNSUPPORTED_MEDIA_TYPE',
         500: 'INTERNAL_SERVER_ERROR', 502: 'BAD_GATEWAY',
         503: 'SERVICE_UNAVAILABLE'}


class HTTPError(Exception):
    """A refusal with its status, raised by handlers and middleware."""

    def __init__(self, status, message, headers=None):
        super().__init__(message)
        self.status = status
        self.message = message
        self.headers = headers or {}


def response(status, message, headers=None):
    body = {'error_code': status, 'error_message': message,
            'error_name': NAMES.get(status, str(status))}
    resp = webob.Response(status=status, content_type='application/json',
                          charset='utf-8')
    resp.text = json.dumps(body)
    for name, value in (headers or {}).items():
        resp.headers[name] = value
    return resp


def status_of(exc):
    """The status a store refusal maps to (its ``code``), or None."""
    if isinstance(exc, exception.ReservationError):
        return exc.code
    return None


def render(exc):
    """The response for an exception raised while serving a request."""
    if isinstance(exc, HTTPError):
        return response(exc.status, exc.message, exc.headers)
    if isinstance(exc, UnicodeDecodeError):
        # webob decodes the path and the query string as UTF-8 on first
        # use; bytes that are not UTF-8 are the client's error.
        return response(400, 'The request path or query string is not '
                             'valid UTF-8.')
    status = status_of(exc)
    if status is None:
        LOG.exception('Unexpected error while serving a request')
        return response(500, 'Internal Server Error: the error is logged '
                             'by the reservation API.')
    if status >= 500:
        LOG.warning('Answering %d: %s', status, exc)
    return response(status, str(exc))
