"""Real Keystone in front of the reservation API: projects see their own
leases, members cannot enrol hosts, revoked and expired tokens are
refused, and roles come from Keystone, never from what a caller sends."""

import datetime
import time

from keystoneauth1.identity import v3
from keystoneauth1 import session as ks_session

from tests.cloud import client
from tests.cloud import journey
from tools.cloud import layout


def _names(leases):
    return {lease['name'] for lease in leases}


def test_each_project_sees_its_own_leases(clean_cloud, names):
    cloud = clean_cloud
    spec = 'resource_type=physical:host,min=1,max=1'
    journey.create_lease(cloud, 'alice', names('alpha'), spec)
    journey.create_lease(cloud, 'bob', names('beta'), spec)

    alpha = cloud.json('alice', 'reservation', 'lease', 'list')
    beta = cloud.json('bob', 'reservation', 'lease', 'list')
    every = cloud.json('admin', 'reservation', 'lease', 'list')
    assert _names(alpha) == {names('alpha')}
    assert _names(beta) == {names('beta')}
    assert _names(every) >= {names('alpha'), names('beta')}

    bobs = [lease['id'] for lease in beta]
    hidden = cloud.run('alice', 'reservation', 'lease', 'show', bobs[0],
                       check=False)
    assert hidden.returncode != 0
    gone = cloud.run('alice', 'reservation', 'lease', 'delete', bobs[0],
                     check=False)
    assert gone.returncode != 0
    assert cloud.lease('bob', bobs[0])['name'] == names('beta')


def test_a_member_cannot_enrol_hosts(clean_cloud):
    cloud = clean_cloud
    ordinary = journey.ORDINARY[0]
    refused = cloud.run('alice', 'reservation', 'host', 'create', ordinary,
                        check=False)
    assert refused.returncode != 0
    assert 'Policy does not allow' in refused.stderr, refused.stderr
    hosts = cloud.json('admin', 'reservation', 'host', 'list')
    assert sorted(h['hypervisor_hostname'] for h in hosts) == \
        sorted(layout.RESERVABLE)


def test_roles_come_from_keystone_not_from_headers(clean_cloud):
    cloud = clean_cloud
    forged = {'X-Roles': 'admin', 'X-Role': 'admin',
              'X-Project-Id': cloud.project_id('admin'),
              'X-Identity-Status': 'Confirmed'}
    response = cloud.call('alice', 'reservation', 'POST', '/os-hosts',
                          {'name': journey.ORDINARY[0]}, headers=forged)
    assert response.status_code == 403, response.text
    response = cloud.call('alice', 'reservation', 'GET', '/os-hosts',
                          headers=forged)
    assert response.status_code == 403, response.text
    # noauth's tokens mean nothing to Keystone.
    for text in ('admin', 'alice:alpha'):
        response = cloud.call('alice', 'reservation', 'GET', '/leases',
                              token=text)
        assert response.status_code == 401, response.text


def test_a_revoked_token_is_refused(clean_cloud):
    """keystonemiddleware keeps a token it validated for
    ``[keystone_authtoken] token_cache_time`` (300 s): a token revoked
    before the API first sees it is refused at once (doc/api.md)."""
    cloud = clean_cloud
    token = cloud.json('alice', 'token', 'issue')['id']
    other = cloud.json('alice', 'token', 'issue')['id']
    cloud.run('alice', 'token', 'revoke', token)
    response = cloud.call('alice', 'reservation', 'GET', '/leases',
                          token=token)
    assert response.status_code == 401, response.text
    assert cloud.call('alice', 'reservation', 'GET', '/leases',
                      token=other).status_code == 200


def test_an_expired_token_is_refused(clean_cloud):
    """An application credential that expires in a few seconds: Keystone
    gives its tokens no longer a life than the credential's."""
    cloud = clean_cloud
    expires = client.utc_now() + datetime.timedelta(seconds=6)
    user_id = cloud.session('alice').get_user_id()
    credential = cloud.ok('alice', 'identity', 'POST',
                          '/users/%s/application_credentials' % user_id,
                          {'application_credential': {
                              'name': 'short-lived-%d' % time.time(),
                              'expires_at': expires.isoformat()}})
    credential = credential['application_credential']
    auth = v3.ApplicationCredential(
        auth_url=layout.KEYSTONE_URL,
        application_credential_id=credential['id'],
        application_credential_secret=credential['secret'])
    token = ks_session.Session(auth=auth).get_token()
    assert cloud.call('alice', 'reservation', 'GET', '/leases',
                      token=token).status_code == 200
    time.sleep(max(0.0, (expires - client.utc_now()).total_seconds()) + 2)
    response = cloud.call('alice', 'reservation', 'GET', '/leases',
                          token=token)
    assert response.status_code == 401, response.text
