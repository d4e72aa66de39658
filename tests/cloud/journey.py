"""Steps of the journey as a user types them: the ``openstack`` CLI for
leases and servers (python-blazarclient's and Nova's commands)."""

import datetime

from tests.cloud import client
from tools.cloud import layout

IMAGE = layout.IMAGE_NAME
FLAVOR = layout.FLAVOR['name']
ORDINARY = [host for host in layout.COMPUTES if host not in
            layout.RESERVABLE]


def create_lease(cloud, who, name, reservation, hours=1, extra=()):
    """``openstack reservation lease create`` starting now; the lease as
    the API shows it (reservations as objects)."""
    end = client.utc_now() + datetime.timedelta(hours=hours)
    created = cloud.json(who, 'reservation', 'lease', 'create',
                         '--reservation', reservation,
                         '--end-date', client.minute(end), *extra, name)
    return cloud.lease(who, created['id'])


def host_lease(cloud, who, name, hosts=1, extra=''):
    """A lease of ``hosts`` whole hosts from now, ACTIVE; (lease,
    reservation id, hosts held)."""
    spec = 'resource_type=physical:host,min=%d,max=%d' % (hosts, hosts)
    lease = create_lease(cloud, who, name, spec + extra)
    lease = cloud.wait_lease(who, lease['id'], 'ACTIVE')
    reservation = lease['reservations'][0]
    held = sorted(a['hypervisor_hostname']
                  for a in reservation['allocations'])
    return lease, reservation['id'], held


def end_lease_now(cloud, who, lease_id):
    """``openstack reservation lease set --end-date <this minute>``: an end
    within the start grace (60 s) is taken as now. The CLI speaks minutes,
    so near a minute's turn the date may already be too old: once more."""
    for _ in range(2):
        result = cloud.run(who, 'reservation', 'lease', 'set', '--end-date',
                           client.minute(client.utc_now()), lease_id,
                           check=False)
        if result.returncode == 0:
            return
        assert 'in the past' in result.stderr, result.stderr
    raise AssertionError(result.stderr)


def boot(cloud, who, name, flavor=FLAVOR, hint=None, expect_error=False,
         group=None):
    """``openstack server create --nic none --wait`` (with ``--hint
    reservation=<hint>``, ``--hint group=<group>`` when given); the server
    as the admin sees it."""
    args = ['server', 'create', '--image', IMAGE, '--flavor', flavor,
            '--nic', 'none', '--wait']
    if hint is not None:
        args += ['--hint', 'reservation=%s' % hint]
    if group is not None:
        args += ['--hint', 'group=%s' % group]
    result = cloud.run(who, *(args + [name]), check=not expect_error)
    if expect_error:
        assert result.returncode != 0, result.stdout
    found = cloud.ok(who, 'compute', 'GET', '/servers?name=^%s$' % name)
    assert len(found['servers']) == 1, found
    return cloud.server(found['servers'][0]['id'])


def host_of(server):
    return server['OS-EXT-SRV-ATTR:host']
