"""The scheduler filter's options in nova.conf.

One module per group (only ``[blazar_filter]`` so far). ``register_opts``
registers them on the configuration it is given: the filter passes Nova's
``nova.conf.CONF`` when nova-scheduler imports it. ``opts.list_opts`` lists
them for oslo-config-generator (namespace ``blazar_nova.conf``). The
reservation service's options are in ``placement_ext.conf``.
"""

from blazar_nova.conf import blazar_filter

MODULES = (blazar_filter,)


def register_opts(conf):
    """Register every option of the filter on ``conf``."""
    for module in MODULES:
        module.register_opts(conf)
