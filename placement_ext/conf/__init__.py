"""Configuration options of the store and allocator.

Options are registered on an explicit ``ConfigOpts`` passed in; there is no
hidden global configuration object.
"""

from placement_ext.conf import allocator
from placement_ext.conf import database
from placement_ext.conf import leases
from placement_ext.conf import paths
from placement_ext.placement import client as placement_client


def register_opts(conf):
    """Register every option of this package on ``conf``."""
    paths.register_opts(conf)
    database.register_opts(conf)
    allocator.register_opts(conf)
    leases.register_opts(conf)
    placement_client.register_opts(conf)
