"""The ``[database]`` group: oslo.db options with this service's default."""

from oslo_db import options as db_options

from placement_ext.conf import utils

GROUP = 'database'
DEFAULT_CONNECTION = 'sqlite:///$state_path/blazar_nova.sqlite'


def register_opts(conf):
    db_options.set_defaults(conf, connection=DEFAULT_CONNECTION)


def list_opts():
    return {GROUP: utils.with_defaults(db_options.database_opts,
                                       connection=DEFAULT_CONNECTION)}
