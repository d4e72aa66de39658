"""The cloud of tools/cloud.sh for the journey tests: brought up once
(or found up) for the tests of this package, taken down after them when
they brought it up.

The tests skip, with the reason, only when MariaDB or RabbitMQ does not
listen on this machine; when both are up, a cloud that cannot start is an
error. ``BLAZAR_NOVA_CLOUD_KEEP=1`` leaves a cloud this session started
running, for the next session to find.
"""

import os
import pathlib
import subprocess

import pytest

from tests.cloud import client
from tools.cloud import checks
from tools.cloud import environment
from tools.cloud import layout

REPO = pathlib.Path(__file__).resolve().parents[2]
UP_TIMEOUT = 900  # building the venv (about a minute) and starting
DOWN_TIMEOUT = 180


def pytest_collection_modifyitems(items):
    """Every test here may wait for the cloud's first start."""
    here = pathlib.Path(__file__).parent
    for item in items:
        if here in pathlib.Path(str(item.fspath)).parents:
            item.add_marker(pytest.mark.timeout(UP_TIMEOUT))


def _missing_servers():
    missing = []
    if not checks.listening(layout.MYSQL['host'], layout.MYSQL['port']):
        missing.append('MariaDB (%s:%d)' % (layout.MYSQL['host'],
                                            layout.MYSQL['port']))
    if not checks.listening(layout.RABBIT['host'], layout.RABBIT['port']):
        missing.append('RabbitMQ (%s:%d)' % (layout.RABBIT['host'],
                                             layout.RABBIT['port']))
    return missing


def _cloud_sh(command, log, timeout):
    with open(log, 'a') as out:
        result = subprocess.run(
            [str(REPO / 'tools' / 'cloud.sh'), command], cwd=REPO,
            stdout=subprocess.PIPE, stderr=out, text=True, timeout=timeout,
            stdin=subprocess.DEVNULL)
        out.write(result.stdout)
    return result


@pytest.fixture(scope='package')
def cloud(tmp_path_factory):
    """The running cloud (tests.cloud.client.Cloud), for the tests of this
    package only: down before the other tests run."""
    missing = _missing_servers()
    if missing:
        pytest.skip('the real cloud needs %s, which do not listen here'
                    % ' and '.join(missing))
    log = tmp_path_factory.mktemp('cloud') / 'cloud-sh.log'
    result = _cloud_sh('up', log, UP_TIMEOUT)
    lines = result.stdout.strip().splitlines()
    if result.returncode or not lines or \
            not lines[-1].startswith('OS_CLIENT_CONFIG_FILE='):
        pytest.fail('tools/cloud.sh up failed (exit %d); its output:\n%s'
                    % (result.returncode, log.read_text()[-6000:]),
                    pytrace=False)
    started_here = 'already running' not in result.stdout
    clouds_yaml = lines[-1].split('=', 1)[1]
    yield client.Cloud(clouds_yaml, environment.venv_path())
    if started_here and not os.environ.get('BLAZAR_NOVA_CLOUD_KEEP'):
        result = _cloud_sh('down', log, DOWN_TIMEOUT)
        assert result.returncode == 0, log.read_text()[-3000:]


def _leases(cloud):
    found = {}
    for who in ('admin', 'alice', 'bob'):
        for lease in cloud.ok(who, 'reservation', 'GET',
                              '/leases')['leases']:
            found[lease['id']] = who
    return found


def _servers(cloud):
    return cloud.ok('admin', 'compute', 'GET',
                    '/servers?all_tenants=1')['servers']


def _clean(cloud):
    """No lease, no server, no image but the cloud's own, every compute
    service enabled."""
    for service in cloud.ok('admin', 'compute', 'GET',
                            '/os-services?binary=nova-compute')['services']:
        if service['status'] != 'enabled':
            cloud.ok('admin', 'compute', 'PUT',
                     '/os-services/%s' % service['id'],
                     {'status': 'enabled'})
    for lease_id, who in _leases(cloud).items():
        cloud.ok(who, 'reservation', 'DELETE', '/leases/%s' % lease_id)
    for server in _servers(cloud):
        cloud.call('admin', 'compute', 'DELETE', '/servers/%s'
                   % server['id'])
    client.wait_for(lambda: not _servers(cloud) and not _leases(cloud), 60,
                    'no server and no lease left')
    for image in cloud.ok('admin', 'image', 'GET', '/v2/images')['images']:
        if image['name'] != layout.IMAGE_NAME:
            cloud.ok('admin', 'image', 'DELETE', '/v2/images/%s'
                     % image['id'])


@pytest.fixture
def clean_cloud(cloud):
    """The cloud as built, before and after the test: no lease, no
    server, every compute service enabled."""
    _clean(cloud)
    yield cloud
    _clean(cloud)


@pytest.fixture
def names(request):
    """Unique names for what a test creates."""
    return lambda what: '%s-%s' % (request.node.name[:40], what)
