"""``[api] auth_strategy = keystone``: keystonemiddleware in front.

No Keystone runs here, so this proves only that the API is closed without
one: a request without a token gets keystonemiddleware's 401 and the
``WWW-Authenticate`` header naming the identity endpoint, and a request
with a token that cannot be validated (the identity service is
unreachable) is refused, never served. Accepted tokens are covered by the
noauth tests, which set the same headers keystonemiddleware sets.
"""

import socket

from oslo_config import cfg
import pytest
import webob

from placement_ext.api import service
from placement_ext import conf as bn_conf
from placement_ext.db import api as db_api
from placement_ext.db import migration
from placement_ext.store import api as store_api


def _closed_port():
    with socket.socket() as sock:
        sock.bind(('127.0.0.1', 0))
        return sock.getsockname()[1]


@pytest.fixture
def app(tmp_path):
    conf = cfg.ConfigOpts()
    bn_conf.register_opts(conf)
    identity = 'http://127.0.0.1:%d/identity' % _closed_port()
    config = tmp_path / 'api.conf'
    config.write_text(
        '[database]\nconnection = sqlite:///%s\n'
        '[api]\nauth_strategy = keystone\n'
        '[keystone_authtoken]\nwww_authenticate_uri = %s\n'
        'auth_type = password\nauth_url = %s\nusername = blazar\n'
        'password = secret\nproject_name = service\n'
        'user_domain_name = Default\nproject_domain_name = Default\n'
        'http_connect_timeout = 2\nhttp_request_max_retries = 0\n'
        % (tmp_path / 'store.sqlite', identity, identity))
    conf(['--config-file', str(config)], default_config_files=[])
    database = db_api.Database(conf)
    migration.upgrade(database)
    yield service.build(conf, store=store_api.Store(conf, database)), \
        identity
    database.dispose()


def _get(application, path, token=None):
    req = webob.Request.blank(path)
    if token:
        req.headers['X-Auth-Token'] = token
    return req.get_response(application)


def test_no_token_is_refused_with_the_identity_endpoint(app):
    application, identity = app
    resp = _get(application, '/v1/leases')
    assert resp.status_int == 401
    assert identity in resp.headers['WWW-Authenticate']
    assert resp.headers['OpenStack-API-Version'] == 'reservation 1.0'
    # keystonemiddleware's refusals carry the request id too.
    assert resp.headers['x-openstack-request-id'].startswith('req-')


def test_healthcheck_needs_no_token(app):
    application, _ = app
    resp = _get(application, '/healthcheck')
    assert resp.status_int == 200


def test_unverifiable_token_is_never_served(app):
    application, _ = app
    resp = _get(application, '/v1/leases', token='admin')
    # keystonemiddleware cannot reach Keystone: 503, or 401 if it treats
    # the token as invalid; never the leases.
    assert resp.status_int in (401, 503), resp.text
    assert b'leases' not in resp.body


def test_versions_need_no_token(app):
    application, _ = app
    resp = _get(application, '/')
    assert resp.status_int == 300
    assert resp.json['versions'][0]['id'] == 'v1.0'
