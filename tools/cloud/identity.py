"""Keystone: its database and keys (``keystone-manage``), then the cloud's
projects, users, roles and catalog through its v3 API.

``bootstrap`` makes the ``admin`` user, project and role, the ``member``
and ``reader`` roles, the identity endpoints and region RegionOne. Then
``populate`` adds project ``service`` with the service users (roles admin
and service, as DevStack gives them; ``blazar`` also an inherited member of
the default domain's projects, as devstack/plugin.sh makes it, to make
server groups in a lease's project), projects ``alpha`` (user alice) and
``beta`` (user bob) with role member, and every other service of
``layout.CATALOG`` with a public, internal and admin endpoint.
"""

import concurrent.futures
import logging
import os

from tools.cloud import commands
from tools.cloud import layout

LOG = logging.getLogger(__name__)

INTERFACES = ('public', 'internal', 'admin')


def setup(venv, conf, admin_password, log):
    """Schema, fernet and credential keys, bootstrap."""
    def manage(*args):
        commands.run([venv / 'bin' / 'keystone-manage', '--config-file',
                      conf] + list(args), log=log)

    owner = ['--keystone-user', str(os.getuid()),
             '--keystone-group', str(os.getgid())]
    with concurrent.futures.ThreadPoolExecutor(3) as pool:
        for future in [pool.submit(manage, 'db_sync'),
                       pool.submit(manage, 'fernet_setup', *owner),
                       pool.submit(manage, 'credential_setup', *owner)]:
            future.result()
    manage('bootstrap', '--bootstrap-password', admin_password,
           '--bootstrap-username', 'admin',
           '--bootstrap-project-name', 'admin',
           '--bootstrap-role-name', 'admin',
           '--bootstrap-service-name', 'keystone',
           '--bootstrap-region-id', layout.REGION,
           '--bootstrap-admin-url', layout.KEYSTONE_URL,
           '--bootstrap-internal-url', layout.KEYSTONE_URL,
           '--bootstrap-public-url', layout.KEYSTONE_URL)


class Identity:
    """Keystone's v3 API as its admin (a rest.Session)."""

    def __init__(self, session):
        self.session = session

    def call(self, method, path, body=None):
        return self.session.call(method, layout.KEYSTONE_URL + path, body)

    def roles(self):
        return {role['name']: role['id']
                for role in self.call('GET', '/roles')['roles']}

    def create(self, kind, body):
        """Create one ``kind`` (``role``, ``project``...); its id."""
        return self.call('POST', '/%ss' % kind, {kind: body})[kind]['id']

    def user(self, name, password, project_id, role_ids):
        user_id = self.create('user', {
            'name': name, 'password': password, 'domain_id': 'default',
            'default_project_id': project_id})
        for role_id in role_ids:
            self.call('PUT', '/projects/%s/users/%s/roles/%s' % (
                project_id, user_id, role_id))
        return user_id

    def service(self, service_type, name, url):
        service_id = self.create('service', {
            'type': service_type, 'name': name, 'enabled': True})
        for interface in INTERFACES:
            self.create('endpoint', {
                'service_id': service_id, 'interface': interface,
                'url': url, 'region_id': layout.REGION})
        return service_id


def populate(session, secrets):
    """Projects, users, roles and the catalog (``secrets``: passwords by
    user name), on a Keystone fresh from bootstrap; {project name: id}.
    Users and services are created four at a time."""
    identity = Identity(session)
    roles = identity.roles()
    for name in ('admin', 'member', 'service'):
        if name not in roles:
            roles[name] = identity.create('role', {'name': name})
    projects = {name: identity.create('project', {
        'name': name, 'domain_id': 'default'}) for name in
        (layout.SERVICE_PROJECT,) + tuple(layout.TENANTS.values())}
    with concurrent.futures.ThreadPoolExecutor(4) as pool:
        service_users = {user: pool.submit(
            identity.user, user, secrets[user],
            projects[layout.SERVICE_PROJECT],
            [roles['admin'], roles['service']])
            for user in layout.SERVICE_USERS}
        futures = list(service_users.values())
        futures += [pool.submit(identity.user, user, secrets[user],
                                projects[project], [roles['member']])
                    for user, project in layout.TENANTS.items()]
        futures += [pool.submit(identity.service, service_type, name, url)
                    for service_type, (name, url) in layout.CATALOG.items()]
        for future in futures:
            future.result()
    identity.call('PUT', '/OS-INHERIT/domains/default/users/%s/roles/%s/'
                  'inherited_to_projects' % (
                      service_users['blazar'].result(), roles['member']))
    LOG.debug('Keystone populated: %s', projects)
    return projects
