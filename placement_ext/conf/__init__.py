"""Every configuration option of the reservation service
(``blazar-nova.conf``), one module per group, as Nova's ``nova/conf/``.

``register_opts`` registers them all on the ``ConfigOpts`` it is given
(there is no global configuration object); every command registers them
all, whichever groups it reads. ``opts.list_opts`` lists them for
oslo-config-generator (namespace ``placement_ext.conf``). The scheduler
filter's options, in nova.conf, are ``blazar_nova.conf``'s.
"""

from placement_ext.conf import agent
from placement_ext.conf import allocator
from placement_ext.conf import api
from placement_ext.conf import database
from placement_ext.conf import enforcement
from placement_ext.conf import glance
from placement_ext.conf import leases
from placement_ext.conf import middleware
from placement_ext.conf import nova
from placement_ext.conf import paths
from placement_ext.conf import placement

MODULES = (paths, database, allocator, leases, enforcement, api, middleware,
           agent, placement, nova, glance)


def register_opts(conf):
    """Register every option of the service on ``conf``."""
    for module in MODULES:
        module.register_opts(conf)
