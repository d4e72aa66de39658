"""Usage enforcement: Blazar's ``[enforcement] enabled_filters`` and the
limits Blazar lacks (doc/enforcement.md).

``load`` builds the enabled filters by name (``FILTERS``) around a store;
the store calls the result on lease create, update and delete, the agent
at a lease's end.
"""

from oslo_config import cfg

from placement_ext.enforcement import enforcer
from placement_ext.enforcement import errors
from placement_ext.enforcement import external_service
from placement_ext.enforcement import max_lease_duration
from placement_ext.enforcement import project_limits

FILTERS = {
    'MaxLeaseDurationFilter': max_lease_duration.MaxLeaseDurationFilter,
    'ExternalServiceFilter': external_service.ExternalServiceFilter,
    'ProjectLimitsFilter': project_limits.ProjectLimitsFilter,
}


def load(conf, store):
    """The ``Enforcement`` of ``[enforcement] enabled_filters`` over
    ``store``; ``errors.Misconfigured`` for an unknown or repeated name or
    an invalid value."""
    try:
        return _load(conf, store)
    except cfg.Error as exc:
        raise errors.Misconfigured('[enforcement]: %s' % exc) from None


def _load(conf, store):
    names = conf.enforcement.enabled_filters
    unknown = sorted(set(names) - set(FILTERS))
    if unknown:
        raise errors.Misconfigured(
            '[enforcement] enabled_filters names unknown filter(s) %s; '
            'known: %s' % (', '.join(unknown), ', '.join(sorted(FILTERS))))
    if len(set(names)) != len(names):
        raise errors.Misconfigured(
            '[enforcement] enabled_filters names a filter twice: %s'
            % ', '.join(names))
    return enforcer.Enforcement(conf, store,
                                [FILTERS[name](conf) for name in names])
