"""Entry points for oslo-config-generator."""

from placement_ext.conf import allocator
from placement_ext.conf import database
from placement_ext.conf import leases
from placement_ext.conf import paths
from placement_ext.placement import client as placement_client


def list_opts():
    """Return (group, options) pairs of every option this package owns."""
    result = []
    for module in (paths, database, allocator, leases, placement_client):
        result.extend(module.list_opts().items())
    return result
