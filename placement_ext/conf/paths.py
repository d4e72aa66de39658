"""``[DEFAULT] state_path``: where the service keeps its state on disk."""

import os

from oslo_config import cfg


def _default_state_path():
    return os.path.join(os.path.expanduser('~'), '.local', 'state',
                        'blazar-nova')


opts = [
    cfg.StrOpt(
        'state_path',
        default=_default_state_path(),
        sample_default='$HOME/.local/state/blazar-nova',
        help="""
Directory where the reservation service keeps its local state.

The default SQLite database lives here. The directory is created on first use.
Production deployments usually point ``[database] connection`` at MariaDB or
PostgreSQL instead, in which case nothing but logs is written here.

Related options:

* ``[database] connection``
"""),
]


def register_opts(conf):
    conf.register_opts(opts)


def list_opts():
    return {'DEFAULT': opts}
