"""The service's options for oslo-config-generator: namespace
``placement_ext.conf`` (etc/blazar-nova-config-generator.conf)."""

from placement_ext import conf


def list_opts():
    """``(group, options)`` pairs of every option of the service."""
    result = []
    for module in conf.MODULES:
        result.extend(module.list_opts().items())
    return result
