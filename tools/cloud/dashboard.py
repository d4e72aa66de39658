"""The cloud's dashboard: Horizon 27.0.0 with blazar-dashboard 16.0.0's
panels (Reservations > Leases for every project, Admin > Reservation >
Hosts for administrators), both unchanged from PyPI.

Horizon reads its settings from a ``local`` package (``from
local.local_settings import *`` in ``openstack_dashboard/settings.py``).
Ours is written under ``etc/horizon/local/`` and found first because the
server runs with ``--pythonpath etc/horizon``; nothing is written into the
venv, so two clouds can share one. Blazar's plugin files
(``blazar_dashboard/enabled/_9*.py``, which an installation copies into
Horizon's ``local/enabled``) are found where blazar-dashboard installed
them: the settings add that folder to the search path of
``openstack_dashboard.local.enabled`` before Horizon scans it.

Django's own server runs it (``runserver --insecure --noreload``, with
``DEBUG`` off: ``--insecure`` serves the static files, which Horizon's
compressor builds on the first page). Sessions are signed cookies and the
cache is in the process's memory, so no memcached is needed.
"""

import secrets as secrets_module

from tools.cloud import layout

SETTINGS = 'openstack_dashboard.settings'
# What tells the server is up: a static file through Django's static
# handler (a rendered page costs seconds on a busy machine, and a health
# check that times out would have ``up`` rebuild a healthy cloud).
HEALTH = '/static/dashboard/img/favicon.ico'

# Written as Python source: each value with repr().
TEMPLATE = '''\
"""Horizon's local settings of the cloud of tools/cloud.sh (written by
tools/cloud/dashboard.py at each build)."""

import os

import blazar_dashboard.enabled
from openstack_dashboard.local import enabled as _local_enabled

# blazar-dashboard's plugin files, where it installed them.
_local_enabled.__path__.append(
    os.path.dirname(blazar_dashboard.enabled.__file__))

DEBUG = False
ALLOWED_HOSTS = {allowed_hosts!r}
SECRET_KEY = {secret_key!r}
OPENSTACK_KEYSTONE_URL = {keystone_url!r}
OPENSTACK_KEYSTONE_DEFAULT_ROLE = 'member'
TIME_ZONE = 'UTC'
CACHES = {{
    'default': {{
        'BACKEND': 'django.core.cache.backends.locmem.LocMemCache'}},
}}
SESSION_ENGINE = 'django.contrib.sessions.backends.signed_cookies'
STATIC_ROOT = {static_root!r}
COMPRESS_OFFLINE = False
LOGGING = {{
    'version': 1,
    'disable_existing_loggers': False,
    'formatters': {{'plain': {{
        'format': '%(asctime)s %(levelname)s %(name)s %(message)s'}}}},
    'handlers': {{'stderr': {{'class': 'logging.StreamHandler',
                              'formatter': 'plain', 'level': 'INFO'}}}},
    'root': {{'handlers': ['stderr'], 'level': 'INFO'}},
}}
'''


def settings_dir(lay):
    """The folder put first on the server's Python path."""
    return lay.conf_dir('horizon')


def configure(lay):
    """Write ``etc/horizon/local/local_settings.py``; its path."""
    package = settings_dir(lay) / 'local'
    package.mkdir(parents=True, exist_ok=True)
    (package / '__init__.py').write_text('')
    static = lay.data / 'horizon' / 'static'
    static.mkdir(parents=True, exist_ok=True)
    path = package / 'local_settings.py'
    path.write_text(TEMPLATE.format(
        allowed_hosts=[layout.HOST, 'localhost'],
        secret_key=secrets_module.token_urlsafe(40),
        keystone_url=layout.KEYSTONE_URL,
        static_root=str(static)))
    path.chmod(0o600)
    return path


def argv(lay, venv):
    """The command that serves the dashboard on its port."""
    return [venv / 'bin' / 'python', '-m', 'django', 'runserver',
            '--noreload', '--insecure', '--settings', SETTINGS,
            '--pythonpath', settings_dir(lay),
            '%s:%d' % (layout.HOST, layout.PORTS['horizon'])]
