"""``ExternalServiceFilter``: ask the operator's service, as Blazar does.

Each check POSTs JSON (``bodies``) to the service: ``{context, lease}`` to
``check-create``, ``{context, current_lease, lease}`` to ``check-update``,
``{context, lease}`` to ``on-end``, with the token in ``X-Auth-Token``
(``external_service_token``, or a Keystone token of this group's
keystoneauth1 user).

* 204 allows.
* 403 refuses; the answer's ``message`` is what the user reads (HTTP 400,
  as Blazar answers), or Blazar's generic refusal when there is none.
* A timeout (``external_service_timeout``), a connection error or a 5xx
  follows ``external_service_on_failure``: ``deny`` refuses with HTTP 503,
  ``allow`` lets the lease through and logs a warning.
* Any other answer refuses with Blazar's generic message (the answer is
  logged, not shown: it may hold what the user should not read).

The checks run before the allocator lock is taken, so a slow or dead
service only ever delays the lease being checked.
"""

from urllib import parse

from keystoneauth1 import exceptions as ks_exc
from keystoneauth1 import loading as ks_loading
from keystoneauth1 import session as ks_session
from oslo_log import log as logging

from placement_ext.conf import enforcement as enforcement_conf
from placement_ext.enforcement import base
from placement_ext.enforcement import errors

LOG = logging.getLogger(__name__)

# Blazar's words and status for a refusal without a usable message.
GENERIC_DENY_MSG = 'External service enforcement filter denied the request.'
REFUSED_STATUS = 400
MAX_MESSAGE = 1000
UNDECIDED = ('The external enforcement service could not check this lease '
             '(%s); the lease was not %s. Try again later.')
ENDPOINTS = (('check_create', 'check-create'),
             ('check_update', 'check-update'),
             ('on_end', 'on-end'))


def endpoints(opts):
    """``{check: URL or None}`` from the base URL and the overrides.

    The base is joined as Blazar joins it (``urljoin``): without a final
    ``/`` its last segment is replaced (``http://svc/v1`` gives
    ``http://svc/check-create``), so a blazar.conf's URLs stay the same.
    """
    base_url = opts.external_service_base_endpoint
    found = {}
    for check, path in ENDPOINTS:
        override = getattr(opts, 'external_service_%s_endpoint' % check)
        found[check] = override or (parse.urljoin(base_url, path)
                                    if base_url else None)
    return found


class ExternalServiceFilter(base.Filter):

    outside_lock = True

    def __init__(self, conf):
        super().__init__(conf)
        opts = conf.enforcement
        self.urls = endpoints(opts)
        if not any(self.urls.values()):
            raise errors.Misconfigured(
                'ExternalServiceFilter has no endpoint: set [enforcement] '
                'external_service_base_endpoint.')
        self.timeout = opts.external_service_timeout
        self.on_failure = opts.external_service_on_failure
        self.token = opts.external_service_token
        auth = ks_loading.load_auth_from_conf_options(
            conf, enforcement_conf.GROUP)
        self.session = ks_session.Session(
            auth=auth, verify=opts.external_service_cafile or True)

    def _post(self, url, body):
        """The service's answer: True to allow, a ``Refused`` to refuse, or
        a text saying why it could not decide."""
        headers = {'Content-Type': 'application/json',
                   'Accept': 'application/json'}
        if self.session.auth is None and self.token:
            headers['X-Auth-Token'] = self.token
        try:
            resp = self.session.post(
                url, json=body, headers=headers, timeout=self.timeout,
                raise_exc=False, authenticated=self.session.auth is not None,
                connect_retries=0, status_code_retries=0)
        except ks_exc.ClientException as exc:
            return '%s: %s' % (type(exc).__name__, exc)
        if resp.status_code == 204:
            return True
        if resp.status_code >= 500:
            LOG.warning('Enforcement service %s answered %d: %.500s', url,
                        resp.status_code, resp.text)
            return 'it answered HTTP %d' % resp.status_code
        if resp.status_code == 403:
            return errors.Refused(_message(resp), REFUSED_STATUS)
        LOG.warning('Enforcement service %s answered %d, neither 204 nor '
                    '403: %.500s', url, resp.status_code, resp.text)
        return errors.Refused(GENERIC_DENY_MSG, REFUSED_STATUS)

    def _check(self, url, body, verb):
        if not url:
            return
        answer = self._post(url, body)
        if answer is True:
            return
        if isinstance(answer, errors.Refused):
            raise answer
        if self.on_failure == 'allow':
            LOG.warning('Enforcement service %s could not decide (%s): the '
                        'lease is allowed ([enforcement] '
                        'external_service_on_failure = allow)', url, answer)
            return
        LOG.warning('Enforcement service %s could not decide (%s): the '
                    'lease is refused', url, answer)
        raise errors.ServiceFailed(UNDECIDED % (answer, verb))

    def check_create(self, context, lease):
        self._check(self.urls['check_create'],
                    {'context': context, 'lease': lease}, 'created')

    def check_update(self, context, current_lease, lease):
        self._check(self.urls['check_update'],
                    {'context': context, 'current_lease': current_lease,
                     'lease': lease}, 'updated')

    def on_end(self, context, lease):
        url = self.urls['on_end']
        if not url:
            return
        answer = self._post(url, {'context': context, 'lease': lease})
        if answer is not True:
            LOG.warning('Enforcement service %s did not take the end of '
                        'lease %s: %s', url, lease.get('id'), answer)


def _message(resp):
    """The 403's ``message`` if it is a short text, else Blazar's generic
    refusal."""
    try:
        message = resp.json()['message']
    except (ValueError, KeyError, TypeError):
        message = None
    if not isinstance(message, str) or not message.strip():
        LOG.warning('Enforcement service answered 403 without a message: '
                    '%.500s', resp.text)
        return GENERIC_DENY_MSG
    return message[:MAX_MESSAGE]
