"""The application for uwsgi, mod_wsgi or gunicorn:
``placement_ext.api.wsgi:application``.

The configuration file is ``$BLAZAR_NOVA_CONFIG`` (default
``/etc/blazar-nova/blazar-nova.conf``).
"""

import os

from oslo_config import cfg
from oslo_log import log as logging

from placement_ext.api import service

DEFAULT_CONFIG = '/etc/blazar-nova/blazar-nova.conf'


def init_application():
    conf = cfg.ConfigOpts()
    service.register_opts(conf)
    logging.register_options(conf)
    path = os.environ.get('BLAZAR_NOVA_CONFIG', DEFAULT_CONFIG)
    conf([], project=service.PROJECT,
         default_config_files=[path] if os.path.exists(path) else [])
    logging.setup(conf, service.PROJECT)
    return service.build(conf)


application = init_application() if os.environ.get(
    'BLAZAR_NOVA_WSGI_AUTOLOAD', '1') == '1' else None
