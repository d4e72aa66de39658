"""clouds.yaml of the cloud: clouds ``admin``, ``alice`` and ``bob``, each
password auth scoped to its project, identity v3, region RegionOne. JSON
strings are YAML strings, so no YAML library is needed."""

import json
import os

from tools.cloud import layout

# cloud name -> (user, project)
CLOUDS = {'admin': ('admin', 'admin')}
CLOUDS.update({user: (user, project)
               for user, project in layout.TENANTS.items()})


def render(secrets):
    lines = ['clouds:']
    for cloud, (user, project) in CLOUDS.items():
        lines += [
            '  %s:' % cloud,
            '    auth:',
            '      auth_url: %s' % json.dumps(layout.url('keystone', '/v3')),
            '      username: %s' % json.dumps(user),
            '      password: %s' % json.dumps(secrets[user]),
            '      project_name: %s' % json.dumps(project),
            '      user_domain_name: %s' % json.dumps(layout.DOMAIN),
            '      project_domain_name: %s' % json.dumps(layout.DOMAIN),
            '    auth_type: password',
            '    identity_api_version: 3',
            '    interface: public',
            '    region_name: %s' % json.dumps(layout.REGION),
        ]
    return '\n'.join(lines) + '\n'


def write(path, secrets):
    """Write it readable by its owner only (it holds passwords)."""
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, 'w') as out:
        out.write(render(secrets))
    return path
