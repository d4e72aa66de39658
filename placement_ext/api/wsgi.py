"""The reservation API for a WSGI server (uwsgi, mod_wsgi, gunicorn):
``placement_ext.api.wsgi:application``.

The configuration is read from the file named by
``$BLAZAR_NOVA_CONFIG_FILE``, else ``/etc/blazar-nova/blazar-nova.conf``
(``$BLAZAR_NOVA_CONFIG``, the earlier name, is still read when the new
one is not set). It is read, and the application built, on the first
request, once per process, so importing this module needs no
configuration. For example::

    uwsgi --http-socket :1234 --module placement_ext.api.wsgi:application \\
          --env BLAZAR_NOVA_CONFIG_FILE=/etc/blazar-nova/blazar-nova.conf

Mounted under a path prefix (DevStack's ``/reservation``), the server
sets ``SCRIPT_NAME`` and the version document's links include it.
"""

import os
import threading

from oslo_config import cfg
from oslo_log import log as logging

from placement_ext.api import service
from placement_ext import conf as bn_conf

CONFIG_ENV = 'BLAZAR_NOVA_CONFIG_FILE'
OLD_CONFIG_ENV = 'BLAZAR_NOVA_CONFIG'
DEFAULT_CONFIG = '/etc/blazar-nova/blazar-nova.conf'


def config_file():
    """The configuration file this process reads."""
    return (os.environ.get(CONFIG_ENV) or os.environ.get(OLD_CONFIG_ENV)
            or DEFAULT_CONFIG)


def init_application():
    """The application of the configuration ``config_file`` names; a
    named file that does not exist is an error, the default one may be
    absent (then every option has its default)."""
    conf = cfg.ConfigOpts()
    bn_conf.register_opts(conf)
    logging.register_options(conf)
    path = config_file()
    named = CONFIG_ENV in os.environ or OLD_CONFIG_ENV in os.environ
    if named and not os.path.exists(path):
        raise RuntimeError('The configuration file %s (%s) does not exist.'
                           % (path, CONFIG_ENV))
    conf([], project=service.PROJECT,
         default_config_files=[path] if os.path.exists(path) else [])
    logging.setup(conf, service.PROJECT)
    return service.build(conf)


class _LazyApplication:
    """Builds the application on its first request, once."""

    def __init__(self):
        self._application = None
        self._lock = threading.Lock()

    def __call__(self, environ, start_response):
        if self._application is None:
            with self._lock:
                if self._application is None:
                    self._application = init_application()
        return self._application(environ, start_response)


application = _LazyApplication()
