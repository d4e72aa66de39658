"""A small JSON-over-HTTP client (stdlib only) for the cloud's APIs, with
Keystone password tokens."""

import json
import urllib.error
import urllib.request

from tools.cloud import errors
from tools.cloud import layout


class Response:

    def __init__(self, status, headers, body):
        self.status = status
        self.headers = headers
        self.body = body

    def json(self):
        return json.loads(self.body) if self.body else None


def request(method, url, body=None, headers=None, data=None, timeout=60):
    """One HTTP request; a Response whatever its status, a CloudError
    when nothing answers."""
    headers = dict(headers or {})
    if body is not None:
        data = json.dumps(body).encode()
        headers.setdefault('Content-Type', 'application/json')
    headers.setdefault('Accept', 'application/json')
    req = urllib.request.Request(url, data=data, method=method,
                                 headers=headers)
    try:
        with urllib.request.urlopen(req, timeout=timeout) as resp:
            return Response(resp.status, resp.headers, resp.read())
    except urllib.error.HTTPError as exc:
        return Response(exc.code, exc.headers, exc.read())
    except (urllib.error.URLError, OSError) as exc:
        raise errors.CloudError('%s %s: %s' % (method, url, exc))


def answers(url, timeout=5):
    """The HTTP status of ``GET url``, or None when nothing answers."""
    try:
        return request('GET', url, timeout=timeout).status
    except errors.CloudError:
        return None


def token(user, password, project):
    """A project-scoped Keystone token of a user of the Default domain."""
    resp = request('POST', layout.KEYSTONE_URL + '/auth/tokens', {'auth': {
        'identity': {'methods': ['password'], 'password': {'user': {
            'name': user, 'domain': {'name': layout.DOMAIN},
            'password': password}}},
        'scope': {'project': {'name': project,
                              'domain': {'name': layout.DOMAIN}}}}})
    if resp.status != 201:
        raise errors.CloudError('Keystone refused a token to %s: %d %s' % (
            user, resp.status, resp.body[:300]))
    return resp.headers['X-Subject-Token']


class Session:
    """Requests made with one user's token."""

    def __init__(self, user, password, project):
        self.token = token(user, password, project)

    def call(self, method, url, body=None, headers=None, data=None,
             expect=(200, 201, 202, 204), timeout=60):
        """The JSON body of the answer; a CloudError for any status not in
        ``expect``."""
        headers = dict(headers or {}, **{'X-Auth-Token': self.token})
        resp = request(method, url, body, headers, data, timeout)
        if resp.status not in expect:
            raise errors.CloudError('%s %s: %d %s' % (
                method, url, resp.status, resp.body[:500]))
        return resp.json() if resp.body else None
