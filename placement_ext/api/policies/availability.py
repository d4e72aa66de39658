"""Availability: any member of a project may ask what is free."""

from oslo_policy import policy

from placement_ext.api.policies import base

RULES = [
    policy.DocumentedRuleDefault(
        'blazar:availability:get', base.ADMIN_OR_OWNER,
        'Ask how much of a reservation request is free over a window, and '
        'when it first fits.',
        [{'method': 'POST', 'path': '/v1/availability'}]),
]


def list_rules():
    return RULES
