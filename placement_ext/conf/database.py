"""The ``[database]`` group: oslo.db options with this service's default."""

import copy

from oslo_db import options as db_options

DEFAULT_CONNECTION = 'sqlite:///$state_path/blazar_nova.sqlite'


def register_opts(conf):
    db_options.set_defaults(conf, connection=DEFAULT_CONNECTION)


def list_opts():
    """oslo.db's options, with this service's default connection shown."""
    opts = copy.deepcopy(db_options.database_opts)
    for opt in opts:
        if opt.dest == 'connection':
            opt.default = DEFAULT_CONNECTION
    return {'database': opts}
