"""The filter's options for oslo-config-generator: namespace
``blazar_nova.conf`` (etc/nova-blazar-filter-config-generator.conf)."""

from blazar_nova import conf


def list_opts():
    """``(group, options)`` pairs of every option of the filter."""
    result = []
    for module in conf.MODULES:
        result.extend(module.list_opts().items())
    return result
