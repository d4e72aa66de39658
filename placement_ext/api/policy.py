"""Checking a request against the policy rules (``policies``)."""

from oslo_policy import policy

from placement_ext.api import errors
from placement_ext.api import policies
from placement_ext.api.policies import base

_ENFORCERS = {}


def get_enforcer(conf=None):
    """The enforcer of ``conf`` (oslo.policy's sample and upgrade tools
    call this with no argument: then the global configuration)."""
    if conf is None:
        from oslo_config import cfg
        conf = cfg.CONF
    enforcer = _ENFORCERS.get(id(conf))
    if enforcer is None:
        enforcer = policy.Enforcer(conf)
        enforcer.register_defaults(policies.list_rules())
        _ENFORCERS[id(conf)] = enforcer
    return enforcer


def _own(context):
    return {'project_id': context.project_id, 'user_id': context.user_id}


def is_admin(conf, context):
    """Whether ``context`` is an administrator: the ``context_is_admin``
    rule decides, not a role's name."""
    return get_enforcer(conf).authorize(
        base.CONTEXT_IS_ADMIN, _own(context), context.to_policy_values())


def authorize(conf, context, rule, target=None):
    """Raise a 403 unless ``context`` may do ``rule`` on ``target``
    (default: an object of the caller's own project)."""
    if target is None:
        target = _own(context)
    credentials = context.to_policy_values()
    if not get_enforcer(conf).authorize(rule, target, credentials):
        raise errors.HTTPError(
            403, 'Policy does not allow %s to be performed.' % rule)
