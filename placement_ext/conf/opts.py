"""Entry points for oslo-config-generator."""

from placement_ext.conf import allocator
from placement_ext.conf import database
from placement_ext.conf import leases
from placement_ext.conf import paths


def list_opts():
    """Return (group, options) pairs of every option this package owns."""
    result = []
    for module in (paths, database, allocator, leases):
        result.extend(module.list_opts().items())
    return result
