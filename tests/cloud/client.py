"""Talking to the cloud of tools/cloud.sh as its users do: the real
``openstack`` CLI of the cloud's venv, and Keystone sessions (real tokens)
for the quick reads and waits around it."""

import datetime
import json
import os
import subprocess
import time

from keystoneauth1 import exceptions as ks_exceptions
from keystoneauth1.identity import v3
from keystoneauth1 import session as ks_session
import yaml

# Compute microversion for ``--nic none`` servers, tags and host fields.
COMPUTE_VERSION = '2.79'
CLI_TIMEOUT = 180


class CommandFailed(AssertionError):
    pass


def utc_now():
    return datetime.datetime.now(datetime.timezone.utc).replace(tzinfo=None)


def minute(moment):
    """Blazar's CLI date format (``YYYY-MM-DD HH:MM``, UTC)."""
    return moment.strftime('%Y-%m-%d %H:%M')


def wait_for(check, timeout, what, interval=0.25):
    """Call ``check`` until it returns something true; that value. Fails
    naming ``what`` and the last value after ``timeout`` seconds."""
    deadline = time.monotonic() + timeout
    value = None
    while True:
        value = check()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError('%s: not within %s s (last: %r)'
                                 % (what, timeout, value))
        time.sleep(interval)


class Cloud:
    """The running cloud: its clouds.yaml and venv."""

    def __init__(self, clouds_yaml, venv):
        self.clouds_yaml = str(clouds_yaml)
        self.venv = venv
        with open(self.clouds_yaml) as stream:
            self.clouds = yaml.safe_load(stream)['clouds']
        self._sessions = {}
        self.env = dict(os.environ, OS_CLIENT_CONFIG_FILE=self.clouds_yaml)
        for key in [k for k in self.env if k.startswith('OS_')
                    and k != 'OS_CLIENT_CONFIG_FILE']:
            del self.env[key]

    # The CLI

    def run(self, cloud, *args, check=True):
        """``openstack --os-cloud CLOUD ARGS``; the finished process
        (CommandFailed with its output when it fails and ``check``)."""
        argv = [str(self.venv / 'bin' / 'openstack'), '--os-cloud', cloud]
        argv += [str(arg) for arg in args]
        result = subprocess.run(argv, env=self.env, capture_output=True,
                                text=True, timeout=CLI_TIMEOUT,
                                stdin=subprocess.DEVNULL)
        # python-blazarclient 4.6.0 registers a command whose class it
        # lacks; the CLI says so on every start. Not ours to fix.
        result.stderr = '\n'.join(
            line for line in result.stderr.splitlines()
            if 'reservation_host_unset' not in line)
        if check and result.returncode:
            raise CommandFailed('%s exited %d:\n%s%s' % (
                ' '.join(argv[1:]), result.returncode, result.stdout,
                result.stderr))
        return result

    def json(self, cloud, *args):
        """The JSON output of ``openstack ... -f json``."""
        out = self.run(cloud, *(args + ('-f', 'json'))).stdout
        start = min(i for i in (out.find('{'), out.find('[')) if i >= 0)
        return json.loads(out[start:])

    # Keystone sessions

    def auth(self, cloud):
        settings = self.clouds[cloud]['auth']
        return v3.Password(
            auth_url=settings['auth_url'], username=settings['username'],
            password=settings['password'],
            project_name=settings['project_name'],
            user_domain_name=settings['user_domain_name'],
            project_domain_name=settings['project_domain_name'])

    def session(self, cloud):
        if cloud not in self._sessions:
            self._sessions[cloud] = ks_session.Session(auth=self.auth(cloud))
        return self._sessions[cloud]

    def project_id(self, cloud):
        return self.session(cloud).get_project_id()

    def token(self, cloud):
        return self.session(cloud).get_token()

    def call(self, cloud, service, method, path, body=None, headers=None,
             token=None):
        """One request to ``service`` (a catalog type) as ``cloud``; the
        response, whatever its status."""
        headers = dict(headers or {})
        if service == 'compute':
            headers.setdefault('OpenStack-API-Version',
                               'compute ' + COMPUTE_VERSION)
        session = self.session(cloud)
        kwargs = {}
        if token is not None:
            headers['X-Auth-Token'] = token
            kwargs['authenticated'] = False
            kwargs['endpoint_override'] = session.get_endpoint(
                service_type=service, interface='public')
        try:
            return session.request(
                path, method, json=body, headers=headers, raise_exc=False,
                endpoint_filter={'service_type': service,
                                 'interface': 'public'}, **kwargs)
        except ks_exceptions.ConnectFailure as exc:
            raise AssertionError('%s %s %s: %s' % (service, method, path,
                                                   exc))

    def ok(self, cloud, service, method, path, body=None, headers=None):
        """Like ``call``, but a 4xx or 5xx fails; the decoded body."""
        response = self.call(cloud, service, method, path, body, headers)
        if response.status_code >= 400:
            raise AssertionError('%s %s %s as %s: %d %s' % (
                service, method, path, cloud, response.status_code,
                response.text[:2000]))
        return response.json() if response.content else None

    # Reads the tests repeat

    def lease(self, cloud, lease_id):
        return self.ok(cloud, 'reservation', 'GET',
                       '/leases/%s' % lease_id)['lease']

    def wait_lease(self, cloud, lease_id, status, timeout=60):
        return wait_for(
            lambda: (lambda lease: lease if lease['status'] == status
                     else None)(self.lease(cloud, lease_id)),
            timeout, 'lease %s %s' % (lease_id, status))

    def server(self, server_id):
        """The server as the admin sees it (host included); None once
        deleted."""
        response = self.call('admin', 'compute', 'GET',
                             '/servers/%s' % server_id)
        if response.status_code == 404:
            return None
        assert response.status_code == 200, response.text
        return response.json()['server']

    def wait_server(self, server_id, statuses, timeout=60):
        def check():
            server = self.server(server_id)
            return server if server and server['status'] in statuses \
                else None
        return wait_for(check, timeout, 'server %s in %s' % (
            server_id, statuses))

    def wait_server_gone(self, server_id, timeout=60):
        return wait_for(lambda: self.server(server_id) is None, timeout,
                        'server %s deleted' % server_id)

    def providers(self):
        """``{name: uuid}`` of Placement's resource providers."""
        body = self.ok('admin', 'placement', 'GET', '/resource_providers')
        return {rp['name']: rp['uuid'] for rp in body['resource_providers']}

    def provider_state(self, name):
        """What Placement says of a host: its traits, the resource classes
        of its inventory and of its allocations, and its child
        providers."""
        uuid = self.providers()[name]
        headers = {'OpenStack-API-Version': 'placement 1.39'}
        get = lambda path: self.ok('admin', 'placement', 'GET', path,  # noqa
                                   headers=headers)
        allocations = get('/resource_providers/%s/allocations' % uuid)
        children = get('/resource_providers?in_tree=%s' % uuid)
        return {
            'traits': set(get('/resource_providers/%s/traits'
                              % uuid)['traits']),
            'inventory': set(get('/resource_providers/%s/inventories'
                                 % uuid)['inventories']),
            'allocations': allocations['allocations'],
            'children': [rp['name'] for rp in children['resource_providers']
                         if rp['uuid'] != uuid],
        }
