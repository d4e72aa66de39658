"""JSON requests to an OpenStack API through a keystoneauth1 Adapter, at
one pinned microversion.

Subclasses name the service, its microversion, the config group holding
its keystoneauth1 options (registered by ``placement_ext.conf``), and the
errors to raise: connection failures and 5xx answers raise
``unavailable_error`` (retry later), any other answer outside ``expect``
raises ``refused_error``.
"""

import copy

from keystoneauth1 import exceptions as ks_exc
from keystoneauth1 import loading as ks_loading
from oslo_config import cfg

from placement_ext import exception


class Response:
    """Status and decoded JSON body (None when empty) of one answer."""

    __slots__ = ('status', 'body')

    def __init__(self, status, body):
        self.status = status
        self.body = body


def error_detail(response):
    """The first error's code and detail from an OpenStack error body."""
    body = response.body if isinstance(response.body, dict) else {}
    errors = body.get('errors') or [{}]
    first = errors[0]
    if 'detail' in first or 'code' in first:
        return '%s %s' % (first.get('code', ''), first.get('detail', ''))
    # Nova's form: {"conflictingRequest": {"message": ..., "code": 409}}
    for value in body.values():
        if isinstance(value, dict) and 'message' in value:
            return value['message']
    return ''


class RestClient:
    """JSON requests against one service."""

    service_name = None
    microversion = None
    group = None
    unavailable_error = exception.ServiceUnavailable
    refused_error = exception.ServiceRefused

    def __init__(self, adapter, global_request_id=None):
        self._adapter = adapter
        self.global_request_id = global_request_id

    def for_context(self, context):
        """This client, sending ``context``'s global request id
        (``X-OpenStack-Request-ID``) with every request, so the service's
        logs tie its work to the request that caused it."""
        client = copy.copy(self)
        client.global_request_id = context.global_id
        return client

    @classmethod
    def from_conf(cls, conf):
        """Build the client from the keystoneauth1 options of its group."""
        auth = ks_loading.load_auth_from_conf_options(conf, cls.group)
        session = ks_loading.load_session_from_conf_options(
            conf, cls.group, auth=auth)
        return cls(ks_loading.load_adapter_from_conf_options(
            conf, cls.group, session=session, auth=auth))

    def request(self, method, url, body=None, expect=(200,),
                content_type=None):
        """Send one request (its JSON body as ``content_type``, by default
        application/json); return a ``Response`` whose status is in
        ``expect`` or raise."""
        kwargs = {'microversion': self.microversion, 'raise_exc': False,
                  'headers': {'Accept': 'application/json'}}
        if body is not None:
            kwargs['json'] = body
        if content_type is not None:
            kwargs['headers']['Content-Type'] = content_type
        if self.global_request_id:
            kwargs['global_request_id'] = self.global_request_id
        try:
            resp = self._adapter.request(url, method, **kwargs)
        except ks_exc.ConnectionError as exc:
            raise self.unavailable_error('%s is unreachable (%s %s): %s' % (
                self.service_name, method, url, exc))
        try:
            decoded = resp.json() if resp.content else None
        except ValueError:
            decoded = None
        answer = Response(resp.status_code, decoded)
        if resp.status_code in expect:
            return answer
        if resp.status_code >= 500:
            raise self.unavailable_error('%s failed %s %s: HTTP %s' % (
                self.service_name, method, url, resp.status_code))
        raise self.refused_error(self.service_name, method, url,
                                 resp.status_code, error_detail(answer))

    def get(self, url, expect=(200,)):
        return self.request('GET', url, expect=expect)

    def put(self, url, body=None, expect=(200,)):
        return self.request('PUT', url, body, expect=expect)

    def post(self, url, body, expect=(200,)):
        return self.request('POST', url, body, expect=expect)

    def delete(self, url, expect=(204,)):
        return self.request('DELETE', url, expect=expect)


def configured(conf, group):
    """Whether ``group`` is registered in ``conf`` and says how to reach
    its service (an auth type or an endpoint)."""
    try:
        section = conf[group]
    except cfg.NoSuchOptError:
        return False
    return bool(section.auth_type or section.endpoint_override)
