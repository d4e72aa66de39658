"""The cloud's services: for each, the command that runs it, its
environment, and how to tell it is up.

The HTTP APIs are WSGI applications served by wsgi_server.py (Keystone,
Glance, Placement, Neutron's API, Nova's compute API) or the project's own
``blazar-nova-api``, and the dashboard (Horizon under Django's server,
dashboard.py); each is up when ``GET /`` (for the dashboard, a static
file of its: a rendered page costs seconds) gets an HTTP answer below 500
on its port. nova-conductor, nova-scheduler, the nova-computes and
``blazar-nova-agent`` are their packages' commands; they are up while
their process runs (Nova's own view of its services is checked by the
orchestration).
"""

import os

from tools.cloud import dashboard
from tools.cloud import layout
from tools.cloud import rest

WSGI_SERVER = layout.REPO / 'tools' / 'cloud' / 'wsgi_server.py'

# name -> (WSGI application, environment variable naming its config dir,
#          extra server arguments)
WSGI_APPS = {
    'keystone': ('keystone.wsgi.api:application', 'OS_KEYSTONE_CONFIG_DIR',
                 ()),
    'glance': ('glance.wsgi.api:application', 'OS_GLANCE_CONFIG_DIR', ()),
    'placement': ('placement.wsgi.api:application',
                  'OS_PLACEMENT_CONFIG_DIR', ()),
    'neutron': ('neutron.wsgi.api:application', 'OS_NEUTRON_CONFIG_DIR',
                ('--configure-mappers',)),
    'nova-api': ('nova.wsgi.osapi_compute:application', 'OS_NOVA_CONFIG_DIR',
                 ()),
}


class Service:
    """One process of the cloud (a process group once started)."""

    def __init__(self, name, argv, env=None, port=None, health='/'):
        self.name = name
        self.argv = argv
        self.env = env or {}
        self.port = port
        self.health = health

    @property
    def url(self):
        return layout.url(self.name) if self.port else None

    def answers(self):
        """True when its API answers (always True without an API)."""
        if not self.port:
            return True
        status = rest.answers(self.url + self.health)
        return status is not None and status < 500


def base_environment():
    """The caller's environment without what would redirect a service
    (OS_* client and config variables, PYTHON* settings)."""
    return {key: value for key, value in os.environ.items()
            if not key.startswith(('OS_', 'PYTHON'))}


def _wsgi(lay, venv, name):
    app, variable, extra = WSGI_APPS[name]
    folder = 'nova' if name == 'nova-api' else name
    env = {variable: str(lay.conf_dir(folder))}
    if name == 'neutron':
        env['OS_NEUTRON_CONFIG_FILES'] = 'neutron.conf'
    argv = [venv / 'bin' / 'python', '-I', WSGI_SERVER, app,
            str(layout.PORTS[name])] + list(extra)
    return Service(name, argv, env, layout.PORTS[name])


def table(lay, venv):
    """{name: Service} of every process of the cloud."""
    found = {name: _wsgi(lay, venv, name) for name in WSGI_APPS}
    nova_conf = lay.conf_dir('nova') / 'nova.conf'
    for binary in ('nova-conductor', 'nova-scheduler'):
        found[binary] = Service(binary, [venv / 'bin' / binary,
                                         '--config-file', nova_conf])
    for host in layout.COMPUTES:
        name = 'nova-compute-' + host
        found[name] = Service(name, [
            venv / 'bin' / 'nova-compute', '--config-file',
            lay.conf_dir(name) / 'nova.conf'])
    blazar_conf = lay.conf_dir('blazar-nova') / 'blazar-nova.conf'
    found['blazar-nova-api'] = Service(
        'blazar-nova-api', [venv / 'bin' / 'blazar-nova-api',
                            '--config-file', blazar_conf],
        port=layout.PORTS['blazar-nova-api'])
    found['blazar-nova-agent'] = Service(
        'blazar-nova-agent', [venv / 'bin' / 'blazar-nova-agent',
                              '--config-file', blazar_conf])
    found['horizon'] = Service('horizon', dashboard.argv(lay, venv),
                               port=layout.PORTS['horizon'],
                               health=dashboard.HEALTH)
    return found
