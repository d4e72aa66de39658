"""Availability: a project's readers may ask what is free."""

from oslo_policy import policy

from placement_ext.api.policies import base

GET = 'blazar:availability:get'

RULES = [
    policy.DocumentedRuleDefault(
        name=GET,
        check_str=base.PROJECT_READER_OR_ADMIN,
        description='Ask how much of a reservation request is free over a '
                    'window, and when it first fits.',
        operations=[{'method': 'POST', 'path': '/v1/availability'}],
        scope_types=base.PROJECT_SCOPE),
]


def list_rules():
    return RULES
